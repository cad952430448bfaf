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


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def start_session(user: dict) -> None:
    """Begin a fresh session for ``user`` (a new id: no session fixation)."""
    session.clear()
    sid = secrets.token_urlsafe(32)
    now = _now().isoformat()
    get_store().sessions.create(
        {"id": _digest(sid), "user_id": user["id"], "started": now, "last_seen": now}
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
        g.session_expired = True
        return None
    if now - last_seen > timedelta(seconds=60):  # keep writes rare: one per minute at most
        store.sessions.update(record["id"], {"last_seen": now.isoformat()})
    return store.users.get(record["user_id"])


def create_token(user: dict, name: str) -> tuple[dict, str]:
    """Create a personal access token; return its record and the secret (shown once)."""
    secret = "jrnl_" + secrets.token_urlsafe(32)
    record = get_store().tokens.create(
        {"user_id": user["id"], "name": name, "digest": _digest(secret), "last_used": None}
    )
    return record, secret


def _token_user() -> dict | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    store = get_store()
    found = store.tokens.find(digest=_digest(header[7:].strip()))
    if not found:
        return None
    g.auth_via_token = True
    return store.users.get(found[0]["user_id"])


def load_user() -> None:
    """Set ``g.user`` from a Bearer token or the session (``None`` if neither)."""
    user = _token_user() or _session_user()
    g.user = user if user and user.get("active") else None


def init_app(app) -> None:
    """Load the current user before every request."""
    app.before_request(load_user)
