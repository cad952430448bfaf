"""A school's own entry templates: list, write (with a preview of the form staff will
see), change (each save a new version), retire, export and import as a TOML file.

For administrators and coordinators only. Pages work without JavaScript. There are two
editors of the same TOML document, checked against the same published schema: a form
with a list of fields (:mod:`journal.process.school_template_form`; adding, removing
and moving a field are submit buttons that keep everything typed), and, for what the
form does not show, the text area with the TOML itself. "Preview" is a submit button.
The rules live in :mod:`journal.process.school_templates`; these views translate HTTP.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..errors import StaleRevision
from ..errors import ValidationError
from ..plugins.entry_templates.files import TemplateFileError
from ..plugins.entry_templates.files import parse_toml
from ..plugins.entry_templates.forms import in_reader_language
from ..plugins.entry_templates.forms import render_form
from ..plugins.entry_templates.school import spec_of
from ..process.entry_forms import KIND_LABELS
from ..process import school_template_form as form_editor
from ..process import school_templates as service
from ..process import trajectories as trajectory_service
from ..security import access

bp = Blueprint("school_templates", __name__, url_prefix="/entry-templates")

ROLES = service.ROLES


def _preview(spec) -> Markup:
    """The form as staff will see it, inside a disabled fieldset: nothing here is saved."""
    return Markup('<fieldset disabled class="template-preview">') + render_form(spec) + Markup("</fieldset>")


def _editor(source: str, *, doc: dict | None = None, errors: dict | None = None,
            preview=None, status: int = 200, rev: int | None = None):
    """Render the editor keeping exactly what was typed, with problems or a preview."""
    page = render_template(
        "school_templates/edit.html", source=source, doc=doc, errors=errors or {},
        preview=preview, rev=rev if rev is not None else (doc or {}).get("rev"),
        kind_labels=KIND_LABELS)
    return page, status


def _form_editor(values: dict, *, doc: dict | None = None, errors: dict | None = None,
                 preview=None, status: int = 200, rev: int | None = None, source: str = "",
                 problems: dict | None = None):
    """Render the structured editor keeping exactly what was typed; problems (the form's
    own, then the schema check's) are shown at the field they belong to."""
    problems = dict(problems or {})
    for message in (errors or {}).get("source", ()):
        number, text = form_editor.explain(values, message)
        problems.setdefault(number, []).append(text)
    general = problems.pop(None, [])
    page = render_template(
        "school_templates/form_edit.html", values=values, doc=doc, problems=problems,
        general_problems=general,
        kinds=[(k, KIND_LABELS[k]) for k in ("observation", "reflection", "agreement")],
        preview=preview, rev=rev if rev is not None else (doc or {}).get("rev"),
        source=source or form_editor.to_toml(values), kind_labels=KIND_LABELS,
        field_types=form_editor.FIELD_TYPES, with_options=form_editor.WITH_OPTIONS,
        focus_options=[(a["id"], a["label"]) for a in trajectory_service.focus_areas()])
    return page, status


def _save_or_preview(source: str, doc: dict | None, render=_editor):
    """Handle the editor's buttons: preview (nothing saved) or save (a new version).

    :param render: the editor page to show again (``render(source=…, doc=…, …)``).
    """
    action = request.form.get("action", "preview")
    rev = request.form.get("rev", type=int)
    try:
        if action != "save":
            spec, _text = service.check(source, doc["template_id"] if doc else None,
                                        doc["version"] + 1 if doc else 1)
            return render(source, doc=doc, preview=_preview(spec), rev=rev)
        if doc is None:
            saved = service.create(g.user, source)
            flash(_("The template is saved as version 1 and offered to staff."), "success")
        else:
            saved = service.update(g.user, doc["id"], source, expected_rev=rev or 0)
            flash(_("Saved as version %(version)s. Entries written earlier keep their version.",
                    version=saved["version"]), "success")
    except ValidationError as exc:
        return render(source, doc=doc, errors=exc.errors, status=400, rev=rev)
    except StaleRevision:
        flash(_("Someone saved this template in the meantime; nothing was changed. Your text is "
                "below: compare it with the current version and save again."), "error")
        current = service.get(g.user, doc["id"])
        return render(source, doc=current, status=409)
    return redirect(url_for(".show", school_template_id=saved["id"]))


@bp.app_template_filter("reader_language")
def reader_language(spec):
    """An entry template's texts in the reader's language, for lists of templates."""
    return in_reader_language(spec)


@bp.route("/")
@access.role_required(*ROLES)
def index():
    """Every school template, the ones offered first, with the import form."""
    return render_template("school_templates/index.html",
                           templates=service.all_templates(g.user),
                           kind_labels=KIND_LABELS, errors={})


@bp.route("/new", methods=["GET", "POST"])
@access.role_required(*ROLES)
def new():
    """Write a new template: preview it, then save it as version 1."""
    service.all_templates(g.user)  # the same refusal as every other page here
    if request.method == "GET":
        return _editor(service.STARTER)
    return _save_or_preview(request.form.get("source", ""), None)


@bp.route("/import", methods=["POST"])
@access.role_required(*ROLES)
def import_file():
    """Open an uploaded template file in the editor, to preview and save (nothing saved yet)."""
    try:
        source = service.read_upload(request.files["file"].read() if "file" in request.files else b"")
    except ValidationError as exc:
        return render_template("school_templates/index.html",
                               templates=service.all_templates(g.user),
                               kind_labels=KIND_LABELS, errors=exc.errors), 400
    try:
        spec, _text = service.check(source)
    except ValidationError as exc:
        return _editor(source, errors=exc.errors, status=400)
    return _editor(source, preview=_preview(spec))


@bp.route("/<school_template_id>")
@access.role_required(*ROLES)
def show(school_template_id: str):
    """One template: its current version as staff see the form, and what can be done with it."""
    doc = service.get(g.user, school_template_id)
    return render_template("school_templates/show.html", doc=doc, spec=spec_of(doc),
                           preview=_preview(spec_of(doc)), kind_labels=KIND_LABELS)


@bp.route("/<school_template_id>/edit", methods=["GET", "POST"])
@access.role_required(*ROLES)
def edit(school_template_id: str):
    """Change a template: saving makes the next version; old entries keep theirs."""
    doc = service.get(g.user, school_template_id)
    if request.method == "GET":
        return _editor(doc["source"], doc=doc)
    return _save_or_preview(request.form.get("source", ""), doc)


@bp.route("/<school_template_id>/retire", methods=["POST"])
@access.role_required(*ROLES)
def retire(school_template_id: str):
    """Stop offering a template for new entries (or offer it again); entries keep showing it."""
    retired = request.form.get("retired") != "0"
    service.set_retired(g.user, school_template_id, retired)
    flash(_("The template is retired: it is no longer offered for new entries.") if retired
          else _("The template is offered for new entries again."), "success")
    return redirect(url_for(".show", school_template_id=school_template_id))


@bp.route("/<school_template_id>/export")
@access.role_required(*ROLES)
def export(school_template_id: str):
    """Download the current version as a TOML file, to share with another school."""
    name, text = service.export(g.user, school_template_id)
    return Response(text, mimetype="application/toml", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff"})


def _form_post(doc: dict | None):
    """Handle the structured editor: a field button re-renders the form; preview and save
    go through the same check and save as the TOML editor."""
    values = form_editor.from_request(request.form,
                                      {"focus_areas": request.form.getlist("focus_areas")})
    op = request.form.get("op", "")
    if op:
        values = form_editor.apply(values, op)
        return _form_editor(values, doc=doc, rev=request.form.get("rev", type=int))

    def render(source: str, **kwargs):
        return _form_editor(values, source=source, **kwargs)

    found = form_editor.problems(values)
    if found:
        return _form_editor(values, doc=doc, problems=found, status=400,
                            rev=request.form.get("rev", type=int))
    return _save_or_preview(form_editor.to_toml(values), doc, render)


@bp.route("/new/form", methods=["GET", "POST"])
@access.role_required(*ROLES)
def new_form():
    """Make a new template with the form editor (no TOML to write)."""
    service.all_templates(g.user)  # the same refusal as every other page here
    if request.method == "GET":
        return _form_editor(form_editor.starter())
    return _form_post(None)


@bp.route("/<school_template_id>/form", methods=["GET", "POST"])
@access.role_required(*ROLES)
def edit_form(school_template_id: str):
    """Change a template with the form editor; one that uses what the form does not show
    opens in the TOML editor instead."""
    doc = service.get(g.user, school_template_id)
    if request.method == "GET":
        try:
            values = form_editor.from_document(parse_toml(doc["source"]))
        except TemplateFileError:
            values = None
        if values is None:
            flash(_("This template uses parts the form cannot show; change it as TOML text."),
                  "info")
            return redirect(url_for(".edit", school_template_id=school_template_id))
        return _form_editor(values, doc=doc)
    return _form_post(doc)
