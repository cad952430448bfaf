"""What an entry holds, and turning submitted values into entry values and back.

Entries come in five kinds, each with its own fields (:data:`FIELD_DEFS`) next
to the fields every kind shares (:data:`COMMON_KEYS`). Every way of writing an
entry (the pages, the API, practice adoption, plugins) hands the entry
services the same *form data*: a mapping with the names the entry form uses
(``date``, ``tags``, ``goal_ids``, ``seen``, …; template answers under
:data:`TEMPLATE_PREFIX`). :func:`parse_values` turns it into *values*, a flat
mapping of value keys (``date``, ``fields.seen``, ``answers``) that
:mod:`journal.process.entries` stores; :func:`form_of` goes the other way.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import ValidationError
from . import add_error
from . import parse_iso_date
from ..plugins.entry_templates.forms import FORM_PREFIX

#: Entry kinds, in the order the interface offers them.
KINDS = ("observation", "reflection", "agreement", "one_to_one", "meeting")

#: Kind key -> label.
KIND_LABELS = {
    "observation": _l("Observation"),
    "reflection": _l("Reflection"),
    "agreement": _l("Agreement"),
    "one_to_one": _l("One-to-one moment"),
    "meeting": _l("Meeting"),
}

#: Kinds of meeting (overleg): key -> label.
MEETING_TYPES = (
    ("parents", _l("With the parents")),
    ("mdo", _l("MDO (multidisciplinary consultation)")),
    ("class_council", _l("Class council")),
    ("clb", _l("With the CLB")),
    ("other", _l("Other")),
)

#: Entry status -> label.
STATUS_LABELS = {"draft": _l("draft"), "published": _l("published")}

#: Longest plain-text field (class, lesson, moment, who applies an agreement).
MAX_LINE = 200
#: Tags per entry, and characters per tag.
MAX_TAGS = 20
MAX_TAG_CHARS = 40

#: Name prefix of an entry template's inputs in the entry form data: the one prefix, everywhere.
TEMPLATE_PREFIX = FORM_PREFIX


@dataclass(frozen=True)
class FieldDef:
    """One kind-specific field of an entry (stored under ``fields[key]``)."""

    key: str
    #: "text" (one line), "markdown", "date", "choice" (one of ``options``) or "multi"
    #: (several of the trajectory's own choices, see :func:`parse_values`)
    type: str
    label: object
    required: bool = False
    help: object = ""
    options: tuple = ()


#: The editable kind-specific fields. A reflection's contributions and model
#: are handled by :mod:`journal.process.reflection`.
FIELD_DEFS: dict[str, tuple[FieldDef, ...]] = {
    "observation": (
        FieldDef("class_group", "text", _l("Class group")),
        FieldDef("lesson", "text", _l("Lesson or subject")),
        FieldDef("moment", "text", _l("Moment"), help=_l("For example: Monday, third period, group work.")),
        FieldDef("seen", "markdown", _l("What was seen"), required=True,
                 help=_l("Describe what happened, not how you judge it.")),
        FieldDef("quick_wins", "markdown", _l("Quick wins"),
                 help=_l("Small changes in the teaching that could help right away.")),
    ),
    "reflection": (
        FieldDef("conclusions", "markdown", _l("Shared conclusions")),
        FieldDef("next_steps", "markdown", _l("Next steps")),
    ),
    "agreement": (
        FieldDef("what", "markdown", _l("What we agree"), required=True,
                 help=_l("The adaptation or measure, concrete enough to apply tomorrow.")),
        FieldDef("applied_by", "text", _l("Who applies it"), required=True,
                 help=_l("For example: all teachers of 3B, or the Dutch teacher.")),
        FieldDef("from_date", "date", _l("Applies from"), required=True),
        FieldDef("review_date", "date", _l("Until the review on"), required=True),
    ),
    "one_to_one": (
        FieldDef("what", "markdown", _l("What happens one-to-one"), required=True),
        FieldDef("serves_learning_question", "markdown",
                 _l("How it serves the teacher's learning question"), required=True),
        FieldDef("lowers_barriers", "markdown",
                 _l("How it lowers barriers in the long term"), required=True),
        FieldDef("return_to_class", "date", _l("Planned return to the class"), required=True),
    ),
    # The meeting's date is the entry's ``date`` (calendar feeds list it from there).
    "meeting": (
        FieldDef("meeting_type", "choice", _l("Kind of meeting"), required=True,
                 options=MEETING_TYPES),
        FieldDef("participants", "multi", _l("Participants from the school team")),
        FieldDef("others", "markdown", _l("Other participants"),
                 help=_l("By name and role, one per line: for example “Mevrouw Claes (CLB)”, "
                         "“the parents”.")),
        FieldDef("decided", "markdown", _l("What was decided"), required=True),
        FieldDef("changed_agreements", "multi", _l("Agreements it changed"),
                 help=_l("The goals it changed are the linked goals below.")),
    ),
}

#: Fields every kind shares that a user can edit.
COMMON_KEYS = ("date", "tags", "goal_ids", "internal", "breach_of_rules")

#: Labels of the shared fields (history and conflict pages).
COMMON_LABELS = {
    "date": _l("Date"),
    "tags": _l("Tags"),
    "goal_ids": _l("Linked goals"),
    "internal": _l("Internal note"),
    "breach_of_rules": _l("About a breach of school rules"),
    "answers": _l("Template answers"),
    "status": _l("Status"),
    "contributions": _l("Contributions"),
    "authors": _l("Authors"),
}


def field_defs(kind: str) -> tuple[FieldDef, ...]:
    """Return the editable kind-specific fields of ``kind``."""
    return FIELD_DEFS[kind]


def label_for(key: str) -> str:
    """Return the label of a value key (``date``, ``fields.seen``, …)."""
    if key.startswith("fields."):
        name = key.split(".", 1)[1]
        for defs in FIELD_DEFS.values():
            for fd in defs:
                if fd.key == name:
                    return str(fd.label)
        return name
    return str(COMMON_LABELS.get(key, key))


# -- from form data to values ----------------------------------------------------

def normalise_tag(tag: str) -> str:
    """Return a tag lower-cased, trimmed and with inner whitespace collapsed."""
    return re.sub(r"\s+", " ", tag).strip().lower()


def parse_tags(text, errors: dict[str, list[str]] | None = None) -> list[str]:
    """Split comma-separated ``text`` (or a list of tags) into normalised, unique tags."""
    parts = (text or "").split(",") if isinstance(text, str) else [str(t) for t in text or ()]
    tags = []
    for part in parts:
        tag = normalise_tag(part)
        if tag and tag not in tags:
            tags.append(tag)
    if errors is not None:
        if len(tags) > MAX_TAGS:
            add_error(errors, "tags", _("Use at most %(n)d tags.", n=MAX_TAGS))
        if any(len(t) > MAX_TAG_CHARS for t in tags):
            add_error(errors, "tags", _("A tag can be at most %(n)d characters long.", n=MAX_TAG_CHARS))
    return tags


def parse_values(kind: str, form, *, goal_ids: set[str],
                 choices: dict[str, set[str]] | None = None) -> dict:
    """Turn form data into entry values, or raise :class:`ValidationError`.

    ``form`` is a mapping (a request form, a MultiDict or a dict; lists for
    ``goal_ids``). Only known fields are read. Returns a flat mapping of value
    keys (see :func:`values_of`) to values, without rendered HTML and without
    template answers (those are read with the template, by the entry service).

    :param goal_ids: the ids of the trajectory's goals; others are refused.
    :param choices: per ``multi`` field, the values it may hold (a meeting's
        participants: the team; the agreements it changed: the trajectory's);
        a field without an entry here accepts nothing.
    """
    if kind not in KINDS:
        raise ValidationError({"kind": [_("Choose a kind of entry.")]})
    errors: dict[str, list[str]] = {}
    values: dict = {}
    values["date"] = parse_iso_date(form.get("date"), "date", errors, required=True)
    values["tags"] = parse_tags(form.get("tags", ""), errors)
    chosen = [g for g in getlist(form, "goal_ids") if g]
    if any(g not in goal_ids for g in chosen):
        add_error(errors, "goal_ids", _("Choose goals of this trajectory."))
    values["goal_ids"] = list(dict.fromkeys(g for g in chosen if g in goal_ids))
    values["internal"] = bool(form.get("internal"))
    values["breach_of_rules"] = bool(form.get("breach_of_rules"))
    for fd in FIELD_DEFS[kind]:
        raw = form.get(fd.key, "") or ""
        if fd.type == "date":
            value = parse_iso_date(raw, fd.key, errors, required=fd.required)
        elif fd.type == "choice":
            value = raw.strip() if isinstance(raw, str) else ""
            if value not in {key for key, _label in fd.options} and (value or fd.required):
                add_error(errors, fd.key, _("Choose from the list."))
        elif fd.type == "multi":
            allowed = (choices or {}).get(fd.key, set())
            chosen = [v for v in getlist(form, fd.key) if v]
            if any(v not in allowed for v in chosen):
                add_error(errors, fd.key, _("Choose from the list."))
            value = list(dict.fromkeys(v for v in chosen if v in allowed))
        else:
            value = raw.strip() if fd.type == "text" else raw.replace("\r\n", "\n").strip("\n")
            if fd.required and not value.strip():
                add_error(errors, fd.key, _("Fill in this field."))
            if fd.type == "text" and len(value) > MAX_LINE:
                add_error(errors, fd.key, _("Keep this under %(n)d characters.", n=MAX_LINE))
        values["fields." + fd.key] = value
    _check_dates(kind, values, errors)
    if errors:
        raise ValidationError(errors)
    return values


def _check_dates(kind: str, values: dict, errors: dict[str, list[str]]) -> None:
    if kind == "agreement":
        start, review = values.get("fields.from_date"), values.get("fields.review_date")
        if start and review and review < start:
            add_error(errors, "review_date", _("The review comes after the start."))
    if kind == "one_to_one":
        back, day = values.get("fields.return_to_class"), values.get("date")
        if back and day and back < day:
            add_error(errors, "return_to_class",
                      _("The return to the class cannot lie before the one-to-one moment."))


def getlist(form, name: str) -> list[str]:
    """Return every value of ``name`` in ``form`` (a MultiDict, or a dict with a str or list)."""
    if hasattr(form, "getlist"):
        return form.getlist(name)
    value = form.get(name) or []
    return [value] if isinstance(value, str) else list(value)


def fields_of(values: dict) -> dict:
    """Return the kind-specific fields in ``values`` as ``{name: value}`` (without ``fields.``)."""
    return {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("fields.")}


# -- from an entry to values and form data ------------------------------------------

def values_of(entry: dict) -> dict:
    """Return the editable values of ``entry`` as a flat mapping of value keys."""
    values = {key: copy.deepcopy(entry.get(key)) for key in COMMON_KEYS}
    for fd in FIELD_DEFS[entry["kind"]]:
        empty = None if fd.type == "date" else [] if fd.type == "multi" else ""
        values["fields." + fd.key] = copy.deepcopy(entry.get("fields", {}).get(fd.key)) or empty
    if entry.get("template"):
        values["answers"] = copy.deepcopy(entry.get("answers") or {})
    return values


def form_of(kind: str, values: dict, spec=None) -> dict:
    """Return form data (the names the entry form uses) showing ``values``.

    :param spec: the template the entry is filled from: its answers are added
        as the template form's inputs, so the form data holds every value.
    """
    form = {
        "date": values.get("date") or "",
        "tags": ", ".join(values.get("tags") or ()),
        "goal_ids": list(values.get("goal_ids") or ()),
        "internal": bool(values.get("internal")),
        "breach_of_rules": bool(values.get("breach_of_rules")),
    }
    for fd in FIELD_DEFS[kind]:
        form[fd.key] = values.get("fields." + fd.key) or ([] if fd.type == "multi" else "")
    if spec is not None:
        from ..plugins.entry_templates.forms import form_values

        form.update(form_values(spec, values.get("answers") or {}, TEMPLATE_PREFIX))
    return form


def template_answers(spec, form) -> tuple[dict, dict]:
    """Return ``(answers, errors)`` read from the template inputs in ``form`` (none without a spec).

    Error keys are input names, so the template form shows them at their field.
    """
    if spec is None:
        return {}, {}
    from ..plugins.entry_templates.forms import parse_form

    return parse_form(spec, form, TEMPLATE_PREFIX)
