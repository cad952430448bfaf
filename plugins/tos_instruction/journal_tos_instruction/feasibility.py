"""Feasibility per teacher: which TOS adaptation can each of the pupil's teachers apply?

In secondary school a pupil has 7 or 8 teachers, so an adaptation only helps
when it is feasible in every lesson. One document per trajectory in the
plugin's own table (``plugin:tos_instruction``)::

    {"trajectory_id": str,
     "teachers": [{"key": "t1a2b3c4", "label": "Frans – mevr. Peeters"}],
     "rows": ["single_step", …],            # adaptation item keys shown, in order
     "marks": {row: {teacher_key: {"feasible": "yes", "works": "partly"}}}}

Teacher labels are what the team types (a subject and a name); they are
never logged.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from journal.plugins.entry_templates.files import load_file
from journal.storage.store import StaleRevision

NAME = "tos_instruction"

#: The entry templates, one TOML file per version (docs/plugins.md, "Templates").
#: Checklist item keys are unique across the whole adaptations template, because
#: this overview uses them as row keys.
ENTRY_TEMPLATES = Path(__file__).with_name("entry_templates")

#: Answers to "haalbaar?" (can this teacher apply it?), key -> Dutch label.
FEASIBLE = {"": "–", "yes": "ja", "partly": "deels", "no": "nee"}

#: Answers to "werkt?" (does it help the pupil in this teacher's lessons?).
WORKS = {"": "–", "yes": "ja", "partly": "deels", "no": "nee"}

#: The adaptations shown until the team chooses its own.
DEFAULT_ROWS = ("single_step", "visualise", "same_words", "split_and_project", "wait_time",
                "check_by_doing")

MAX_TEACHERS = 12
MAX_LABEL = 80


class FeasibilityError(ValueError):
    """A submitted value the overview cannot store; ``field`` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def adaptation_items() -> list[tuple[str, object]]:
    """Return ``(section title, item)`` for every adaptation of the checklist, in template order."""
    spec = load_file(ENTRY_TEMPLATES / "adaptations.toml", NAME)
    return [(section.title, item)
            for section in spec.sections
            for f in section.fields if f.type == "checklist"
            for item in f.items]


def adaptations() -> dict[str, dict]:
    """Return every adaptation that can be a row: key -> ``{"label", "section", "category"}``."""
    return {item.key: {"label": item.label, "section": section, "category": item.category}
            for section, item in adaptation_items()}


def shown_rows(doc: dict) -> list[str]:
    """Return the rows of ``doc`` that are still adaptations of the current template."""
    known = adaptations()
    return [row for row in doc["rows"] if row in known]


def table(store):
    """Return the plugin's own collection."""
    return store.plugin_table(NAME)


def load(store, trajectory_id: str) -> dict:
    """Return the overview of a trajectory (an unsaved empty one with ``rev`` 0 if none)."""
    found = table(store).find(trajectory_id=trajectory_id)
    if found:
        return found[0]
    return {"trajectory_id": trajectory_id, "teachers": [], "rows": list(DEFAULT_ROWS),
            "marks": {}, "rev": 0}


def _stored(store, trajectory_id: str, actor_id: str | None) -> dict:
    """Return the stored overview, creating it first if needed (call inside a transaction)."""
    found = table(store).find(trajectory_id=trajectory_id)
    if found:
        return found[0]
    doc = load(store, trajectory_id)
    doc.pop("rev")
    return table(store).create(doc, actor_id=actor_id)


def add_teacher(store, trajectory_id: str, label: str, actor_id: str | None) -> dict:
    """Add a teacher column and return the overview.

    :raise FeasibilityError: the label is empty, too long or already used, or
        there are already :data:`MAX_TEACHERS` columns.
    """
    label = " ".join((label or "").split())
    if not label:
        raise FeasibilityError("label", "Vul het vak of de naam van de leraar in.")
    if len(label) > MAX_LABEL:
        raise FeasibilityError("label", f"Gebruik hoogstens {MAX_LABEL} tekens.")
    with store.transaction():
        doc = _stored(store, trajectory_id, actor_id)
        if any(t["label"].casefold() == label.casefold() for t in doc["teachers"]):
            raise FeasibilityError("label", "Deze leraar staat al in het overzicht.")
        if len(doc["teachers"]) >= MAX_TEACHERS:
            raise FeasibilityError("label", f"Het overzicht telt al {MAX_TEACHERS} leraren.")

        def add(new):
            new["teachers"].append({"key": "t" + secrets.token_hex(4), "label": label})

        return table(store).update(doc["id"], add, actor_id=actor_id)


def remove_teacher(store, trajectory_id: str, key: str, actor_id: str | None) -> dict | None:
    """Remove a teacher column and its marks; return the overview, or None if there was none."""
    with store.transaction():
        found = table(store).find(trajectory_id=trajectory_id)
        if not found or key not in {t["key"] for t in found[0]["teachers"]}:
            return None

        def remove(new):
            new["teachers"] = [t for t in new["teachers"] if t["key"] != key]
            for row in new["marks"].values():
                row.pop(key, None)

        return table(store).update(found[0]["id"], remove, actor_id=actor_id)


def set_rows(store, trajectory_id: str, keys: list[str], actor_id: str | None) -> dict:
    """Choose the adaptations shown as rows (in template order); marks of hidden rows are kept.

    :raise FeasibilityError: no adaptation chosen, or an unknown one.
    """
    known = adaptations()
    unknown = [k for k in keys if k not in known]
    if unknown or not keys:
        raise FeasibilityError("rows", "Kies minstens één aanpassing uit de lijst.")
    ordered = [k for k in known if k in set(keys)]
    with store.transaction():
        doc = _stored(store, trajectory_id, actor_id)
        return table(store).update(doc["id"], {"rows": ordered}, actor_id=actor_id)


def parse_marks(doc: dict, form) -> dict:
    """Read the cells of ``doc``'s table from a submitted form.

    :param form: a mapping with ``feasible.<row>.<teacher>`` and ``works.<row>.<teacher>``.
    :raise FeasibilityError: a value outside :data:`FEASIBLE` / :data:`WORKS`.
    """
    marks: dict = {}
    for row in shown_rows(doc):
        for teacher in doc["teachers"]:
            cell = {}
            for kind, allowed in (("feasible", FEASIBLE), ("works", WORKS)):
                name = f"{kind}.{row}.{teacher['key']}"
                value = form.get(name, "")
                if value not in allowed:
                    raise FeasibilityError(name, "Kies een waarde uit de lijst.")
                if value:
                    cell[kind] = value
            if cell:
                marks.setdefault(row, {})[teacher["key"]] = cell
    return marks


def save_marks(store, trajectory_id: str, marks: dict, expected_rev: int,
               actor_id: str | None) -> dict:
    """Store the marks of the shown rows and teachers, if nobody saved in between.

    Marks of rows that are hidden now are kept.

    :raise StaleRevision: the overview changed since ``expected_rev``; ``current``
        holds the stored version.
    """
    with store.transaction():
        found = table(store).find(trajectory_id=trajectory_id)
        if not found:
            if expected_rev != 0:
                raise StaleRevision(load(store, trajectory_id))
            doc = _stored(store, trajectory_id, actor_id)
            expected_rev = doc["rev"]
        else:
            doc = found[0]

        def apply(new):
            for row in shown_rows(new):
                new["marks"].pop(row, None)
            new["marks"].update(marks)

        return table(store).update(doc["id"], apply, expected_rev=expected_rev, actor_id=actor_id)


def summary(doc: dict) -> dict[str, dict[str, int]]:
    """Count per shown row how many teachers find it feasible and how many see it work."""
    out = {}
    for row in shown_rows(doc):
        cells = [doc["marks"].get(row, {}).get(t["key"], {}) for t in doc["teachers"]]
        out[row] = {
            "teachers": len(cells),
            "feasible": sum(c.get("feasible") == "yes" for c in cells),
            "works": sum(c.get("works") == "yes" for c in cells),
        }
    return out


def differences(mine: dict, current: dict) -> list[tuple[str, str]]:
    """Return ``(row, teacher key)`` cells where ``mine`` differs from ``current``'s marks."""
    cells = []
    for row in shown_rows(current):
        for teacher in current["teachers"]:
            a = mine.get(row, {}).get(teacher["key"], {})
            b = current["marks"].get(row, {}).get(teacher["key"], {})
            if a != b:
                cells.append((row, teacher["key"]))
    return cells
