"""Templates as forms: render a :class:`TemplateSpec` for filling in, parse what was
submitted, and show filled answers read-only (timeline and print).

Everything here works from the spec alone, which may be rebuilt from a
snapshot, so it needs no plugin code. HTML comes from the Jinja templates in
``templates/entry_templates/`` (autoescaped); Markdown answers go through
:func:`journal.rendering.render_markdown`.

Answers are data keyed by field key (see :mod:`journal.plugins.entry_templates.specs`):
``checklist`` -> ``{item_key: {"status", "note"}}`` (only items with a status
or a note), ``choice`` -> option key, ``multiselect`` -> list of option keys,
``scale`` -> int, ``number`` -> int or float, ``date`` -> ISO date str,
``text``/``markdown`` -> str. Empty fields are left out.

Form input names use :data:`FORM_PREFIX` + field key, on every page and in the
test helpers; a checklist item's controls are ``<prefix><field>-<item>-status``
and ``…-note`` (keys never contain ``-``). Texts are shown in the reader's
language (:func:`~journal.plugins.entry_templates.specs.localized`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from flask import render_template
from flask_babel import format_date
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from journal.plugins.entry_templates.specs import ITEM_STATUSES
from journal.plugins.entry_templates.specs import STICORDI
from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import TemplateSpec
from journal.plugins.entry_templates.specs import localized
from journal.plugins.entry_templates.values import is_iso_date
from journal.plugins.entry_templates.values import parse_date
from journal.plugins.entry_templates.values import parse_number
from journal.plugins.entry_templates.values import shown_number

#: Put before every entry-template input name, to keep clear of the entry page's own fields.
FORM_PREFIX = "tpl_"

#: Status labels shown in forms and summaries (English msgids; Dutch: ITEM_STATUSES).
STATUS_LABELS = {
    "doe_ik_al": _l("already doing this"),
    "ga_ik_proberen": _l("going to try"),
    "werkt": _l("works"),
    "werkt_niet": _l("does not work"),
}

#: The longest note allowed on one checklist item.
NOTE_MAX_LENGTH = 500


def item_input(prefix: str, field: Field, item_key: str, part: str) -> str:
    """Return the input name of a checklist item's ``part`` (``status`` or ``note``)."""
    return f"{prefix}{field.key}-{item_key}-{part}"


def in_reader_language(spec: TemplateSpec) -> TemplateSpec:
    """Return ``spec`` with its texts in the current reader's language (English twins for "en")."""
    return localized(spec, str(get_locale() or "nl"))


def render_form(spec: TemplateSpec, answers: Mapping | None = None,
                errors: Mapping | None = None, prefix: str = FORM_PREFIX) -> Markup:
    """Return the form fields of ``spec`` as an HTML fragment (no ``<form>``, no button).

    :param answers: current answers (stored, or as typed when redisplaying).
    :param errors: ``{input name: [message]}`` from :func:`parse_form`.
    :param prefix: put before every input name, to keep clear of the page's own fields.
    """
    return Markup(render_template(
        "entry_templates/form.html", spec=in_reader_language(spec), answers=dict(answers or {}),
        errors=dict(errors or {}), prefix=prefix, statuses=STATUS_LABELS, sticordi=STICORDI,
        item_input=item_input, note_max=NOTE_MAX_LENGTH,
    ))


def parse_form(spec: TemplateSpec, form: Mapping, prefix: str = FORM_PREFIX) -> tuple[dict, dict]:
    """Read a submitted form into ``(answers, errors)``.

    ``errors`` maps input names to messages. When it is not empty the answers
    hold what the user typed (to show the form again) and must not be stored.
    """
    answers: dict = {}
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for f in spec.fields():
        name = prefix + f.key
        if f.type == "checklist":
            value = _parse_checklist(f, form, prefix, error)
            if value:
                answers[f.key] = value
            if f.required and not any(v["status"] for v in value.values()):
                error(name, _("Give at least one item a status."))
            continue
        if f.type == "multiselect":
            chosen = _getlist(form, name)
            known = [o.key for o in f.options]
            if set(chosen) - set(known):
                answers[f.key] = chosen
                error(name, _("Choose from the options."))
            elif chosen:
                answers[f.key] = [key for key in known if key in chosen]
            elif f.required:
                error(name, _("Choose at least one."))
            continue
        raw = str(form.get(name, "") or "")
        raw = raw.strip() if f.type != "markdown" else raw.rstrip()
        if not raw.strip():
            if f.required:
                error(name, _("This field is required."))
            continue
        answers[f.key] = raw
        if f.type in ("text", "markdown") and len(raw) > f.max_length:
            error(name, _("At most %(n)d characters (now %(m)d).", n=f.max_length, m=len(raw)))
        elif f.type == "choice" and raw not in {o.key for o in f.options}:
            error(name, _("Choose one of the options."))
        elif f.type == "scale":
            number = _int(raw)
            if number is None or not f.scale_min <= number <= f.scale_max:
                error(name, _("Choose a value from %(a)d to %(b)d.", a=f.scale_min, b=f.scale_max))
            else:
                answers[f.key] = number
        elif f.type == "number":
            number, problem = parse_number(f, raw)
            if problem:
                error(name, problem)
            else:
                answers[f.key] = number
        elif f.type == "date":
            day = parse_date(raw)
            if day is None:
                error(name, _("Enter a date like 31/03/2025."))
            else:
                answers[f.key] = day.isoformat()
    return answers, errors


def form_values(spec: TemplateSpec, answers: Mapping, prefix: str = FORM_PREFIX) -> dict:
    """Return the inputs a browser posts for ``answers``: the inverse of :func:`parse_form`.

    A multiselect answer is a list (a test client posts each value).
    """
    data = {}
    for f in spec.fields():
        value = answers.get(f.key)
        if value in (None, ""):
            continue
        if f.type == "checklist":
            for item_key, answer in value.items():
                data[item_input(prefix, f, item_key, "status")] = answer.get("status", "")
                data[item_input(prefix, f, item_key, "note")] = answer.get("note", "")
        elif f.type == "multiselect" and isinstance(value, list):
            data[prefix + f.key] = [str(v) for v in value]
        else:
            data[prefix + f.key] = str(value)
    return data


def _getlist(form: Mapping, name: str) -> list[str]:
    values = form.getlist(name) if hasattr(form, "getlist") else form.get(name, [])
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values or () if str(v).strip()]


def _parse_checklist(f: Field, form: Mapping, prefix: str, error) -> dict:
    value = {}
    for item in f.items:
        status_name = item_input(prefix, f, item.key, "status")
        note_name = item_input(prefix, f, item.key, "note")
        status = str(form.get(status_name, "") or "").strip()
        note = str(form.get(note_name, "") or "").strip()
        if status and status not in ITEM_STATUSES:
            error(status_name, _("Choose one of the statuses."))
        if len(note) > NOTE_MAX_LENGTH:
            error(note_name, _("At most %(n)d characters (now %(m)d).", n=NOTE_MAX_LENGTH,
                               m=len(note)))
        if status or note:
            value[item.key] = {"status": status, "note": note}
    return value


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def check_answers(spec: TemplateSpec, answers: Mapping) -> list[str]:
    """Return problems with stored ``answers`` for ``spec`` (types, options, ranges).

    Keys the spec does not know are allowed: they show as "other recorded values".
    """
    problems = []
    if not isinstance(answers, Mapping):
        return ["answers must be a dict"]
    for f in spec.fields():
        if f.key not in answers:
            continue
        value = answers[f.key]
        if f.type == "checklist":
            if not isinstance(value, Mapping) or not all(
                isinstance(v, Mapping) and v.get("status", "") in ("", *ITEM_STATUSES)
                and isinstance(v.get("note", ""), str) for v in value.values()
            ):
                problems.append(f"{f.key}: checklist answers must be {{item: {{status, note}}}}")
        elif f.type == "choice" and value not in {o.key for o in f.options}:
            problems.append(f"{f.key}: {value!r} is not an option")
        elif f.type == "scale" and (isinstance(value, bool) or not isinstance(value, int)
                                    or not f.scale_min <= value <= f.scale_max):
            problems.append(f"{f.key}: {value!r} is not on the scale")
        elif f.type == "multiselect" and (
                not isinstance(value, list) or len(set(map(str, value))) != len(value)
                or not set(value) <= {o.key for o in f.options}):
            problems.append(f"{f.key}: must be a list of different option keys")
        elif f.type == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))
                                     or parse_number(f, str(value))[1]):
            problems.append(f"{f.key}: {value!r} is not a number this field allows")
        elif f.type == "date" and not is_iso_date(value):
            problems.append(f"{f.key}: must be a date like 2025-03-31")
        elif f.type in ("text", "markdown") and not isinstance(value, str):
            problems.append(f"{f.key}: must be text")
    return problems




def iter_checklist(spec: TemplateSpec, answers: Mapping) -> Iterator[dict]:
    """Yield every answered checklist item: ``{field, item, category, status, note}``.

    For counting which adaptations are tried and which work, across entries.
    """
    for f in spec.fields():
        if f.type != "checklist":
            continue
        given = answers.get(f.key) or {}
        for item in f.items:
            if item.key in given:
                yield {"field": f.key, "item": item.key, "label": item.label,
                       "category": item.category, "status": given[item.key].get("status", ""),
                       "note": given[item.key].get("note", "")}


def render_answers(spec: TemplateSpec | None, answers: Mapping | None, *,
                   only_filled: bool = True, note: str = "") -> Markup:
    """Return a read-only summary of ``answers`` for the timeline and print.

    :param spec: the spec the entry was filled from (live or snapshot); None
        shows every value under "other recorded values".
    :param only_filled: leave out unanswered fields and items.
    :param note: a label beside the title, e.g. ``EntryTemplate.label``.
    """
    answers = dict(answers or {})
    spec = in_reader_language(spec) if spec is not None else None
    sections, other = _summary(spec, answers, only_filled)
    return Markup(render_template(
        "entry_templates/answers.html", spec=spec, sections=sections, other=other, note=note,
        statuses=STATUS_LABELS, sticordi=STICORDI,
    ))


def _summary(spec: TemplateSpec | None, answers: dict, only_filled: bool):
    known = set()
    sections = []
    for section in (spec.sections if spec else ()):
        rows = []
        for f in section.fields:
            known.add(f.key)
            value = answers.get(f.key)
            row = {"field": f, "value": value, "display": None, "items": [], "extra": []}
            if f.type == "checklist":
                given = value if isinstance(value, Mapping) else {}
                for item in f.items:
                    answer = given.get(item.key)
                    if answer or not only_filled:
                        row["items"].append({"item": item, "answer": answer or {}})
                row["extra"] = [(k, v) for k, v in given.items()
                                if k not in {i.key for i in f.items}]
                filled = bool(given)
            else:
                filled = value not in (None, "", [])
                row["display"] = _display(f, value) if filled else None
            if filled or not only_filled:
                rows.append(row)
        if rows:
            sections.append({"title": section.title, "rows": rows})
    other = [(k, _plain(v)) for k, v in answers.items() if k not in known]
    for section in sections:
        for row in section["rows"]:
            other.extend((f"{row['field'].key} / {k}", _plain(v)) for k, v in row["extra"])
    return sections, other


@lru_cache(maxsize=2048)
def _markdown_answer(text: str):
    """Render a Markdown answer once per worker: answers are shown on every timeline view,
    and the renderer's isolated (bounded) path for unusual text costs a process start."""
    from journal.rendering import RenderError
    from journal.rendering import render_markdown

    try:
        return render_markdown(text)
    except RenderError:
        return _plain(text)


def _display(f: Field, value):
    if f.type in ("choice", "multiselect"):
        labels = {o.key: o.label for o in f.options}
        if f.type == "multiselect" and isinstance(value, list):
            return ", ".join(labels.get(v, _plain(v)) for v in value)
        return labels.get(value, _plain(value))
    if f.type == "number" and not isinstance(value, bool) and isinstance(value, (int, float)):
        return shown_number(value)
    if f.type == "date" and is_iso_date(value):
        return format_date(date.fromisoformat(value), "long")
    if f.type == "markdown" and isinstance(value, str):
        return _markdown_answer(value)
    if f.type == "scale":
        return f"{value} / {f.scale_max}"
    return _plain(value)


def _plain(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def answer_texts(spec: TemplateSpec, answers: Mapping, statuses: Mapping[str, str]) -> list[str]:
    """Return the words a reader sees as ``answers`` (for search), with ``spec`` and ``statuses``
    already in her language: text and numbers as given, the labels of chosen options and of
    answered checklist items with their status, STICORDI category and note, and answers the
    spec does not know. Never option or item keys, nor the template's own questions."""
    texts: list[str] = []
    known = set()
    for f in spec.fields():
        known.add(f.key)
        value = answers.get(f.key)
        if value in (None, "", []):
            continue
        if f.type == "checklist" and isinstance(value, Mapping):
            for item in f.items:
                given = value.get(item.key)
                if isinstance(given, Mapping) and given:
                    status = given.get("status", "")
                    texts += [item.label, statuses.get(status, status),
                              STICORDI.get(item.category, item.category), given.get("note", "")]
        elif f.type in ("choice", "multiselect"):
            texts.append(_display(f, value))
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            texts.append(str(value))
    texts += [v for k, v in answers.items() if k not in known and isinstance(v, str)]
    return [t for t in texts if isinstance(t, str) and t]


def answers_as_text(spec: TemplateSpec | None, answers: Mapping | None) -> str:
    """Return the filled answers as plain text (Markdown-friendly), for exports."""
    answers = dict(answers or {})
    spec = in_reader_language(spec) if spec is not None else None
    sections, other = _summary(spec, answers, only_filled=True)
    lines = [f"{spec.title} (v{spec.version})", ""] if spec else []
    for section in sections:
        lines.append(f"## {section['title']}")
        for row in section["rows"]:
            f = row["field"]
            if f.type == "checklist":
                lines.append(f"{f.label}:")
                for entry in row["items"]:
                    status = STATUS_LABELS.get(entry["answer"].get("status", ""), "")
                    note = entry["answer"].get("note", "")
                    extra = " – ".join(str(x) for x in (status, note) if x)
                    lines.append(f"- {entry['item'].label}" + (f": {extra}" if extra else ""))
            else:
                shown = row["value"] if f.type == "markdown" else row["display"]
                lines.append(f"{f.label}: {shown}")
        lines.append("")
    if other:
        lines.append(_("Other recorded values") + ":")
        lines.extend(f"- {k}: {v}" for k, v in other)
    return "\n".join(lines).strip() + "\n"
