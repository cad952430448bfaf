"""Which trajectories the coordinator's patterns count: school years, filters, the scope.

A school year runs from 1 September to 31 August (``"2024-2025"``). The filters
(school year, class group, focus area) narrow the trajectories in view; the
counts themselves are made in :mod:`journal.process.patterns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from ..storage import get_store
from . import today
from .trajectories import focus_area_labels

_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


# -- school years and filters ----------------------------------------------------

def school_year_of(day: str | date) -> str:
    """Return the school year (``"2024-2025"``) a date falls in; it starts on 1 September."""
    day = date.fromisoformat(day[:10]) if isinstance(day, str) else day
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def year_bounds(year: str) -> tuple[str, str]:
    """Return the first and last day of a school year as ISO dates."""
    match = _YEAR.match(year or "")
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValueError(f"not a school year: {year!r}")
    return f"{match[1]}-09-01", f"{match[2]}-08-31"


def year_months(year: str) -> list[str]:
    """Return the months of a school year, ``YYYY-MM``, September first."""
    first = int(year[:4])
    return [f"{first}-{m:02d}" for m in range(9, 13)] + [f"{first + 1}-{m:02d}" for m in range(1, 9)]


@dataclass(frozen=True)
class Filters:
    """What the coordinator narrowed the overview to; empty strings mean "all"."""

    school_year: str = ""
    class_group: str = ""
    focus_area: str = ""

    def as_args(self) -> dict[str, str]:
        """Return the filters as URL query arguments (only the ones set)."""
        return {k: v for k, v in (("school_year", self.school_year),
                                  ("class_group", self.class_group),
                                  ("focus_area", self.focus_area)) if v}


@dataclass
class Choices:
    """The values each filter offers, from the data itself."""

    school_years: list[str] = field(default_factory=list)
    class_groups: list[str] = field(default_factory=list)
    focus_areas: list[tuple[str, str]] = field(default_factory=list)


def choices() -> Choices:
    """Return the school years, class groups and focus areas there is data for."""
    store = get_store()
    trajectories = store.trajectories.all_readonly()
    years = {school_year_of(today())}
    for t in trajectories:
        for day in (t.get("start_date"), t.get("closed_on")):
            if day:
                years.add(school_year_of(day))
    groups = {p.get("class_group") for p in store.pupils.all_readonly() if p.get("class_group")}
    labels = focus_area_labels()
    used = {a for t in trajectories for a in t.get("focus_areas", ())}
    areas = [(a, labels[a]) for a in labels] + sorted((a, a) for a in used - set(labels))
    return Choices(sorted(years, reverse=True), sorted(groups, key=str.lower), areas)


def parse_filters(args, offered: Choices) -> Filters:
    """Read filters from query arguments; a value that is not offered counts as "all"."""
    year = args.get("school_year", "")
    group = args.get("class_group", "")
    area = args.get("focus_area", "")
    return Filters(
        school_year=year if year in offered.school_years else "",
        class_group=group if group in offered.class_groups else "",
        focus_area=area if area in {a for a, _label in offered.focus_areas} else "",
    )

# -- the scope: which trajectories count ------------------------------------------

@dataclass
class Scope:
    """The trajectories in view, with what the counts need about each."""

    filters: Filters
    trajectories: list[dict]
    class_of: dict[str, str]  # trajectory id -> class group ("" when none)
    start: str = ""           # school year bounds, "" when all years
    end: str = ""

    @property
    def areas_of(self) -> dict[str, list[str]]:
        """Trajectory id -> its focus areas."""
        return {t["id"]: t.get("focus_areas", []) for t in self.trajectories}

    def in_period(self, day: str | None) -> bool:
        """Return whether ``day`` falls in the chosen school year (always, without one)."""
        if not self.start:
            return True
        return bool(day) and self.start <= day[:10] <= self.end


def scope(filters: Filters) -> Scope:
    """Return the trajectories the filters select.

    A trajectory belongs to a school year when it ran during part of it
    (started before its end, and not closed before its start).
    """
    store = get_store()
    start, end = year_bounds(filters.school_year) if filters.school_year else ("", "")
    pupils = {p["id"]: p for p in store.pupils.all_readonly()}
    chosen, class_of = [], {}
    for t in store.trajectories.all_readonly():
        group = (pupils.get(t.get("pupil_id")) or {}).get("class_group") or ""
        if filters.class_group and group != filters.class_group:
            continue
        if filters.focus_area and filters.focus_area not in t.get("focus_areas", ()):
            continue
        if start:
            began = t.get("start_date") or t.get("created_at", "")[:10]
            if began > end or (t.get("closed_on") and t["closed_on"] < start):
                continue
        chosen.append(t)
        class_of[t["id"]] = group
    return Scope(filters, chosen, class_of, start, end)

def goals_in(found: Scope) -> list[dict]:
    """The goals of the trajectories in scope that ran during part of the period:
    set before its end, and still ongoing or last evaluated after its start."""
    ids = [t["id"] for t in found.trajectories]
    goals = get_store().goals.find_in_readonly("trajectory_id", ids)
    if not found.start:
        return goals
    out = []
    for goal in goals:
        set_on = goal.get("created_at", "")[:10]
        last = max([e.get("date", "") for e in goal.get("evaluations", ())] + [""])
        if set_on <= found.end and (goal.get("status") == "ongoing" or last >= found.start):
            out.append(goal)
    return out


def achieved_on(goal: dict) -> str:
    """Return the date of the evaluation that marked the goal achieved ("" if it is not)."""
    if goal.get("status") != "achieved":
        return ""
    dates = [e.get("date", "") for e in goal.get("evaluations", ()) if e.get("status") == "achieved"]
    return max(dates) if dates else goal.get("updated_at", "")[:10]
