"""The learning network: share a practice example as an anonymised file, import one
from another school, and browse and adopt them in the shared library."""

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

from ..errors import NotFound
from ..errors import StaleRevision
from ..federation import client
from ..federation import library as network_library
from ..federation import links
from ..plugins.entry_templates.forms import STATUS_LABELS as ITEM_STATUS_LABELS
from ..plugins.entry_templates.specs import STICORDI
from ..process import ValidationError
from ..process import adaptation_rows
from ..process import practice as service
from ..process import practice_file
from ..process import practice_library as library
from ..process import practice_pictures as pictures
from ..process import trajectories as trajectory_service
from ..process.practice import IMPORTERS
from ..process.practice import REMOVERS
from ..process.practice import STAFF
from ..security import access
from .attachments import from_form as files_from_form

bp = Blueprint("practice", __name__, url_prefix="/practice")

FORM_FIELDS = ("title", "learned", "text", "terms", "kind", "category", "status")


def _source() -> service.Source:
    """Load the source named in the query or form (404 when the user may not read it)."""
    return service.load_source(g.user, request.values)


def _form_from_request() -> dict:
    form = {name: request.form.get(name, "") for name in FORM_FIELDS}
    form["focus_areas"] = request.form.getlist("focus_areas")
    form["pictures"] = request.form.getlist(pictures.PICKED_FIELD)
    return form


def _form_page(source: service.Source, form: dict, errors: dict, status: int = 200):
    return render_template(
        "practice/form.html", source=source, form=form, errors=errors,
        candidates=pictures.candidates(g.user, source),
        may_add_pictures=pictures.may_add(g.user, source), max_pictures=pictures.MAX_PICTURES,
        focus_options=[(a["id"], a["label"]) for a in trajectory_service.focus_areas()],
        category_options=[("", _("No category"))] + list(STICORDI.items()),
        status_options=[("", _("Not recorded"))] + [(k, str(v)) for k, v in ITEM_STATUS_LABELS.items()],
    ), status


@bp.route("/new", methods=["GET", "POST"])
@access.role_required(*STAFF)
def new():
    """Describe a practice example (what we learned) and pick its pictures, then review the
    file and the pictures before export."""
    source = _source()
    if request.method == "GET":
        return _form_page(source, service.initial(source), {})
    form = _form_from_request()
    files = files_from_form()
    if files:
        try:
            added = pictures.add(g.user, source, files)
        except ValidationError as exc:
            return _form_page(source, form, exc.errors, 400)
        form["pictures"] += [doc["id"] for doc in added]
    if request.form.get("action") in ("edit", "upload"):
        return _form_page(source, form, {})
    try:
        values = service.clean_form(form)
    except ValidationError as exc:
        return _form_page(source, form, exc.errors, 400)
    return _review(source, form, values)


def _review(source: service.Source, form: dict, values: dict, status: int = 200,
            changed: bool = False):
    draft = service.draft(g.user, source, values)
    form = dict(form, pictures=[doc["id"] for doc in draft.pictures])
    return render_template("practice/review.html", source=source, form=form, text=draft.text,
                           digest=draft.digest, removed=draft.removed, changed=changed,
                           pictures=list(zip(draft.pictures, draft.captions)),
                           confirmed=set(request.form.getlist(pictures.CONFIRMED_FIELD)),
                           centres=links.sharing("library")), status


@bp.route("/export", methods=["POST"])
@access.role_required(*STAFF)
def export():
    """Download exactly the file that was reviewed, with the pictures the reviewer confirmed,
    and keep it in the library as shared."""
    source = _source()
    form = _form_from_request()
    try:
        values = service.clean_form(form)
    except ValidationError as exc:
        return _form_page(source, form, exc.errors, 400)
    link = None
    if request.form.get("centre"):
        link = next((l for l in links.sharing("library") if l["id"] == request.form["centre"]),
                    None)
        if link is None:
            raise NotFound("centre")
    try:
        content = service.finish(g.user, service.draft(g.user, source, values),
                                 request.form.get("digest", ""),
                                 request.form.getlist(pictures.CONFIRMED_FIELD),
                                 destination=f"centre:{link['id']}" if link else "file")
    except StaleRevision:
        # The text, the pictures or the names changed since the review: review them again.
        return _review(source, form, values, 409, changed=True)
    if link is not None:
        return _publish(source, form, values, content, link)
    service.record_export(g.user, content)
    filename = "praktijkvoorbeeld-" + _slug(values["title"]) + ".json"
    return Response(service.dumps(content), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _publish(source: service.Source, form: dict, values: dict, content: dict, link: dict):
    """Publish exactly the reviewed file (and its confirmed pictures) to a linked centre."""
    try:
        network_library.publish_to_centre(g.user, link, content)
    except client.Unreachable:
        flash(_("%(name)s cannot be reached right now; nothing was published. Try again later "
                "or download the file.", name=link["peer_name"]), "error")
        return _review(source, form, values, 502)
    flash(_("The practice example is published in the network library of %(name)s.",
            name=link["peer_name"]), "success")
    return redirect(url_for("network.index"))


def _slug(title: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return "-".join(words)[:50] or "voorbeeld"


@bp.route("/import", methods=["GET", "POST"])
@access.role_required(*IMPORTERS)
def import_file():
    """Import a practice example file from another school into the shared library."""
    errors: dict = {}
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        data = b""
        if upload:
            data = upload.read(practice_file.MAX_FILE_BYTES + 1)
            upload.close()  # a large file is spooled to disk: close it now
        try:
            example, created = service.import_file(g.user, data)
        except ValidationError as exc:
            errors, status = exc.errors, 400
        else:
            if created:
                flash(_("The practice example has been added to the shared library as a "
                        "suggestion."), "success")
            else:
                flash(_("This practice example was imported before; here it is."), "success")
            return redirect(url_for("practice.show", example_id=example["id"]))
    return render_template("practice/import.html", errors=errors,
                           max_kb=practice_file.MAX_FILE_BYTES // 1024), status


@bp.route("/")
@access.role_required(*STAFF)
def index():
    """The shared library: suggestions from other schools, adopted ones, ours."""
    focus = request.args.get("focus_area", "")
    options = [(a["id"], a["label"]) for a in trajectory_service.focus_areas()]
    if focus not in {key for key, _label in options}:
        focus = ""
    return render_template("practice/index.html", sections=library.library(focus),
                           focus=focus, focus_options=options,
                           promoted=adaptation_rows.promoted(),
                           may_import=access.has_role(g.user, *IMPORTERS),
                           network=bool(links.sharing("library")))


@bp.route("/<example_id>")
@access.role_required(*STAFF)
def show(example_id: str):
    """One practice example, with adopting it and using it in a trajectory."""
    example = library.load_example(g.user, example_id)
    writable = [t for t in trajectory_service.get_member_of(g.user)
                if access.can(g.user, access.WRITE, t) and t.get("phase") != "closed"]
    return render_template(
        "practice/show.html", example=example, sticordi=STICORDI,
        statuses={k: str(v) for k, v in ITEM_STATUS_LABELS.items()},
        trajectory_options=[(t["id"], trajectory_service.display_title(t)) for t in writable],
        adopted=g.user["id"] in example.get("adopted_by", ()),
    )


@bp.route("/<example_id>/adopt", methods=["POST"])
@access.role_required(*STAFF)
def adopt(example_id: str):
    """Adopt an example; with a trajectory chosen, start a draft agreement there from it."""
    trajectory_id = request.form.get("trajectory_id", "")
    if trajectory_id:
        entry = library.use_in(g.user, example_id, trajectory_id)
        flash(_("A draft agreement has been started from the practice example. Adapt it to "
                "this pupil and publish it."), "success")
        return redirect(url_for("entries.edit", trajectory_id=trajectory_id,
                                entry_id=entry["id"]))
    library.adopt(g.user, example_id)
    flash(_("You adopted this practice example."), "success")
    return redirect(url_for("practice.show", example_id=example_id))


@bp.route("/<example_id>/delete", methods=["POST"])
@access.role_required(*REMOVERS)
def delete(example_id: str):
    """Take an example out of the library (care coordinator)."""
    library.remove(g.user, example_id)
    flash(_("The practice example has been removed from the library."), "success")
    return redirect(url_for("practice.index"))
