"""Practice examples (praktijkvoorbeelden): share what works with other schools.

A practice example is an adaptation, or the use of a template, together with
what the team learned from it. It leaves the school as a small JSON file from
which every pupil name and personal detail has been removed; the person who
exports it sees exactly that file before it is downloaded. Another journal
(this same software) imports the file into its shared library
("Gedeelde praktijkvoorbeelden") as a *suggestion* that staff can browse and
adopt.

What is removed before export: every pupil's name (and each part of it), the
class groups, every user's name and user name, and any term the person
exporting adds. Dates, authors, trajectory and pupil ids never enter the file.

File format (``format_version`` 1)::

    {"format": "journal.practice_example", "format_version": 1,
     "journal_version": "0.1.0", "exported_on": "YYYY-MM-DD",
     "example": {"title": str, "learned": markdown, "kind": "adaptation" | "template",
                 "focus_areas": [{"id", "label"}],
                 "adaptation": {"text": markdown, "category": STICORDI key or "",
                                "status": ITEM_STATUSES key or ""} | null,
                 "template": {"id", "version", "title",
                              "items": [{"section", "label", "category", "status"}]} | null}}
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from ..privacy import redaction
from ..rendering import RenderError
from ..rendering import render_markdown
from ..storage import get_store
from ..plugins.entry_templates.specs import ITEM_STATUSES
from ..plugins.entry_templates.specs import STICORDI
from . import ValidationError
from . import add_error
from . import today
from . import trajectories as trajectory_service

FORMAT = "journal.practice_example"
FORMAT_VERSION = 1
KINDS = ("adaptation", "template")

MAX_TITLE = 120
MAX_TEXT = 4000
MAX_LABEL = 300
MAX_ITEMS = 100
MAX_AREAS = 20
#: The largest file accepted on import (bytes).
MAX_FILE_BYTES = 256 * 1024

_AREA_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_TEMPLATE_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9_-]*$")


# -- sources: what can be shared ------------------------------------------------------

@dataclass
class Source:
    """Where an example comes from: an entry (optionally one checklist item of it),
    or an adaptation promoted in the adaptations register."""

    trajectory: dict | None
    entry: dict | None = None
    item: str = ""            # "field.item" of a checklist answer
    adaptation: dict | None = None  # a promoted register document

    def params(self) -> dict[str, str]:
        """The query/form parameters that name this source again."""
        if self.adaptation is not None:
            return {"adaptation_id": self.adaptation["id"]}
        out = {"entry_id": self.entry["id"]}
        if self.item:
            out["item"] = self.item
        return out


def shareable(entry: dict) -> bool:
    """Return whether an entry can become a practice example (published agreements and
    template entries)."""
    return entry.get("status") == "published" and (
        entry.get("kind") == "agreement" or bool(entry.get("template")))


def _spec_of(entry: dict):
    from ..plugins.entry_templates.registry import spec_for_entry
    from ..plugins.host import get_plugins

    found = spec_for_entry(get_plugins(), entry)
    return found.spec if found is not None else None


def _checklist(entry: dict) -> list[dict]:
    from ..plugins.entry_templates.forms import iter_checklist

    spec = _spec_of(entry)
    if spec is None:
        return []
    sections = {f.key: s.title for s in spec.sections for f in s.fields}
    return [dict(a, section=sections.get(a["field"], "")) for a in
            iter_checklist(spec, entry.get("answers") or {})]


def initial(source: Source) -> dict:
    """Return the form values a new example starts from: its kind and the shared text."""
    labels = trajectory_service.focus_area_labels()
    areas = list((source.trajectory or {}).get("focus_areas", ()))
    form = {"title": "", "learned": "", "text": "", "terms": "", "kind": "adaptation",
            "category": "", "status": "", "focus_areas": areas}
    if source.adaptation is not None:
        promotion = source.adaptation.get("promotion") or {}
        form.update(text=promotion.get("text", ""), category=promotion.get("category", ""))
        from .patterns import first_line

        form["title"] = first_line(form["text"])[:MAX_TITLE]
    elif source.item:
        answer = next((a for a in _checklist(source.entry)
                       if f"{a['field']}.{a['item']}" == source.item), None)
        if answer:
            form.update(text=answer["label"], category=answer["category"],
                        status=answer["status"], title=answer["label"][:MAX_TITLE])
    elif source.entry.get("template"):
        spec = _spec_of(source.entry)
        form.update(kind="template", title=spec.title if spec else "")
    else:
        what = (source.entry.get("fields") or {}).get("what", "")
        from .patterns import first_line

        form.update(text=what, title=first_line(what)[:MAX_TITLE],
                    category=next((t for t in source.entry.get("tags", ()) if t in STICORDI), ""))
    form["focus_areas"] = [a for a in areas if a in labels] or areas
    return form


# -- building the file ---------------------------------------------------------------

def clean_form(form: dict) -> dict:
    """Validate what the person exporting typed; raise :class:`ValidationError`."""
    errors: dict[str, list[str]] = {}
    title = " ".join((form.get("title") or "").split())
    if not title:
        add_error(errors, "title", _("Give the example a short title."))
    elif len(title) > MAX_TITLE:
        add_error(errors, "title", _("Use at most %(n)d characters.", n=MAX_TITLE))
    learned = (form.get("learned") or "").replace("\r\n", "\n").strip()
    if not learned:
        add_error(errors, "learned", _("Write down what you learned: that is what other "
                                       "schools can use."))
    elif len(learned) > MAX_TEXT:
        add_error(errors, "learned", _("Use at most %(n)d characters.", n=MAX_TEXT))
    kind = form.get("kind") if form.get("kind") in KINDS else "adaptation"
    text = (form.get("text") or "").replace("\r\n", "\n").strip()
    if kind == "adaptation" and not text:
        add_error(errors, "text", _("Describe the adaptation."))
    elif len(text) > MAX_TEXT:
        add_error(errors, "text", _("Use at most %(n)d characters.", n=MAX_TEXT))
    known = trajectory_service.focus_area_labels()
    areas = [a for a in dict.fromkeys(form.get("focus_areas") or ()) if a in known]
    terms = redaction.parse_terms([], form.get("terms") or "")
    if errors:
        raise ValidationError(errors)
    return {"title": title, "learned": learned, "kind": kind, "text": text,
            "category": form.get("category") if form.get("category") in STICORDI else "",
            "status": form.get("status") if form.get("status") in ITEM_STATUSES else "",
            "focus_areas": areas, "terms": terms}


def personal_terms() -> list[str]:
    """Return every name the journal knows: pupils, class groups and users (each part too)."""
    store = get_store()
    terms: list[str] = []
    for pupil in store.pupils.all_readonly():
        terms += redaction.name_variants(pupil.get("display_name", ""))
        terms.append(pupil.get("class_group") or "")
    for user in store.users.all_readonly():
        terms += redaction.name_variants(user.get("display_name", ""))
        terms.append(user.get("username") or "")
    return [t for t in dict.fromkeys(t.strip() for t in terms) if len(t) >= 2]


def build(source: Source, values: dict) -> tuple[dict, list[tuple[str, int]]]:
    """Return the anonymised file content and the terms removed (with how often).

    Every text goes through the redaction; ids and vocabulary keys (focus area
    ids, template id, category and status keys) are not personal and stay.

    :param values: from :func:`clean_form`.
    """
    labels = trajectory_service.focus_area_labels()
    texts = {"title": values["title"], "learned": values["learned"], "text": values["text"],
             "template_title": "", "items": []}
    spec = None
    answers: list[dict] = []
    if values["kind"] == "template":
        spec = _spec_of(source.entry)
        answers = _checklist(source.entry)
        texts["template_title"] = spec.title if spec else ""
        texts["items"] = [[a["section"], a["label"]] for a in answers]
    removed = []
    terms = personal_terms() + values["terms"]
    for term in sorted(dict.fromkeys(terms), key=len, reverse=True):
        texts, count = redaction.redact(texts, [term])
        if count:
            removed.append((term, count))
    example = {
        "title": texts["title"],
        "learned": texts["learned"],
        "kind": values["kind"],
        "focus_areas": [{"id": a, "label": labels.get(a, a)} for a in values["focus_areas"]],
        "adaptation": None,
        "template": None,
    }
    if values["kind"] == "adaptation" or texts["text"]:
        example["adaptation"] = {"text": texts["text"], "category": values["category"],
                                 "status": values["status"]}
    if values["kind"] == "template":
        example["template"] = {
            "id": spec.id if spec else "", "version": spec.version if spec else 1,
            "title": texts["template_title"],
            "items": [{"section": section, "label": label, "category": a["category"],
                       "status": a["status"]}
                      for (section, label), a in zip(texts["items"], answers)],
        }
    content = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "journal_version": _journal_version(),
        "exported_on": today().isoformat(),
        "example": example,
    }
    return content, sorted(removed, key=lambda r: r[0].lower())


def _journal_version() -> str:
    from .. import __version__

    return __version__


def dumps(content: dict) -> str:
    """Return the file text exactly as it is shown for review and downloaded."""
    return json.dumps(content, ensure_ascii=False, indent=2) + "\n"


def digest(text: str) -> str:
    """Return a fingerprint of a file text (what was reviewed is what is downloaded)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_export(content: dict, *, actor: dict) -> dict:
    """Keep the exported example in this school's library too (origin "shared")."""
    return _store_example(content, origin="shared", status="shared", actor=actor,
                          file_digest=digest(dumps(content)))


# -- importing --------------------------------------------------------------------------

def parse_file(data: bytes) -> dict:
    """Validate an uploaded file and return the example's fields, rendered.

    :raise ValidationError: on the ``file`` field, saying what is wrong.
    """
    def refuse(message: str):
        raise ValidationError({"file": [message]})

    if not data:
        refuse(_("Choose a practice example file (.json)."))
    if len(data) > MAX_FILE_BYTES:
        refuse(_("This file is too large for a practice example (at most %(n)d kB).",
                 n=MAX_FILE_BYTES // 1024))
    try:
        content = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        refuse(_("This is not a practice example file: it cannot be read as JSON."))
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        refuse(_("This is not a practice example file from a journal."))
    version = content.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        refuse(_("The file does not say which format version it uses."))
    if version > FORMAT_VERSION:
        refuse(_("This file was made by a newer journal (format %(v)d). Ask the school that "
                 "sent it to export it for format %(ours)d, or update this journal.",
                 v=version, ours=FORMAT_VERSION))
    example = content.get("example")
    if not isinstance(example, dict):
        refuse(_("The file holds no practice example."))
    problems: list[str] = []
    values = _check_example(example, problems)
    if problems:
        refuse(_("The file cannot be imported: %(problems)s.", problems="; ".join(problems[:5])))
    values["journal_version"] = _text(content.get("journal_version"), 40)
    values["format_version"] = version
    values["exported_on"] = _date(content.get("exported_on"))
    return values


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _date(value) -> str:
    return value if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""


def _check_example(example: dict, problems: list[str]) -> dict:
    def string(value, name: str, limit: int, required: bool = False) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(f"{name}: not text")
            return ""
        value = value.strip()
        if required and not value:
            problems.append(f"{name}: empty")
        if len(value) > limit:
            problems.append(f"{name}: longer than {limit} characters")
        return value

    title = " ".join(string(example.get("title"), "title", MAX_TITLE, True).split())
    learned = string(example.get("learned"), "learned", MAX_TEXT, True)
    kind = example.get("kind")
    if kind not in KINDS:
        problems.append("kind: unknown")
    areas = []
    raw_areas = example.get("focus_areas") or []
    if not isinstance(raw_areas, list) or len(raw_areas) > MAX_AREAS:
        problems.append("focus_areas: not a short list")
        raw_areas = []
    for area in raw_areas:
        if (not isinstance(area, dict) or not isinstance(area.get("id"), str)
                or not _AREA_ID.match(area["id"])):
            problems.append("focus_areas: an area without a valid id")
            continue
        areas.append({"id": area["id"], "label": string(area.get("label"), "focus area", 80)})
    adaptation = None
    if example.get("adaptation") is not None:
        raw = example["adaptation"]
        if not isinstance(raw, dict):
            problems.append("adaptation: not an object")
        else:
            adaptation = {
                "text": string(raw.get("text"), "adaptation", MAX_TEXT, kind == "adaptation"),
                "category": raw.get("category") if raw.get("category") in STICORDI else "",
                "status": raw.get("status") if raw.get("status") in ITEM_STATUSES else "",
            }
    elif kind == "adaptation":
        problems.append("adaptation: missing")
    template = None
    if example.get("template") is not None:
        raw = example["template"]
        items = raw.get("items") if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(items, list) or len(items) > MAX_ITEMS:
            problems.append("template: not a template with a short list of items")
        else:
            template_id = raw.get("id") if isinstance(raw.get("id"), str) else ""
            version = raw.get("version")
            template = {
                "id": template_id if _TEMPLATE_ID.match(template_id) else "",
                "version": version if isinstance(version, int) and not isinstance(version, bool)
                and 0 < version < 10_000 else 1,
                "title": string(raw.get("title"), "template title", MAX_LABEL),
                "items": [],
            }
            for item in items:
                if not isinstance(item, dict):
                    problems.append("template: an item is not an object")
                    continue
                template["items"].append({
                    "section": string(item.get("section"), "section", MAX_LABEL),
                    "label": string(item.get("label"), "item", MAX_LABEL, True),
                    "category": item.get("category") if item.get("category") in STICORDI else "",
                    "status": item.get("status") if item.get("status") in ITEM_STATUSES else "",
                })
    elif kind == "template":
        problems.append("template: missing")
    html: dict = {}
    limit = current_app.config.get("JOURNAL_MARKDOWN_MAX_CHARS", 20_000)
    for name, text in (("learned", learned), ("text", (adaptation or {}).get("text", ""))):
        try:
            html[name] = str(render_markdown(text, max_chars=limit))
        except RenderError:
            problems.append(f"{name}: cannot be shown safely")
    return {"title": title, "learned": learned, "kind": kind, "focus_areas": areas,
            "adaptation": adaptation, "template": template, "html": html}


def import_file(data: bytes, *, actor: dict) -> tuple[dict, bool]:
    """Add an uploaded example to the shared library as a suggestion.

    :return: the stored example and whether it is new (the same file imported
        before is not added twice).
    :raise ValidationError: the file is not a valid practice example.
    """
    values = parse_file(data)
    file_digest = hashlib.sha256(data).hexdigest()
    existing = get_store().practice_examples.find(file_digest=file_digest)
    if existing:
        return existing[0], False
    doc = dict(values, origin="imported", status="suggestion", file_digest=file_digest,
               imported_by=actor["id"], imported_on=today().isoformat(), adopted_by=[],
               adopted_on=None)
    stored = get_store().practice_examples.create(doc, actor_id=actor["id"])
    _audit("create", stored, actor, "import")
    return stored, True


def _store_example(content: dict, *, origin: str, status: str, actor: dict,
                   file_digest: str) -> dict:
    values = _check_example(content["example"], [])
    doc = dict(values, origin=origin, status=status, file_digest=file_digest,
               journal_version=content["journal_version"], format_version=FORMAT_VERSION,
               exported_on=content["exported_on"], imported_by=actor["id"],
               imported_on=today().isoformat(), adopted_by=[], adopted_on=None)
    stored = get_store().practice_examples.create(doc, actor_id=actor["id"])
    _audit("export", stored, actor, "practice example")
    return stored


# -- the library ---------------------------------------------------------------------------

#: Library sections, in page order.
STATUSES = ("suggestion", "adopted", "shared")


def library(focus_area: str = "") -> dict[str, list[dict]]:
    """Return the examples per status (suggestions, adopted, shared by this school)."""
    out: dict[str, list[dict]] = {s: [] for s in STATUSES}
    for doc in get_store().practice_examples.all():
        if focus_area and focus_area not in {a["id"] for a in doc.get("focus_areas", ())}:
            continue
        out.setdefault(doc.get("status", "suggestion"), []).append(doc)
    for docs in out.values():
        docs.sort(key=lambda d: d.get("created_at", ""), reverse=True)
    return out


def adopt(example: dict, *, actor: dict) -> dict:
    """Mark a suggestion as adopted by this school (by ``actor``); adopting twice changes nothing."""
    if actor["id"] in example.get("adopted_by", ()) and example.get("status") == "adopted":
        return example

    def apply(doc: dict) -> None:
        if doc.get("status") == "suggestion":
            doc["status"] = "adopted"
            doc["adopted_on"] = today().isoformat()
        if actor["id"] not in doc.setdefault("adopted_by", []):
            doc["adopted_by"].append(actor["id"])

    updated = get_store().practice_examples.update(example["id"], apply, actor_id=actor["id"])
    _audit("update", updated, actor, "adopt")
    return updated


def agreement_form(example: dict) -> dict:
    """Return entry form data for a draft agreement that applies the example in a trajectory."""
    adaptation = example.get("adaptation") or {}
    what = adaptation.get("text") or "\n".join(
        f"- {i['label']}" for i in (example.get("template") or {}).get("items", ()))
    what = f"{what}\n\n*{_('From the practice example: %(title)s', title=example['title'])}*"
    day = today().isoformat()
    tags = ", ".join(t for t in (adaptation.get("category"), "praktijkvoorbeeld") if t)
    return {"date": day, "what": what, "applied_by": _("to be agreed"), "from_date": day,
            "review_date": day, "tags": tags}


def use_in(example: dict, trajectory: dict, *, actor: dict) -> dict:
    """Start a draft agreement in ``trajectory`` from the example, and mark it adopted.

    The agreement is written by the entry service, so it is audited and announced
    to the plugins like every other new entry.
    """
    from . import entries as entry_service

    entry = entry_service.create_entry(actor, trajectory["id"], "agreement", agreement_form(example),
                                       via="practice")
    adopt(get_store().practice_examples.require(example["id"]), actor=actor)
    return entry


def remove(example: dict, *, actor: dict) -> None:
    """Take an example out of the library."""
    get_store().practice_examples.delete(example["id"])
    _audit("delete", example, actor, "practice example")


def _audit(action: str, doc: dict, actor: dict, detail: str) -> None:
    from ..security.audit import audit

    audit(action, object_type="practice_example", object_id=doc["id"], user_id=actor["id"],
          detail=detail)
