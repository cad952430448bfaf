"""The restricted section of a trajectory (diagnoses, reports, health)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..security import access
from ..security import restricted
from ..security.audit import audit
from ..storage import get_store

bp = Blueprint("restricted", __name__, url_prefix="/t/<trajectory_id>/restricted")


def _trajectory(trajectory_id: str, *, write: bool = False) -> dict:
    trajectory = get_store().trajectories.get(trajectory_id)
    restricted.require(trajectory, write=write)
    return trajectory


@bp.route("/", methods=["GET", "POST"])
@access.login_required
def index(trajectory_id: str):
    """Show the restricted notes and add one."""
    trajectory = _trajectory(trajectory_id, write=request.method == "POST")
    errors: dict[str, list[str]] = {}
    form = {"category": request.form.get("category", ""), "title": request.form.get("title", ""),
            "text": request.form.get("text", "")}
    if request.method == "POST":
        try:
            restricted.add_note(trajectory, category=form["category"], title=form["title"],
                                text=form["text"], actor=g.user)
        except restricted.RestrictedError as error:
            errors = error.errors
        else:
            flash(_("The note has been added to the restricted section."), "success")
            return redirect(url_for("restricted.index", trajectory_id=trajectory_id))
    else:
        audit("view", object_type="restricted", object_id=trajectory_id,
              pupil_id=trajectory.get("pupil_id") or "")
    return render_template(
        "restricted/index.html", trajectory=trajectory, notes=restricted.notes_for(trajectory_id),
        categories=restricted.CATEGORIES, form=form, errors=errors,
        may_write=restricted.can_write(g.user, trajectory),
        authors={u["id"]: u.get("display_name", "") for u in get_store().users.all()},
    ), 400 if errors else 200


@bp.route("/<note_id>/delete", methods=["POST"])
@access.login_required
def delete(trajectory_id: str, note_id: str):
    """Remove a restricted note (no longer needed or entered by mistake)."""
    trajectory = _trajectory(trajectory_id, write=True)
    if not restricted.delete_note(trajectory, note_id):
        abort(404)
    flash(_("The note has been removed."), "success")
    return redirect(url_for("restricted.index", trajectory_id=trajectory_id))
