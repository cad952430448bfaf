"""Helpers for the security tests."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from journal.storage import get_store


def shift(iso: str, **delta) -> str:
    """Return the ISO time ``iso`` moved back by ``delta`` (``minutes=31``, ``hours=9``)."""
    return (datetime.fromisoformat(iso) - timedelta(**delta)).isoformat()


def ago(**delta) -> str:
    """Return the ISO time ``delta`` before now (UTC)."""
    return (datetime.now(timezone.utc) - timedelta(**delta)).isoformat()


@pytest.fixture
def sessions_of(app):
    """``sessions_of(user)`` returns the server-side session records of that user."""

    def find(user: dict) -> list[dict]:
        return get_store().sessions.find(user_id=user["id"])

    return find


def audit_actions(**match) -> list[dict]:
    """Return the audit records whose fields equal ``match``."""
    return [r for r in get_store().audit.all() if all(r.get(k) == v for k, v in match.items())]
