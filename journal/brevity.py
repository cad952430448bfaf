"""Need to know: long entries shown as a short list on the timeline.

Inspectors advise recording what a team *needs to know* (agreements, goals),
not long narratives. The timeline therefore shows an entry longer than
``JOURNAL_LONG_ENTRY_CHARS`` characters as a bulleted list: per field its
first line, per reflection phase how many contributions it has, per template
how many adaptations have each status, with a link to read the whole entry.
Nothing is cut from the entry itself.
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

#: Default length (characters of text) above which the timeline summarises an entry.
LONG_ENTRY_CHARS = 600
#: Longest bullet in a summary.
MAX_BULLET = 140


def limit() -> int:
    """Return the length above which an entry is summarised (the app may set its own)."""
    return int(current_app.config.get("JOURNAL_LONG_ENTRY_CHARS", LONG_ENTRY_CHARS))


def _texts(entry: dict) -> list[str]:
    fields = entry.get("fields") or {}
    out = [v for k, v in fields.items() if isinstance(v, str) and k != "model"]
    out += [c.get("text", "") for c in fields.get("contributions", ()) or ()]
    for value in (entry.get("answers") or {}).values():
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            out += [a.get("note", "") for a in value.values() if isinstance(a, dict)]
    return out


def length(entry: dict) -> int:
    """Return how many characters of text an entry holds (fields, contributions, answers)."""
    return sum(len(t) for t in _texts(entry))


def first_line(text: str) -> str:
    """Return the first line of Markdown as plain text, at most :data:`MAX_BULLET` long."""
    for line in (text or "").splitlines():
        line = re.sub(r"^[\s>#*+\-]+|^\s*\d+[.)]\s*", "", line)
        line = re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", line).strip()
        if line:
            more = len(line) > MAX_BULLET or len([x for x in text.splitlines() if x.strip()]) > 1
            line = line[: MAX_BULLET - 1].rstrip() if len(line) > MAX_BULLET else line
            return line + (" …" if more else "")
    return ""


def summary(entry: dict) -> list[dict] | None:
    """Return the bullets that stand for a long entry, or ``None`` when it is short enough.

    Each bullet: ``{"label": str, "text": str}``.
    """
    if length(entry) <= limit():
        return None
    from .process import entry_forms

    bullets = []
    fields = entry.get("fields") or {}
    if entry.get("kind") == "reflection":
        from .process import reflection

        for phase in reflection.phases_of(entry):
            count = len(phase.get("contributions", ()))
            if count:
                bullets.append({"label": phase["title"],
                                "text": ngettext("%(num)d contribution", "%(num)d contributions",
                                                 count)})
    for fd in entry_forms.FIELD_DEFS.get(entry.get("kind"), ()):
        value = fields.get(fd.key)
        if not value:
            continue
        if fd.type in ("choice", "multi"):
            from .process.meetings import field_text

            text = field_text(entry, fd)
        else:
            text = first_line(value) if fd.type in ("markdown", "text") else str(value)
        bullets.append({"label": str(fd.label), "text": text})
    bullets += _answer_bullets(entry)
    return bullets


def _answer_bullets(entry: dict) -> list[dict]:
    """Checklists as counts per status; other template answers as their first line."""
    if not entry.get("template"):
        return []
    from .plugins.host import get_plugins
    from .plugins.entry_templates.forms import STATUS_LABELS
    from .plugins.entry_templates.forms import iter_checklist
    from .plugins.entry_templates.registry import spec_for_entry

    found = spec_for_entry(get_plugins(), entry)
    spec = found.spec if found is not None else None
    if spec is None:
        return []
    answers = entry.get("answers") or {}
    out = []
    for f in spec.fields():
        value = answers.get(f.key)
        if f.type == "checklist" and isinstance(value, dict):
            counts: dict[str, int] = {}
            for answer in iter_checklist(spec, {f.key: value}):
                if answer["status"]:
                    counts[answer["status"]] = counts.get(answer["status"], 0) + 1
            if counts:
                out.append({"label": f.label, "text": ", ".join(
                    f"{n} × {STATUS_LABELS[s]}" for s, n in counts.items() if s in STATUS_LABELS)})
        elif isinstance(value, str) and value.strip():
            out.append({"label": f.label, "text": first_line(value)})
        elif value not in (None, "", {}):
            out.append({"label": f.label, "text": str(value)})
    return out


def words(entry: dict) -> int:
    """Return the number of words in an entry, to say how long "read more" is."""
    return sum(len(t.split()) for t in _texts(entry))


def describe_length(entry: dict) -> str:
    """Return "N words" for the read-more link."""
    count = words(entry)
    return ngettext("%(num)d word", "%(num)d words", count) if count else _("the whole entry")
