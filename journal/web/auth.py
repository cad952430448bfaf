"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..security import access
from ..security.audit import audit
from ..security.passwords import hash_password
from ..security.passwords import needs_rehash
from ..security.passwords import verify_password
from ..security.sessions import end_session
from ..security.sessions import start_session
from ..storage import get_store

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow local paths after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login():
    """Show the login form and sign the user in."""
    if g.get("user") is not None and request.method == "GET":
        return redirect(url_for("home.index"))
    error = None
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        store = get_store()
        found = store.users.find(username=username.lower()) if username else []
        user = found[0] if found else None
        password = request.form.get("password", "")
        if user and user.get("active") and verify_password(user["password_hash"], password):
            if needs_rehash(user["password_hash"]):
                store.users.update(user["id"], {"password_hash": hash_password(password)})
            start_session(user)
            audit("login", object_type="user", object_id=user["id"], user_id=user["id"])
            return redirect(_safe_next(request.args.get("next")))
        audit("login_failed", object_type="user", object_id=user["id"] if user else "",
              outcome="refused", user_id="")
        error = _("Unknown user name or wrong password.")
    elif g.get("session_expired"):
        flash(_("Your session has ended. Please sign in again."), "info")
    return render_template("auth/login.html", error=error, username=username), (
        401 if error else 200
    )


@bp.route("/logout", methods=["POST"])
@access.public
def logout():
    """End the session on the server."""
    user = g.get("user")
    if user:
        audit("logout", object_type="user", object_id=user["id"])
    end_session()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
