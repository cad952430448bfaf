"""The synthesis page for the CLB and the MDO: measures and their effect per goal, printable."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import render_template
from flask import request

from ..process import ValidationError
from ..process import goals as goal_service
from ..process import synthesis as service
from ..process import today
from ..process import trajectories as trajectory_service
from ..security import access

bp = Blueprint("synthesis", __name__, url_prefix="/t/<trajectory_id>/synthesis")


@bp.route("")
@access.login_required
def show(trajectory_id: str):
    """Measures already taken and their effect per goal, over ``?from=`` … ``?to=``."""
    trajectory = trajectory_service.load_trajectory(g.user, trajectory_id)
    form = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    pupil = trajectory_service.pupil_of(trajectory)
    context = {"trajectory": trajectory, "pupil": pupil, "form": form,
               "status_labels": goal_service.STATUS_LABELS, "printed_on": today().isoformat(),
               "people": trajectory_service.people_for(trajectory),
               "focus_labels": trajectory_service.focus_area_labels()}
    try:
        result = service.synthesis_for(g.user, trajectory_id, form)
    except ValidationError as exc:
        return render_template("synthesis/show.html", errors=exc.errors, result=None,
                               **context), 400
    form.update({"from": result["start"], "to": result["end"]})
    return render_template("synthesis/show.html", errors={}, result=result, **context)
