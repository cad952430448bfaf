"""Writing down what the pupil or the parents said (the team's form)."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..process import ValidationError
from ..process import today
from ..process import voices as service
from ..process.goals import goals_for
from ..process.trajectories import load_trajectory
from ..process.trajectories import pupil_of
from ..security import access

bp = Blueprint("voices", __name__, url_prefix="/t/<trajectory_id>/voices")

FIELDS = ("speaker", "date", "text", "goal_id", "agrees")


def _form_page(trajectory: dict, form: dict, errors: dict, status: int = 200):
    goals = goals_for(trajectory["id"])
    return render_template(
        "voices/form.html", trajectory=trajectory, pupil=pupil_of(trajectory), form=form,
        errors=errors, speaker_labels=service.SPEAKER_LABELS,
        goal_options=[("", _("The trajectory as a whole"))] + [
            (goal["id"], _shorten(goal.get("text", ""))) for goal in goals],
    ), status


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@bp.route("/new", methods=["GET", "POST"])
@access.login_required
def new(trajectory_id: str):
    """Write down, dated, what the pupil or the parents said; ``?goal_id=`` about one goal."""
    if request.method == "GET":
        trajectory = load_trajectory(g.user, trajectory_id, access.WRITE)
        form = {"speaker": request.args.get("speaker", ""), "date": today().isoformat(),
                "text": "", "goal_id": request.args.get("goal_id", ""), "agrees": False}
        return _form_page(trajectory, form, {})
    form = {name: request.form.get(name, "") for name in FIELDS}
    try:
        voice = service.record_voice(g.user, trajectory_id, form)
    except ValidationError as exc:
        trajectory = load_trajectory(g.user, trajectory_id, access.WRITE)
        return _form_page(trajectory, form, exc.errors, 400)
    flash(_("Their words have been saved."), "success")
    if voice.get("goal_id"):
        return redirect(url_for("goals.show", trajectory_id=trajectory_id,
                                goal_id=voice["goal_id"]) + "#voices")
    return redirect(url_for("trajectories.show", trajectory_id=trajectory_id) + "#voices")
