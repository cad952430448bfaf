"""Templates as forms: render a :class:`TemplateSpec` for filling in, parse what was
submitted, and show filled answers read-only (timeline and print).

Everything here works from the spec alone, which may be rebuilt from a
snapshot, so it needs no plugin code. HTML comes from the Jinja templates in
``templates/template_forms/`` (autoescaped); Markdown answers go through
:func:`journal.rendering.render_markdown`.

Answers are data keyed by field key (see :mod:`journal.plugins.entry_templates.specs`):
``checklist`` -> ``{item_key: {"status", "note"}}`` (only items with a status
or a note), ``choice`` -> option key, ``scale`` -> int, ``text``/``markdown`` ->
str. Empty fields are left out.

Form input names use ``prefix + field key``; a checklist item's controls are
``<prefix><field>-<item>-status`` and ``…-note`` (keys never contain ``-``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from collections.abc import Mapping
from functools import lru_cache

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from journal.plugins.entry_templates.specs import ITEM_STATUSES
from journal.plugins.entry_templates.specs import STICORDI
from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import TemplateSpec

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


def render_form(spec: TemplateSpec, answers: Mapping | None = None,
                errors: Mapping | None = None, prefix: str = "t_") -> Markup:
    """Return the form fields of ``spec`` as an HTML fragment (no ``<form>``, no button).

    :param answers: current answers (stored, or as typed when redisplaying).
    :param errors: ``{input name: [message]}`` from :func:`parse_form`.
    :param prefix: put before every input name, to keep clear of the page's own fields.
    """
    return Markup(render_template(
        "template_forms/form.html", spec=spec, answers=dict(answers or {}),
        errors=dict(errors or {}), prefix=prefix, statuses=STATUS_LABELS, sticordi=STICORDI,
        item_input=item_input, note_max=NOTE_MAX_LENGTH,
    ))


def parse_form(spec: TemplateSpec, form: Mapping, prefix: str = "t_") -> tuple[dict, dict]:
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
    return answers, errors


def form_values(spec: TemplateSpec, answers: Mapping, prefix: str = "t_") -> dict:
    """Return the inputs a browser posts for ``answers``: the inverse of :func:`parse_form`."""
    data = {}
    for f in spec.fields():
        value = answers.get(f.key)
        if value in (None, ""):
            continue
        if f.type == "checklist":
            for item_key, answer in value.items():
                data[item_input(prefix, f, item_key, "status")] = answer.get("status", "")
                data[item_input(prefix, f, item_key, "note")] = answer.get("note", "")
        else:
            data[prefix + f.key] = str(value)
    return data


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
    sections, other = _summary(spec, answers, only_filled)
    return Markup(render_template(
        "template_forms/answers.html", spec=spec, sections=sections, other=other, note=note,
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
                filled = value not in (None, "")
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
    if f.type == "choice":
        labels = {o.key: o.label for o in f.options}
        return labels.get(value, _plain(value))
    if f.type == "markdown" and isinstance(value, str):
        return _markdown_answer(value)
    if f.type == "scale":
        return f"{value} / {f.scale_max}"
    return _plain(value)


def _plain(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def answers_as_text(spec: TemplateSpec | None, answers: Mapping | None) -> str:
    """Return the filled answers as plain text (Markdown-friendly), for exports."""
    answers = dict(answers or {})
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
