"""Pages for pupils: the list, one pupil's trajectories, and renaming."""

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
from ..process import pupils as service
from ..process import trajectories as trajectory_service
from ..security import access
from ..storage import StaleRevision

bp = Blueprint("pupils", __name__, url_prefix="/pupils")


@bp.route("/")
@access.login_required
def index():
    """List the pupils the user may see (all for the care coordinator)."""
    pupils = service.visible_pupils(g.user)
    counts = {}
    for trajectory in trajectory_service.get_visible(g.user):
        if trajectory.get("pupil_id"):
            counts[trajectory["pupil_id"]] = counts.get(trajectory["pupil_id"], 0) + 1
    return render_template("pupils/index.html", pupils=pupils, counts=counts)


@bp.route("/<pupil_id>")
@access.login_required
def show(pupil_id: str):
    """One pupil: name, class group and the trajectories the user may read."""
    pupil = service.view_pupil(g.user, pupil_id)
    trajectories = [t for t in service.trajectories_of(pupil_id)
                    if access.can(g.user, access.READ, t)]
    trajectories.sort(key=lambda t: t.get("start_date") or "", reverse=True)
    return render_template("pupils/show.html", pupil=pupil, trajectories=trajectories,
                           can_edit=service.can_edit(g.user, pupil))


@bp.route("/<pupil_id>/edit", methods=["GET", "POST"])
@access.login_required
def edit(pupil_id: str):
    """Change a pupil's pseudonymous name or class group."""
    pupil = service.load_pupil(g.user, pupil_id, edit=True)
    form = {"display_name": pupil["display_name"], "class_group": pupil.get("class_group", ""),
            "left_on": pupil.get("left_on") or ""}
    errors: dict = {}
    rev = pupil["rev"]
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("display_name", "class_group", "left_on")}
        rev = request.form.get("rev", type=int)
        try:
            service.update_pupil(g.user, pupil_id, form, expected_rev=rev)
        except ValidationError as exc:
            errors = exc.errors
        except StaleRevision as exc:
            rev = exc.current["rev"]
            errors = {"display_name": [_("Someone else changed this pupil meanwhile "
                                         "(now: %(name)s, %(group)s). Check and save again.",
                                         name=exc.current["display_name"],
                                         group=exc.current.get("class_group") or "—")]}
        else:
            flash(_("The pupil has been saved."), "success")
            return redirect(url_for("pupils.show", pupil_id=pupil_id))
    status = (409 if rev != pupil["rev"] else 400) if errors else 200
    return render_template("pupils/form.html", pupil=pupil, form=form, errors=errors,
                           rev=rev), status
