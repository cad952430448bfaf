"""The audit trail: who did what to which pupil's data, and who was refused.

Records carry ids only, never entry contents, names or diagnoses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from datetime import timedelta

from flask import g
from flask import has_request_context
from flask import request

from ..storage import get_store

#: Actions written to the audit log.
ACTIONS = (
    "login", "login_failed", "logout", "view", "create", "update", "delete",
    "export", "erase", "denied", "password_change", "token_create", "token_revoke",
    "account", "plugin", "restore", "purge",
)


def audit(action: str, *, object_type: str = "", object_id: str = "", pupil_id: str = "",
          outcome: str = "ok", user_id: str | None = None, detail: str = "") -> None:
    """Append one record to the audit log.

    :param action: one of :data:`ACTIONS`.
    :param detail: a short, content-free remark (a field name, a format), never text a user wrote.
    """
    if user_id is None and has_request_context():
        user = g.get("user")
        user_id = user["id"] if user else ""
    if action in READS and has_request_context():
        g.read_audited = True
    address = request.remote_addr if has_request_context() else "cli"
    get_store().audit.append(
        {
            "user_id": user_id or "",
            "address": address or "",
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "pupil_id": pupil_id,
            "outcome": outcome,
            "detail": detail,
        }
    )


#: Actions that record a read; a request that wrote one is not audited again as a read.
READS = ("view", "export")

#: Fields a reader can filter the audit log on (exact match), plus ``since``/``until`` dates.
FILTER_FIELDS = ("user_id", "address", "action", "object_type", "object_id", "pupil_id", "outcome")
#: Columns of an export, in order.
EXPORT_FIELDS = ("at", "user_id", "address", "action", "object_type", "object_id", "pupil_id",
                 "outcome", "detail")


def _bounds(filters: dict[str, str]) -> dict[str, str]:
    """Turn the inclusive ``since``/``until`` dates into the trail's ``since``/``before`` times."""
    since = filters.get("since") or ""
    until = filters.get("until") or ""
    before = ""
    if until:
        try:
            before = (date.fromisoformat(until) + timedelta(days=1)).isoformat()
        except ValueError:
            before = until + "~"  # not a date: compare as text, after every time that day
    return {"since": since, "before": before}


def _wanted(filters: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in filters.items() if k in FILTER_FIELDS and v}


def search(filters: dict[str, str], *, page: int = 1, per_page: int = 100,
           count_limit: int | None = None) -> tuple[list[dict], int]:
    """Return one page of the audit records matching ``filters``, newest first, and their number
    (at most ``count_limit`` + 1 when given).

    :param filters: exact values for :data:`FILTER_FIELDS`; ``since`` and
        ``until`` are ISO dates (UTC, inclusive). Empty values are ignored.
    """
    return get_store().audit.trail.page(_wanted(filters), offset=(max(1, page) - 1) * per_page,
                                        limit=per_page, count_limit=count_limit,
                                        **_bounds(filters))


def matching(filters: dict[str, str]) -> Iterator[dict]:
    """Yield every audit record matching ``filters`` (see :func:`search`), newest first."""
    return get_store().audit.trail.matching(_wanted(filters), **_bounds(filters))
