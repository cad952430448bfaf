"""The synthesis for the CLB and the MDO: measures already taken and their effect, per goal.

Over a chosen period it lists, for every goal of the trajectory, the measures
(adaptations and agreements from the register) that were in force during the
period, with their effect (status, the teachers' verdict) and the goal's
evaluations in the period. Measures linked to no goal are listed apart.
Internal entries stay out: the synthesis leaves the team.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..storage import get_store
from . import ValidationError
from . import add_error
from . import parse_iso_date
from . import today
from .adaptation_rows import rows_for
from .goals import goals_for
from .trajectories import load_trajectory
from .trajectories import record_view


def parse_period(values: dict, trajectory: dict) -> tuple[str, str]:
    """Return the period ``(from, to)`` as ISO dates from ``values`` (``from``/``to``).

    Defaults: from the trajectory's start date to today.

    :raise ValidationError: a date cannot be read, or the period ends before it starts.
    """
    errors: dict[str, list[str]] = {}
    start = parse_iso_date(values.get("from"), "from", errors)
    end = parse_iso_date(values.get("to"), "to", errors)
    if errors:
        raise ValidationError(errors)
    start = start or trajectory.get("start_date") or (trajectory.get("created_at") or "")[:10] \
        or today().isoformat()
    end = end or today().isoformat()
    if end < start:
        add_error(errors, "to", _("The end of the period lies before its start."))
        raise ValidationError(errors)
    return start, end


def in_period(row: dict, start: str, end: str) -> bool:
    """Return whether a register row was in force at some point between ``start`` and ``end``."""
    began = row.get("from_date") or row.get("date") or ""
    ended = row.get("review_date") or ""
    return (not began or began <= end) and (not ended or ended >= start)


def build(trajectory: dict, start: str, end: str) -> dict:
    """Return the synthesis of ``trajectory`` over ``[start, end]``.

    ``{"start", "end", "goals": [{"goal", "measures", "evaluations"}],
    "unlinked": [measures], "meetings": [meeting entries],
    "counts": {"measures", "working", "not_working"}}``; measures are register
    rows (see :func:`journal.process.adaptation_rows.adaptation_rows`); meetings
    are the published, not internal ones held in the period, oldest first.
    """
    from .meetings import meetings_in

    rows = [r for r in rows_for(trajectory) if not r["internal"] and in_period(r, start, end)]
    goals = goals_for(trajectory["id"])
    goal_ids = {g["id"] for g in goals}
    out_goals = []
    for goal in goals:
        measures = [r for r in rows if goal["id"] in r["goal_ids"]]
        evaluations = sorted((e for e in goal.get("evaluations", ())
                              if start <= (e.get("date") or "") <= end),
                             key=lambda e: e.get("date") or "")
        out_goals.append({"goal": goal, "measures": measures, "evaluations": evaluations})
    unlinked = [r for r in rows if not set(r["goal_ids"]) & goal_ids]
    meetings = [m for m in meetings_in(get_store().entries.find(trajectory_id=trajectory["id"]))
                if not m.get("internal") and start <= (m.get("date") or "") <= end]
    return {
        "start": start,
        "end": end,
        "goals": out_goals,
        "unlinked": unlinked,
        "meetings": meetings,
        "counts": {
            "measures": len(rows),
            "working": sum(1 for r in rows if r["summary"]["working"]),
            "not_working": sum(1 for r in rows if r["summary"]["verdict"] == "does_not_work"),
        },
    }


def synthesis_for(actor: dict, trajectory_id: str, period: dict) -> dict:
    """Return the synthesis (see :func:`build`) of a trajectory ``actor`` may read, over
    the ``period`` asked for (``from``/``to``, see :func:`parse_period`); the reading
    is recorded.

    :raise NotFound: no such trajectory, or one ``actor`` may not read.
    :raise ValidationError: the period cannot be read.
    """
    trajectory = load_trajectory(actor, trajectory_id)
    start, end = parse_period(period, trajectory)
    record_view(actor, trajectory, "synthesis")
    return build(trajectory, start, end)
