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
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _

from ..charts import Chart
from ..charts import Series
from ..errors import NotFound
from ..plugins.entry_templates.specs import STICORDI
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from .goals import STATUS_LABELS
from .goals import STATUSES
from .pattern_adaptations import Adaptation
from .pattern_adaptations import Scrubber
from .pattern_adaptations import TrajectoryFacts
from .pattern_adaptations import trajectory_facts
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
    facts = trajectory_facts(found.trajectories)
    in_period = found.in_period
    # The tally is kept with the facts' stamp: counted again only after a change in view.
    tally = get_store().derived("patterns-tally", limit=8).get(
        (filters, str(get_locale())), facts.stamp, lambda: AdaptationTally(
            a for f in facts.values() for a in f.adaptations if in_period(a.date)))
    goals = goals_in(found)
    areas_of = found.areas_of
    shared = shared_challenges(found, tally, labels, facts)
    # Translated once, not once per trajectory (a school has thousands).
    no_category, no_area, no_class = _("No category"), _("No focus area"), _("No class group")
    charts = [
        _focus_chart(found, labels),
        _time_chart(found, goals),
        _adaptation_chart("adaptations_by_category", _("Adaptations by category"),
                          _("Per STICORDI category: how many adaptations were tried, and how "
                            "many of them work or do not work."), _("Category"),
                          tally.by_category(), lambda c: [STICORDI.get(c) or no_category]),
        _adaptation_chart("adaptations_by_focus_area", _("Adaptations by focus area"),
                          _("Per focus area of the trajectory: adaptations tried and working."),
                          _("Focus area"), tally.by_trajectory(),
                          lambda t: [labels.get(x, x) for x in areas_of.get(t, ())] or [no_area]),
        _adaptation_chart("adaptations_by_class", _("Adaptations by class group"),
                          _("Per class group: adaptations tried and working."), _("Class group"),
                          tally.by_trajectory(), lambda t: [found.class_of.get(t) or no_class]),
        _goal_chart(goals),
        _shared_chart(shared),
    ]
    return Overview(filters, len(found.trajectories), charts, shared,
                    working_adaptations(found, tally))


class KeyTally:
    """One adaptation (by key) across the trajectories in view."""

    __slots__ = ("first", "tried", "working", "trajectories", "working_in", "source")

    def __init__(self, first: Adaptation):
        self.first = first            # its label and category are shown
        self.tried = 0
        self.working = 0
        self.trajectories: set[str] = set()
        self.working_in: set[str] = set()  # trajectories where it works
        self.source: Adaptation | None = None  # the latest record that works


class AdaptationTally:
    """The adaptations in view counted in one pass (there are tens of thousands):
    tried / working / not working per trajectory and category, and per adaptation key."""

    def __init__(self, found: Iterable[Adaptation]):
        pairs: dict[tuple[str, str], list[int]] = {}
        keys: dict[str, KeyTally] = {}
        for a in found:
            pair = (a.trajectory_id, a.category)
            count = pairs.get(pair)
            if count is None:
                count = pairs[pair] = [0, 0, 0]
            count[0] += a.tried
            count[1] += a.working
            count[2] += a.not_working
            key = keys.get(a.key)
            if key is None:
                key = keys[a.key] = KeyTally(a)
            key.tried += a.tried
            key.trajectories.add(a.trajectory_id)
            if a.working:
                key.working += 1
                key.working_in.add(a.trajectory_id)
                if key.source is None or a.date >= key.source.date:
                    key.source = a
        self.pairs = pairs
        self.keys = keys

    def by_category(self) -> dict[str, list[int]]:
        """Category key -> [tried, working, not working]."""
        return _summed((category, count) for (_t, category), count in self.pairs.items())

    def by_trajectory(self) -> dict[str, list[int]]:
        """Trajectory id -> [tried, working, not working]."""
        return _summed((trajectory_id, count) for (trajectory_id, _c), count in self.pairs.items())


def _summed(counts: Iterable[tuple[str, list[int]]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for group, count in counts:
        total = out.get(group)
        if total is None:
            out[group] = list(count)
        else:
            for i in range(3):
                total[i] += count[i]
    return out


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
                      found: dict[str, list[int]], groups_of) -> Chart:
    """One chart of tried / working / not working, ``found`` (per category or trajectory)
    summed per the groups ``groups_of`` gives each."""
    counts = _summed((group, count) for source, count in found.items()
                     for group in groups_of(source))
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


def shared_challenges(found: Scope, tally: AdaptationTally, labels: dict[str, str],
                      facts: dict[str, TrajectoryFacts]) -> list[dict]:
    """Return the challenges met in trajectories of several class groups.

    A challenge is a focus area, a tag on published entries, or an adaptation.
    Each item: ``{kind, key, label, classes (sorted), trajectories (count)}``,
    most class groups first; only challenges with at least
    :data:`SHARED_MIN_CLASSES` class groups.

    :param tally: the adaptations in view.
    :param facts: the :func:`~journal.process.pattern_adaptations.trajectory_facts` of the
        scope's trajectories.
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
    for trajectory_id, found_facts in facts.items():
        for tag, dates in found_facts.tag_dates.items():
            if not found.start or any(in_period(day) for day in dates):
                met[("tag", tag)].add(trajectory_id)
    for key, counted in tally.keys.items():
        met[("adaptation", key)] = counted.trajectories
        labels_of[("adaptation", key)] = counted.first.label
    out = []
    scrub = None
    class_of = found.class_of
    for (kind, key), trajectory_ids in met.items():
        classes = {class_of.get(tid) for tid in trajectory_ids} - {None, ""}
        if len(classes) >= SHARED_MIN_CLASSES:
            if kind == "tag" and scrub is None:
                scrub = Scrubber()  # only when a tag is shown: it compiles every pupil's name
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


def working_adaptations(found: Scope, tally: AdaptationTally) -> list[dict]:
    """Return the adaptations that work in at least one trajectory, most often first.

    Each item: ``{key, label, category, working, tried, classes, source}`` where
    ``source`` is the latest :class:`Adaptation` that works (to share or promote it).
    """
    class_of = found.class_of
    out = [{"key": key, "label": counted.first.label, "category": counted.first.category,
            "working": counted.working, "tried": counted.tried,
            "classes": sorted({class_of.get(t) for t in counted.working_in} - {None, ""},
                              key=str.lower),
            "source": counted.source}
           for key, counted in tally.keys.items() if counted.working]
    return sorted(out, key=lambda i: (-i["working"], -len(i["classes"]), i["label"].lower()))
