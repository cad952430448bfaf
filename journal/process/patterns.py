"""School-wide patterns for the care coordinator: counts across every trajectory.

Everything here is an aggregate: numbers per focus area, STICORDI category,
class group, month or school year. No pupil name, trajectory title or entry
text leaves this module; the few labels that come from typed text (a free
agreement's first line, a tag) have every pupil's name removed first.

Sources:

* trajectories (focus areas, start and close dates) and their pupil's class group;
* goals (status, and the evaluation that marked one achieved);
* adaptations (:mod:`journal.process.pattern_adaptations`): the checklist items
  of published template entries with a status, published free agreements, and
  the adaptations register. Per trajectory and adaptation the latest status
  counts once.

Which trajectories count (school year, class group, focus area) is decided in
:mod:`journal.process.pattern_scope`. Only the care coordinator sees the
patterns (:func:`view_overview`).
"""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _

from ..charts import Chart
from ..charts import Series
from ..errors import NotFound
from ..plugins.entry_templates.specs import STICORDI
from ..security import access
from ..security.audit import audit
from .goals import STATUS_LABELS
from .goals import STATUSES
from .pattern_adaptations import Adaptation
from .pattern_adaptations import Scrubber
from .pattern_adaptations import adaptations
from .pattern_adaptations import published_entries
from .pattern_scope import Choices
from .pattern_scope import Filters
from .pattern_scope import Scope
from .pattern_scope import achieved_on
from .pattern_scope import choices
from .pattern_scope import goals_in
from .pattern_scope import parse_filters
from .pattern_scope import school_year_of
from .pattern_scope import scope
from .pattern_scope import year_months
from .trajectories import focus_area_labels

#: A challenge is "shared" when trajectories of at least this many class groups meet it.
SHARED_MIN_CLASSES = 2


def view_overview(actor: dict, args) -> tuple[Overview, Choices]:
    """Return the overview for the filters in ``args`` (query arguments) and the filter
    choices; the care coordinator's reading is recorded.

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    """
    access.check_allowed(actor, "overview")
    offered = choices()
    found = overview(parse_filters(args, offered))
    audit("view", object_type="patterns", user_id=actor["id"], detail="overview")
    return found, offered


def chart_export(actor: dict, args, chart_id: str) -> tuple[Chart, Filters]:
    """Return one chart (for its CSV table) with the filters in ``args``; the download is
    recorded.

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no chart ``chart_id``.
    """
    access.check_allowed(actor, "overview")
    found = overview(parse_filters(args, choices()))
    chart = found.chart(chart_id)
    if chart is None:
        raise NotFound("chart")
    audit("export", object_type="patterns", user_id=actor["id"], detail=f"csv:{chart.id}")
    return chart, found.filters


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
    labels = focus_area_labels()
    scrub = Scrubber()
    published = published_entries(found.trajectories)  # read once, for both passes
    found_adaptations = [a for a in adaptations(found.trajectories, scrub, published)
                         if found.in_period(a.date)]
    goals = goals_in(found)
    areas_of = found.areas_of
    shared = shared_challenges(found, found_adaptations, labels, scrub, published)
    # Translated once, not once per adaptation (a school has tens of thousands).
    no_category, no_area, no_class = _("No category"), _("No focus area"), _("No class group")
    charts = [
        _focus_chart(found, labels),
        _time_chart(found, goals),
        _adaptation_chart("adaptations_by_category", _("Adaptations by category"),
                          _("Per STICORDI category: how many adaptations were tried, and how "
                            "many of them work or do not work."), _("Category"),
                          found_adaptations, lambda a: [STICORDI.get(a.category)
                                                        or no_category]),
        _adaptation_chart("adaptations_by_focus_area", _("Adaptations by focus area"),
                          _("Per focus area of the trajectory: adaptations tried and working."),
                          _("Focus area"), found_adaptations,
                          lambda a: [labels.get(x, x) for x in areas_of.get(a.trajectory_id, ())]
                          or [no_area]),
        _adaptation_chart("adaptations_by_class", _("Adaptations by class group"),
                          _("Per class group: adaptations tried and working."), _("Class group"),
                          found_adaptations,
                          lambda a: [found.class_of.get(a.trajectory_id) or no_class]),
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
    counts: dict[str, list[int]] = {}  # tried, working, not working
    for a in found:
        for group in groups_of(a):
            count = counts.get(group)
            if count is None:
                count = counts[group] = [0, 0, 0]
            count[0] += a.tried
            count[1] += a.working
            count[2] += a.not_working
    order = sorted(counts, key=lambda g: (-counts[g][0], g.lower()))
    return Chart(
        id=chart_id, title=title, description=description, row_heading=heading,
        series=(Series("tried", _("Tried")), Series("working", _("Working")),
                Series("not_working", _("Not working"))),
        rows=[(g, dict(zip(("tried", "working", "not_working"), counts[g]))) for g in order],
    )


def _goal_chart(goals: list[dict]) -> Chart:
    counts = Counter(g.get("status") for g in goals)
    return Chart(
        id="goals", title=_("Goals by status"),
        description=_("How many goals are ongoing, achieved, adjusted or stopped."),
        row_heading=_("Status"), series=(Series("goals", _("Goals")),),
        rows=[(str(STATUS_LABELS[s]), {"goals": counts.get(s, 0)}) for s in STATUSES],
    )


def shared_challenges(found: Scope, found_adaptations: list[Adaptation],
                      labels: dict[str, str], scrub: Scrubber,
                      published: list[dict] | None = None) -> list[dict]:
    """Return the challenges met in trajectories of several class groups.

    A challenge is a focus area, a tag on published entries, or an adaptation.
    Each item: ``{kind, key, label, classes (sorted), trajectories (count)}``,
    most class groups first; only challenges with at least
    :data:`SHARED_MIN_CLASSES` class groups.

    :param published: the scope's published entries, when the caller read them already.
    """
    # Per challenge only the trajectories it is met in; class groups and labels at the end
    # (a school's entries carry tens of thousands of tags).
    met: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels_of: dict[tuple[str, str], str] = {}
    for t in found.trajectories:
        for area in t.get("focus_areas", ()):
            met[("focus_area", area)].add(t["id"])
            labels_of.setdefault(("focus_area", area), labels.get(area, area))
    in_period = found.in_period
    for entry in published_entries(found.trajectories) if published is None else published:
        if in_period(entry.get("date")):
            for tag in entry.get("tags", ()):
                met[("tag", tag)].add(entry["trajectory_id"])
    for a in found_adaptations:
        met[("adaptation", a.key)].add(a.trajectory_id)
        labels_of.setdefault(("adaptation", a.key), a.label)
    out = []
    for (kind, key), trajectory_ids in met.items():
        classes = {found.class_of.get(tid) for tid in trajectory_ids} - {None, ""}
        if len(classes) >= SHARED_MIN_CLASSES:
            out.append({"kind": kind, "key": key,
                        "label": scrub(key) if kind == "tag" else labels_of[(kind, key)],
                        "classes": sorted(classes, key=str.lower),
                        "trajectories": len(trajectory_ids)})
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
