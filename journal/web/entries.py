"""Pages for entries: write, read, co-write, comment, publish, compare and merge.

Every page is reached under a trajectory (``/t/<trajectory_id>/entries/…``)
and checks the user's right on that trajectory first. Drafts answer 404 to
anyone who is not an author. Pages work without JavaScript: the Markdown
preview is a submit button; ``journal.js`` adds a live preview on top.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from ..process import ValidationError
from ..process import attachments as attachment_service
from . import attachments as attachments_web
from ..process import comments as comment_service
from ..process import entries as entry_service
from ..process import reflection as reflection_service
from ..process import today
from ..process.goals import goals_for
from ..process.trajectories import people_for
from ..process.trajectories import require_trajectory
from ..rendering import RenderError
from ..rendering import render_markdown
from ..security import access
from ..security.audit import audit
from ..storage import get_store

bp = Blueprint("entries", __name__, url_prefix="/t/<trajectory_id>/entries")


# -- loading with access checks ----------------------------------------------

def _load(trajectory_id: str, entry_id: str, action: str = access.READ) -> tuple[dict, dict]:
    """Return ``(trajectory, entry)`` after the access checks, or abort.

    404 when the user may not read the trajectory, the entry is elsewhere, or
    it is someone else's draft; 403 when they may read but not ``action``.
    """
    trajectory = require_trajectory(trajectory_id, access.READ)
    entry = get_store().entries.get(entry_id)
    return trajectory, entry_service.require_visible(trajectory, entry, action)


def _audit(action: str, entry: dict, detail: str = "") -> None:
    audit(action, object_type="entry", object_id=entry["id"],
          pupil_id=entry.get("pupil_id") or "", detail=detail)


def _trajectory_url(trajectory: dict) -> str | None:
    if "trajectories.show" in current_app.view_functions:
        return url_for("trajectories.show", trajectory_id=trajectory["id"])
    return None


# -- form data -----------------------------------------------------------------

def _submitted() -> dict:
    """Return the posted form as plain data, keeping exactly what the user typed."""
    data = {key: request.form.get(key, "") for key in request.form}
    for key in ("goal_ids", "co_authors"):
        data[key] = request.form.getlist(key)
    return data


def _blank_form(kind: str, trajectory: dict) -> dict:
    form = entry_service.form_of(kind, {"date": today().isoformat(), "goal_ids": [], "tags": []})
    if kind == "observation":
        pupil = get_store().pupils.get(trajectory.get("pupil_id") or "")
        form["class_group"] = (pupil or {}).get("class_group") or ""
    form["co_authors"] = []
    form["model"] = "korthagen" if kind == "reflection" else ""
    return form


def _previews(kind: str, form: dict, model: dict | None) -> dict:
    """Render every filled Markdown field of ``form`` for the no-JavaScript preview."""
    names = [fd.key for fd in entry_service.field_defs(kind) if fd.type == "markdown"]
    if model is not None:
        names += ["phase_" + p["key"] for p in model["phases"]]
    return _previews_of({name: form.get(name) or "" for name in names})


def _previews_of(texts: dict) -> dict:
    """Return ``{name: sanitised HTML}`` for every non-empty Markdown text in ``texts``."""
    out = {}
    for name, text in texts.items():
        if text.strip():
            try:
                out[name] = render_markdown(text, max_chars=current_app.config["JOURNAL_MARKDOWN_MAX_CHARS"])
            except RenderError:
                out[name] = Markup("<p>%s</p>") % _("This text is too long or too deeply nested to show safely.")
    return out


def _form_page(template: str, *, trajectory: dict, kind: str, form: dict, errors: dict,
               status: int = 200, **context):
    """Render an entry form with everything it needs to show."""
    members = [
        (uid, person.get("display_name") or person.get("username"))
        for uid, person in people_for(trajectory).items()
        if uid != g.user["id"] and uid in {m["user_id"] for m in trajectory.get("members", ())}
    ]
    goals = [(goal["id"], _shorten(goal.get("text", ""))) for goal in goals_for(trajectory["id"])]
    models = reflection_service.reflection_models() if kind == "reflection" else []
    context.setdefault("model", None)
    context.setdefault("previews", {})
    context.setdefault("spec", None)
    context.setdefault("template_html", "")
    page = render_template(
        template, trajectory=trajectory, kind=kind, kind_label=entry_service.KIND_LABELS[kind],
        field_defs=entry_service.field_defs(kind), form=form, errors=errors, goals=goals,
        members=sorted(members, key=lambda m: (m[1] or "").lower()),
        models=models, models_options=[(m["id"], str(m.get("title") or m["id"])) for m in models],
        tag_suggestions=entry_service.tag_suggestions(),
        trajectory_url=_trajectory_url(trajectory), **context,
    )
    return page, status


#: Name prefix of plugin template fields in entry forms.
TEMPLATE_PREFIX = "tpl_"


def _template_form(spec, answers: dict, errors: dict) -> Markup:
    """Return the form of a plugin template, filled with ``answers`` (empty without a spec)."""
    if spec is None:
        return Markup("")
    from ..plugins.entry_templates.forms import render_form

    return Markup(render_form(spec, answers or {}, errors or {}, TEMPLATE_PREFIX))


def _parse_template(spec, form) -> tuple[dict, dict]:
    """Return ``(answers, errors)`` read from a submitted template form."""
    if spec is None:
        return {}, {}
    from ..plugins.entry_templates.forms import parse_form

    return parse_form(spec, form, TEMPLATE_PREFIX)


def _template_errors(spec, kind: str, values: dict, answers: dict) -> dict:
    """Return the plugins' problems with an entry filled from ``spec``, under ``template``."""
    draft = {
        "kind": kind, "answers": answers, "tags": values.get("tags", []),
        "template": {"id": spec.id, "version": spec.version, "plugin": spec.plugin},
        "fields": {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("fields.")},
    }
    problems = entry_service.template_problems(spec, draft)
    return {"template": problems} if problems else {}


def _answers_html(entry: dict) -> Markup:
    """Return an entry's template answers as safe HTML, noting a changed or removed plugin."""
    if not entry.get("template"):
        return Markup("")
    from ..plugins.host import get_plugins
    from ..plugins.entry_templates.forms import render_answers

    found = get_plugins().spec_for_entry(entry)
    spec = found.spec if found is not None else None
    note = found.label if found is not None else ""
    return Markup(render_answers(spec, entry.get("answers") or {}, note=note))


def _shorten(text: str, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _goal_ids(trajectory: dict) -> set[str]:
    return {goal["id"] for goal in get_store().goals.find(trajectory_id=trajectory["id"])}


# -- pages -----------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@access.login_required
def new(trajectory_id: str):
    """Write a new entry of the kind in ``?kind=``, optionally from ``?template=``."""
    trajectory = require_trajectory(trajectory_id, access.WRITE)
    kind = request.args.get("kind", "")
    if kind not in entry_service.KINDS:
        return render_template("entries/choose.html", trajectory=trajectory,
                               kinds=entry_service.KINDS, kind_labels=entry_service.KIND_LABELS,
                               templates=entry_service.offered_templates(),
                               trajectory_url=_trajectory_url(trajectory))
    spec = entry_service.template_for_new(kind, request.args.get("template"))
    if request.method == "GET":
        if trajectory.get("phase") == "closed":
            flash(_("This trajectory is closed. Reopen it to write in it again."), "warning")
            return redirect(_trajectory_url(trajectory))
        form = _blank_form(kind, trajectory)
        model = reflection_service.model_by_id(form["model"]) if kind == "reflection" else None
        return _form_page("entries/new.html", trajectory=trajectory, kind=kind, form=form,
                          errors={}, model=model, spec=spec,
                          template_html=_template_form(spec, {}, {}))

    form = _submitted()
    action = form.get("action", "draft")
    errors: dict = {}
    model = None
    if kind == "reflection":
        model = reflection_service.model_by_id(form.get("model"))
    answers, answer_errors = _parse_template(spec, request.form)
    if action == "preview":
        return _form_page("entries/new.html", trajectory=trajectory, kind=kind, form=form,
                          errors={}, model=model, spec=spec, previews=_previews(kind, form, model),
                          template_html=_template_form(spec, answers, {}))
    values = {}
    try:
        values = entry_service.parse_values(kind, form, goal_ids=_goal_ids(trajectory))
    except ValidationError as exc:
        errors.update(exc.errors)
    extra = {}
    if kind == "reflection":
        if model is None:
            errors.setdefault("model", []).append(_("Choose a reflection model."))
        else:
            try:
                extra = {"model": model["id"],
                         "contributions": reflection_service.initial_contributions(g.user, model, form)}
            except ValidationError as exc:
                errors.update(exc.errors)
        if action == "publish" and not errors:
            errors.update(entry_service.publish_problems(
                {"kind": kind, "fields": {k.split(".", 1)[1]: v for k, v in values.items()
                                          if k.startswith("fields.")}}))
    errors.update(answer_errors)
    if spec is not None and not errors:
        errors.update(_template_errors(spec, kind, values, answers))
    staged = []
    if not errors:
        try:  # photos and PDFs: checked and written first, referenced once the entry exists
            staged = attachment_service.stage(attachments_web.from_form(), trajectory)
        except ValidationError as exc:
            errors.update(exc.errors)
    if not errors:
        try:
            entry = entry_service.create_entry(
                g.user, trajectory, kind, values, publish=action == "publish",
                co_author_ids=form.get("co_authors", []), fields_extra=extra,
                template=entry_service.template_ref(spec), answers=answers,
            )
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        attachment_service.discard(staged)
        return _form_page("entries/new.html", trajectory=trajectory, kind=kind, form=form,
                          errors=errors, model=model, spec=spec, status=400,
                          template_html=_template_form(spec, answers, answer_errors))
    _audit("create", entry)
    attachment_service.record(staged, actor=g.user, owner_type="entry", owner_id=entry["id"],
                              trajectory=trajectory)
    entry_service.notify_saved(entry, trajectory, created=True)
    flash(_("The entry is published to the team.") if entry["status"] == "published"
          else _("The draft is saved. Only its authors can see it."), "success")
    return redirect(url_for(".show", trajectory_id=trajectory["id"], entry_id=entry["id"]))


def _upgrade_offer(entry: dict) -> dict | None:
    from ..plugins.host import get_plugins

    return get_plugins().upgrade_offer(entry) if entry.get("template") else None


def _show_page(trajectory: dict, entry: dict, status: int = 200, **context):
    """Render an entry with its comments and, for reflections, its phases."""
    context.setdefault("comment_form", {"body": ""})
    context.setdefault("contribution_form", {"phase": "", "text": ""})
    context.setdefault("errors", {})
    context.setdefault("previews", {})
    phases = reflection_service.phases_of(entry) if entry["kind"] == "reflection" else []
    model = reflection_service.model_by_id((entry.get("fields") or {}).get("model"))
    phase_options = [(p["key"], str(p["title"])) for p in (model or {}).get("phases", ())]
    page = render_template(
        "entries/show.html", trajectory=trajectory, entry=entry, people=people_for(trajectory),
        comments=comment_service.comments_for(entry["id"]),
        phases=phases, phase_options=phase_options,
        may_write=access.can(g.user, access.WRITE, trajectory),
        upgrade=_upgrade_offer(entry),
        trajectory_url=_trajectory_url(trajectory), **context,
    )
    return page, status


@bp.route("/<entry_id>")
@access.login_required
def show(trajectory_id: str, entry_id: str):
    """Show one entry with its comments (and a reflection's contributions)."""
    trajectory, entry = _load(trajectory_id, entry_id)
    _audit("view", entry)
    return _show_page(trajectory, entry)


@bp.route("/<entry_id>/edit", methods=["GET", "POST"])
@access.login_required
def edit(trajectory_id: str, entry_id: str):
    """Edit an entry, starting from the revision shown; conflicts lead to a merge page."""
    trajectory, entry = _load(trajectory_id, entry_id, access.WRITE)
    kind = entry["kind"]
    spec = entry_service.template_of(entry)
    if request.method == "GET":
        form = entry_service.form_of(kind, entry_service.values_of(entry))
        return _form_page("entries/edit.html", trajectory=trajectory, kind=kind, form=form,
                          errors={}, entry=entry, rev=entry["rev"], spec=spec,
                          template_html=_template_form(spec, entry.get("answers") or {}, {}))
    try:
        rev = int(request.form.get("rev", ""))
    except ValueError:
        abort(400)
    form = _submitted()
    action = form.get("action", "save")
    answers, answer_errors = _parse_template(spec, request.form)
    page = dict(trajectory=trajectory, kind=kind, form=form, entry=entry, rev=rev, spec=spec)
    if action == "preview":
        return _form_page("entries/edit.html", errors={}, previews=_previews(kind, form, None),
                          template_html=_template_form(spec, answers, {}), **page)
    errors: dict = {}
    values = {}
    try:
        values = entry_service.parse_values(kind, form, goal_ids=_goal_ids(trajectory))
    except ValidationError as exc:
        errors.update(exc.errors)
    errors.update(answer_errors)
    if spec is not None:
        values["answers"] = answers
        if not errors:
            errors.update(_template_errors(spec, kind, values, answers))
    if not errors:
        try:
            saved = entry_service.edit_entry(g.user, entry["id"], values, expected_rev=rev)
        except entry_service.EditConflict as conflict:
            return _conflict_page(trajectory, entry, conflict, spec)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        return _form_page("entries/edit.html", errors=errors, status=400,
                          template_html=_template_form(spec, answers, answer_errors),
                          **page)
    if saved["rev"] > entry["rev"] and saved.get("updated_by") == g.user["id"]:
        _audit("update", saved)
        entry_service.notify_saved(saved, trajectory, created=False)
    if action == "publish" and saved["status"] == "draft":
        return _publish(trajectory, saved)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for(".show", trajectory_id=trajectory["id"], entry_id=entry["id"]))


def _conflict_page(trajectory: dict, entry: dict, conflict, spec):
    """Show both versions side by side and a merge form holding the user's text (409)."""
    current = conflict.current
    theirs = entry_service.values_of(current)
    rows = []
    for key in conflict.keys:
        mine_text = entry_service.as_text(conflict.mine.get(key))
        theirs_text = entry_service.as_text(theirs.get(key))
        rows.append({"key": key, "label": entry_service.label_for(key), "mine": mine_text,
                     "theirs": theirs_text, "diff": entry_service.line_diff(theirs_text, mine_text)})
    people = people_for(trajectory)
    form = entry_service.form_of(entry["kind"], conflict.mine)
    form["action"] = "save"
    page, _status = _form_page(
        "entries/conflict.html", trajectory=trajectory, kind=entry["kind"], form=form, errors={},
        entry=current, rev=current["rev"], spec=spec, rows=rows,
        people_by_id=people, saved_at=current.get("updated_at"),
        template_html=_template_form(spec, conflict.mine.get("answers") or {}, {}),
    )
    return page, 409


def _publish(trajectory: dict, entry: dict):
    try:
        published = entry_service.publish_entry(g.user, entry["id"])
    except ValidationError as exc:
        spec = entry_service.template_of(entry)
        form = entry_service.form_of(entry["kind"], entry_service.values_of(entry))
        return _form_page("entries/edit.html", trajectory=trajectory, kind=entry["kind"], form=form,
                          errors=exc.errors, entry=entry, rev=entry["rev"], spec=spec, status=400,
                          template_html=_template_form(spec, entry.get("answers") or {}, {}))
    if published["rev"] != entry["rev"]:
        _audit("update", published, detail="publish")
        entry_service.notify_saved(published, trajectory, created=False)
    flash(_("The entry is published to the team."), "success")
    return redirect(url_for(".show", trajectory_id=trajectory["id"], entry_id=entry["id"]))


@bp.route("/<entry_id>/publish", methods=["POST"])
@access.login_required
def publish(trajectory_id: str, entry_id: str):
    """Publish a draft to the team."""
    trajectory, entry = _load(trajectory_id, entry_id, access.WRITE)
    return _publish(trajectory, entry)


@bp.route("/<entry_id>/upgrade", methods=["POST"])
@access.login_required
def upgrade(trajectory_id: str, entry_id: str):
    """Move an entry's template answers to the newer template version, on request only.

    Offered only when the plugin converts the answers; the old version stays
    in the revision history, and a stale revision changes nothing.
    """
    from ..plugins.host import get_plugins
    from ..storage import StaleRevision
    from ..plugins.entry_templates.registry import UpgradeNotAvailable

    trajectory, entry = _load(trajectory_id, entry_id, access.WRITE)
    host = get_plugins()
    offer = host.upgrade_offer(entry)
    try:
        rev = int(request.form.get("rev", ""))
        if offer is None:
            raise UpgradeNotAvailable("no upgrade offered")
        upgraded = host.upgrade_entry_data(entry, offer["to_version"])
        get_store().entries.update(entry["id"], upgraded, expected_rev=rev, actor_id=g.user["id"])
    except ValueError:
        abort(400)
    except UpgradeNotAvailable:
        flash(_("This entry cannot be moved to a newer template version."), "error")
    except StaleRevision:
        flash(_("Someone changed this entry in the meantime; nothing was changed. Look at it again first."), "error")
    else:
        _audit("update", entry)
        flash(_("The entry now uses version %(version)s of its template.", version=offer["to_version"]), "success")
    return redirect(url_for("entries.show", trajectory_id=trajectory["id"], entry_id=entry["id"]))


@bp.route("/<entry_id>/history")
@access.login_required
def history(trajectory_id: str, entry_id: str):
    """Show every earlier version: who changed what, when, and the old text."""
    trajectory, entry = _load(trajectory_id, entry_id)
    _audit("view", entry, detail="history")
    return render_template("entries/history.html", trajectory=trajectory, entry=entry,
                           changes=entry_service.history(entry), people=people_for(trajectory),
                           trajectory_url=_trajectory_url(trajectory))


@bp.route("/<entry_id>/comments", methods=["POST"])
@access.login_required
def comment(trajectory_id: str, entry_id: str):
    """Add a comment to an entry."""
    trajectory, entry = _load(trajectory_id, entry_id, access.WRITE)
    body = request.form.get("body", "")
    if request.form.get("action") == "preview":
        return _show_page(trajectory, entry, comment_form={"body": body},
                          previews=_previews_of({"body": body}))
    try:
        saved = comment_service.add_comment(g.user, entry, body)
    except ValidationError as exc:
        return _show_page(trajectory, entry, status=400, errors=exc.errors,
                          comment_form={"body": body})
    audit("create", object_type="comment", object_id=saved["id"],
          pupil_id=entry.get("pupil_id") or "", detail="entry:" + entry["id"])
    flash(_("Your comment is added."), "success")
    return redirect(url_for(".show", trajectory_id=trajectory["id"], entry_id=entry["id"],
                            _anchor="comments"))


@bp.route("/<entry_id>/contributions", methods=["POST"])
@access.login_required
def contribute(trajectory_id: str, entry_id: str):
    """Add the user's contribution to one phase of a reflection."""
    trajectory, entry = _load(trajectory_id, entry_id, access.WRITE)
    if entry["kind"] != "reflection":
        abort(404)
    phase = request.form.get("phase", "")
    text = request.form.get("text", "")
    if request.form.get("action") == "preview":
        return _show_page(trajectory, entry, contribution_form={"phase": phase, "text": text},
                          previews=_previews_of({"text": text}))
    try:
        saved = reflection_service.add_contribution(g.user, entry["id"], phase, text)
    except ValidationError as exc:
        return _show_page(trajectory, entry, status=400, errors=exc.errors,
                          contribution_form={"phase": phase, "text": text})
    _audit("update", saved, detail="contribution")
    entry_service.notify_saved(saved, trajectory, created=False)
    flash(_("Your contribution is added."), "success")
    return redirect(url_for(".show", trajectory_id=trajectory["id"], entry_id=entry["id"],
                            _anchor="phase-" + phase))


@bp.route("/preview", methods=["POST"])
@access.login_required
def preview(trajectory_id: str):
    """Return the sanitised HTML of posted Markdown (``text``), for the live preview."""
    require_trajectory(trajectory_id, access.WRITE)
    text = request.form.get("text", "")
    try:
        html = render_markdown(text, max_chars=current_app.config["JOURNAL_MARKDOWN_MAX_CHARS"])
    except RenderError:
        message = _("This text is too long or too deeply nested to show safely.")
        return Markup("<p>%s</p>") % message, 400, {"Content-Type": "text/html; charset=utf-8"}
    return str(html), 200, {"Content-Type": "text/html; charset=utf-8"}


# -- helpers for the entry card (trajectory timeline, print view) -------------------

@bp.app_template_filter("entry_datetime")
def entry_datetime(value: str | None) -> str:
    """Format a stored UTC timestamp as a local date and time, in the user's language."""
    if not value:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(value), "short")
    except ValueError:
        return value


@bp.app_template_global("entry_kind_label")
def entry_kind_label(kind: str) -> str:
    """Return the label of an entry kind."""
    return str(entry_service.KIND_LABELS.get(kind, kind))


@bp.app_template_global("entry_field_defs")
def entry_field_defs(kind: str):
    """Return the kind-specific fields of an entry kind."""
    return entry_service.FIELD_DEFS.get(kind, ())


@bp.app_template_global("entry_comment_count")
def entry_comment_count(entry_id: str) -> int:
    """Return the number of comments on an entry."""
    return comment_service.count_for(entry_id)


@bp.app_template_global("entry_goals")
def entry_goals(entry: dict) -> list[dict]:
    """Return the goals an entry is linked to (those that still exist)."""
    goals = get_store().goals.find_in("id", entry.get("goal_ids") or ())
    return [goal for goal in goals if goal.get("trajectory_id") == entry.get("trajectory_id")]


@bp.app_template_global("entry_phases")
def entry_phases(entry: dict) -> list[dict]:
    """Return a reflection's phases with their contributions."""
    return reflection_service.phases_of(entry)


@bp.app_template_global("entry_model_title")
def entry_model_title(entry: dict) -> str:
    """Return the title of a reflection's model."""
    model_id = (entry.get("fields") or {}).get("model")
    model = reflection_service.model_by_id(model_id)
    return str(model["title"]) if model else (model_id or "")


@bp.app_template_global("entry_answers")
def entry_answers(entry: dict) -> Markup:
    """Return an entry's template answers as safe HTML (empty without a template)."""
    return _answers_html(entry)
