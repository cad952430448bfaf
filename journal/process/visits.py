"""Planned class visits: a team member plans when someone of the team comes to observe in class.

A visit has a date, an optional time slot, the team members who visit and a
short purpose. The purpose is meant to be free of pupil details (it can appear
in a personal calendar feed and on the start page); the form says so. A visit is
cancelled rather than deleted, so the team sees what was planned.

Every function here takes the acting user first, loads the trajectory with
:func:`journal.process.trajectories.load_trajectory`, validates, stores and
writes the audit record; it raises :mod:`journal.errors` errors, never aborts.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import NotFound
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import parse_iso_date
from . import phases
from . import today
from .trajectories import load_trajectory

PLANNED, CANCELLED = "planned", "cancelled"
STATUS_LABELS = {PLANNED: _l("Planned"), CANCELLED: _l("Cancelled")}
#: The longest purpose: a short line, not a report.
MAX_PURPOSE = 140
#: How far ahead the start page looks for visits.
UPCOMING_DAYS = 14
#: The fields a form or API client sends.
FIELDS = ("date", "start_time", "end_time", "visitor_ids", "purpose")

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# -- reading -------------------------------------------------------------------

def visits_of(trajectory: dict, *, include_cancelled: bool = True) -> list[dict]:
    """Return the visits of a trajectory the caller already may read, by date and time."""
    visits = get_store().visits.find(trajectory_id=trajectory["id"])
    if not include_cancelled:
        visits = [v for v in visits if v.get("status") == PLANNED]
    return sorted(visits, key=sort_key)


def sort_key(visit: dict) -> tuple:
    """Order visits by date, then start time (a visit without a time first)."""
    return visit.get("date") or "", visit.get("start_time") or "", visit.get("created_at", "")


def list_visits(actor: dict | None, trajectory_id: str) -> tuple[dict, list[dict]]:
    """Return the trajectory and its visits, once ``actor`` may read it.

    :raise NotFound: no such trajectory, or ``actor`` may not read it.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.READ)
    return trajectory, visits_of(trajectory)


def load_visit(actor: dict | None, trajectory_id: str, visit_id: str,
               action: str = access.READ) -> tuple[dict, dict]:
    """Return ``(trajectory, visit)`` once ``actor`` may do ``action`` to the trajectory.

    :raise NotFound: no such visit in that trajectory, or no access (audited).
    :raise Forbidden: ``actor`` may read but not do ``action``.
    """
    trajectory = load_trajectory(actor, trajectory_id, action)
    visit = get_store().visits.get(visit_id)
    if visit is None or visit.get("trajectory_id") != trajectory["id"]:
        raise NotFound("visit")
    return trajectory, visit


def planned_between(trajectories: list[dict], first: date, last: date | None = None) -> list[dict]:
    """Return the planned (not cancelled) visits of ``trajectories`` from ``first`` on.

    :param last: the last day included; ``None`` for no end.
    """
    low, high = first.isoformat(), last.isoformat() if last else "9999-12-31"

    def wanted(visit: dict) -> bool:
        return visit.get("status") == PLANNED and low <= (visit.get("date") or "") <= high

    found = get_store().visits.find_in("trajectory_id", [t["id"] for t in trajectories], wanted)
    return sorted(found, key=sort_key)


def upcoming(trajectories: list[dict], on: date | None = None) -> list[dict]:
    """Return the planned visits of ``trajectories`` in the next :data:`UPCOMING_DAYS` days."""
    start = on or today()
    return planned_between(trajectories, start, start + timedelta(days=UPCOMING_DAYS))


# -- changing ------------------------------------------------------------------

def clean(data: dict, trajectory: dict, existing: dict | None = None) -> dict:
    """Validate visit fields (see :data:`FIELDS`).

    A new visit (or a visit moved to another day) lies today or later; the time
    slot is optional, an end needs a start; visitors are on the team.

    :raise ValidationError: with messages per field.
    """
    errors: dict[str, list[str]] = {}
    on = parse_iso_date(data.get("date"), "date", errors, required=True)
    moved = existing is None or on != existing.get("date")
    if on and moved and on < today().isoformat():
        add_error(errors, "date", _("Plan a visit for today or later."))
    start = _clean_time(data.get("start_time"), "start_time", errors)
    end = _clean_time(data.get("end_time"), "end_time", errors)
    if end and not start and "start_time" not in errors:
        add_error(errors, "start_time", _("Fill in when the visit starts, or leave both times empty."))
    elif start and end and end <= start:
        add_error(errors, "end_time", _("The visit must end after it starts."))
    members = {m["user_id"] for m in trajectory.get("members", ())}
    chosen = data.get("visitor_ids") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    visitors = list(dict.fromkeys(v for v in chosen if isinstance(v, str)))
    if not visitors:
        add_error(errors, "visitor_ids", _("Choose who visits, from the team."))
    elif any(v not in members for v in visitors):
        add_error(errors, "visitor_ids", _("Choose visitors from the team."))
    purpose = " ".join(str(data.get("purpose") or "").split())
    if len(purpose) > MAX_PURPOSE:
        add_error(errors, "purpose", _("Use at most %(n)d characters.", n=MAX_PURPOSE))
    if errors:
        raise ValidationError(errors)
    return {"date": on, "start_time": start, "end_time": end, "visitor_ids": visitors,
            "purpose": purpose}


def _clean_time(value, field: str, errors: dict) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        return None
    if not isinstance(value, str) or not _TIME.match(value):
        add_error(errors, field, _("Use a time like 09:30."))
        return None
    return value


def plan_visit(actor: dict, trajectory_id: str, data: dict) -> dict:
    """Plan a class visit in a trajectory the actor writes in (not a closed one).

    :raise NotFound / Forbidden: no access to the trajectory.
    :raise ValidationError: with messages per field.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.WRITE)
    if phases.is_closed(trajectory):
        raise ValidationError({"date": [_("This trajectory is closed. Reopen it to plan visits.")]})
    values = clean(data, trajectory)
    values.update(trajectory_id=trajectory["id"], pupil_id=trajectory.get("pupil_id"),
                  status=PLANNED, created_by=actor["id"])
    visit = get_store().visits.create(values, actor_id=actor["id"])
    audit("create", object_type="visit", object_id=visit["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"])
    return visit


def update_visit(actor: dict, trajectory_id: str, visit_id: str, data: dict, *,
                 expected_rev: int | None = None) -> dict:
    """Change a planned visit's day, time, visitors or purpose.

    :raise NotFound / Forbidden: no access, or no such visit in the trajectory.
    :raise ValidationError: with messages per field, or the visit was cancelled.
    :raise StaleRevision: someone saved the visit after ``expected_rev``.
    """
    trajectory, visit = load_visit(actor, trajectory_id, visit_id, access.WRITE)
    if visit.get("status") == CANCELLED:
        raise ValidationError({"date": [_("This visit was cancelled; plan a new one instead.")]})
    values = clean(data, trajectory, existing=visit)
    updated = get_store().visits.update(visit_id, values, expected_rev=expected_rev,
                                        actor_id=actor["id"])
    audit("update", object_type="visit", object_id=visit_id,
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"])
    return updated


def cancel_visit(actor: dict, trajectory_id: str, visit_id: str, *,
                 expected_rev: int | None = None) -> dict:
    """Cancel a planned visit (it stays listed as cancelled).

    :raise NotFound / Forbidden: no access, or no such visit in the trajectory.
    :raise ValidationError: the visit was already cancelled.
    :raise StaleRevision: someone saved the visit after ``expected_rev``.
    """
    trajectory, visit = load_visit(actor, trajectory_id, visit_id, access.WRITE)
    if visit.get("status") == CANCELLED:
        raise ValidationError({"status": [_("This visit was already cancelled.")]})
    updated = get_store().visits.update(
        visit_id, {"status": CANCELLED, "cancelled_by": actor["id"], "cancelled_at": utcnow()},
        expected_rev=expected_rev, actor_id=actor["id"])
    audit("update", object_type="visit", object_id=visit_id,
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"], detail="cancel")
    return updated
