"""Login throttling per account and per address, kept in the database.

Counters live in the ``throttle`` collection of the :class:`~journal.storage.Store`,
so a restart or a second worker process does not reset them. Per account, the
first few failures are free and every further failure locks the account for
twice as long as the last one (1, 2, 4 … minutes, at most half an hour); this
stops guessing one account from many addresses. Per address, a generous limit
stops one machine from guessing many accounts (loopback is not counted: that
is the reverse proxy unless ``JOURNAL_PROXY_HOPS`` tells the journal to read
the client's address from ``X-Forwarded-For``). A counter is forgotten after an
hour without failures; a successful sign-in clears the account's counter only
(else one known password would reset the address limit).

Records hold a hash of the user name or address, never the name itself. A
sign-in through an OpenID provider that fails before anyone is known (a bad
token, a replayed callback) counts against the address only (``username``
``None``); the account a provider's person is linked to waits as after
failed passwords.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from flask import current_app

from ..storage import get_store

#: Defaults, overridable with the config keys in brackets.
ACCOUNT_FREE_FAILURES = 5  # JOURNAL_THROTTLE_ACCOUNT_FAILURES
ACCOUNT_MAX_LOCK_MINUTES = 30  # JOURNAL_THROTTLE_ACCOUNT_MAX_LOCK_MINUTES
ADDRESS_FAILURES = 30  # JOURNAL_THROTTLE_ADDRESS_FAILURES
ADDRESS_LOCK_MINUTES = 15  # JOURNAL_THROTTLE_ADDRESS_LOCK_MINUTES
FORGET_AFTER = timedelta(hours=1)
LOOPBACK = {"127.0.0.1", "::1"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()[:40]


def _keys(username: str | None, address: str | None) -> list[tuple[str, str]]:
    keys = [] if username is None else [("account", _key("account", username))]
    # Behind a reverse proxy without JOURNAL_PROXY_HOPS every request comes from
    # loopback: counting that address would lock the whole school out.
    if address and address not in LOOPBACK:
        keys.append(("address", _key("address", address)))
    return keys


def wait_seconds(username: str | None, address: str | None) -> int:
    """Return how many seconds the next attempt must wait (0: it may go ahead)."""
    store = get_store()
    now = _now()
    longest = 0.0
    for _kind, key in _keys(username, address):
        record = store.throttle.get(key)
        if record and record.get("locked_until"):
            left = (datetime.fromisoformat(record["locked_until"]) - now).total_seconds()
            longest = max(longest, left)
    return math.ceil(longest) if longest > 0 else 0


def record_failure(username: str | None, address: str | None) -> None:
    """Count a failed attempt against the account and the address."""
    store = get_store()
    now = _now()
    with store.transaction():
        for kind, key in _keys(username, address):
            record = store.throttle.get(key)
            if record is None or now - datetime.fromisoformat(record["last_at"]) > FORGET_AFTER:
                failures = 1
            else:
                failures = record["failures"] + 1
            changes = {"kind": kind, "failures": failures, "last_at": now.isoformat(),
                       "locked_until": _lock_until(kind, failures, now)}
            if record is None:
                store.throttle.create(dict(changes, id=key))
            else:
                store.throttle.update(key, changes)


def _lock_until(kind: str, failures: int, now: datetime) -> str | None:
    if kind == "account":
        free = _setting("JOURNAL_THROTTLE_ACCOUNT_FAILURES", ACCOUNT_FREE_FAILURES)
        if failures < free:
            return None
        cap = _setting("JOURNAL_THROTTLE_ACCOUNT_MAX_LOCK_MINUTES", ACCOUNT_MAX_LOCK_MINUTES)
        minutes = min(2 ** min(failures - free, 16), cap)
    else:
        if failures < _setting("JOURNAL_THROTTLE_ADDRESS_FAILURES", ADDRESS_FAILURES):
            return None
        minutes = _setting("JOURNAL_THROTTLE_ADDRESS_LOCK_MINUTES", ADDRESS_LOCK_MINUTES)
    return (now + timedelta(minutes=minutes)).isoformat()


def record_success(username: str) -> None:
    """Forget the account's failures after a successful sign-in."""
    store = get_store()
    key = _key("account", username)
    with store.transaction():
        if store.throttle.get(key) is not None:
            store.throttle.delete(key)


def clear_account(username: str) -> None:
    """Lift a lock on an account (an administrator's reset)."""
    record_success(username)
