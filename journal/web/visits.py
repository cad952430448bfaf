"""Pages for planned class visits: plan, change and cancel a visit in a trajectory.

The visits themselves are listed on the trajectory page and the start page;
the rules live in :mod:`journal.process.visits`.
"""

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
from ..process import trajectories as trajectory_service
from ..process import visits as service
from ..security import access
from ..storage import StaleRevision

bp = Blueprint("visits", __name__, url_prefix="/t/<trajectory_id>/visits")


def _posted() -> dict:
    form = {name: request.form.get(name, "") for name in service.FIELDS}
    form["visitor_ids"] = request.form.getlist("visitor_ids")
    return form


def _form_page(trajectory: dict, form: dict, errors: dict, status: int = 200, **context):
    people = trajectory_service.people_for(trajectory)
    return render_template(
        "visits/form.html", trajectory=trajectory,
        pupil=trajectory_service.pupil_of(trajectory), form=form, errors=errors,
        visitor_options=[(m["user_id"], (people.get(m["user_id"]) or {}).get("display_name", "?"))
                         for m in trajectory.get("members", ())],
        people=people, max_purpose=service.MAX_PURPOSE, **context,
    ), status


def _back_to(trajectory_id: str, visit_id: str):
    return redirect(url_for("trajectories.show", trajectory_id=trajectory_id,
                            _anchor="visit-" + visit_id))


@bp.route("/new", methods=["GET", "POST"])
@access.login_required
def new(trajectory_id: str):
    """Plan a class visit: day, optional time slot, who visits, a short purpose."""
    trajectory = trajectory_service.load_trajectory(g.user, trajectory_id, access.WRITE)
    if request.method == "GET":
        form = {"date": "", "start_time": "", "end_time": "", "visitor_ids": [g.user["id"]],
                "purpose": ""}
        return _form_page(trajectory, form, {})
    form = _posted()
    try:
        visit = service.plan_visit(g.user, trajectory_id, form)
    except ValidationError as exc:
        return _form_page(trajectory, form, exc.errors, 400)
    flash(_("The visit has been planned."), "success")
    return _back_to(trajectory_id, visit["id"])


@bp.route("/<visit_id>/edit", methods=["GET", "POST"])
@access.login_required
def edit(trajectory_id: str, visit_id: str):
    """Change a planned visit. A save based on an old version shows the other one beside it."""
    trajectory, visit = service.load_visit(g.user, trajectory_id, visit_id, access.WRITE)
    if request.method == "GET":
        form = {name: visit.get(name) or "" for name in service.FIELDS}
        return _form_page(trajectory, form, {}, visit=visit, rev=visit["rev"])
    form = _posted()
    rev = request.form.get("rev", type=int)
    try:
        service.update_visit(g.user, trajectory_id, visit_id, form, expected_rev=rev)
    except ValidationError as exc:
        return _form_page(trajectory, form, exc.errors, 400, visit=visit, rev=rev)
    except StaleRevision as exc:
        return _form_page(trajectory, form, {}, 409, visit=exc.current, rev=exc.current["rev"],
                          theirs=exc.current)
    flash(_("The visit has been saved."), "success")
    return _back_to(trajectory_id, visit_id)


@bp.route("/<visit_id>/cancel", methods=["POST"])
@access.login_required
def cancel(trajectory_id: str, visit_id: str):
    """Cancel a planned visit; it stays on the trajectory page as cancelled."""
    try:
        service.cancel_visit(g.user, trajectory_id, visit_id)
    except ValidationError as exc:
        flash(" ".join(m for ms in exc.errors.values() for m in ms), "error")
    else:
        flash(_("The visit has been cancelled."), "success")
    return _back_to(trajectory_id, visit_id)
