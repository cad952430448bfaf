"""Exporting a trajectory in a plugin's format (``journal_export_formats``)."""

from __future__ import annotations

from ..errors import NotFound
from ..plugins.host import get_plugins
from .entry_access import visible_entries
from .goals import goals_for
from .trajectories import load_trajectory
from .trajectories import record_view


def export_trajectory(actor: dict, trajectory_id: str, format_id: str) -> tuple[str, str, bytes | str]:
    """Return ``(file name, mimetype, body)`` of a trajectory ``actor`` may read, exported
    in the plugin format ``format_id``; the download is audited.

    Only what ``actor`` may read goes to the plugin: published, non-internal
    entries and the goals.

    :raise NotFound: no such trajectory (or one ``actor`` may not read), or the
        format is unknown, disabled or failed (the failure is on the admin page).
    """
    trajectory = load_trajectory(actor, trajectory_id)
    entries = [e for e in visible_entries(actor, trajectory)
               if e.get("status") == "published" and not e.get("internal")]
    result = get_plugins().run_export(format_id, trajectory, entries, goals_for(trajectory_id))
    if result is None:
        raise NotFound("export format")
    fmt, body = result
    record_view(actor, trajectory, format_id, action="export")
    return f"traject-{trajectory_id}.{fmt['extension']}", fmt["mimetype"], body
