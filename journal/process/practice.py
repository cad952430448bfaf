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
Pictures go along only once the reviewer confirmed, per picture, that no
person can be recognised in it (:mod:`journal.process.practice_pictures`).

The file format and reading an uploaded file are in
:mod:`journal.process.practice_file`. Every member of staff (teacher,
ondersteuner, care coordinator) may browse, share and adopt examples; importing
is for the care coordinator and the ondersteuner, removing for the care
coordinator.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _

from .. import __version__
from ..errors import NotFound
from ..errors import StaleRevision
from ..plugins.entry_templates.forms import iter_checklist
from ..plugins.entry_templates.registry import spec_for_entry
from ..plugins.entry_templates.specs import ITEM_STATUSES
from ..plugins.entry_templates.specs import STICORDI
from ..plugins.host import get_plugins
from ..privacy import redaction
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from . import ValidationError
from . import add_error
from . import practice_pictures as pictures
from . import today
from . import trajectories as trajectory_service
from .practice_file import FORMAT
from .practice_file import FORMAT_VERSION
from .practice_file import KINDS
from .practice_file import MAX_TEXT
from .practice_file import MAX_TITLE
from .practice_file import check_example
from .practice_file import digest
from .practice_file import dumps
from .practice_file import parse_file
from .text import first_line

#: Who works with practice examples, who imports them and who removes them.
STAFF = ("teacher", "support", "coordinator")
IMPORTERS = ("coordinator", "support")
REMOVERS = ("coordinator",)


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


def load_source(actor: dict, params: Mapping[str, str]) -> Source:
    """Return the source named by ``params`` (``adaptation_id``, or ``entry_id`` and an
    optional ``item``) once ``actor`` may share it.

    A promoted adaptation is written for every member of staff, so its trajectory
    stays unread; an entry needs the right to read its trajectory.

    :raise Forbidden: ``actor`` is not a member of staff (audited).
    :raise NotFound: no such source, one that cannot be shared, or an entry in a
        trajectory ``actor`` may not read.
    """
    access.check_role(actor, *STAFF)
    store = get_store()
    adaptation_id = params.get("adaptation_id", "")
    if adaptation_id:
        doc = store.adaptations.get(adaptation_id)
        if doc is None or not doc.get("promotion"):
            raise NotFound("adaptation")
        return Source(trajectory=None, adaptation=doc)
    entry = store.entries.get(params.get("entry_id", ""))
    if entry is None:
        raise NotFound("entry")
    trajectory = trajectory_service.load_trajectory(actor, entry["trajectory_id"])
    if not shareable(entry):
        raise NotFound("entry")
    item = params.get("item", "")
    if item and item not in {f"{a['field']}.{a['item']}" for a in checklist(entry)}:
        raise NotFound("item")
    return Source(trajectory=trajectory, entry=entry, item=item)


def shareable(entry: dict) -> bool:
    """Return whether an entry can become a practice example (published agreements and
    template entries)."""
    return entry.get("status") == "published" and (
        entry.get("kind") == "agreement" or bool(entry.get("template")))


def _spec_of(entry: dict):
    found = spec_for_entry(get_plugins(), entry)
    return found.spec if found is not None else None


def checklist(entry: dict) -> list[dict]:
    """Return the answered checklist items of a template entry, each with its ``section``."""
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
        form["title"] = first_line(form["text"])[:MAX_TITLE]
    elif source.item:
        answer = next((a for a in checklist(source.entry)
                       if f"{a['field']}.{a['item']}" == source.item), None)
        if answer:
            form.update(text=answer["label"], category=answer["category"],
                        status=answer["status"], title=answer["label"][:MAX_TITLE])
    elif source.entry.get("template"):
        spec = _spec_of(source.entry)
        form.update(kind="template", title=spec.title if spec else "")
    else:
        what = (source.entry.get("fields") or {}).get("what", "")
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
    picked = [p for p in dict.fromkeys(form.get("pictures") or ()) if p]
    if len(picked) > pictures.MAX_PICTURES:
        add_error(errors, "pictures", _("Choose at most %(n)d pictures.", n=pictures.MAX_PICTURES))
    if errors:
        raise ValidationError(errors)
    return {"title": title, "learned": learned, "kind": kind, "text": text,
            "category": form.get("category") if form.get("category") in STICORDI else "",
            "status": form.get("status") if form.get("status") in ITEM_STATUSES else "",
            "focus_areas": areas, "terms": terms, "pictures": picked}


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


def build(source: Source, values: dict,
          picture_docs: list[dict] = ()) -> tuple[dict, list[tuple[str, int]], list[str]]:
    """Return the anonymised file content (without pictures), the terms removed (with how
    often) and the anonymised captions of ``picture_docs``.

    Every text goes through the redaction; ids and vocabulary keys (focus area
    ids, template id, category and status keys) are not personal and stay.

    :param values: from :func:`clean_form`.
    """
    labels = trajectory_service.focus_area_labels()
    texts = {"title": values["title"], "learned": values["learned"], "text": values["text"],
             "template_title": "", "items": [],
             "captions": [d.get("caption") or "" for d in picture_docs]}
    spec = None
    answers: list[dict] = []
    if values["kind"] == "template":
        spec = _spec_of(source.entry)
        answers = checklist(source.entry)
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
        "journal_version": __version__,
        "exported_on": today().isoformat(),
        "example": example,
    }
    return content, sorted(removed, key=lambda r: r[0].lower()), texts["captions"]


@dataclass
class Draft:
    """An example as the reviewer sees it: the file text and the picked pictures."""

    source: Source
    content: dict                 # the file without pictures: exactly the reviewed text
    removed: list[tuple[str, int]]
    pictures: list[dict] = field(default_factory=list)  # picked attachment records
    captions: list[str] = field(default_factory=list)   # their anonymised captions

    @property
    def text(self) -> str:
        """The file text shown for review (pictures are shown beside it)."""
        return dumps(self.content)

    @property
    def digest(self) -> str:
        """The fingerprint of the text and the pictures: a change means a new review."""
        return pictures.review_digest(self.text, self.pictures, self.captions)


def draft(actor: dict, source: Source, values: dict) -> Draft:
    """Return the anonymised example with the pictures the author picked (``actor`` must be
    able to see each; others are ignored).

    :param values: from :func:`clean_form`.
    """
    picked = pictures.picked(actor, source, values.get("pictures"))
    content, removed, captions = build(source, values, picked)
    return Draft(source=source, content=content, removed=removed, pictures=picked,
                 captions=captions)


def finish(actor: dict, reviewed: Draft, digest_seen: str, confirmed_ids, *,
           destination: str) -> dict:
    """Return the file to share: the reviewed text with the pictures the reviewer confirmed.

    Each picked picture's decision (confirmed, or left out) is audited.

    :param digest_seen: the :attr:`Draft.digest` of the review page.
    :param destination: where it goes, for the audit (``file``, ``centre:<link id>``).
    :raise StaleRevision: the text or the pictures changed since the review (a new
        review is needed; ``current`` holds the new digest).
    """
    if reviewed.digest != digest_seen:
        raise StaleRevision({"rev": reviewed.digest})
    confirmed = pictures.confirm(actor, reviewed.pictures, confirmed_ids, detail=destination)
    content = json.loads(reviewed.text)
    if confirmed:
        ids = {d["id"] for d in confirmed}
        captions = [c for d, c in zip(reviewed.pictures, reviewed.captions) if d["id"] in ids]
        content["example"]["pictures"] = pictures.for_file(confirmed, captions)
    return content


def record_export(actor: dict, content: dict) -> dict:
    """Keep the exported example in this school's library too (origin "shared"); the
    export is audited.

    :raise Forbidden: ``actor`` is not a member of staff (audited).
    """
    access.check_role(actor, *STAFF)
    return _store_example(content, origin="shared", status="shared", actor=actor,
                          file_digest=digest(dumps(content)))


def import_file(actor: dict, data: bytes) -> tuple[dict, bool]:
    """Add an uploaded example to the shared library as a suggestion.

    :return: the stored example and whether it is new (the same file imported
        before is not added twice).
    :raise Forbidden: ``actor`` is neither a care coordinator nor an ondersteuner (audited).
    :raise ValidationError: the file is not a valid practice example.
    """
    access.check_role(actor, *IMPORTERS)
    values = parse_file(data)
    prepared = values.pop("pictures")
    file_digest = hashlib.sha256(data).hexdigest()
    existing = get_store().practice_examples.find(file_digest=file_digest)
    if existing:
        return existing[0], False
    doc = dict(values, origin="imported", status="suggestion", file_digest=file_digest,
               imported_by=actor["id"], imported_on=today().isoformat(), adopted_by=[],
               adopted_on=None)
    stored = get_store().practice_examples.create(doc, actor_id=actor["id"])
    pictures.keep(actor, stored, prepared)
    audit_example("create", stored, actor, "import")
    return stored, True


def _store_example(content: dict, *, origin: str, status: str, actor: dict,
                   file_digest: str) -> dict:
    values = check_example(content["example"], [])
    prepared = pictures.from_example(content["example"])
    doc = dict(values, origin=origin, status=status, file_digest=file_digest,
               journal_version=content["journal_version"], format_version=FORMAT_VERSION,
               exported_on=content["exported_on"], imported_by=actor["id"],
               imported_on=today().isoformat(), adopted_by=[], adopted_on=None)
    stored = get_store().practice_examples.create(doc, actor_id=actor["id"])
    pictures.keep(actor, stored, prepared)
    audit_example("export", stored, actor, "practice example")
    return stored


def audit_example(action: str, doc: dict, actor: dict, detail: str) -> None:
    """Write the audit record of a change to the practice example ``doc``."""
    audit(action, object_type="practice_example", object_id=doc["id"], user_id=actor["id"],
          detail=detail)
