"""The practice example file: its format, and reading one from another school.

File format (``format_version`` 1)::

    {"format": "journal.practice_example", "format_version": 1,
     "journal_version": "0.1.0", "exported_on": "YYYY-MM-DD",
     "example": {"title": str, "learned": markdown, "kind": "adaptation" | "template",
                 "focus_areas": [{"id", "label"}],
                 "adaptation": {"text": markdown, "category": STICORDI key or "",
                                "status": ITEM_STATUSES key or ""} | null,
                 "template": {"id", "version", "title",
                              "items": [{"section", "label", "category", "status"}]} | null,
                 "pictures": [{"caption": str, "content_base64": JPEG or PNG}]}}

``pictures`` is optional (files without it import as before); see
:mod:`journal.process.practice_pictures` for when a picture goes into a file.

An uploaded file is untrusted: :func:`parse_file` checks every value's type
and length, keeps only known vocabulary keys and renders the Markdown through
the sanitiser. Building and sharing examples is :mod:`journal.process.practice`.
"""

from __future__ import annotations

import hashlib
import json
import re

from flask import current_app
from flask_babel import gettext as _

from ..plugins.entry_templates.specs import ITEM_STATUSES
from ..plugins.entry_templates.specs import STICORDI
from ..rendering import RenderError
from ..rendering import render_markdown
from . import ValidationError
from .practice_pictures import from_example

FORMAT = "journal.practice_example"
FORMAT_VERSION = 1
KINDS = ("adaptation", "template")

MAX_TITLE = 120
MAX_TEXT = 4000
MAX_LABEL = 300
MAX_ITEMS = 100
MAX_AREAS = 20
#: The largest file accepted on import (bytes): the text and three pictures of at most
#: 400 kB (base64 takes a third more). It stays under the request and answer limits of
#: the pages and the federation calls (2 MB).
MAX_FILE_BYTES = 1800 * 1024

_AREA_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_TEMPLATE_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9_-]*$")


def dumps(content: dict) -> str:
    """Return the file text exactly as it is shown for review and downloaded."""
    return json.dumps(content, ensure_ascii=False, indent=2) + "\n"


def digest(text: str) -> str:
    """Return a fingerprint of a file text (what was reviewed is what is downloaded)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_file(data: bytes) -> dict:
    """Validate an uploaded file and return the example's fields, rendered, and its
    pictures re-encoded (``pictures``: not kept yet).

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
    values = check_example(example, problems)
    if problems:
        refuse(_("The file cannot be imported: %(problems)s.", problems="; ".join(problems[:5])))
    values["journal_version"] = _text(content.get("journal_version"), 40)
    values["format_version"] = version
    values["exported_on"] = _date(content.get("exported_on"))
    values["pictures"] = from_example(example)
    return values


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _date(value) -> str:
    return value if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""


def check_example(example: dict, problems: list[str]) -> dict:
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
