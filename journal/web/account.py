"""The user's own account: password and language."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _

from ..security import access
from ..security.audit import audit
from ..security.passwords import hash_password
from ..security.passwords import password_problems
from ..security.passwords import verify_password
from ..security.sessions import end_all_sessions
from ..storage import get_store

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@access.login_required
def password():
    """Change one's own password; every other session of the user ends."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        current = request.form.get("current_password", "")
        new = request.form.get("new_password", "")
        if not verify_password(g.user["password_hash"], current):
            errors["current_password"] = [_("This is not your current password.")]
        problems = password_problems(new, username=g.user["username"])
        if problems:
            errors["new_password"] = problems
        elif new != request.form.get("confirm_password", ""):
            errors["confirm_password"] = [_("The two new passwords differ.")]
        if not errors:
            get_store().users.update(g.user["id"], {"password_hash": hash_password(new)},
                                     actor_id=g.user["id"])
            end_all_sessions(g.user["id"], keep_current=True)
            audit("password_change", object_type="user", object_id=g.user["id"])
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("account.password"))
    return render_template("account/password.html", errors=errors), 400 if errors else 200


@bp.route("/language", methods=["POST"])
@access.public
def language():
    """Switch the interface language (kept on the account when signed in)."""
    choice = request.form.get("locale", "")
    if choice in ("nl", "en"):
        session["locale"] = choice
        if g.get("user"):
            get_store().users.update(g.user["id"], {"locale": choice}, actor_id=g.user["id"])
    return redirect(_back())


def _back() -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else url_for("home.index")
