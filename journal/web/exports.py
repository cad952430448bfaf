"""Plugin export formats for a trajectory (``journal_export_formats``), as downloads."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import g

from ..plugins.host import get_plugins
from ..process.entry_access import visible_entries
from ..process import goals as goal_service
from ..process.trajectories import require_trajectory
from ..security import access
from ..security.audit import audit

bp = Blueprint("exports", __name__, url_prefix="/t/<trajectory_id>/export")


@bp.route("/<format_id>")
@access.login_required
def download(trajectory_id: str, format_id: str):
    """Export a trajectory's published, non-internal entries and goals in a plugin's format.

    Only what the user may read is passed to the plugin; an unknown, disabled
    or failing format answers 404 (the failure is recorded on the admin page).
    """
    trajectory = require_trajectory(trajectory_id, access.READ)
    entries = [e for e in visible_entries(g.user, trajectory)
               if e.get("status") == "published" and not e.get("internal")]
    result = get_plugins().run_export(format_id, trajectory, entries,
                                      goal_service.goals_for(trajectory_id))
    if result is None:
        abort(404)
    fmt, body = result
    audit("export", object_type="trajectory", object_id=trajectory_id,
          pupil_id=trajectory.get("pupil_id") or "", detail=format_id)
    filename = f"traject-{trajectory_id}.{fmt['extension']}"
    return Response(body, mimetype=fmt["mimetype"],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.app_context_processor
def export_links():
    """Offer ``export_formats()`` to templates: ``[{"id", "label"}]`` of the active formats."""

    def formats() -> list[dict]:
        return [{"id": f["id"], "label": f["label"]} for f in get_plugins().export_formats()]

    return {"export_formats": formats}
