"""Who is asking: server-side sessions for the browser, Bearer tokens for the API.

The signed Flask cookie holds only a random session id. The session record
(hashed id, user, times) lives in the database, so logout, a password change
or deactivating an account ends the session for real, and idle and absolute
timeouts are enforced on the server.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from flask import current_app
from flask import g
from flask import request
from flask import session

from ..storage import get_store


def secret_digest(secret: str) -> str:
    """Return the stored form of a high-entropy secret (session id, API token, feed address)."""
    return hashlib.sha256(secret.encode()).hexdigest()


_digest = secret_digest


def _now() -> datetime:
    return datetime.now(timezone.utc)


def start_session(user: dict, extra: dict | None = None) -> None:
    """Begin a fresh session for ``user`` (a new id: no session fixation).

    A session this browser already had ends on the server too.

    :param extra: more fields for the server-side record, such as how the user
        signed in (``provider``, ``id_token`` for the provider's logout,
        ``second_factor``).
    """
    if session.get("sid"):
        get_store().sessions.delete(_digest(session["sid"]))
    session.clear()
    sid = secrets.token_urlsafe(32)
    now = _now().isoformat()
    get_store().sessions.create(
        {**(extra or {}), "id": _digest(sid), "user_id": user["id"], "started": now,
         "last_seen": now}
    )
    session["sid"] = sid
    session.permanent = True


def end_session() -> None:
    """End the current session on the server and clear the cookie."""
    sid = session.get("sid")
    if sid:
        get_store().sessions.delete(_digest(sid))
    session.clear()


def end_all_sessions(user_id: str, *, keep_current: bool = False) -> None:
    """End every session of a user (password change, deactivation)."""
    store = get_store()
    current = _digest(session["sid"]) if keep_current and session.get("sid") else None
    for record in store.sessions.find(user_id=user_id):
        if record["id"] != current:
            store.sessions.delete(record["id"])


def _session_user() -> dict | None:
    if session.pop("ended", False):  # the previous request found the session expired
        g.session_expired = True
    sid = session.get("sid")
    if not sid:
        return None
    store = get_store()
    record = store.sessions.get(_digest(sid))
    if record is None:
        session.clear()
        return None
    now = _now()
    idle = timedelta(minutes=current_app.config["JOURNAL_SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["JOURNAL_SESSION_ABSOLUTE_HOURS"])
    last_seen = datetime.fromisoformat(record["last_seen"])
    if now - last_seen > idle or now - datetime.fromisoformat(record["started"]) > absolute:
        store.sessions.delete(record["id"])
        session.clear()
        session["ended"] = True  # so the login page it redirects to can say why
        g.session_expired = True
        return None
    if now - last_seen > timedelta(seconds=60):  # keep writes rare: one per minute at most
        record = store.sessions.update(record["id"], {"last_seen": now.isoformat()})
    g.session_record = record
    return store.users.get(record["user_id"])


def current_session() -> dict | None:
    """Return the server-side record of the current browser session, if any."""
    return g.get("session_record")


def set_session_value(key: str, value) -> None:
    """Keep ``value`` under ``key`` in the current server-side session record.

    For short-lived secrets that must not travel in the (signed, not
    encrypted) cookie, such as a second-factor secret being set up.
    """
    record = current_session()
    if record is None:
        raise RuntimeError("no server-side session")
    g.session_record = get_store().sessions.update(record["id"], {key: value})


def list_sessions(user_id: str) -> list[dict]:
    """Return the user's open sessions, most recent first."""
    found = get_store().sessions.find(user_id=user_id)
    return sorted(found, key=lambda r: r["last_seen"], reverse=True)


def create_token(user: dict, name: str) -> tuple[dict, str]:
    """Create a personal access token; return its record and the secret (shown once)."""
    secret = "jrnl_" + secrets.token_urlsafe(32)
    record = get_store().tokens.create(
        {"user_id": user["id"], "name": name, "digest": _digest(secret), "last_used": None}
    )
    return record, secret


def list_tokens(user_id: str) -> list[dict]:
    """Return the user's personal access tokens (without secrets), newest first."""
    found = get_store().tokens.find(user_id=user_id)
    return sorted(found, key=lambda r: r["created_at"], reverse=True)


def revoke_token(user_id: str, token_id: str) -> bool:
    """Delete one of the user's tokens; return whether it existed and was theirs."""
    store = get_store()
    record = store.tokens.get(token_id)
    if record is None or record["user_id"] != user_id:
        return False
    store.tokens.delete(token_id)
    return True


def _token_user() -> dict | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    store = get_store()
    found = store.tokens.find(digest=_digest(header[7:].strip()))
    if not found:
        return None
    g.auth_via_token = True
    record = found[0]
    today = _now().date().isoformat()
    if record.get("last_used") != today:  # one write a day at most
        store.tokens.update(record["id"], {"last_used": today})
    return store.users.get(record["user_id"])


def load_user() -> None:
    """Set ``g.user``: from a Bearer token under ``/api/``, else from the session.

    Tokens open the API only; a token sent to a page is ignored, so a leaked
    token never signs anyone in to the web interface.
    """
    api = request.path.startswith("/api/")
    user = _token_user() if api else _session_user()
    g.user = user if user and user.get("active") else None


def init_app(app) -> None:
    """Load the current user before every request; confine users who must
    still set up a second factor to its enrolment page."""
    from .totp import confine_until_enrolled

    app.before_request(load_user)
    app.before_request(confine_until_enrolled)
