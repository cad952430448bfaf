"""A school's own entry templates: made, changed and retired in the web UI, without pip.

An admin or a coordinator writes a template as TOML text, checked against the same
published schema as plugins' files (:mod:`journal.plugins.entry_templates.files`).
Every saved change is a new version; retiring stops offering a template for new
entries. Entries keep the snapshot of the version they were filled from, so they
render the same after edits and retirement. The stored text is always a complete
template file: the journal writes its ``id`` (``school.<name>``) and ``version``
lines, so an export can be imported by another school as it is.

Rules of a change live here: the acting user comes first, problems raise
:class:`~journal.errors.ValidationError` (messages under ``source``, each with its
place in the text), refusals raise :class:`~journal.errors.Forbidden` or
:class:`~journal.errors.NotFound`, and every change and export is audited.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from ..errors import Forbidden
from ..errors import NotFound
from ..errors import ValidationError
from ..plugins.entry_templates.files import TemplateFileError
from ..plugins.entry_templates.files import load_document
from ..plugins.entry_templates.files import parse_toml
from ..plugins.entry_templates.school import SCHOOL
from ..plugins.entry_templates.specs import TemplateSpec
from ..plugins.entry_templates.specs import snapshot
from ..security.access import has_role
from ..security.audit import audit
from ..storage import get_store

#: Who may make, change, retire, export and import school templates.
ROLES = ("admin", "coordinator")

#: The longest template text accepted (a large checklist is a few thousand characters).
MAX_SOURCE = 100_000

#: What a new template starts from in the editor.
STARTER = '''kind = "observation"
title = { nl = "Nieuw sjabloon", en = "New template" }
focus_areas = []

[[sections]]
title = "Wat zag je?"

[[sections.fields]]
key = "seen"
type = "markdown"
label = "Wat zag en hoorde je?"
required = true
'''

_HEADER_LINE = re.compile(r"^\s*(id|version)\s*=.*$")


def _require_role(actor: dict) -> None:
    if not has_role(actor, *ROLES):
        raise Forbidden()


def all_templates(actor: dict) -> list[dict]:
    """Return every school template (retired ones too), by title."""
    _require_role(actor)
    return sorted(get_store().school_templates.all(),
                  key=lambda d: (bool(d.get("retired")), d["spec"]["title"].lower()))


def get(actor: dict, doc_id: str) -> dict:
    """Return one school template.

    :raise NotFound: there is none with that id.
    """
    _require_role(actor)
    doc = get_store().school_templates.get(doc_id)
    if doc is None:
        raise NotFound()
    return doc


def _with_header(source: str, template_id: str, version: int) -> str:
    """Return ``source`` with the journal's own ``id`` and ``version`` lines on top.

    Lines setting ``id`` or ``version`` before the first table are replaced: the
    journal names and numbers school templates itself.
    """
    lines = source.replace("\r\n", "\n").split("\n")
    first_table = next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")),
                       len(lines))
    kept = [line for i, line in enumerate(lines) if i >= first_table or not _HEADER_LINE.match(line)]
    return f'id = "{template_id}"\nversion = {version}\n' + "\n".join(kept).strip("\n") + "\n"


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40].strip("_")
    return slug if slug and slug[0].isalpha() else ("t_" + slug).strip("_")


def _free_id(document: dict) -> str:
    """Return ``school.<name>`` for a new template: the file's own name, else its title's."""
    wanted = str(document.get("id", "")).split(".", 1)[-1] if isinstance(document.get("id"), str) else ""
    title = document.get("title")
    title = title.get("nl", "") if isinstance(title, dict) else str(title or "")
    base = _slug(wanted or title or "sjabloon")
    taken = {d["template_id"] for d in get_store().school_templates.all()}
    candidate, n = f"{SCHOOL}.{base}", 2
    while candidate in taken:
        candidate, n = f"{SCHOOL}.{base}_{n}", n + 1
    return candidate


def check(source: str, template_id: str | None = None, version: int = 1) -> tuple[TemplateSpec, str]:
    """Return ``(spec, stored text)`` for the template text ``source``, without saving.

    :param template_id: the template's id when editing; a new one gets a free id.
    :raise ValidationError: ``{"source": [problem, …]}``, each problem with its place.
    """
    if len(source) > MAX_SOURCE:
        raise ValidationError({"source": [_("At most %(n)d characters (now %(m)d).",
                                            n=MAX_SOURCE, m=len(source))]})
    try:
        document = parse_toml(source)
        template_id = template_id or _free_id(document)
        text = _with_header(source, template_id, version)
        spec = load_document(parse_toml(text), plugin_name=SCHOOL)
    except TemplateFileError as exc:
        raise ValidationError({"source": [str(p) for p in exc.problems]}) from None
    return spec, text


def create(actor: dict, source: str, *, detail: str = "") -> dict:
    """Save a new school template (version 1) and return its document.

    :param detail: a content-free note for the audit record (``"import"``).
    """
    _require_role(actor)
    spec, text = check(source)
    doc = get_store().school_templates.create(
        {"template_id": spec.id, "version": 1, "source": text, "spec": snapshot(spec),
         "retired": False, "created_by": actor["id"]}, actor_id=actor["id"])
    audit("create", object_type="school_template", object_id=doc["id"], user_id=actor["id"],
          detail=detail or spec.id)
    return doc


def update(actor: dict, doc_id: str, source: str, expected_rev: int) -> dict:
    """Save a changed text as the next version; an unchanged text saves nothing.

    :raise StaleRevision: someone saved a version since ``expected_rev``.
    """
    doc = get(actor, doc_id)
    spec, text = check(source, doc["template_id"], doc["version"] + 1)
    if text == _with_header(doc["source"], doc["template_id"], doc["version"] + 1):
        return doc
    saved = get_store().school_templates.update(
        doc_id, {"version": spec.version, "source": text, "spec": snapshot(spec)},
        expected_rev=expected_rev, actor_id=actor["id"])
    audit("update", object_type="school_template", object_id=doc_id, user_id=actor["id"],
          detail=f"v{spec.version}")
    return saved


def set_retired(actor: dict, doc_id: str, retired: bool) -> dict:
    """Retire a template (no longer offered for new entries) or offer it again."""
    doc = get(actor, doc_id)
    if bool(doc.get("retired")) == retired:
        return doc
    saved = get_store().school_templates.update(doc_id, {"retired": retired}, actor_id=actor["id"])
    audit("update", object_type="school_template", object_id=doc_id, user_id=actor["id"],
          detail="retire" if retired else "offer")
    return saved


def export(actor: dict, doc_id: str) -> tuple[str, str]:
    """Return ``(file name, TOML text)`` of the current version, to share with another school."""
    doc = get(actor, doc_id)
    audit("export", object_type="school_template", object_id=doc_id, user_id=actor["id"],
          detail=f"v{doc['version']}")
    return f"{doc['template_id']}.toml", doc["source"]


def read_upload(data: bytes) -> str:
    """Return an uploaded template file as text for the editor (nothing is saved yet).

    :raise ValidationError: ``{"file": [...]}`` for an empty, too large or non-UTF-8 file.
    """
    if not data:
        raise ValidationError({"file": [_("Choose a template file (.toml).")]})
    if len(data) > MAX_SOURCE:
        raise ValidationError({"file": [_("This file is too large for a template.")]})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("This is not a text file in UTF-8.")]}) from None
