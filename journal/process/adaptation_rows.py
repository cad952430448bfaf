"""The adaptations register, read: every adaptation tried in a trajectory, and how it works.

A register row is one adaptation (aanpassing, maatregel). Rows come from two places:

* **derived** from published entries: every agreement entry (its "what we
  agree"), and every checklist item of a template answer that carries a status
  (``doe_ik_al``, ``ga_ik_proberen``, ``werkt``, ``werkt_niet``). The entry stays
  the source of the text; the row keeps a link to the entry and item;
* **free**: written directly in the register.

What the register adds is stored in the ``adaptations`` collection, one
document per row that has anything of its own: the free rows themselves, and
for derived rows their per-teacher ratings, a STICORDI category or "who
applies it" when the entry had none, and a promotion. A derived row without a
document is shown from its entry alone, so reading the register never writes.
Changes go through :mod:`journal.process.adaptations`.

:func:`adaptation_rows` and :func:`all_adaptations` return plain dicts for
other views (school-wide patterns).
"""

from __future__ import annotations

from collections import Counter
from collections import defaultdict

from flask_babel import lazy_gettext as _l

from ..plugins.entry_templates.forms import STATUS_LABELS
from ..plugins.entry_templates.forms import iter_checklist
from ..plugins.entry_templates.registry import spec_for_entry
from ..plugins.entry_templates.registry import stored_spec
from ..plugins.entry_templates.specs import ITEM_STATUSES
from ..plugins.entry_templates.specs import STICORDI
from ..plugins.host import get_plugins
from ..storage import get_store
from ..storage.engine import clone
from .text import first_line
from .text import plain_text

SCOPES = ("pupil", "class", "school")
SCOPE_LABELS = {
    "pupil": _l("This pupil"),
    "class": _l("The class group"),
    "school": _l("The whole school"),
}

#: Answers to "feasible?" and "does it work?" per teacher.
ANSWERS = ("unknown", "yes", "no")
ANSWER_LABELS = {"unknown": _l("don't know yet"), "yes": _l("yes"), "no": _l("no")}

#: Where a row comes from.
ORIGIN_LABELS = {
    "free": _l("Written in the register"),
    "agreement": _l("Agreement entry"),
    "checklist": _l("Template checklist"),
}

#: The overall verdict of a row (see :func:`summarise`).
VERDICT_LABELS = {
    "works": _l("Works"),
    "does_not_work": _l("Does not work"),
    "mixed": _l("Works for some teachers"),
    "planned": _l("Going to try"),
    "unknown": _l("No verdict yet"),
}

#: The status a new agreement or free adaptation starts with.
DEFAULT_STATUS = "ga_ik_proberen"



def category_label(key: str) -> str:
    """Return the label of a STICORDI/REDICODIS category ("" when none)."""
    return STICORDI.get(key or "", "")


class _Labels:
    """Status and verdict labels, translated once per list (thousands of rows at a large school)."""

    def __init__(self):
        self.status = {k: str(v) for k, v in STATUS_LABELS.items()}
        self.verdict = {k: str(v) for k, v in VERDICT_LABELS.items()}

    def finish(self, row: dict) -> dict:
        row["category_label"] = category_label(row.get("category", ""))
        row["status_label"] = self.status.get(row.get("status") or "", "")
        row["summary"] = summarise(row.get("status", ""), row["ratings"])
        row["verdict_label"] = self.verdict[row["summary"]["verdict"]]
        return row


# -- keys ----------------------------------------------------------------------

def agreement_key(entry_id: str) -> str:
    """Return the row key of an agreement entry."""
    return f"entry.{entry_id}"


def item_key(entry_id: str, field: str, item: str) -> str:
    """Return the row key of one checklist item of an entry."""
    return f"entry.{entry_id}.{field}.{item}"


def free_key(doc_id: str) -> str:
    """Return the row key of a free adaptation."""
    return f"free.{doc_id}"


# -- summarising ---------------------------------------------------------------

def summarise(status: str, ratings: list[dict]) -> dict:
    """Count the teachers' ratings and decide the row's verdict.

    Ratings of "does it work?" decide when there are any (more yes than no:
    works; more no: does not work; as many: mixed). Without them the recorded
    status decides: ``werkt``/``doe_ik_al`` works, ``werkt_niet`` does not,
    ``ga_ik_proberen`` is planned.

    :return: ``{"feasible": {yes, no, unknown}, "works": {…}, "teachers",
        "verdict", "tried", "working"}``.
    """
    feasible = Counter({a: 0 for a in ANSWERS})
    works = Counter({a: 0 for a in ANSWERS})
    for rating in ratings:
        feasible[rating.get("feasible") or "unknown"] += 1
        works[rating.get("works") or "unknown"] += 1
    if works["yes"] or works["no"]:
        verdict = ("works" if works["yes"] > works["no"]
                   else "does_not_work" if works["no"] > works["yes"] else "mixed")
    else:
        verdict = {"werkt": "works", "doe_ik_al": "works", "werkt_niet": "does_not_work",
                   "ga_ik_proberen": "planned"}.get(status or "", "unknown")
    return {
        "feasible": dict(feasible),
        "works": dict(works),
        "teachers": len(ratings),
        "verdict": verdict,
        "tried": verdict in ("works", "does_not_work", "mixed"),
        "working": verdict == "works",
    }


# -- building rows -------------------------------------------------------------

class TemplateSpecs:
    """Template specs of entries, each looked up once per list (snapshots need no plugin).

    Thousands of template entries share a handful of specs; looking each one up
    again costs more than the rest of a school-wide count.
    """

    def __init__(self):
        self.found: dict = {}

    def of(self, entry: dict):
        """Return the spec ``entry``'s answers were given in (None for a free entry)."""
        ref = entry.get("template") or {}
        cache_key = (ref.get("id"), ref.get("version"), ref.get("spec_hash"))
        if cache_key not in self.found:
            spec = stored_spec(ref) if ref.get("id") else None
            if spec is None and ref.get("id"):
                found = spec_for_entry(get_plugins(), entry)
                spec = found.spec if found is not None else None
            self.found[cache_key] = spec
        return self.found[cache_key]


def _base_row(trajectory: dict, pupil: dict | None) -> dict:
    return {
        "trajectory_id": trajectory["id"],
        "pupil_id": trajectory.get("pupil_id"),
        "class_group": (pupil or {}).get("class_group") or "",
        "focus_areas": list(trajectory.get("focus_areas") or ()),
        "doc_id": None,
        "rev": 0,
        "entry_id": None,
        "field": None,
        "item": None,
        "template_id": None,
        "note": "",
        "goal_ids": [],
        "internal": False,
        "ratings": [],
        "scope": "pupil",
        "promotion": None,
        "source_gone": False,
    }


def _derived_rows(trajectory: dict, pupil: dict | None, entries: list[dict],
                  specs: TemplateSpecs, wanted: set[str] | None = None) -> list[dict]:
    """The rows of agreements and checklist items (only the keys in ``wanted``, if given)."""
    rows = []
    for entry in entries:
        own = agreement_key(entry["id"])
        if wanted is not None and not any(k == own or k.startswith(own + ".") for k in wanted):
            continue
        common = dict(_base_row(trajectory, pupil), entry_id=entry["id"],
                      goal_ids=list(entry.get("goal_ids") or ()),
                      internal=bool(entry.get("internal")), date=entry.get("date") or "",
                      template_id=(entry.get("template") or {}).get("id"))
        fields = entry.get("fields") or {}
        if (entry.get("kind") == "agreement" and (fields.get("what") or "").strip()
                and (wanted is None or own in wanted)):
            html = (entry.get("html") or {}).get("what", "")
            rows.append(dict(common, key=agreement_key(entry["id"]), origin="agreement",
                             text=plain_text(html) or fields["what"].strip(), html=html,
                             markdown=fields["what"],
                             category="", applied_by=fields.get("applied_by") or "",
                             status=DEFAULT_STATUS, entry_status="",
                             from_date=fields.get("from_date"),
                             review_date=fields.get("review_date")))
        if entry.get("template") and entry.get("answers"):
            spec = specs.of(entry)
            if spec is None:
                continue
            for answered in iter_checklist(spec, entry.get("answers") or {}):
                if answered["status"] not in ITEM_STATUSES:
                    continue
                key = item_key(entry["id"], answered["field"], answered["item"])
                if wanted is not None and key not in wanted:
                    continue
                rows.append(dict(common, key=key, origin="checklist", field=answered["field"],
                                 item=answered["item"], text=answered["label"], html="",
                                 markdown="",
                                 note=answered.get("note") or "", category=answered["category"],
                                 applied_by="", status=answered["status"],
                                 entry_status=answered["status"],
                                 from_date=entry.get("date"), review_date=None))
    return rows


def _overlay(row: dict, doc: dict) -> dict:
    """Add what the register stored about a derived row (ratings, category, promotion)."""
    row = dict(row)
    row.update(doc_id=doc["id"], rev=doc["rev"], ratings=clone(doc.get("ratings") or []),
               scope=doc.get("scope") or "pupil", promotion=clone(doc.get("promotion")))
    if doc.get("category"):
        row["category"] = doc["category"]
    if doc.get("applied_by"):
        row["applied_by"] = doc["applied_by"]
    if row["origin"] == "agreement" and doc.get("status"):
        row["status"] = doc["status"]
    return row


def _free_row(trajectory: dict, pupil: dict | None, doc: dict) -> dict:
    row = _base_row(trajectory, pupil)
    row.update(key=free_key(doc["id"]), origin="free", doc_id=doc["id"], rev=doc["rev"],
               text=plain_text((doc.get("html") or {}).get("text", "")) or doc.get("text", ""),
               html=(doc.get("html") or {}).get("text", ""), markdown=doc.get("text") or "",
               category=doc.get("category") or "",
               applied_by=doc.get("applied_by") or "", status=doc.get("status") or "",
               entry_status="", note="", goal_ids=list(doc.get("goal_ids") or ()),
               date=doc.get("date") or (doc.get("created_at") or "")[:10],
               from_date=doc.get("date"), review_date=doc.get("review_date"),
               ratings=clone(doc.get("ratings") or []), scope=doc.get("scope") or "pupil",
               promotion=clone(doc.get("promotion")))
    return row


def adaptation_rows(store, trajectories: list[dict], *, stored_only: bool = False) -> list[dict]:
    """Return the register rows of ``trajectories`` as plain dicts, oldest first per trajectory.

    Each row: ``key``, ``origin`` (free/agreement/checklist), ``trajectory_id``,
    ``pupil_id``, ``class_group``, ``focus_areas``, ``text`` (plain), ``html``,
    ``category`` (STICORDI key or ""), ``category_label``, ``applied_by``,
    ``status`` (item status key or ""), ``ratings``, ``summary`` (see
    :func:`summarise`: ``verdict``, ``tried``, ``working`` and counts),
    ``scope`` (pupil/class/school), ``promotion``, ``goal_ids``, ``date``,
    ``entry_id``/``field``/``item`` (the source) and ``internal``.

    The caller decides who may see which trajectories; drafts never count.

    :param stored_only: only the rows the register stored something about
        (ratings, a category, a free adaptation), as the school-wide patterns need.
    """
    docs_of: dict[str, dict[str, dict]] = defaultdict(dict)
    # stored documents, uncopied: a row copies what it keeps (ratings, promotion)
    for doc in store.adaptations.find_in_readonly("trajectory_id", [t["id"] for t in trajectories]):
        docs_of[doc["trajectory_id"]][doc["source_key"]] = doc
    if stored_only:
        trajectories = [t for t in trajectories if docs_of.get(t["id"])]
    if not trajectories:
        return []
    pupils = {p["id"]: p for p in store.pupils.find_in_readonly(  # rows copy what they keep
        "id", [t["pupil_id"] for t in trajectories if t.get("pupil_id")])}
    entries_of: dict[str, list[dict]] = defaultdict(list)
    for entry in store.entries.find_in_readonly(  # rows copy what they keep
            "trajectory_id", [t["id"] for t in trajectories],
            predicate=lambda e: e.get("status") == "published"
            and (e.get("kind") == "agreement" or bool(e.get("template")))):
        entries_of[entry["trajectory_id"]].append(entry)
    specs = TemplateSpecs()
    labels = _Labels()
    out = []
    for trajectory in trajectories:
        pupil = pupils.get(trajectory.get("pupil_id"))
        mine = sorted(entries_of.get(trajectory["id"], ()),
                      key=lambda e: (e.get("date") or "", e.get("created_at") or ""))
        stored = dict(docs_of.get(trajectory["id"], {}))
        rows = []
        for row in _derived_rows(trajectory, pupil, mine, specs,
                                 set(stored) if stored_only else None):
            doc = stored.pop(row["key"], None)
            rows.append(_overlay(row, doc) if doc else row)
        for doc in stored.values():
            if doc.get("origin") == "free":
                rows.append(_free_row(trajectory, pupil, doc))
        rows.sort(key=lambda r: (r.get("date") or "", r["key"]))
        out.extend(labels.finish(r) for r in rows)
    return out


def all_adaptations(store) -> list[dict]:
    """Return the register rows of every trajectory of the school (see :func:`adaptation_rows`).

    For school-wide counts only: the rows carry pupil ids; show them to nobody
    who may not read the trajectory.
    """
    return adaptation_rows(store, store.trajectories.all())


def pattern_rows(trajectory_ids: list[str]) -> list[dict]:
    """Return what the register adds to the school-wide patterns (:mod:`journal.process.patterns`).

    Free adaptations, and rows from entries that the register changed (teachers'
    ratings, a category or status set here). Rows from entries carry the key the
    patterns module gives the same adaptation, so the register's verdict
    replaces the entry's. Each: ``trajectory_id``, ``key``, ``label`` (plain,
    first line), ``category``, ``tried``, ``working``, ``not_working``,
    ``date``, ``entry_id``, ``item``.
    """
    store = get_store()
    out = []
    for row in adaptation_rows(store, store.trajectories.find_in_readonly("id", trajectory_ids),
                               stored_only=True):
        if row["origin"] == "checklist":
            if row["doc_id"] is None:
                continue
            key = f"{row['template_id']}:{row['field']}.{row['item']}"
            label = row["text"]
        else:
            if row["origin"] == "agreement" and row["doc_id"] is None:
                continue
            label = first_line(row["markdown"]) or row["text"]
            key = row["key"] if row["origin"] == "free" else "agreement:" + label.casefold()
        out.append({
            "trajectory_id": row["trajectory_id"], "key": key, "label": label,
            "category": row["category"], "tried": True,
            "working": row["summary"]["working"],
            "not_working": row["summary"]["verdict"] == "does_not_work",
            "date": row.get("date") or "", "entry_id": row.get("entry_id") or "",
            "item": f"{row['field']}.{row['item']}" if row["origin"] == "checklist" else "",
        })
    return out


def rows_for(trajectory: dict) -> list[dict]:
    """Return one trajectory's register rows."""
    return adaptation_rows(get_store(), [trajectory])


def find_row(trajectory: dict, key: str) -> dict | None:
    """Return the row with this key in ``trajectory``'s register, or ``None``."""
    return next((r for r in rows_for(trajectory) if r["key"] == key), None)


def promoted() -> list[dict]:
    """Return the adaptations promoted to a class or the school: the stored documents.

    Only their promotion (text as everyone reads it, category, scope, class
    group) is meant for every member of staff.
    """
    docs = get_store().adaptations.filter(lambda d: d.get("scope") in ("class", "school")
                                          and d.get("promotion"))
    return sorted(docs, key=lambda d: (d["scope"] != "school",
                                       (d["promotion"].get("class_group") or "").lower(),
                                       d["promotion"].get("at") or ""))
