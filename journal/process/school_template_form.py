"""The structured editor of a school template: a plain form that writes the TOML for you.

A coordinator is not a programmer. This editor shows a template as a title and a
description (Dutch and English) and a list of fields, each with its labels, type,
options, help text and limits; buttons add, remove and move a field, and every
button sends the whole form back so nothing typed is lost (no JavaScript needed).
The form becomes the same TOML document the text editor holds (:func:`to_toml`),
checked against the same published schema by :mod:`journal.process.school_templates`.

A field's *section* is a plain text box: fields with the same section title one
after the other form one part of the form. Options (and checklist items) are
typed one a line, ``Dutch label | English label``. Keys are made from the Dutch
labels and kept once saved (an option's key stays with its Dutch label), because
entries store their answers under them.

A template that uses what this editor does not show (option sets, checklist
categories, scale end labels, …) opens in the TOML editor only: :func:`from_document`
returns ``None`` for it, so nothing is lost by a round trip.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

#: The field types offered, in the order of the menu, with their names for coordinators.
FIELD_TYPES = {
    "text": _l("Short text"),
    "markdown": _l("Long text"),
    "checklist": _l("Checkbox list of measures (with a status)"),
    "choice": _l("Choice (pick one)"),
    "multiselect": _l("Multi-select (tick several)"),
    "date": _l("Date"),
    "number": _l("Number"),
    "scale": _l("Scale"),
}
WITH_OPTIONS = ("checklist", "choice", "multiselect")
#: The parts of one field in the form (``f-<n>-<part>``).
FIELD_PARTS = ("key", "section", "label_nl", "label_en", "type", "help_nl", "help_en",
               "options", "option_keys", "minimum", "maximum", "required")
#: What a document may hold to be shown here (anything else: the TOML editor only).
_TOP = {"id", "version", "kind", "title", "description", "focus_areas", "sections"}
_SECTION = {"title", "fields"}
_FIELD = {"key", "type", "label", "help", "required", "options", "items", "minimum", "maximum",
          "scale_min", "scale_max"}
MAX_FIELDS = 60


def empty_field(section: str = "") -> dict:
    """Return a new field of the form (a long text, the section of the one before)."""
    return {"key": "", "section": section, "label_nl": "", "label_en": "", "type": "markdown",
            "help_nl": "", "help_en": "", "options": "", "option_keys": "", "minimum": "",
            "maximum": "", "required": False}


def starter() -> dict:
    """Return what a new template starts from: an observation with one long text field."""
    return {"kind": "observation", "title_nl": "", "title_en": "", "description_nl": "",
            "description_en": "", "focus_areas": [],
            "fields": [dict(empty_field("Wat zag je?"), label_nl="Wat zag en hoorde je?",
                            required=True)]}


def from_request(form: Mapping, lists: Mapping[str, list]) -> dict:
    """Return the editor's values from a submitted form, exactly as typed.

    :param form: the submitted values (one per name).
    :param lists: names with several values (``focus_areas``).
    """
    def text(name: str) -> str:
        return str(form.get(name, "") or "")

    fields = []
    for n in range(MAX_FIELDS):
        prefix = f"f-{n}-"
        if prefix + "type" not in form:
            break
        field = {part: text(prefix + part) for part in FIELD_PARTS}
        field["required"] = bool(form.get(prefix + "required"))
        fields.append(field)
    return {"kind": text("kind"), "title_nl": text("title_nl"), "title_en": text("title_en"),
            "description_nl": text("description_nl"), "description_en": text("description_en"),
            "focus_areas": list(lists.get("focus_areas", ())), "fields": fields}


def apply(values: dict, op: str) -> dict:
    """Return the values after a form button: ``add``, ``remove:<n>``, ``up:<n>``, ``down:<n>``.

    An unknown button or position changes nothing.
    """
    fields = list(values["fields"])
    name, _sep, where = op.partition(":")
    n = int(where) if where.isdigit() else -1
    if name == "add" and len(fields) < MAX_FIELDS:
        fields.append(empty_field(fields[-1]["section"] if fields else ""))
    elif name == "remove" and 0 <= n < len(fields):
        del fields[n]
    elif name == "up" and 0 < n < len(fields):
        fields[n - 1], fields[n] = fields[n], fields[n - 1]
    elif name == "down" and 0 <= n < len(fields) - 1:
        fields[n], fields[n + 1] = fields[n + 1], fields[n]
    return dict(values, fields=fields)


# -- the TOML document ------------------------------------------------------------------------

def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _text(nl: str, en: str) -> str:
    nl, en = nl.strip(), en.strip()
    return f"{{ nl = {_string(nl)}, en = {_string(en)} }}" if en else _string(nl)


def _slug(text: str, fallback: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:30].strip("_")
    return slug if slug[:1].isalpha() else fallback


def _unique(key: str, taken: set[str]) -> str:
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _known_keys(option_keys: str) -> dict[str, str]:
    """The keys of saved options by their Dutch label (a hidden part of the form)."""
    try:
        known = json.loads(option_keys or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in known.items()} if isinstance(known, dict) else {}


def _options(lines: str, option_keys: str) -> list[str]:
    known = _known_keys(option_keys)
    parsed = [(nl.strip(), en.strip()) for nl, _sep, en in
              (line.partition("|") for line in lines.replace("\r\n", "\n").split("\n")
               if line.strip())]
    taken = {known[nl] for nl, _en in parsed if nl in known}
    out = []
    for n, (nl, en) in enumerate(parsed):
        key = known.get(nl) or _unique(_slug(nl, f"option_{n + 1}"), taken)
        out.append(f"{{ key = {_string(key)}, label = {_text(nl, en)} }}")
    return out


def _number(value: str) -> str:
    """A number as typed (``3``, ``2,5``), for TOML; "" when it is not a number."""
    value = value.strip().replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return ""
    return str(int(number)) if number.is_integer() else repr(number)


def to_toml(values: dict) -> str:
    """Return the template document the form describes, as TOML (without ``id`` and
    ``version``, which the journal writes). Empty optional parts are left out; what
    is wrong is left for the schema to say."""
    lines = [f"kind = {_string(values['kind'])}",
             f"title = {_text(values['title_nl'], values['title_en'])}"]
    if values["description_nl"].strip():
        lines.append(f"description = {_text(values['description_nl'], values['description_en'])}")
    lines.append("focus_areas = [" + ", ".join(_string(a) for a in values["focus_areas"]) + "]")
    taken: set[str] = set()
    keys = [f["key"].strip() for f in values["fields"]]
    taken.update(k for k in keys if k)
    section = None
    for n, field in enumerate(values["fields"]):
        title = field["section"].strip() or "Vragen"
        if title != section:
            section = title
            lines += ["", "[[sections]]", f"title = {_string(title)}"]
        key = keys[n] or _unique(_slug(field["label_nl"], f"field_{n + 1}"), taken)
        lines += ["", "[[sections.fields]]", f"key = {_string(key)}",
                  f"type = {_string(field['type'])}",
                  f"label = {_text(field['label_nl'], field['label_en'])}"]
        if field["help_nl"].strip():
            lines.append(f"help = {_text(field['help_nl'], field['help_en'])}")
        if field["required"]:
            lines.append("required = true")
        if field["type"] in WITH_OPTIONS:
            name = "items" if field["type"] == "checklist" else "options"
            lines.append(f"{name} = [" + ", ".join(_options(field["options"],
                                                            field["option_keys"])) + "]")
        limits = {"number": ("minimum", "maximum"), "scale": ("scale_min", "scale_max")}
        for part, name in zip(("minimum", "maximum"), limits.get(field["type"], ())):
            number = _number(field[part])
            if number:
                lines.append(f"{name} = {number if field['type'] == 'number' else int(float(number))}")
    return "\n".join(lines) + "\n"


def from_document(document: dict) -> dict | None:
    """Return the editor's values for a stored template document, or ``None`` when it
    uses what only the TOML editor shows."""
    def texts(value) -> tuple[str, str]:
        if isinstance(value, dict):
            return str(value.get("nl", "")), str(value.get("en", ""))
        return str(value or ""), ""

    def option_lines(options) -> tuple[str, str] | None:
        lines, keys = [], {}
        for option in options:
            if set(option) - {"key", "label"}:
                return None
            nl, en = texts(option["label"])
            if "|" in nl or "\n" in nl or nl in keys:
                return None
            lines.append(f"{nl} | {en}" if en else nl)
            keys[nl] = option["key"]
        return "\n".join(lines), json.dumps(keys, ensure_ascii=False)

    if set(document) - _TOP:
        return None
    title_nl, title_en = texts(document.get("title"))
    description_nl, description_en = texts(document.get("description"))
    fields = []
    for section in document.get("sections", ()):
        if set(section) - _SECTION or isinstance(section.get("title"), dict):
            return None
        for data in section.get("fields", ()):
            if set(data) - _FIELD or data.get("type") not in FIELD_TYPES:
                return None
            label_nl, label_en = texts(data.get("label"))
            help_nl, help_en = texts(data.get("help"))
            if isinstance(data.get("options"), str):
                return None  # a shared option set
            options = option_lines(data.get("items") or data.get("options") or ())
            if options is None:
                return None
            low, high = ("scale_min", "scale_max") if data["type"] == "scale" else ("minimum", "maximum")
            fields.append({
                "key": data.get("key", ""), "section": str(section.get("title", "")),
                "label_nl": label_nl, "label_en": label_en, "type": data["type"],
                "help_nl": help_nl, "help_en": help_en, "options": options[0],
                "option_keys": options[1],
                "minimum": _shown(data.get(low)), "maximum": _shown(data.get(high)),
                "required": bool(data.get("required"))})
    return {"kind": str(document.get("kind", "")), "title_nl": title_nl, "title_en": title_en,
            "description_nl": description_nl, "description_en": description_en,
            "focus_areas": list(document.get("focus_areas", ())), "fields": fields}


def _shown(number) -> str:
    return "" if number is None else str(number)


def sections_of(values: dict) -> list[list[int]]:
    """Return, per section of :func:`to_toml`'s document, the form's field numbers in it."""
    out: list[list[int]] = []
    section = None
    for n, field in enumerate(values["fields"]):
        title = field["section"].strip() or "Vragen"
        if title != section or not out:
            section = title
            out.append([])
        out[-1].append(n)
    return out


_PLACE = re.compile(r"^sections\[(\d+)\](?:\.fields\[(\d+)\])?\.?(\S*?):\s*")


def explain(values: dict, problem: str) -> tuple[int | None, str]:
    """Return ``(field number or None, message)`` for a problem the schema check found in the
    document made from ``values``: places in the form, not in the TOML text."""
    match = _PLACE.match(problem)
    if not match:
        return None, problem
    sections = sections_of(values)
    section, field = int(match.group(1)), match.group(2)
    numbers = sections[section] if section < len(sections) else []
    number = numbers[int(field)] if field is not None and int(field) < len(numbers) else None
    if number is None and numbers:
        number = numbers[0]
    part = match.group(3).split(".")[0].split("[")[0]
    return number, (f"{part}: " if part else "") + problem[match.end():]


def problems(values: dict) -> dict[int | None, list[str]]:
    """Return what is missing or wrong in the form, in words for a coordinator, per field
    number (``None``: the template as a whole); the schema check comes after these."""
    found: dict[int | None, list[str]] = {}
    if not values["title_nl"].strip():
        found.setdefault(None, []).append(str(_l("Give the template a title in Dutch.")))
    if not values["fields"]:
        found.setdefault(None, []).append(str(_l("Add at least one field.")))
    for n, field in enumerate(values["fields"]):
        messages = []
        if not field["label_nl"].strip():
            messages.append(_l("Write the question or label in Dutch."))
        if field["type"] not in FIELD_TYPES:
            messages.append(_l("Choose the type of answer."))
        if field["type"] in WITH_OPTIONS and not field["options"].strip():
            messages.append(_l("Give at least one option, one a line."))
        if field["type"] in ("number", "scale"):
            for part in ("minimum", "maximum"):
                if field[part].strip() and not _number(field[part]):
                    messages.append(_l("Write the lowest and highest value as numbers, e.g. 1 "
                                       "and 5."))
                    break
            low, high = _number(field["minimum"]), _number(field["maximum"])
            if low and high and float(low) >= float(high):
                messages.append(_l("The lowest value must be below the highest."))
        if messages:
            found[n] = [str(m) for m in messages]
    return found
