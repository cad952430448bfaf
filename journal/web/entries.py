"""Pages for entries: write, read, co-write, comment, publish, compare and merge.

Every page is reached under a trajectory (``/t/<trajectory_id>/entries/…``).
The pages translate HTTP only: the services (:mod:`journal.process.entries`,
:mod:`~journal.process.reflection`, :mod:`~journal.process.comments`) check
access, validate, store, audit and tell the plugins; a refusal they raise
becomes the error page (drafts answer 404 to anyone who is not an author).
Forms that fail validation are shown again with what was typed (helpers in
:mod:`journal.web.entry_forms`). Pages work without JavaScript: the Markdown
preview is a submit button; ``journal.js`` adds a live preview on top.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..process import ValidationError
from ..process import comments as comment_service
from ..process import entries as entry_service
from ..process import entry_forms
from ..process import entry_history
from ..process import entry_plugins
from ..process import reflection as reflection_service
from ..process.entry_access import load_entry
from ..process.entry_access import open_entry
from ..process.trajectories import load_trajectory
from ..process.trajectories import people_for
from ..rendering import RenderError
from ..rendering import render_markdown
from ..security import access
from ..storage import StaleRevision
from . import attachments as attachments_web
from .entry_forms import blank_form
from .entry_forms import form_page
from .entry_forms import previews
from .entry_forms import previews_of
from .entry_forms import submitted
from .entry_forms import template_form
from .entry_forms import trajectory_url
from .entry_forms import typed_answers
from .entry_forms import typed_contributions

bp = Blueprint("entries", __name__, url_prefix="/t/<trajectory_id>/entries")


def _to_entry(trajectory_id: str, entry_id: str, anchor: str | None = None):
    return redirect(url_for(".show", trajectory_id=trajectory_id, entry_id=entry_id,
                            _anchor=anchor))


@bp.route("/new", methods=["GET", "POST"])
@access.login_required
def new(trajectory_id: str):
    """Write a new entry of the kind in ``?kind=``, optionally from ``?template=``."""
    trajectory = load_trajectory(g.user, trajectory_id, access.WRITE)
    kind = request.args.get("kind", "")
    if kind not in entry_forms.KINDS:
        return render_template("entries/choose.html", trajectory=trajectory,
                               kinds=entry_forms.KINDS, kind_labels=entry_forms.KIND_LABELS,
                               templates=entry_plugins.offered_templates(),
                               trajectory_url=trajectory_url(trajectory))
    template_id = request.args.get("template")
    spec = entry_plugins.template_for_new(kind, template_id)
    if request.method == "GET":
        if trajectory.get("phase") == "closed":
            flash(_("This trajectory is closed. Reopen it to write in it again."), "warning")
            return redirect(trajectory_url(trajectory))
        form = blank_form(kind, trajectory)
        model = reflection_service.model_by_id(form["model"]) if kind == "reflection" else None
        return form_page("entries/new.html", trajectory=trajectory, kind=kind, form=form,
                         errors={}, model=model, spec=spec,
                         template_html=template_form(spec, {}, {}))

    form = submitted()
    action = form.get("action", "draft")
    model = reflection_service.model_by_id(form.get("model")) if kind == "reflection" else None
    page = dict(trajectory=trajectory, kind=kind, form=form, model=model, spec=spec)
    if action == "preview":
        return form_page("entries/new.html", errors={}, previews=previews(kind, form, model),
                         template_html=template_form(spec, typed_answers(spec, form), {}), **page)
    try:
        entry = entry_service.create_entry(
            g.user, trajectory["id"], kind, form, publish=action == "publish",
            co_author_ids=form.get("co_authors", []), model_id=form.get("model"),
            contributions=typed_contributions(form, model), template_id=template_id,
            uploads=attachments_web.from_form(),
        )
    except ValidationError as exc:
        return form_page("entries/new.html", errors=exc.errors, status=400,
                         template_html=template_form(spec, typed_answers(spec, form), exc.errors),
                         **page)
    flash(_("The entry is published to the team.") if entry["status"] == "published"
          else _("The draft is saved. Only its authors can see it."), "success")
    return _to_entry(trajectory["id"], entry["id"])


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
        upgrade=entry_plugins.upgrade_offer(entry),
        trajectory_url=trajectory_url(trajectory), **context,
    )
    return page, status


@bp.route("/<entry_id>")
@access.login_required
def show(trajectory_id: str, entry_id: str):
    """Show one entry with its comments (and a reflection's contributions)."""
    trajectory, entry = open_entry(g.user, entry_id, trajectory_id=trajectory_id)
    return _show_page(trajectory, entry)


@bp.route("/<entry_id>/edit", methods=["GET", "POST"])
@access.login_required
def edit(trajectory_id: str, entry_id: str):
    """Edit an entry, starting from the revision shown; conflicts lead to a merge page."""
    trajectory, entry = load_entry(g.user, entry_id, access.WRITE, trajectory_id=trajectory_id)
    kind = entry["kind"]
    spec = entry_plugins.template_of(entry)
    if request.method == "GET":
        form = entry_forms.form_of(kind, entry_forms.values_of(entry))
        return form_page("entries/edit.html", trajectory=trajectory, kind=kind, form=form,
                         errors={}, entry=entry, rev=entry["rev"], spec=spec,
                         template_html=template_form(spec, entry.get("answers") or {}, {}))
    try:
        rev = int(request.form.get("rev", ""))
    except ValueError:
        abort(400)
    form = submitted()
    action = form.get("action", "save")
    page = dict(trajectory=trajectory, kind=kind, form=form, entry=entry, rev=rev, spec=spec)
    if action == "preview":
        return form_page("entries/edit.html", errors={}, previews=previews(kind, form, None),
                         template_html=template_form(spec, typed_answers(spec, form), {}), **page)
    try:
        saved = entry_service.edit_entry(g.user, entry["id"], form, expected_rev=rev,
                                         trajectory_id=trajectory["id"])
    except entry_service.EditConflict as conflict:
        return _conflict_page(trajectory, entry, conflict, spec)
    except ValidationError as exc:
        return form_page("entries/edit.html", errors=exc.errors, status=400,
                         template_html=template_form(spec, typed_answers(spec, form), exc.errors),
                         **page)
    if action == "publish" and saved["status"] == "draft":
        return _publish(trajectory, saved)
    flash(_("Your changes are saved."), "success")
    return _to_entry(trajectory["id"], entry["id"])


def _conflict_page(trajectory: dict, entry: dict, conflict, spec):
    """Show both versions side by side and a merge form holding the user's text (409)."""
    current = conflict.current
    theirs = entry_forms.values_of(current)
    rows = []
    for key in conflict.keys:
        mine_text = entry_history.as_text(conflict.mine.get(key))
        theirs_text = entry_history.as_text(theirs.get(key))
        rows.append({"key": key, "label": entry_forms.label_for(key), "mine": mine_text,
                     "theirs": theirs_text, "diff": entry_history.line_diff(theirs_text, mine_text)})
    form = entry_forms.form_of(entry["kind"], conflict.mine)
    form["action"] = "save"
    page, _status = form_page(
        "entries/conflict.html", trajectory=trajectory, kind=entry["kind"], form=form, errors={},
        entry=current, rev=current["rev"], spec=spec, rows=rows,
        people_by_id=people_for(trajectory), saved_at=current.get("updated_at"),
        template_html=template_form(spec, conflict.mine.get("answers") or {}, {}),
    )
    return page, 409


def _publish(trajectory: dict, entry: dict):
    try:
        entry_service.publish_entry(g.user, entry["id"], trajectory_id=trajectory["id"])
    except ValidationError as exc:
        spec = entry_plugins.template_of(entry)
        form = entry_forms.form_of(entry["kind"], entry_forms.values_of(entry))
        return form_page("entries/edit.html", trajectory=trajectory, kind=entry["kind"], form=form,
                         errors=exc.errors, entry=entry, rev=entry["rev"], spec=spec, status=400,
                         template_html=template_form(spec, entry.get("answers") or {}, {}))
    flash(_("The entry is published to the team."), "success")
    return _to_entry(trajectory["id"], entry["id"])


@bp.route("/<entry_id>/publish", methods=["POST"])
@access.login_required
def publish(trajectory_id: str, entry_id: str):
    """Publish a draft to the team."""
    trajectory, entry = load_entry(g.user, entry_id, access.WRITE, trajectory_id=trajectory_id)
    return _publish(trajectory, entry)


@bp.route("/<entry_id>/upgrade", methods=["POST"])
@access.login_required
def upgrade(trajectory_id: str, entry_id: str):
    """Move an entry's template answers to the newer template version, on request only.

    Offered only when the plugin converts the answers; a stale revision changes nothing.
    """
    load_entry(g.user, entry_id, access.WRITE, trajectory_id=trajectory_id)
    try:
        rev = int(request.form.get("rev", ""))
    except ValueError:
        abort(400)
    try:
        upgraded = entry_service.upgrade_template(g.user, entry_id, expected_rev=rev,
                                                  trajectory_id=trajectory_id)
    except ValidationError as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "error")
    except StaleRevision:
        flash(_("Someone changed this entry in the meantime; nothing was changed. Look at it again first."), "error")
    else:
        flash(_("The entry now uses version %(version)s of its template.",
                version=upgraded["template"]["version"]), "success")
    return _to_entry(trajectory_id, entry_id)


@bp.route("/<entry_id>/history")
@access.login_required
def history(trajectory_id: str, entry_id: str):
    """Show every earlier version: who changed what, when, and the old text."""
    trajectory, entry = open_entry(g.user, entry_id, trajectory_id=trajectory_id, detail="history")
    return render_template("entries/history.html", trajectory=trajectory, entry=entry,
                           changes=entry_history.history(entry), people=people_for(trajectory),
                           trajectory_url=trajectory_url(trajectory))


@bp.route("/<entry_id>/comments", methods=["POST"])
@access.login_required
def comment(trajectory_id: str, entry_id: str):
    """Add a comment to an entry."""
    trajectory, entry = load_entry(g.user, entry_id, access.WRITE, trajectory_id=trajectory_id)
    body = request.form.get("body", "")
    if request.form.get("action") == "preview":
        return _show_page(trajectory, entry, comment_form={"body": body},
                          previews=previews_of({"body": body}))
    try:
        comment_service.add_comment(g.user, entry["id"], body, trajectory_id=trajectory["id"])
    except ValidationError as exc:
        return _show_page(trajectory, entry, status=400, errors=exc.errors,
                          comment_form={"body": body})
    flash(_("Your comment is added."), "success")
    return _to_entry(trajectory["id"], entry["id"], "comments")


@bp.route("/<entry_id>/contributions", methods=["POST"])
@access.login_required
def contribute(trajectory_id: str, entry_id: str):
    """Add the user's contribution to one phase of a reflection."""
    trajectory, entry = load_entry(g.user, entry_id, access.WRITE, trajectory_id=trajectory_id)
    phase = request.form.get("phase", "")
    text = request.form.get("text", "")
    if request.form.get("action") == "preview":
        return _show_page(trajectory, entry, contribution_form={"phase": phase, "text": text},
                          previews=previews_of({"text": text}))
    try:
        reflection_service.add_contribution(g.user, entry["id"], phase, text,
                                            trajectory_id=trajectory["id"])
    except ValidationError as exc:
        return _show_page(trajectory, entry, status=400, errors=exc.errors,
                          contribution_form={"phase": phase, "text": text})
    flash(_("Your contribution is added."), "success")
    return _to_entry(trajectory["id"], entry["id"], "phase-" + phase)


@bp.route("/preview", methods=["POST"])
@access.login_required
def preview(trajectory_id: str):
    """Return the sanitised HTML of posted Markdown (``text``), for the live preview."""
    load_trajectory(g.user, trajectory_id, access.WRITE)
    text = request.form.get("text", "")
    try:
        html = render_markdown(text, max_chars=current_app.config["JOURNAL_MARKDOWN_MAX_CHARS"])
    except RenderError:
        message = _("This text is too long or too deeply nested to show safely.")
        return Markup("<p>%s</p>") % message, 400, {"Content-Type": "text/html; charset=utf-8"}
    return str(html), 200, {"Content-Type": "text/html; charset=utf-8"}
