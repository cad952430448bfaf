"""The optional second factor: time-based one-time codes (RFC 6238, via pyotp).

A user turns it on from "My account"; the school can require it for roles
with school-wide access (``JOURNAL_TOTP_REQUIRED_ROLES`` in the config, or the
``totp_required_roles`` setting an administrator changes on the security
settings page). A user whose role requires it and who has not enrolled yet can
reach only the enrolment page until they do.

A code is accepted once: the last accepted time step is kept on the account,
so a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pyotp
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..storage import get_store

STEP_SECONDS = 30
#: Accept the code of the previous and next step too (clock drift of phones).
DRIFT_STEPS = 1

#: Endpoints a user who must still enrol may reach.
ENROLMENT_ENDPOINTS = {"account.totp", "auth.logout", "account.language", "static"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def new_secret() -> str:
    """Return a new random base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """Return the ``otpauth://`` URI an authenticator app can import."""
    # The app's own name, in the interface language ("Logboek"), when the school has none set.
    issuer = current_app.config.get("JOURNAL_SCHOOL_NAME") or str(_l("Journal"))
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def grouped(secret: str) -> str:
    """Return ``secret`` in groups of four characters, easier to type over."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, *, after_step: int | None = None) -> int | None:
    """Return the time step whose code equals ``code``, or ``None``.

    :param after_step: only steps later than this count (replay protection).
    """
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = _now()
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        moment = now + timedelta(seconds=offset * STEP_SECONDS)
        step = totp.timecode(moment)
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.at(moment), code):
            return step
    return None


def verify_user_code(user: dict, code: str) -> bool:
    """Check ``code`` against the user's secret and use it up; return whether it was valid."""
    secret = user.get("totp_secret")
    if not secret:
        return False
    step = matching_step(secret, code, after_step=user.get("totp_last_step"))
    if step is None:
        return False
    get_store().users.update(user["id"], {"totp_last_step": step}, actor_id=user["id"])
    return True


def enable(user: dict, secret: str, code: str) -> bool:
    """Turn the second factor on with ``secret`` once ``code`` proves the app has it."""
    step = matching_step(secret, code)
    if step is None:
        return False
    get_store().users.update(user["id"], {"totp_secret": secret, "totp_last_step": step},
                             actor_id=user["id"])
    return True


def disable(user: dict, *, actor_id: str | None = None) -> dict:
    """Turn the second factor off (the user, or an administrator after a lost phone)."""
    return get_store().users.update(user["id"], {"totp_secret": None, "totp_last_step": None},
                                    actor_id=actor_id)


#: Minutes a user has between a correct password and the one-time code.
PENDING_MINUTES = 5


def pending_login(user: dict, next_url: str, via: dict | None = None) -> dict:
    """Return what the cookie keeps between the password (or provider) and the code step.

    :param via: after a provider's sign-in, what the session record keeps of it.
    """
    pending = {"user_id": user["id"], "at": _now().isoformat(), "next": next_url}
    if via:
        pending["via"] = via
    return pending


def pending_user(pending: dict | None) -> dict | None:
    """Return the user of a pending login that is recent enough, or ``None``."""
    if not pending:
        return None
    started = datetime.fromisoformat(pending["at"])
    if _now() - started > timedelta(minutes=PENDING_MINUTES):
        return None
    user = get_store().users.get(pending["user_id"])
    return user if user and user.get("active") and enabled_for(user) else None


def required_roles() -> list[str]:
    """Return the roles for which the school requires a second factor."""
    stored = get_store().settings.get("totp_required_roles")
    if stored is not None:
        return list(stored)
    return list(current_app.config.get("JOURNAL_TOTP_REQUIRED_ROLES", []))


def required_for(user: dict | None) -> bool:
    """Return whether the school requires ``user`` to use a second factor."""
    return bool(user) and bool(set(user.get("roles", ())) & set(required_roles()))


def enabled_for(user: dict | None) -> bool:
    """Return whether ``user`` has a second factor set up."""
    return bool(user and user.get("totp_secret"))


def confine_until_enrolled():
    """Before each request: send a signed-in user who must enrol to the enrolment page."""
    user = g.get("user")
    if user is None or g.get("auth_via_token") or enabled_for(user) or not required_for(user):
        return None
    if request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    record = g.get("session_record") or {}
    if record.get("second_factor") == "provider":  # a trusted provider's MFA claim (docs/sign-in.md)
        return None
    return redirect(url_for("account.totp"))
