"""Signing in through an OpenID Connect provider, linking one's own account to it,
and the page for people who wait for a role (docs/sign-in.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import abort
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
from ..security.headers import CSP
from ..security import throttle
from ..security import totp
from ..security.audit import audit
from ..security.sessions import start_session
from ..signin import identities
from ..signin import oidc
from ..signin import providers as registry
from ..signin.identities import IdentityError
from ..signin.oidc import SignInError
from ..signin.providers import ProviderError
from .auth import _ask_for_code
from .auth import _safe_next

bp = Blueprint("signin", __name__)

#: Endpoints a signed-in person without any role may reach.
WAITING_ENDPOINTS = {"signin.waiting", "auth.logout", "account.language", "static"}


@bp.before_app_request
def confine_until_role():
    """A person whose account has no role yet (made at a first sign-in) sees only the
    waiting page: no data, no menu."""
    user = g.get("user")
    if user is None or user.get("roles"):
        return None
    if request.endpoint in WAITING_ENDPOINTS:
        return None
    if g.get("auth_via_token"):
        abort(403)
    return redirect(url_for("signin.waiting"))


def _provider_or_404(provider_id: str) -> dict:
    provider = registry.get_provider(provider_id)
    if provider is None or not provider["enabled"] or registry.problems(provider):
        abort(404)
    return provider


def _binding() -> str:
    if not session.get("oidc_binding"):
        session["oidc_binding"] = oidc.new_binding()
    return session["oidc_binding"]


def _redirect_uri(provider: dict) -> str:
    return url_for("signin.callback", provider_id=provider["id"], _external=True)


def _unreachable(provider: dict, error: ProviderError):
    audit("login_failed", object_type="oidc_provider", object_id=provider["id"],
          outcome="refused", user_id="", detail=f"provider:{error.reason}")
    return render_template("signin/failed.html", provider=provider, message=_(
        "%(name)s cannot be reached right now, or answers in a way the journal does not "
        "trust. Try again later or sign in with your password.", name=provider["name"])), 502


@bp.route("/login/provider/<provider_id>")
@access.public
def start(provider_id: str):
    """Send the browser to the provider to sign in (authorisation code flow with PKCE).

    A plain link, not a form: the journal's ``form-action 'self'`` policy would stop a
    form's redirect to the provider in the browser. Following it from elsewhere only
    shows the provider's sign-in page; what comes back is bound to this browser.
    """
    provider = _provider_or_404(provider_id)
    try:
        url = oidc.begin(provider, redirect_uri=_redirect_uri(provider), binding=_binding(),
                         next_url=_safe_next(request.args.get("next")))
    except ProviderError as error:
        return _unreachable(provider, error)
    return redirect(url)


#: What the person reads after a refused callback, by reason.
def _failure_message(reason: str, provider: dict) -> str:
    if reason in ("unknown_state", "other_browser", "too_late"):
        return _("This sign-in link has already been used or has expired. Start again from the "
                 "sign-in page.")
    if reason == "provider_error":
        return _("%(name)s did not sign you in. Start again from the sign-in page.",
                 name=provider["name"])
    return _("The answer from %(name)s could not be trusted, so you have not been signed in. "
             "Try again; if it keeps happening, tell your administrator.", name=provider["name"])


def _refuse(provider: dict, reason: str, *, username: str | None = None, status: int = 401,
            message: str | None = None, subject: str | None = None):
    throttle.record_failure(username, request.remote_addr)
    audit("login_failed", object_type="oidc_provider", object_id=provider["id"],
          outcome="refused", user_id="", detail=reason)
    return render_template("signin/failed.html", provider=provider, subject=subject,
                           message=message or _failure_message(reason, provider)), status


def _throttled(provider: dict, wait: int):
    audit("login_failed", object_type="oidc_provider", object_id=provider["id"],
          outcome="throttled", user_id="")
    minutes = max(1, -(-wait // 60))
    message = _("Too many failed sign-in attempts. Wait %(minutes)s minutes and try again.",
                minutes=minutes)
    return (render_template("signin/failed.html", provider=provider, message=message), 429,
            {"Retry-After": str(wait)})


@bp.route("/login/provider/<provider_id>/callback")
@access.public
def callback(provider_id: str):
    """Where the provider sends the browser back: check everything, then sign in (or link)."""
    provider = _provider_or_404(provider_id)
    wait = throttle.wait_seconds(None, request.remote_addr)
    if wait:
        return _throttled(provider, wait)
    try:
        outcome = oidc.complete(provider, request.args, binding=session.get("oidc_binding"))
    except SignInError as error:
        return _refuse(provider, error.reason)
    subject = outcome.claims["sub"]
    if outcome.purpose == "link":
        return _finish_link(provider, outcome)
    user = identities.find_user(provider["issuer"], subject)
    subject_key = f"oidc:{provider['issuer']}|{subject}"
    if user is None:
        wait = throttle.wait_seconds(subject_key, request.remote_addr)
        if wait:
            return _throttled(provider, wait)
        if not provider["allow_signup"]:
            return _refuse(provider, "unknown_subject", username=subject_key, status=403,
                           subject=subject, message=_(
                               "Your account at %(name)s is not linked to an account in this "
                               "journal. Ask your administrator to link it; give them the id "
                               "below.", name=provider["name"]))
        user = identities.create_from_claims(provider, outcome.claims)
    if not user.get("active"):
        return _refuse(provider, "inactive", username=user["username"], status=403, message=_(
            "This account is deactivated. Ask your administrator."))
    wait = throttle.wait_seconds(user["username"], request.remote_addr)
    if wait:
        return _throttled(provider, wait)
    via = {"provider": provider["id"], "id_token": outcome.id_token}
    trusted_mfa = identities.mfa_claimed(provider, outcome.claims)
    if totp.enabled_for(user) and not trusted_mfa:
        return _ask_for_code(user, outcome.next_url, via=via)
    if trusted_mfa:
        via["second_factor"] = "provider"
    throttle.record_success(user["username"])
    start_session(user, via)
    audit("login", object_type="user", object_id=user["id"], user_id=user["id"],
          detail=f"oidc:{provider['id']}" + (":mfa" if trusted_mfa else ""))
    return redirect(_safe_next(outcome.next_url))


def _finish_link(provider: dict, outcome):
    user = g.get("user")
    if user is None or user["id"] != outcome.user_id:
        return _refuse(provider, "link_other_user", status=403, message=_(
            "Sign in to the journal first, then link your account from My account."))
    try:
        identities.link(user, user, provider, outcome.claims["sub"])
    except IdentityError as error:
        flash(" ".join(m for ms in error.errors.values() for m in ms), "error")
    else:
        flash(_("Your account at %(name)s is linked: you can sign in with it from now on.",
                name=provider["name"]), "success")
    return redirect(url_for("signin.identities_page"))


@bp.route("/account/sign-in", methods=["GET"])
@access.login_required
def identities_page():
    """My account: the providers this account can sign in with, and linking another one."""
    linked = identities.identities_of(g.user)
    by_issuer = registry.issuers()
    rows = [{"identity": i, "provider": by_issuer.get(i.get("issuer"))} for i in linked]
    linked_issuers = {i.get("issuer") for i in linked}
    available = [p for p in registry.enabled_providers() if p["issuer"] not in linked_issuers]
    response = make_response(render_template(
        "signin/account.html", rows=rows, available=available,
        password_allowed=identities.password_allowed(g.user)))
    # The "Link with …" forms redirect to the provider: allow its sign-in page as a form target.
    targets = " ".join(sorted({_origin(p) for p in available} - {""}))
    if targets:
        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", f"form-action 'self' {targets}")
    return response


def _origin(provider: dict) -> str:
    try:
        url = registry.metadata(provider)["authorization_endpoint"]
    except ProviderError:
        url = provider["issuer"]
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@bp.route("/account/sign-in/link/<provider_id>", methods=["POST"])
@access.login_required
def link_start(provider_id: str):
    """Link the signed-in account to a provider: sign in there once."""
    provider = _provider_or_404(provider_id)
    if g.get("auth_via_token"):
        abort(403)
    try:
        url = oidc.begin(provider, redirect_uri=_redirect_uri(provider), binding=_binding(),
                         purpose="link", user_id=g.user["id"],
                         next_url=url_for("signin.identities_page"))
    except ProviderError as error:
        return _unreachable(provider, error)
    return redirect(url)


@bp.route("/account/sign-in/unlink", methods=["POST"])
@access.login_required
def unlink():
    """Remove one of the account's links to a provider."""
    issuer = request.form.get("issuer", "")
    subject = request.form.get("subject", "")
    if not any(i.get("issuer") == issuer and i.get("subject") == subject
               for i in identities.identities_of(g.user)):
        abort(404)
    if not identities.password_allowed(g.user) and len(identities.identities_of(g.user)) == 1:
        flash(_("This is your only way to sign in: passwords are switched off for your role."),
              "error")
        return redirect(url_for("signin.identities_page"))
    try:
        identities.unlink(g.user, g.user, issuer, subject)
    except IdentityError as error:
        flash(" ".join(m for ms in error.errors.values() for m in ms), "error")
    else:
        flash(_("The link has been removed."), "success")
    return redirect(url_for("signin.identities_page"))


@bp.route("/waiting")
@access.login_required
def waiting():
    """For a person signed in through a provider whose account has no role yet."""
    if g.user.get("roles"):
        return redirect(url_for("home.index"))
    return render_template("signin/waiting.html")
