"""Plugin export formats for a trajectory (``journal_export_formats``), as downloads."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g

from ..plugins.host import get_plugins
from ..process.exports import export_trajectory
from ..security import access

bp = Blueprint("exports", __name__, url_prefix="/t/<trajectory_id>/export")


@bp.route("/<format_id>")
@access.login_required
def download(trajectory_id: str, format_id: str):
    """Export a trajectory's published, non-internal entries and goals in a plugin's format.

    Only what the user may read is passed to the plugin; an unknown, disabled
    or failing format answers 404 (the failure is recorded on the admin page).
    """
    filename, mimetype, body = export_trajectory(g.user, trajectory_id, format_id)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.app_context_processor
def export_links():
    """Offer ``export_formats()`` to templates: ``[{"id", "label"}]`` of the active formats."""

    def formats() -> list[dict]:
        return [{"id": f["id"], "label": f["label"]} for f in get_plugins().export_formats()]

    return {"export_formats": formats}
