"""Aggregated figures a school shares with its centre: per focus area, numbers only.

Counted at the school with the patterns module's own rules
(:mod:`journal.process.patterns`: the same scope per school year, the same
adaptations and goals), over trajectories aimed at a pupil. Per focus area:

``trajectories``           trajectories with that focus area
``adaptations_tried``      adaptations tried in them (one per trajectory and adaptation)
``adaptations_working``    of which marked as working
``goals_reached``          goals achieved

Every cell that rests on fewer than :data:`MIN_PUPILS` pupils is suppressed
*here, before anything is sent*: its value goes out as ``null``. A focus area
without any pupil is left out. No name, title, class group or text is sent;
focus-area labels are the school's vocabulary.
"""

from __future__ import annotations

from collections import defaultdict

from ..errors import Forbidden
from ..process import pattern_adaptations
from ..process import pattern_scope as patterns
from ..process import today
from ..process import trajectories as trajectory_service
from ..security.audit import audit

#: A cell resting on fewer pupils than this is suppressed.
MIN_PUPILS = 5
METRICS = ("trajectories", "adaptations_tried", "adaptations_working", "goals_reached")


def school_year_or_current(value) -> str:
    """Return ``value`` if it is a school year (``"2025-2026"``), else the current one."""
    try:
        patterns.year_bounds(value if isinstance(value, str) else "")
    except ValueError:
        return patterns.school_year_of(today())
    return value


def figures(school_year: str) -> list[dict]:
    """Return per focus area the four figures, each ``None`` when under :data:`MIN_PUPILS`.

    :return: ``[{"id", "label", "trajectories", "adaptations_tried",
        "adaptations_working", "goals_reached"}]`` in vocabulary order.
    """
    found = patterns.scope(patterns.Filters(school_year=school_year))
    found.trajectories = [t for t in found.trajectories if t.get("pupil_id")]
    pupil_of = {t["id"]: t["pupil_id"] for t in found.trajectories}
    areas_of = found.areas_of
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    pupils: dict[str, dict[str, set]] = defaultdict(lambda: {m: set() for m in METRICS})

    def count(trajectory_id: str, metric: str) -> None:
        for area in areas_of.get(trajectory_id, ()):
            counts[area][metric] += 1
            pupils[area][metric].add(pupil_of[trajectory_id])

    for trajectory in found.trajectories:
        count(trajectory["id"], "trajectories")
    for facts in pattern_adaptations.trajectory_facts(found.trajectories).values():
        for adaptation in facts.adaptations:
            if not found.in_period(adaptation.date):
                continue
            if adaptation.tried:
                count(adaptation.trajectory_id, "adaptations_tried")
            if adaptation.working:
                count(adaptation.trajectory_id, "adaptations_working")
    for goal in patterns.goals_in(found):
        day = patterns.achieved_on(goal)
        if day and found.in_period(day) and goal["trajectory_id"] in pupil_of:
            count(goal["trajectory_id"], "goals_reached")
    labels = trajectory_service.focus_area_labels()
    order = [a for a in labels if a in counts] + sorted(a for a in counts if a not in labels)
    return [{"id": area, "label": labels.get(area, area),
             **{m: counts[area][m] if len(pupils[area][m]) >= MIN_PUPILS else None
                for m in METRICS}}
            for area in order]


def answer(link: dict, school_year) -> dict:
    """Answer the centre's question for the figures of a school year (the signed call).

    :raise Forbidden: the school does not share patterns on this link.
    """
    if not (link.get("shares") or {}).get("patterns"):
        audit("denied", object_type="federation_link", object_id=link["id"], outcome="403",
              user_id="", detail="patterns:not_shared")
        raise Forbidden("patterns")
    year = school_year_or_current(school_year)
    rows = figures(year)
    audit("export", object_type="patterns", object_id=link["id"], user_id="",
          detail=f"centre:{year}")
    return {"school_year": year, "min_pupils": MIN_PUPILS, "areas": rows}
