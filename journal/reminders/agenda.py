"""What is coming for one person: review dates of goals, planned class visits and meetings
(overleg) in the open trajectories they are on the team of."""

from __future__ import annotations

from datetime import date

from ..process import phases
from ..process.entry_access import may_see
from ..process import trajectories as trajectory_service
from ..process import visits as visit_service
from ..storage import get_store


def open_trajectories(user: dict) -> list[dict]:
    """Return the open trajectories ``user`` is a team member of (and may still read)."""
    return [t for t in trajectory_service.get_member_of(user) if not phases.is_closed(t)]


def agenda(user: dict, first: date, last: date | None = None) -> list[dict]:
    """Return ``user``'s dated items from ``first`` to ``last`` (inclusive), by date.

    Each item: ``kind`` (``goal``, ``visit`` or ``meeting``), ``date``, ``doc`` (the
    goal, visit or meeting entry), ``trajectory`` and ``pupil`` (or ``None``). Goals
    count while ongoing; a meeting is an entry of kind ``meeting`` dated that day, held
    or planned, that ``user`` may see (published, or a draft of theirs).
    """
    trajectories = open_trajectories(user)
    by_id = {t["id"]: t for t in trajectories}
    pupils = {p["id"]: p for p in get_store().pupils.find_in(
        "id", [t["pupil_id"] for t in trajectories if t.get("pupil_id")])}
    low, high = first.isoformat(), last.isoformat() if last else "9999-12-31"

    def due(goal: dict) -> bool:
        return goal.get("status") == "ongoing" and low <= (goal.get("review_date") or "") <= high

    items = [{"kind": "goal", "date": g["review_date"], "doc": g}
             for g in get_store().goals.find_in("trajectory_id", list(by_id), due)]
    items += [{"kind": "visit", "date": v["date"], "doc": v}
              for v in visit_service.planned_between(trajectories, first, last)]

    def meeting(entry: dict) -> bool:
        return (entry.get("kind") == "meeting" and low <= (entry.get("date") or "") <= high
                and may_see(user, entry))

    items += [{"kind": "meeting", "date": e["date"], "doc": e}
              for e in get_store().entries.find_in("trajectory_id", list(by_id), meeting)]
    for item in items:
        item["trajectory"] = by_id[item["doc"]["trajectory_id"]]
        item["pupil"] = pupils.get(item["trajectory"].get("pupil_id"))
    return sorted(items, key=lambda i: (i["date"], i["kind"], i["doc"]["id"]))
