"""Serving, adding and removing attachments (photos, scans, PDF files).

A file is served only after the same access decision as its owner (entry,
agreement, handover sheet, practice example); someone who may not see the
owner gets 404, audited like every refusal, and every view and download is
audited. Pictures are shown inline (they were re-encoded on upload); PDF
files are only ever downloads.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..process import ValidationError
from ..process import attachments as service
from ..process import trajectories as trajectory_service
from ..process import uploads
from ..security import access
from ..storage import get_store

bp = Blueprint("attachments", __name__)

#: Endpoints whose forms carry files: they may send more than ``MAX_CONTENT_LENGTH``,
#: so a too large file is refused by the service (keeping the typed text), not by a bare 413.
UPLOAD_ENDPOINTS = {"attachments.upload", "entries.new", "adaptations.add", "practice.new"}


def init_app(app) -> None:
    """Register the blueprint and raise the body limit on the upload forms.

    The limit is set in a URL value preprocessor because those run before every
    ``before_request`` function, CSRF protection included, which reads the form.
    """
    app.register_blueprint(bp)

    @app.url_value_preprocessor
    def upload_limit(endpoint, values):
        if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
            request.max_content_length = uploads.request_limit()


# -- owners ---------------------------------------------------------------------------------

def owner_target(trajectory: dict, owner_type: str, owner_id: str) -> str | None:
    """Return the page of an owner in ``trajectory`` the current user may see, or None."""
    if not service.owner_exists(g.user, trajectory, owner_type, owner_id):
        return None
    if owner_type == "entry":
        return url_for("entries.show", trajectory_id=trajectory["id"], entry_id=owner_id)
    if owner_type == "adaptation":
        return url_for("adaptations.item", trajectory_id=trajectory["id"], key=owner_id)
    return url_for("handover.show", trajectory_id=trajectory["id"])


def _upload_page(trajectory: dict, owner_type: str, owner_id: str, back: str, *,
                 caption: str, errors: dict, status: int):
    return render_template("attachments/upload.html", trajectory=trajectory,
                           owner_type=owner_type, owner_id=owner_id, back=back,
                           caption=caption, errors=errors), status


@bp.route("/t/<trajectory_id>/files", methods=["POST"])
@access.login_required
def upload(trajectory_id: str):
    """Add photos, scans or PDF files to an entry, agreement or the handover sheet."""
    trajectory = trajectory_service.load_trajectory(g.user, trajectory_id, access.WRITE)
    owner_type = request.form.get("owner_type", "")
    owner_id = request.form.get("owner_id", "")
    back = owner_target(trajectory, owner_type, owner_id)
    if back is None:
        abort(404)
    caption = request.form.get("caption", "")
    files = uploads.uploads_from(request.files.getlist(uploads.FILE_FIELD), [caption])
    if not files:
        return _upload_page(trajectory, owner_type, owner_id, back, caption=caption, status=400,
                            errors={uploads.FILE_FIELD: [_("Choose a file to add.")]})
    try:
        service.add(g.user, trajectory_id, owner_type, owner_id, files)
    except ValidationError as exc:
        return _upload_page(trajectory, owner_type, owner_id, back, caption=caption, status=400,
                            errors=exc.errors)
    flash(_("The file has been added."), "success")
    return redirect(back + "#files")


def _send(doc: dict, part: str, *, download: bool) -> Response:
    pdf = doc["kind"] == "pdf"
    try:
        data = service.open_file(g.user, doc, part, download=download or pdf)
    except FileNotFoundError:
        abort(404)
    name = doc["name"] if part == "file" else "klein-" + doc["name"]
    response = Response(data, mimetype=service.mimetype(doc))
    response.headers["Content-Disposition"] = uploads.content_disposition(
        name, inline=not (download or pdf))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/t/<trajectory_id>/files/<attachment_id>")
@access.login_required
def show(trajectory_id: str, attachment_id: str):
    """The file itself: a picture inline (``?download=1`` to save it), a PDF as a download."""
    _trajectory, doc = service.load(g.user, trajectory_id, attachment_id)
    return _send(doc, "file", download=request.args.get("download") == "1")


@bp.route("/t/<trajectory_id>/files/<attachment_id>/thumb")
@access.login_required
def thumb(trajectory_id: str, attachment_id: str):
    """A picture's thumbnail."""
    _trajectory, doc = service.load(g.user, trajectory_id, attachment_id)
    if doc["kind"] != "image":
        abort(404)
    return _send(doc, "thumb", download=False)


@bp.route("/t/<trajectory_id>/files/<attachment_id>/delete", methods=["POST"])
@access.login_required
def delete(trajectory_id: str, attachment_id: str):
    """Remove a file (who added it, or a manager of the trajectory)."""
    trajectory, doc = service.load(g.user, trajectory_id, attachment_id)
    back = owner_target(trajectory, doc["owner_type"], doc["owner_id"]) or \
        url_for("trajectories.show", trajectory_id=trajectory_id)
    service.delete(g.user, trajectory_id, attachment_id)
    flash(_("The file has been removed."), "success")
    return redirect(back + "#files")


# -- practice examples (no trajectory: the school's shared library) -------------------------

@bp.route("/practice/files/<picture_id>")
@access.role_required("teacher", "support", "coordinator")
def practice_show(picture_id: str):
    """A picture of a practice example (no pupil data: checked before it was shared)."""
    _none, doc = service.load(g.user, None, picture_id)
    return _send(doc, "file", download=request.args.get("download") == "1")


@bp.route("/practice/files/<picture_id>/thumb")
@access.role_required("teacher", "support", "coordinator")
def practice_thumb(picture_id: str):
    """A thumbnail of a practice example's picture."""
    _none, doc = service.load(g.user, None, picture_id)
    return _send(doc, "thumb", download=False)


@bp.app_template_global("attachments_of")
def attachments_of(owner_type: str, owner_id: str) -> list[dict]:
    """Templates: the attachments of one owner the current user may see."""
    docs = service.of_owner(owner_type, owner_id)
    if not docs:
        return []
    trajectory = None
    if docs[0].get("trajectory_id"):
        trajectory = get_store().trajectories.get(docs[0]["trajectory_id"])
    return [d for d in docs if service.may_see(g.user, d, trajectory)]


@bp.app_template_global("attachment_may_change")
def attachment_may_change(doc: dict, trajectory: dict) -> bool:
    """Templates: whether the current user may remove this file."""
    return service.may_change(g.user, doc, trajectory)


def from_form() -> list[tuple[str, bytes, str]]:
    """The files (and the one caption) of the form being handled."""
    return uploads.uploads_from(request.files.getlist(uploads.FILE_FIELD),
                                [request.form.get("caption", "")])


@bp.app_template_global("attachment_limits")
def attachment_limits() -> dict:
    """Templates: the limits to mention next to a file field."""
    return {"mb": uploads.megabytes(uploads.max_file_bytes()), "files": uploads.max_files()}
