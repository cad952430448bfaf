"""Declarative, versioned template specifications (the plugin-facing data model).

A plugin returns :class:`TemplateSpec` objects from ``journal_entry_templates``. A
filled template becomes an entry; the entry keeps an immutable snapshot of the
spec version it used (:func:`snapshot`), so it renders the same after the
plugin changes, is disabled or is uninstalled.

Answers are stored as data, keyed by field key (never by position):

* ``checklist``: ``{item_key: {"status": <ITEM_STATUSES key or "">, "note": str}}``
* ``choice``: the chosen option key; ``multiselect``: a list of option keys, in the
  template's order; ``scale``: an int; ``number``: an int or a float; ``date``: an
  ISO date string (``"2025-03-31"``); ``text``/``markdown``: a str.

Texts are Dutch; every text has an optional English twin (``title_en``,
``label_en``…) shown when the user reads the journal in English
(:func:`localized`). A spec can be written in Python or, better, as a TOML file
(:mod:`journal.plugins.entry_templates.files`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from functools import lru_cache

#: Field types the host knows how to render, validate and count.
FIELD_TYPES = ("checklist", "choice", "multiselect", "scale", "number", "date", "text", "markdown")

#: Entry kinds a template can fill.
TEMPLATE_KINDS = ("observation", "reflection", "agreement")

#: Status of one checklist item (an adaptation or practice), key -> Dutch label.
ITEM_STATUSES = {
    "doe_ik_al": "doe ik al",
    "ga_ik_proberen": "ga ik proberen",
    "werkt": "werkt",
    "werkt_niet": "werkt niet",
}

#: STICORDI categories of a measure (Flemish framework), key -> Dutch label.
STICORDI = {
    "stimuleren": "Stimuleren",
    "compenseren": "Compenseren",
    "remediëren": "Remediëren",
    "differentiëren": "Differentiëren",
    "dispenseren": "Dispenseren",
}

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_TEMPLATE_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Option:
    """One choice of a ``choice`` field."""

    key: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class Item:
    """One checklist item: an adaptation, practice or observation point."""

    key: str
    label: str
    help: str = ""
    category: str = ""  # a STICORDI key, or ""
    label_en: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class Field:
    """One question of a template."""

    key: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    items: tuple[Item, ...] = ()
    scale_min: int = 1
    scale_max: int = 5
    scale_labels: tuple[str, str] = ("", "")
    max_length: int = 2000
    minimum: int | float | None = None  # number
    maximum: int | float | None = None  # number
    step: int | float | None = None  # number; None: any number
    label_en: str = ""
    help_en: str = ""
    scale_labels_en: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class Section:
    """A titled group of fields."""

    title: str
    fields: tuple[Field, ...]
    help: str = ""
    title_en: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class TemplateSpec:
    """A versioned template. Bump ``version`` on *any* change: what staff saw is part of the record."""

    id: str  # "<plugin>.<slug>"
    version: int
    title: str
    kind: str
    sections: tuple[Section, ...]
    description: str = ""
    focus_areas: tuple[str, ...] = ()
    priority: int = 100
    plugin: str = field(default="", compare=False, metadata={"from_host": "plugin"})  # set by the host
    title_en: str = ""
    description_en: str = ""

    def fields(self) -> list[Field]:
        """Return every field, in order."""
        return [f for s in self.sections for f in s.fields]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template: where (``sections[1].fields[0].options``) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def spec_problems(spec: TemplateSpec, plugin_name: str | None = None) -> list[Problem]:
    """Return what makes ``spec`` unusable, each with its place in the template (empty when fine).

    The same checks serve plugins' Python specs, TOML files and a school's own
    templates; messages are translated for the admin or coordinator who reads them.
    """
    from flask_babel import gettext as _

    problems: list[Problem] = []

    def problem(where: str, message: str) -> None:
        problems.append(Problem(where, message))

    if not _TEMPLATE_ID.match(spec.id):
        problem("id", _("%(id)s is not '<plugin>.<name>' in lower-case letters.", id=repr(spec.id)))
    elif plugin_name and not spec.id.startswith(plugin_name + "."):
        problem("id", _("%(id)s does not start with '%(prefix)s.'.", id=repr(spec.id),
                        prefix=plugin_name))
    if isinstance(spec.version, bool) or not isinstance(spec.version, int) or spec.version < 1:
        problem("version", _("The version must be a whole number from 1."))
    if spec.kind not in TEMPLATE_KINDS:
        problem("kind", _("kind %(value)s is not one of: %(allowed)s.", value=repr(spec.kind),
                          allowed=", ".join(TEMPLATE_KINDS)))
    if not spec.title:
        problem("title", _("The template needs a title."))
    seen: set[str] = set()
    for s_index, section in enumerate(spec.sections):
        for f_index, f in enumerate(section.fields):
            where = f"sections[{s_index}].fields[{f_index}]"
            if not _KEY.match(f.key):
                problem(where + ".key", _("%(key)s: use lower-case letters a-z, digits and _, "
                                          "starting with a letter.", key=repr(f.key)))
            if f.key in seen:
                problem(where + ".key", _("The key %(key)s is used twice in this template.",
                                          key=repr(f.key)))
            seen.add(f.key)
            if f.type not in FIELD_TYPES:
                problem(where + ".type", _("%(value)s is not one of: %(allowed)s.",
                                           value=repr(f.type), allowed=", ".join(FIELD_TYPES)))
            for message in _field_problems(f):
                problem(where, message)
    if not spec.sections:
        problem("sections", _("The template needs at least one section with a field."))
    return problems


def _field_problems(f: Field) -> list[str]:
    from flask_babel import gettext as _

    out = []
    if f.type in ("choice", "multiselect"):
        keys = [o.key for o in f.options]
        if not keys:
            out.append(_("A %(type)s field needs options.", type=f.type))
        if len(keys) != len(set(keys)) or not all(_KEY.match(k) for k in keys):
            out.append(_("Option keys must be different lower-case identifiers."))
    if f.type == "checklist":
        keys = [i.key for i in f.items]
        if not keys:
            out.append(_("A checklist needs items."))
        if len(keys) != len(set(keys)) or not all(_KEY.match(k) for k in keys):
            out.append(_("Item keys must be different lower-case identifiers."))
        out.extend(_("%(item)s: %(category)s is not a STICORDI category.", item=item.key,
                     category=repr(item.category))
                   for item in f.items if item.category and item.category not in STICORDI)
    if f.type == "scale" and f.scale_min >= f.scale_max:
        out.append(_("scale_min must be below scale_max."))
    if f.type == "number":
        bounds = [v for v in (f.minimum, f.maximum, f.step) if v is not None]
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in bounds):
            out.append(_("minimum, maximum and step must be numbers."))
        elif f.minimum is not None and f.maximum is not None and f.minimum >= f.maximum:
            out.append(_("minimum must be below maximum."))
        elif f.step is not None and f.step <= 0:
            out.append(_("step must be more than 0."))
    return out


def validate_spec(spec: TemplateSpec, plugin_name: str | None = None) -> list[str]:
    """Return the problems that make ``spec`` unusable as text, each starting with the
    template id and its place in it (empty when fine)."""
    return [f"{spec.id}: {p}" for p in spec_problems(spec, plugin_name)]


#: Attributes added after the first published specs: left out of a snapshot while
#: they hold their default, so the snapshot (and hash) of an older spec never changes.
_LATER_ATTRIBUTES = frozenset({
    "label_en", "help_en", "title_en", "description_en", "scale_labels_en",
    "minimum", "maximum", "step",
})


def _without_unset_later_attributes(value, defaults: dict):
    if isinstance(value, dict):
        return {k: _without_unset_later_attributes(v, defaults) for k, v in value.items()
                if not (k in _LATER_ATTRIBUTES and v == defaults[k])}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_unset_later_attributes(v, defaults) for v in value)
    return value


_DEFAULTS = {f.name: f.default for cls in (Option, Item, Field, Section, TemplateSpec)
             for f in dataclass_fields(cls) if f.name in _LATER_ATTRIBUTES}


def snapshot(spec: TemplateSpec) -> dict:
    """Return the spec as plain data, for storing with the entries that use it."""
    data = _without_unset_later_attributes(asdict(spec), _DEFAULTS)
    data.pop("priority", None)
    return data


def spec_hash(spec: TemplateSpec) -> str:
    """Return a stable hash of the spec's content (to catch changes without a version bump).

    Specs are frozen, so the hash of one is worked out once: every template
    entry shown or counted asks for it.
    """
    try:
        return _spec_hash(spec, spec.plugin)
    except TypeError:  # a spec holding a list (unhashable) is hashed every time
        return _spec_hash.__wrapped__(spec, spec.plugin)


@lru_cache(maxsize=512)
def _spec_hash(spec: TemplateSpec, plugin: str) -> str:
    canonical = json.dumps(snapshot(spec), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def from_snapshot(data: dict) -> TemplateSpec:
    """Rebuild a :class:`TemplateSpec` from :func:`snapshot` data (no plugin needed)."""
    sections = tuple(
        Section(
            title=s["title"],
            help=s.get("help", ""),
            fields=tuple(
                Field(
                    **{
                        **{k: v for k, v in f.items()
                           if k not in ("options", "items", "scale_labels", "scale_labels_en")},
                        "options": tuple(Option(**o) for o in f.get("options", ())),
                        "items": tuple(Item(**i) for i in f.get("items", ())),
                        "scale_labels": tuple(f.get("scale_labels", ("", ""))),
                        "scale_labels_en": tuple(f.get("scale_labels_en", ("", ""))),
                    }
                )
                for f in s["fields"]
            ),
            title_en=s.get("title_en", ""),
            help_en=s.get("help_en", ""),
        )
        for s in data["sections"]
    )
    return TemplateSpec(
        id=data["id"], version=data["version"], title=data["title"], kind=data["kind"],
        sections=sections, description=data.get("description", ""),
        focus_areas=tuple(data.get("focus_areas", ())), plugin=data.get("plugin", ""),
        title_en=data.get("title_en", ""), description_en=data.get("description_en", ""),
    )


def _english(obj, names: tuple[str, ...]):
    changes = {name: getattr(obj, name + "_en") for name in names if getattr(obj, name + "_en")}
    if "scale_labels" in changes and not all(changes["scale_labels"]):
        del changes["scale_labels"]
    return replace(obj, **changes) if changes else obj


def localized(spec: TemplateSpec, language: str) -> TemplateSpec:
    """Return ``spec`` with its English texts in place of the Dutch ones when ``language`` is "en".

    A text without an English twin stays Dutch. The result is for showing only:
    snapshots and hashes are always taken from the spec itself.
    """
    if language != "en":
        return spec
    sections = tuple(
        replace(_english(section, ("title", "help")), fields=tuple(
            replace(_english(f, ("label", "help", "scale_labels")),
                    options=tuple(_english(o, ("label",)) for o in f.options),
                    items=tuple(_english(i, ("label", "help")) for i in f.items))
            for f in section.fields))
        for section in spec.sections)
    return replace(_english(spec, ("title", "description")), sections=sections)
