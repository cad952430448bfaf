"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import g
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _

from ..security import access
from ..security import throttle
from ..security import totp
from ..security.audit import audit
from ..security.passwords import hash_password
from ..security.passwords import needs_rehash
from ..security.passwords import verify_password
from ..security.sessions import current_session
from ..security.sessions import end_session
from ..security.sessions import start_session
from ..signin import identities
from ..signin import providers as signin_providers
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
        wait = throttle.wait_seconds(username, request.remote_addr)
        if wait:
            return _throttled(wait, username)
        store = get_store()
        found = store.users.find(username=username.lower()) if username else []
        user = found[0] if found else None
        password = request.form.get("password", "")
        if (user and user.get("active") and user.get("password_hash")
                and verify_password(user["password_hash"], password)):
            if not identities.password_allowed(user):
                # Right password, but the school switched passwords off for this role.
                audit("login_failed", object_type="user", object_id=user["id"],
                      outcome="refused", user_id="", detail="password_off")
                error = _("Passwords are switched off for your role: sign in with your school "
                          "account below.")
                return _login_page(error, username, 403)
            if needs_rehash(user["password_hash"]):
                store.users.update(user["id"], {"password_hash": hash_password(password)})
            if totp.enabled_for(user):
                return _ask_for_code(user)
            throttle.record_success(username)
            start_session(user)
            audit("login", object_type="user", object_id=user["id"], user_id=user["id"])
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(username, request.remote_addr)
        audit("login_failed", object_type="user", object_id=user["id"] if user else "",
              outcome="refused", user_id="")
        error = _("Unknown user name or wrong password.")
    elif g.get("session_expired"):
        flash(_("Your session has ended. Please sign in again."), "info")
    return _login_page(error, username, 401 if error else 200)


def _login_page(error, username: str, status: int):
    """The sign-in form, with a button per enabled OpenID provider."""
    return render_template("auth/login.html", error=error, username=username,
                           providers=signin_providers.enabled_providers(),
                           next=_safe_next(request.args.get("next"))), status


def _throttled(wait: int, username: str):
    audit("login_failed", object_type="user", outcome="throttled", user_id="")
    minutes = max(1, -(-wait // 60))
    error = _("Too many failed sign-in attempts. Wait %(minutes)s minutes and try again.",
              minutes=minutes)
    response, _status = _login_page(error, username, 429)
    return response, 429, {"Retry-After": str(wait)}


def _ask_for_code(user: dict, next_url: str | None = None, via: dict | None = None):
    """Remember who passed the password (or provider) step and ask for their one-time code.

    :param via: how the first step was done (a provider), kept for the session record.
    """
    session.clear()
    session["pending_2fa"] = totp.pending_login(
        user, next_url or _safe_next(request.args.get("next")), via=via)
    return redirect(url_for("auth.second_factor"))


@bp.route("/login/code", methods=["GET", "POST"])
@access.public
def second_factor():
    """Ask for the one-time code after a correct password (second factor)."""
    user = totp.pending_user(session.get("pending_2fa"))
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    error = None
    if request.method == "POST":
        wait = throttle.wait_seconds(user["username"], request.remote_addr)
        if wait:
            audit("login_failed", object_type="user", object_id=user["id"], outcome="throttled",
                  user_id="", detail="totp")
            minutes = max(1, -(-wait // 60))
            error = _("Too many failed sign-in attempts. Wait %(minutes)s minutes and try again.",
                      minutes=minutes)
            return render_template("auth/code.html", error=error), 429, {"Retry-After": str(wait)}
        if totp.verify_user_code(user, request.form.get("code", "")):
            target = session["pending_2fa"]["next"]
            via = session["pending_2fa"].get("via")
            throttle.record_success(user["username"])
            start_session(user, via)
            audit("login", object_type="user", object_id=user["id"], user_id=user["id"],
                  detail=f"oidc:{via['provider']}:totp" if via else "totp")
            return redirect(_safe_next(target))
        throttle.record_failure(user["username"], request.remote_addr)
        audit("login_failed", object_type="user", object_id=user["id"], outcome="refused",
              user_id="", detail="totp")
        error = _("This code is not right. Type the six digits your app shows now.")
    return render_template("auth/code.html", error=error), 401 if error else 200


@bp.route("/logout", methods=["POST"])
@access.public
def logout():
    """End the session on the server; after a provider's sign-in, offer its logout too."""
    user = g.get("user")
    record = current_session() or {}
    if user:
        audit("logout", object_type="user", object_id=user["id"])
    end_session()
    provider_logout = None
    provider = signin_providers.get_provider(record.get("provider") or "") if user else None
    if provider is not None:
        from ..signin import oidc

        provider_logout = oidc.end_session_url(
            provider, id_token=record.get("id_token"),
            post_logout_redirect_uri=url_for("auth.login", _external=True))
    if provider_logout:
        response = make_response(render_template(
            "auth/signed_out.html", provider=provider, provider_logout=provider_logout))
    else:
        flash(_("You have signed out."), "info")
        response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
