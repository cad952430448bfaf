"""Declarative, versioned template specifications (the plugin-facing data model).

A plugin returns :class:`TemplateSpec` objects from ``journal_templates``. A
filled template becomes an entry; the entry keeps an immutable snapshot of the
spec version it used (:func:`snapshot`), so it renders the same after the
plugin changes, is disabled or is uninstalled.

Answers are stored as data, keyed by field key (never by position):

* ``checklist``: ``{item_key: {"status": <ITEM_STATUSES key or "">, "note": str}}``
* ``choice``: the chosen option key; ``scale``: an int; ``text``/``markdown``: a str.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field

#: Field types the host knows how to render, validate and count.
FIELD_TYPES = ("checklist", "choice", "scale", "text", "markdown")

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


@dataclass(frozen=True)
class Item:
    """One checklist item: an adaptation, practice or observation point."""

    key: str
    label: str
    help: str = ""
    category: str = ""  # a STICORDI key, or ""


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


@dataclass(frozen=True)
class Section:
    """A titled group of fields."""

    title: str
    fields: tuple[Field, ...]
    help: str = ""


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

    def fields(self) -> list[Field]:
        """Return every field, in order."""
        return [f for s in self.sections for f in s.fields]


def validate_spec(spec: TemplateSpec, plugin_name: str | None = None) -> list[str]:
    """Return the problems that make ``spec`` unusable (empty when fine)."""
    problems = []
    if not _TEMPLATE_ID.match(spec.id):
        problems.append(f"template id {spec.id!r} is not '<plugin>.<slug>'")
    elif plugin_name and not spec.id.startswith(plugin_name + "."):
        problems.append(f"template id {spec.id!r} does not start with '{plugin_name}.'")
    if not isinstance(spec.version, int) or spec.version < 1:
        problems.append(f"{spec.id}: version must be an integer >= 1")
    if spec.kind not in TEMPLATE_KINDS:
        problems.append(f"{spec.id}: kind {spec.kind!r} not in {TEMPLATE_KINDS}")
    if not spec.title:
        problems.append(f"{spec.id}: no title")
    seen = set()
    for f in spec.fields():
        if not _KEY.match(f.key):
            problems.append(f"{spec.id}: field key {f.key!r} is not a lower-case identifier")
        if f.key in seen:
            problems.append(f"{spec.id}: duplicate field key {f.key!r}")
        seen.add(f.key)
        if f.type not in FIELD_TYPES:
            problems.append(f"{spec.id}.{f.key}: unknown type {f.type!r}")
        if f.type == "choice" and not f.options:
            problems.append(f"{spec.id}.{f.key}: a choice needs options")
        if f.type == "checklist":
            keys = [i.key for i in f.items]
            if not keys:
                problems.append(f"{spec.id}.{f.key}: a checklist needs items")
            if len(keys) != len(set(keys)) or not all(_KEY.match(k) for k in keys):
                problems.append(f"{spec.id}.{f.key}: item keys must be unique identifiers")
            for item in f.items:
                if item.category and item.category not in STICORDI:
                    problems.append(f"{spec.id}.{f.key}.{item.key}: unknown category {item.category!r}")
        if f.type == "scale" and f.scale_min >= f.scale_max:
            problems.append(f"{spec.id}.{f.key}: scale_min must be below scale_max")
    return problems


def snapshot(spec: TemplateSpec) -> dict:
    """Return the spec as plain data, for storing with the entries that use it."""
    data = asdict(spec)
    data.pop("priority", None)
    return data


def spec_hash(spec: TemplateSpec) -> str:
    """Return a stable hash of the spec's content (to catch changes without a version bump)."""
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
                        **{k: v for k, v in f.items() if k not in ("options", "items", "scale_labels")},
                        "options": tuple(Option(**o) for o in f.get("options", ())),
                        "items": tuple(Item(**i) for i in f.get("items", ())),
                        "scale_labels": tuple(f.get("scale_labels", ("", ""))),
                    }
                )
                for f in s["fields"]
            ),
        )
        for s in data["sections"]
    )
    return TemplateSpec(
        id=data["id"], version=data["version"], title=data["title"], kind=data["kind"],
        sections=sections, description=data.get("description", ""),
        focus_areas=tuple(data.get("focus_areas", ())), plugin=data.get("plugin", ""),
    )
