"""Pages for the "wat werkt" handover sheet: read, draft and edit, publish, print, export.

Members who may write in the trajectory work on the sheet and see its working
version; everyone else who may read the trajectory (a care coordinator) sees
the published version only.
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

from ..process import ValidationError
from ..process import handover as service
from ..process import lifecycle
from ..process import phases
from ..process import today
from ..process import trajectories as trajectory_service
from ..security import access
from ..storage import StaleRevision

bp = Blueprint("handover", __name__, url_prefix="/t/<trajectory_id>/handover")


@bp.app_template_global("close_missing")
def close_missing(trajectory: dict) -> list[dict]:
    """What a trajectory still misses before it can close (for the trajectory and phase pages)."""
    return [] if phases.is_closed(trajectory) else lifecycle.close_problems(trajectory)


def _context(trajectory: dict, sheet: dict | None) -> dict:
    working = service.reads_working_version(g.user, trajectory)
    pupil = trajectory_service.pupil_of(trajectory)
    return {
        "trajectory": trajectory,
        "pupil": pupil,
        "title": trajectory_service.display_title(trajectory, pupil),
        "sheet": sheet,
        "working": working,
        "version": service.version_for(sheet, working=working),
        "published": service.is_published(sheet),
        "unpublished_changes": service.has_unpublished_changes(sheet),
        "parts": service.PARTS,
        "people": trajectory_service.users_by_id(
            [(sheet or {}).get("updated_by"), ((sheet or {}).get("published") or {}).get("by")]),
    }


@bp.route("")
@access.login_required
def show(trajectory_id: str):
    """The sheet as the user may read it, with what to do next."""
    trajectory = trajectory_service.view_trajectory(g.user, trajectory_id, "handover")
    return render_template("handover/show.html", **_context(trajectory, service.sheet_of(trajectory)))


def _form_page(trajectory: dict, form: dict, rev: int, *, errors=None, status: int = 200,
               theirs: dict | None = None, drafted: bool = False):
    return render_template(
        "handover/edit.html", trajectory=trajectory,
        pupil=trajectory_service.pupil_of(trajectory), form=form, rev=rev,
        errors=errors or {}, parts=service.PARTS, theirs=theirs, drafted=drafted,
    ), status


@bp.route("/edit", methods=["GET", "POST"])
@access.login_required
def edit(trajectory_id: str):
    """Draft the sheet from what was recorded, or edit it; saves check the revision."""
    trajectory = trajectory_service.load_trajectory(g.user, trajectory_id, access.WRITE)
    sheet = service.sheet_of(trajectory)
    if request.method == "GET":
        if sheet is None or request.args.get("redraft") == "1":
            drafted = service.draft(trajectory)
            return _form_page(trajectory, drafted, sheet["rev"] if sheet else 0, drafted=True)
        return _form_page(trajectory, dict(sheet["fields"], source_keys=sheet.get("source_keys")),
                          sheet["rev"])
    form = {key: request.form.get(key, "") for key in service.PART_KEYS}
    form["source_keys"] = request.form.getlist("source_keys")
    rev = request.form.get("rev", type=int)
    try:
        saved = service.save(g.user, trajectory_id, form, expected_rev=rev)
    except ValidationError as exc:
        return _form_page(trajectory, form, rev or 0, errors=exc.errors, status=400)
    except StaleRevision:
        current = service.sheet_of(trajectory)
        return _form_page(trajectory, form, current["rev"] if current else 0, status=409,
                          theirs=current)
    if request.form.get("action") == "publish":
        return _publish(trajectory, saved["rev"])
    flash(_("The handover sheet has been saved."), "success")
    return redirect(url_for(".show", trajectory_id=trajectory_id))


@bp.route("/publish", methods=["POST"])
@access.login_required
def publish(trajectory_id: str):
    """Publish the working version, so everyone on the trajectory reads it."""
    trajectory = trajectory_service.load_trajectory(g.user, trajectory_id, access.WRITE)
    return _publish(trajectory, request.form.get("rev", type=int))


def _publish(trajectory: dict, rev: int | None):
    try:
        service.publish(g.user, trajectory["id"], expected_rev=rev)
    except ValidationError as exc:
        sheet = service.sheet_of(trajectory)
        form = dict((sheet or {}).get("fields") or service.draft(trajectory))
        return _form_page(trajectory, form, sheet["rev"] if sheet else 0, errors=exc.errors,
                          status=400)
    except StaleRevision:
        flash(_("Someone changed the sheet meanwhile. Read it again before you publish."),
              "warning")
        return render_template("handover/show.html",
                               **_context(trajectory, service.sheet_of(trajectory))), 409
    flash(_("The handover sheet is published."), "success")
    return redirect(url_for(".show", trajectory_id=trajectory["id"]))


@bp.route("/print")
@access.login_required
def print_view(trajectory_id: str):
    """The sheet on one page, for paper."""
    trajectory = trajectory_service.view_trajectory(g.user, trajectory_id, "handover:print")
    return render_template("handover/print.html", printed_on=today().isoformat(),
                           **_context(trajectory, service.sheet_of(trajectory)))


@bp.route("/export")
@access.login_required
def export(trajectory_id: str):
    """Download the sheet as Markdown (``?format=md``, the default) or JSON (``?format=json``)."""
    download = service.export(g.user, trajectory_id, request.args.get("format", "md"))
    if download is None:
        flash(_("There is no handover sheet to export yet."), "warning")
        return redirect(url_for(".show", trajectory_id=trajectory_id))
    filename, body, mimetype = download
    return Response(body, mimetype=mimetype + "; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})
