"""Retention: closed trajectories and pupils who left are erased after the
periods the school sets; the administrator sees what is due and confirms.

Defaults follow the guidance for Flemish schools (the follow-up file goes
once the pupil has left and no decision is contested): a pupil's whole file
12 months after their leaving date, a closed trajectory of a pupil still at
school 24 months after it closed. The school changes them on the retention page.
"""

from __future__ import annotations

import calendar
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from ..errors import ValidationError
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from . import erasure

#: Who sets the periods and confirms a purge.
MANAGERS = ("admin",)

DEFAULTS = {"left_months": 12, "closed_months": 24}
MAX_MONTHS = 600


def periods() -> dict[str, int]:
    """Return the school's retention periods in months."""
    configured = dict(DEFAULTS, **current_app.config.get("JOURNAL_RETENTION", {}))
    stored = get_store().settings.get("retention") or {}
    return {k: int(stored.get(k, configured[k])) for k in DEFAULTS}


def set_periods(*, left_months: int, closed_months: int) -> None:
    """Store the school's retention periods."""
    get_store().settings.set("retention", {"left_months": int(left_months),
                                           "closed_months": int(closed_months)})


def add_months(day: date, months: int) -> date:
    """Return ``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _parse(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def due(today: date | None = None) -> list[dict]:
    """Return what the retention periods say must be erased now, oldest first.

    Each item: ``key`` (``pupil:<id>`` or ``trajectory:<id>``), ``kind``,
    ``pupil`` (the pupil document or None), ``trajectory`` (or None),
    ``since`` (leaving or closing date) and ``due_on``.
    """
    today = today or date.today()
    store = get_store()
    limits = periods()
    items = []
    leaving = {}
    for pupil in store.pupils.all():
        left = _parse(pupil.get("left_on"))
        if left is None:
            continue
        due_on = add_months(left, limits["left_months"])
        leaving[pupil["id"]] = due_on
        if due_on <= today:
            items.append({"key": f"pupil:{pupil['id']}", "kind": "pupil", "pupil": pupil,
                          "trajectory": None, "since": left.isoformat(),
                          "due_on": due_on.isoformat()})
    pupils = {p["id"]: p for p in store.pupils.all()}
    for trajectory in store.trajectories.all():
        closed = _parse(trajectory.get("closed_on"))
        if closed is None or trajectory.get("phase") != "closed":
            continue
        pupil_id = trajectory.get("pupil_id")
        if pupil_id in leaving and leaving[pupil_id] <= today:
            continue  # goes with the whole pupil
        due_on = add_months(closed, limits["closed_months"])
        if due_on <= today:
            items.append({"key": f"trajectory:{trajectory['id']}", "kind": "trajectory",
                          "pupil": pupils.get(pupil_id), "trajectory": trajectory,
                          "since": closed.isoformat(), "due_on": due_on.isoformat()})
    return sorted(items, key=lambda i: i["due_on"])


def purge(keys: set[str], *, actor_id: str | None, today: date | None = None) -> int:
    """Erase the due items whose ``key`` is in ``keys``; return how many documents went.

    Only items that are due are erased, whatever ``keys`` holds.
    """
    gone = 0
    for item in due(today):
        if item["key"] not in keys:
            continue
        if item["kind"] == "pupil":
            gone += erasure.erase_pupil(item["pupil"]["id"], actor_id=actor_id, reason="retention")
        else:
            trajectory = item["trajectory"]
            gone += erasure.erase_trajectories(trajectory.get("pupil_id"), {trajectory["id"]},
                                               actor_id=actor_id, reason="retention")
    return gone


def change_periods(actor: dict, form: dict) -> dict[str, int]:
    """Validate and store the periods typed by the administrator (``left_months``,
    ``closed_months``, whole months); audited.

    :raise Forbidden: ``actor`` is not an administrator (audited).
    :raise ValidationError: a period is not a whole number from 0 to :data:`MAX_MONTHS`.
    """
    access.check_role(actor, *MANAGERS)
    values: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for key in DEFAULTS:
        try:
            values[key] = int(str(form.get(key, "")).strip())
        except ValueError:
            values[key] = -1
        if not 0 <= values[key] <= MAX_MONTHS:
            errors[key] = [_("Use a whole number of months from 0 to %(n)s.", n=MAX_MONTHS)]
    if errors:
        raise ValidationError(errors)
    set_periods(**values)
    audit("update", object_type="settings", object_id="retention", user_id=actor["id"],
          detail="periods")
    return values


def purge_ticked(actor: dict, keys: set[str]) -> int:
    """Erase the due items the administrator ticked (see :func:`purge`); audited.

    :raise Forbidden: ``actor`` is not an administrator (audited).
    """
    access.check_role(actor, *MANAGERS)
    gone = purge(keys, actor_id=actor["id"])
    audit("purge", object_type="retention", user_id=actor["id"],
          detail=f"items={len(keys)}:documents={gone}")
    return gone
