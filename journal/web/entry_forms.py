"""The entry forms on the pages: reading what was posted, and showing a form again.

Helpers for :mod:`journal.web.entries`. What was typed is always kept: a form
shown again after an error holds exactly the posted text. The rules of what
may be saved are the services' (:mod:`journal.process.entries`).
"""

from __future__ import annotations

from flask import current_app
from flask import g
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..process import entry_forms
from ..process import entry_plugins
from ..process import meetings
from ..process import reflection
from ..process import today
from ..process.goals import goals_for
from ..process.trajectories import people_for
from ..rendering import RenderError
from ..rendering import render_markdown
from ..storage import get_store


def submitted() -> dict:
    """Return the posted form as plain data, keeping exactly what the user typed."""
    data = {key: request.form.get(key, "") for key in request.form}
    multi = [fd.key for defs in entry_forms.FIELD_DEFS.values() for fd in defs
             if fd.type == "multi"]
    for key in ("goal_ids", "co_authors", *multi):
        data[key] = request.form.getlist(key)
    for key in request.form:  # an entry template's multi-select: every ticked option
        if key.startswith(entry_forms.TEMPLATE_PREFIX) and len(request.form.getlist(key)) > 1:
            data[key] = request.form.getlist(key)
    return data


def blank_form(kind: str, trajectory: dict) -> dict:
    """Return the form data a new entry of ``kind`` starts from (today, the pupil's class)."""
    form = entry_forms.form_of(kind, {"date": today().isoformat(), "goal_ids": [], "tags": []})
    if kind == "observation":
        pupil = get_store().pupils.get(trajectory.get("pupil_id") or "")
        form["class_group"] = (pupil or {}).get("class_group") or ""
    form["co_authors"] = []
    form["model"] = "korthagen" if kind == "reflection" else ""
    return form


def typed_contributions(form: dict, model: dict | None) -> list[dict]:
    """Return the first contributions typed in a new reflection's ``phase_<key>`` fields."""
    typed = [{"phase": p["key"], "text": form.get("phase_" + p["key"]) or ""}
             for p in (model or {}).get("phases", ())]
    return [c for c in typed if c["text"].strip()]


def previews(kind: str, form: dict, model: dict | None) -> dict:
    """Render every filled Markdown field of ``form`` for the no-JavaScript preview."""
    names = [fd.key for fd in entry_forms.field_defs(kind) if fd.type == "markdown"]
    if model is not None:
        names += ["phase_" + p["key"] for p in model["phases"]]
    return previews_of({name: form.get(name) or "" for name in names})


def previews_of(texts: dict) -> dict:
    """Return ``{name: sanitised HTML}`` for every non-empty Markdown text in ``texts``."""
    out = {}
    for name, text in texts.items():
        if text.strip():
            try:
                out[name] = render_markdown(text, max_chars=current_app.config["JOURNAL_MARKDOWN_MAX_CHARS"])
            except RenderError:
                out[name] = Markup("<p>%s</p>") % _("This text is too long or too deeply nested to show safely.")
    return out


def template_form(spec, answers: dict, errors: dict) -> Markup:
    """Return the form of a plugin template, filled with ``answers`` (empty without a spec)."""
    if spec is None:
        return Markup("")
    from ..plugins.entry_templates.forms import render_form

    return Markup(render_form(spec, answers or {}, errors or {}, entry_forms.TEMPLATE_PREFIX))


def typed_answers(spec, form) -> dict:
    """Return the template answers as typed in ``form``, to show them again."""
    return entry_forms.template_answers(spec, form)[0]


def trajectory_url(trajectory: dict) -> str | None:
    """Return the trajectory's page (``None`` in an app without the trajectory pages)."""
    if "trajectories.show" in current_app.view_functions:
        return url_for("trajectories.show", trajectory_id=trajectory["id"])
    return None


def shorten(text: str, limit: int = 140) -> str:
    """Return ``text`` on one line, cut at ``limit`` characters with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def form_page(template: str, *, trajectory: dict, kind: str, form: dict, errors: dict,
              status: int = 200, **context):
    """Render an entry form with everything it needs to show."""
    members = [
        (uid, person.get("display_name") or person.get("username"))
        for uid, person in people_for(trajectory).items()
        if uid != g.user["id"] and uid in {m["user_id"] for m in trajectory.get("members", ())}
    ]
    goals = [(goal["id"], shorten(goal.get("text", ""))) for goal in goals_for(trajectory["id"])]
    models = reflection.reflection_models() if kind == "reflection" else []
    context.setdefault("model", None)
    context.setdefault("previews", {})
    context.setdefault("spec", None)
    context.setdefault("template_html", "")
    page = render_template(
        template, trajectory=trajectory, kind=kind, kind_label=entry_forms.KIND_LABELS[kind],
        field_defs=entry_forms.field_defs(kind), form=form, errors=errors, goals=goals,
        members=sorted(members, key=lambda m: (m[1] or "").lower()),
        models=models, models_options=[(m["id"], str(m.get("title") or m["id"])) for m in models],
        tag_suggestions=entry_plugins.tag_suggestions(),
        field_options=meetings.options_for(trajectory) if kind == "meeting" else {},
        trajectory_url=trajectory_url(trajectory), **context,
    )
    return page, status
