"""The user's own account: password, language, second factor and API tokens."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _

from ..security import access
from ..security import totp
from ..security.audit import audit
from ..security.passwords import hash_password
from ..security.passwords import password_problems
from ..security.passwords import verify_password
from ..security.sessions import create_token
from ..security.sessions import current_session
from ..security.sessions import end_all_sessions
from ..security.sessions import list_tokens
from ..security.sessions import revoke_token as revoke_user_token
from ..security.sessions import set_session_value
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


#: Longest name of an API token.
TOKEN_NAME_MAX = 60


@bp.route("/tokens", methods=["GET", "POST"])
@access.login_required
def tokens():
    """List, create ("Mijn API-sleutels") the user's personal access tokens for the API.

    A new token's secret is shown once, on the page that answers the POST;
    only its hash is stored.
    """
    errors: dict[str, list[str]] = {}
    name = request.form.get("name", "").strip()
    secret = None
    if request.method == "POST":
        if not name:
            errors["name"] = [_("Give the key a name, such as the program that will use it.")]
        elif len(name) > TOKEN_NAME_MAX:
            errors["name"] = [_("Use at most %(n)s characters.", n=TOKEN_NAME_MAX)]
        else:
            record, secret = create_token(g.user, name)
            audit("token_create", object_type="token", object_id=record["id"])
            name = ""
    return render_template("account/tokens.html", tokens=list_tokens(g.user["id"]), errors=errors,
                           name=name, secret=secret), 400 if errors else 200


@bp.route("/tokens/<token_id>/revoke", methods=["POST"])
@access.login_required
def revoke_token(token_id: str):
    """Revoke one of the user's own tokens; it stops working at once."""
    if not revoke_user_token(g.user["id"], token_id):
        abort(404)
    audit("token_revoke", object_type="token", object_id=token_id)
    flash(_("The key has been revoked."), "success")
    return redirect(url_for("account.tokens"))


@bp.route("/totp", methods=["GET", "POST"], endpoint="totp")
@access.login_required
def totp_setup():
    """Set up (or replace) the second factor: show a new secret, confirm it with a code."""
    if g.get("auth_via_token"):
        abort(403)
    record = current_session() or {}
    secret = record.get("totp_pending")
    if not secret:
        secret = totp.new_secret()
        set_session_value("totp_pending", secret)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if totp.enable(g.user, secret, request.form.get("code", "")):
            set_session_value("totp_pending", None)
            end_all_sessions(g.user["id"], keep_current=True)
            audit("account", object_type="user", object_id=g.user["id"], detail="totp_enabled")
            flash(_("Two-step sign-in is on. From now on you type a code after your password."),
                  "success")
            return redirect(url_for("account.totp"))
        errors["code"] = [_("This code is not right. Type the six digits your app shows now.")]
    return render_template(
        "account/totp.html", errors=errors, secret=totp.grouped(secret),
        uri=totp.provisioning_uri(secret, g.user["username"]),
        enabled=totp.enabled_for(g.user), required=totp.required_for(g.user),
    ), 400 if errors else 200


@bp.route("/totp/disable", methods=["POST"])
@access.login_required
def totp_disable():
    """Turn the second factor off, after the current password, unless the school requires it."""
    if totp.required_for(g.user):
        abort(403)
    if not verify_password(g.user["password_hash"], request.form.get("password", "")):
        flash(_("This is not your current password."), "error")
        return redirect(url_for("account.totp"))
    totp.disable(g.user, actor_id=g.user["id"])
    audit("account", object_type="user", object_id=g.user["id"], detail="totp_disabled")
    flash(_("Two-step sign-in is off."), "success")
    return redirect(url_for("account.totp"))
