"""The adaptations the coordinator's patterns count: one per trajectory and adaptation.

Sources: the checklist items of published template entries with a status
(:data:`TRIED`), published free agreements, and the adaptations register
(:func:`journal.process.adaptation_rows.pattern_rows`). Per trajectory and
adaptation the latest status counts once. Labels from typed text have every
pupil's name removed (:class:`Scrubber`).

What a trajectory adds (:func:`trajectory_facts`) is derived once and kept
with the storage's change stamps of everything it was derived from, so a
school-wide count reads again only the trajectories that changed since.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from flask_babel import get_locale
from flask_babel import refresh

from ..plugins.entry_templates.specs import STICORDI
from ..plugins.entry_templates.specs import TemplateSpec
from ..plugins.host import get_plugins
from ..privacy.redaction import name_variants
from ..privacy.redaction import names_pattern
from ..privacy.redaction import placeholder
from ..storage import get_store
from .adaptation_rows import TemplateSpecs
from .adaptation_rows import pattern_rows
from .text import first_line

#: Checklist statuses that mean an adaptation was (or is being) tried.
TRIED = ("doe_ik_al", "ga_ik_proberen", "werkt", "werkt_niet")


@dataclass(frozen=True, slots=True)
class Adaptation:
    """One adaptation in one trajectory, with its latest known status (frozen: the patterns
    keep and share them between requests)."""

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
    """Removes every pupil's name from a short label taken from typed text.

    One pattern holds every name (:func:`~journal.privacy.redaction.names_pattern`),
    and a label met before (tags repeat) is not scanned again.
    """

    def __init__(self):
        terms = {v for p in get_store().pupils.all_readonly()
                 for v in name_variants(p.get("display_name", "")) if len(v) >= 2}
        self.pattern = names_pattern(terms)
        self.placeholder = placeholder()
        self.done: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        scrubbed = self.done.get(text)
        if scrubbed is None:
            scrubbed = self.done[text] = self.pattern.sub(self.placeholder, text)
        return scrubbed


@dataclass
class TrajectoryFacts:
    """What the patterns count about one trajectory, derived from its documents.

    :ivar adaptations: one per adaptation, its latest status (:func:`adaptations`).
    :ivar tag_dates: per tag of its published entries, the dates of those entries.
    """

    adaptations: list[Adaptation] = field(default_factory=list)
    tag_dates: dict[str, set] = field(default_factory=dict)


class FactsByTrajectory(dict):
    """Trajectory id -> :class:`TrajectoryFacts`, with the ``stamp`` they were derived under:
    it changes whenever one of them would be derived again (or the trajectories differ), so
    what is counted from them can be kept with it too."""

    stamp: tuple = ()


def trajectory_facts(trajectories: list[dict]) -> FactsByTrajectory:
    """Return the :class:`TrajectoryFacts` of each of ``trajectories`` (stored documents),
    by trajectory id; *shared*: only read them.

    A trajectory's facts are derived again only when one of its entries, its
    register rows or the trajectory itself changed, or anything every trajectory
    depends on: the pupils (their names are scrubbed from labels, their class
    groups), template snapshots and school templates, the running plugins, the
    language of the labels.
    """
    store = get_store()
    ids = [t["id"] for t in trajectories]
    common = (str(get_locale()), frozenset(get_plugins().running_names()),
              store.pupils.change_stamp(), store.template_snapshots.change_stamp(),
              store.school_templates.change_stamp())
    own = store.trajectories.change_stamps("id", ids)
    entries = store.entries.change_stamps("trajectory_id", ids)
    register = store.adaptations.change_stamps("trajectory_id", ids)
    stamps = {i: (common, own[i], entries[i], register[i]) for i in ids}
    by_id = {t["id"]: t for t in trajectories}

    def derive(missing: list[str]) -> dict[str, TrajectoryFacts]:
        chosen = [by_id[i] for i in missing]
        published = published_entries(chosen)
        found = {i: TrajectoryFacts() for i in missing}
        for a in adaptations(chosen, Scrubber(), published):
            found[a.trajectory_id].adaptations.append(a)
        tags: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        for entry in published:
            for tag in entry.get("tags", ()):
                tags[entry["trajectory_id"]][tag].add(entry.get("date"))
        for i, per_tag in tags.items():
            found[i].tag_dates = dict(per_tag)
        return found

    found = FactsByTrajectory(store.derived("patterns").get_many(stamps, derive))
    found.stamp = tuple(stamps.items())
    return found


def derive_all(app) -> None:
    """Derive every trajectory's facts now, in each of the journal's languages (``journal
    serve`` does after start, in the background), so the coordinator's first patterns page
    after a restart does not read the whole school."""
    for language in app.config["JOURNAL_LANGUAGES"]:
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the locale is kept per app context, which the languages share
            try:
                trajectory_facts(get_store().trajectories.all_readonly())
            except Exception:  # the patterns page derives them then, and shows the error
                app.logger.exception("deriving the patterns in the background failed")
                break
            finally:
                refresh()


def published_entries(trajectories: list[dict]) -> list[dict]:
    """Return the published entries of ``trajectories``, stored and *uncopied*: only read."""
    return get_store().entries.find_in_readonly(
        "trajectory_id", [t["id"] for t in trajectories],
        predicate=lambda e: e.get("status") == "published")


def adaptations(trajectories: list[dict], scrub: Scrubber | None = None,
                entries: list[dict] | None = None) -> list[Adaptation]:
    """Return the adaptations of ``trajectories``: one per trajectory and adaptation,
    its status taken from the latest published record.

    :param entries: their :func:`published_entries`, when the caller has them already.
    """
    scrub = scrub or Scrubber()
    specs = TemplateSpecs()
    checklists = _Checklists()
    ids = [t["id"] for t in trajectories]
    latest: dict[tuple[str, str], Adaptation] = {}
    orders: dict[tuple[str, str], tuple] = {}

    def newer(slot: tuple[str, str], order: tuple) -> bool:
        """Whether a record at ``order`` replaces what ``slot`` holds (the latest counts)."""
        if slot in orders and order < orders[slot]:
            return False
        orders[slot] = order
        return True

    def keep(found: Adaptation, order: tuple) -> None:
        slot = (found.trajectory_id, found.key)
        if newer(slot, order):
            latest[slot] = found

    for entry in published_entries(trajectories) if entries is None else entries:
        day = entry.get("date") or entry.get("created_at", "")[:10]
        order = (day, entry.get("created_at", ""))
        if entry.get("template"):
            spec = specs.of(entry)
            if spec is None:
                continue
            answers = entry.get("answers") or {}
            for field_key, items in checklists.of(spec):
                for item_key, answer in (answers.get(field_key) or {}).items():
                    status = answer.get("status", "") if isinstance(answer, dict) else ""
                    found = items.get(item_key)
                    if found is None or status not in TRIED:
                        continue
                    item = f"{field_key}.{item_key}"
                    slot = (entry["trajectory_id"], f"{spec.id}:{item}")
                    if newer(slot, order):  # made only when it counts: most are superseded
                        latest[slot] = Adaptation(
                            trajectory_id=slot[0], key=slot[1], label=found.label,
                            category=found.category, tried=True, working=status == "werkt",
                            not_working=status == "werkt_niet", date=day, entry_id=entry["id"],
                            item=item)
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


class _Checklists:
    """The checklist fields of each spec met, ``(field key, {item key: item})``, made once
    (tens of thousands of entries share a handful of specs)."""

    def __init__(self):
        self.made: dict[int, tuple[TemplateSpec, list]] = {}

    def of(self, spec: TemplateSpec) -> list[tuple[str, dict]]:
        """Return the checklists of ``spec``."""
        held = self.made.get(id(spec))
        if held is None or held[0] is not spec:
            held = self.made[id(spec)] = (spec, [(f.key, {i.key: i for i in f.items})
                                                 for f in spec.fields() if f.type == "checklist"])
        return held[1]


def _register_adaptations(trajectory_ids: list[str], scrub: Scrubber) -> list[Adaptation]:
    """Adaptations from the adaptations register (what teachers rated, free rows)."""
    out = []
    for row in pattern_rows(trajectory_ids):
        out.append(Adaptation(
            trajectory_id=row["trajectory_id"], key=row["key"], label=scrub(row["label"]),
            category=row.get("category") or "", tried=bool(row.get("tried")),
            working=bool(row.get("working")), not_working=bool(row.get("not_working")),
            date=row.get("date") or "", entry_id=row.get("entry_id") or "",
            item=row.get("item") or ""))
    return out
