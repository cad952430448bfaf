"""School-wide patterns for the care coordinator: counts across every trajectory.

Everything here is an aggregate: numbers per focus area, STICORDI category,
class group, month or school year. No pupil name, trajectory title or entry
text leaves this module; the few labels that come from typed text (a free
agreement's first line, a tag) have every pupil's name removed first.

Sources:

* trajectories (focus areas, start and close dates) and their pupil's class group;
* goals (status, and the evaluation that marked one achieved);
* adaptations: the checklist items of published template entries with a status
  (:data:`journal.plugins.entry_templates.specs.ITEM_STATUSES`), published free agreements, and
  the adaptations register (:mod:`journal.process.adaptations`) when it is
  installed. Per trajectory and adaptation the latest status counts once.

A school year runs from 1 September to 31 August (``"2024-2025"``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_babel import gettext as _

from ..charts import Chart
from ..charts import Series
from ..storage import get_store
from ..plugins.entry_templates.specs import STICORDI
from . import today
from . import trajectories as trajectory_service

#: Checklist statuses that mean an adaptation was (or is being) tried.
TRIED = ("doe_ik_al", "ga_ik_proberen", "werkt", "werkt_niet")
#: A challenge is "shared" when trajectories of at least this many class groups meet it.
SHARED_MIN_CLASSES = 2
#: Longest label taken from typed text (a free agreement's first line).
MAX_LABEL = 80

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
    labels = trajectory_service.focus_area_labels()
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


# -- adaptations ----------------------------------------------------------------------

@dataclass
class Adaptation:
    """One adaptation in one trajectory, with its latest known status."""

    trajectory_id: str
    key: str
    label: str
    category: str       # a STICORDI key or ""
    tried: bool
    working: bool
    not_working: bool
    date: str
    entry_id: str = ""  # where it was last recorded (to share it as a practice example)
    item: str = ""      # the checklist "field.item" key, for template entries

    @property
    def register_key(self) -> str:
        """The key of this adaptation's row in the adaptations register (to promote it)."""
        if self.key.startswith("free."):
            return self.key
        if self.entry_id:
            return f"entry.{self.entry_id}.{self.item}" if self.item else f"entry.{self.entry_id}"
        return ""


class Scrubber:
    """Removes every pupil's name from a short label taken from typed text."""

    def __init__(self):
        from ..privacy.redaction import name_variants

        terms = {v for p in get_store().pupils.all_readonly()
                 for v in name_variants(p.get("display_name", "")) if len(v) >= 2}
        self.patterns = [re.compile(r"(?<!\w)" + re.escape(t) + r"(?!\w)", re.IGNORECASE)
                         for t in sorted(terms, key=len, reverse=True)]

    def __call__(self, text: str) -> str:
        from ..privacy.redaction import placeholder

        for pattern in self.patterns:
            text = pattern.sub(placeholder(), text)
        return text


def first_line(markdown: str) -> str:
    """Return the first non-empty line of Markdown as plain, short text."""
    for line in (markdown or "").splitlines():
        line = re.sub(r"^[\s>#*+\-\d.)]+", "", line)
        line = re.sub(r"[*_`\[\]]", "", line).strip()
        if line:
            return line if len(line) <= MAX_LABEL else line[: MAX_LABEL - 1] + "…"
    return ""


def adaptations(trajectories: list[dict], scrub: Scrubber | None = None) -> list[Adaptation]:
    """Return the adaptations of ``trajectories``: one per trajectory and adaptation,
    its status taken from the latest published record."""
    from ..plugins.host import get_plugins
    from ..plugins.entry_templates.forms import iter_checklist
    from ..plugins.entry_templates.registry import spec_for_entry

    scrub = scrub or Scrubber()
    host = get_plugins()
    ids = [t["id"] for t in trajectories]
    latest: dict[tuple[str, str], Adaptation] = {}
    orders: dict[tuple[str, str], tuple] = {}

    def keep(found: Adaptation, order: tuple) -> None:
        slot = (found.trajectory_id, found.key)
        if slot not in latest or order >= orders[slot]:
            orders[slot] = order
            latest[slot] = found

    entries = get_store().entries.find_in(
        "trajectory_id", ids, predicate=lambda e: e.get("status") == "published")
    for entry in entries:
        day = entry.get("date") or entry.get("created_at", "")[:10]
        order = (day, entry.get("created_at", ""))
        if entry.get("template"):
            found = spec_for_entry(host, entry)
            spec = found.spec if found is not None else None
            if spec is None:
                continue
            for answer in iter_checklist(spec, entry.get("answers") or {}):
                status = answer["status"]
                if status not in TRIED:
                    continue
                keep(Adaptation(
                    trajectory_id=entry["trajectory_id"],
                    key=f"{spec.id}:{answer['field']}.{answer['item']}",
                    label=answer["label"], category=answer["category"], tried=True,
                    working=status == "werkt", not_working=status == "werkt_niet", date=day,
                    entry_id=entry["id"], item=f"{answer['field']}.{answer['item']}"), order)
        elif entry.get("kind") == "agreement":
            label = scrub(first_line((entry.get("fields") or {}).get("what", "")))
            if not label:
                continue
            category = next((t for t in entry.get("tags", ()) if t in STICORDI), "")
            keep(Adaptation(
                trajectory_id=entry["trajectory_id"], key="agreement:" + label.casefold(),
                label=label, category=category, tried=True, working="werkt" in entry.get("tags", ()),
                not_working="werkt niet" in entry.get("tags", ()), date=day,
                entry_id=entry["id"]), order)
    for found in _register_adaptations(ids, scrub):
        keep(found, (found.date, "~register"))
    return list(latest.values())


def _register_adaptations(trajectory_ids: list[str], scrub: Scrubber) -> list[Adaptation]:
    """Adaptations from the adaptations register, when that module is installed."""
    try:
        from . import adaptations as register
    except ImportError:
        return []
    rows = getattr(register, "pattern_rows", None)
    if rows is None:
        return []
    out = []
    for row in rows(trajectory_ids):
        out.append(Adaptation(
            trajectory_id=row["trajectory_id"], key=row["key"], label=scrub(row["label"]),
            category=row.get("category") or "", tried=bool(row.get("tried")),
            working=bool(row.get("working")), not_working=bool(row.get("not_working")),
            date=row.get("date") or "", entry_id=row.get("entry_id") or "",
            item=row.get("item") or ""))
    return out


# -- the charts ---------------------------------------------------------------------------

@dataclass
class Overview:
    """Everything the patterns page shows, as charts (each with its table)."""

    filters: Filters
    trajectory_count: int
    charts: list[Chart]
    shared: list[dict]      # challenges several class groups meet
    working: list[dict]     # adaptations that work somewhere, most often first

    def chart(self, chart_id: str) -> Chart | None:
        """Return the chart with this id, or None."""
        return next((c for c in self.charts if c.id == chart_id), None)


def overview(filters: Filters) -> Overview:
    """Count everything the coordinator's overview shows, for ``filters``."""
    found = scope(filters)
    labels = trajectory_service.focus_area_labels()
    scrub = Scrubber()
    found_adaptations = [a for a in adaptations(found.trajectories, scrub)
                         if found.in_period(a.date)]
    goals = _goals_in(found)
    areas_of = found.areas_of
    shared = shared_challenges(found, found_adaptations, labels, scrub)
    charts = [
        _focus_chart(found, labels),
        _time_chart(found, goals),
        _adaptation_chart("adaptations_by_category", _("Adaptations by category"),
                          _("Per STICORDI category: how many adaptations were tried, and how "
                            "many of them work or do not work."), _("Category"),
                          found_adaptations, lambda a: [STICORDI.get(a.category)
                                                        or _("No category")]),
        _adaptation_chart("adaptations_by_focus_area", _("Adaptations by focus area"),
                          _("Per focus area of the trajectory: adaptations tried and working."),
                          _("Focus area"), found_adaptations,
                          lambda a: [labels.get(x, x) for x in areas_of.get(a.trajectory_id, ())]
                          or [_("No focus area")]),
        _adaptation_chart("adaptations_by_class", _("Adaptations by class group"),
                          _("Per class group: adaptations tried and working."), _("Class group"),
                          found_adaptations,
                          lambda a: [found.class_of.get(a.trajectory_id) or _("No class group")]),
        _goal_chart(goals),
        _shared_chart(shared),
    ]
    return Overview(filters, len(found.trajectories), charts, shared,
                    working_adaptations(found, found_adaptations))


def _focus_chart(found: Scope, labels: dict[str, str]) -> Chart:
    counts: dict[str, Counter] = defaultdict(Counter)
    for t in found.trajectories:
        state = "closed" if t.get("phase") == "closed" else "open"
        for area in t.get("focus_areas") or [""]:
            counts[area][state] += 1
    order = [a for a in labels if a in counts] + sorted(a for a in counts if a not in labels and a)
    if "" in counts:
        order.append("")
    return Chart(
        id="focus_areas", title=_("Trajectories by focus area"),
        description=_("How many trajectories deal with each focus area, open and closed. "
                      "A trajectory with several focus areas counts for each."),
        row_heading=_("Focus area"),
        series=(Series("open", _("Open")), Series("closed", _("Closed"))),
        rows=[(labels.get(a, a) or _("No focus area"), dict(counts[a])) for a in order],
    )


def _goals_in(found: Scope) -> list[dict]:
    """The goals of the trajectories in scope that ran during part of the period:
    set before its end, and still ongoing or last evaluated after its start."""
    ids = [t["id"] for t in found.trajectories]
    goals = get_store().goals.find_in("trajectory_id", ids)
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


def _time_chart(found: Scope, goals: list[dict]) -> Chart:
    """Per month of the chosen school year, else per school year."""
    if found.filters.school_year:
        buckets = year_months(found.filters.school_year)

        def bucket(day: str) -> str:
            return day[:7]
        heading = _("Month")
    else:
        buckets = []

        def bucket(day: str) -> str:
            return school_year_of(day)
        heading = _("School year")
    counts: dict[str, Counter] = defaultdict(Counter)
    for t in found.trajectories:
        began = t.get("start_date") or t.get("created_at", "")[:10]
        if began and found.in_period(began):
            counts[bucket(began)]["opened"] += 1
        if t.get("closed_on") and found.in_period(t["closed_on"]):
            counts[bucket(t["closed_on"])]["closed"] += 1
    for goal in goals:
        day = achieved_on(goal)
        if day and found.in_period(day):
            counts[bucket(day)]["achieved"] += 1
    order = buckets or sorted(counts)
    return Chart(
        id="over_time", title=_("Over time"),
        description=_("Trajectories opened and closed, and goals achieved, per period."),
        row_heading=heading,
        series=(Series("opened", _("Trajectories opened")),
                Series("closed", _("Trajectories closed")),
                Series("achieved", _("Goals achieved"))),
        rows=[(b, dict(counts.get(b, {}))) for b in order],
    )


def _adaptation_chart(chart_id: str, title: str, description: str, heading: str,
                      found: list[Adaptation], groups_of) -> Chart:
    counts: dict[str, Counter] = defaultdict(Counter)
    for a in found:
        for group in groups_of(a):
            counts[group]["tried"] += a.tried
            counts[group]["working"] += a.working
            counts[group]["not_working"] += a.not_working
    order = sorted(counts, key=lambda g: (-counts[g]["tried"], g.lower()))
    return Chart(
        id=chart_id, title=title, description=description, row_heading=heading,
        series=(Series("tried", _("Tried")), Series("working", _("Working")),
                Series("not_working", _("Not working"))),
        rows=[(g, dict(counts[g])) for g in order],
    )


def _goal_chart(goals: list[dict]) -> Chart:
    from .goals import STATUS_LABELS
    from .goals import STATUSES

    counts = Counter(g.get("status") for g in goals)
    return Chart(
        id="goals", title=_("Goals by status"),
        description=_("How many goals are ongoing, achieved, adjusted or stopped."),
        row_heading=_("Status"), series=(Series("goals", _("Goals")),),
        rows=[(str(STATUS_LABELS[s]), {"goals": counts.get(s, 0)}) for s in STATUSES],
    )


def shared_challenges(found: Scope, found_adaptations: list[Adaptation],
                      labels: dict[str, str], scrub: Scrubber) -> list[dict]:
    """Return the challenges met in trajectories of several class groups.

    A challenge is a focus area, a tag on published entries, or an adaptation.
    Each item: ``{kind, key, label, classes (sorted), trajectories (count)}``,
    most class groups first; only challenges with at least
    :data:`SHARED_MIN_CLASSES` class groups.
    """
    seen: dict[tuple[str, str], dict] = {}

    def note(kind: str, key: str, label: str, trajectory_id: str) -> None:
        item = seen.setdefault((kind, key), {"kind": kind, "key": key, "label": label,
                                             "classes": set(), "trajectories": set()})
        group = found.class_of.get(trajectory_id)
        if group:
            item["classes"].add(group)
        item["trajectories"].add(trajectory_id)

    for t in found.trajectories:
        for area in t.get("focus_areas", ()):
            note("focus_area", area, labels.get(area, area), t["id"])
    ids = [t["id"] for t in found.trajectories]
    for entry in get_store().entries.find_in(
            "trajectory_id", ids, predicate=lambda e: e.get("status") == "published"):
        if not found.in_period(entry.get("date")):
            continue
        for tag in entry.get("tags", ()):
            note("tag", tag, scrub(tag), entry["trajectory_id"])
    for a in found_adaptations:
        note("adaptation", a.key, a.label, a.trajectory_id)
    out = [dict(item, classes=sorted(item["classes"], key=str.lower),
                trajectories=len(item["trajectories"]))
           for item in seen.values() if len(item["classes"]) >= SHARED_MIN_CLASSES]
    return sorted(out, key=lambda i: (-len(i["classes"]), -i["trajectories"], i["label"].lower()))


def _shared_chart(shared: list[dict]) -> Chart:
    kinds = {"focus_area": _("Focus area"), "tag": _("Tag"), "adaptation": _("Adaptation")}
    return Chart(
        id="shared", title=_("Challenges several classes meet"),
        description=_("Focus areas, tags and adaptations that come back in trajectories of "
                      "at least %(n)d class groups.", n=SHARED_MIN_CLASSES),
        row_heading=_("Challenge"),
        series=(Series("classes", _("Class groups")), Series("trajectories", _("Trajectories"))),
        rows=[(f"{kinds[i['kind']]}: {i['label']}",
               {"classes": len(i["classes"]), "trajectories": i["trajectories"]}) for i in shared],
    )


def working_adaptations(found: Scope, found_adaptations: list[Adaptation]) -> list[dict]:
    """Return the adaptations that work in at least one trajectory, most often first.

    Each item: ``{key, label, category, working, tried, classes, source}`` where
    ``source`` is the latest :class:`Adaptation` that works (to share or promote it).
    """
    by_key: dict[str, dict] = {}
    for a in found_adaptations:
        item = by_key.setdefault(a.key, {"key": a.key, "label": a.label, "category": a.category,
                                         "working": 0, "tried": 0, "classes": set(),
                                         "source": None})
        item["tried"] += a.tried
        if a.working:
            item["working"] += 1
            group = found.class_of.get(a.trajectory_id)
            if group:
                item["classes"].add(group)
            if item["source"] is None or a.date >= item["source"].date:
                item["source"] = a
    out = [dict(i, classes=sorted(i["classes"], key=str.lower))
           for i in by_key.values() if i["working"]]
    return sorted(out, key=lambda i: (-i["working"], -len(i["classes"]), i["label"].lower()))
