"""The "haalbaarheid per leraar" page, mounted by the host under ``/p/tos_instruction/``.

Every view checks the trajectory with ``access.require`` before it reads or
writes anything, and the whole blueprint answers 404 while the plugin is
disabled (the host guards this too; the check here keeps the plugin safe on
its own).
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from journal.security import access
from journal.storage import get_store
from journal.storage.store import StaleRevision
from journal.plugins.entry_templates.specs import STICORDI

from . import feasibility
from .feasibility import FeasibilityError

NAME = feasibility.NAME

bp = Blueprint(NAME, __name__, template_folder="templates")


@bp.before_request
def only_while_enabled():
    """Answer 404 for every page of the plugin while an admin has it disabled."""
    host = current_app.extensions["journal.plugins"]
    if NAME not in host.active_names():
        abort(404)


def _trajectory(trajectory_id: str, action: str) -> dict:
    trajectory = get_store().trajectories.get(trajectory_id)
    access.require(action, trajectory)
    return trajectory


def _page(trajectory: dict, doc: dict, *, errors=None, typed=None, status=200, conflicts=(),
          typed_label="", typed_rows=None):
    """Render the overview; ``typed*`` hold what a refused form submitted (kept for the user)."""
    known = feasibility.adaptations()
    return render_template(
        "tos_instruction/feasibility.html",
        trajectory=trajectory,
        doc=doc,
        adaptations=known,
        rows=[(key, known[key]) for key in doc["rows"] if key in known],
        summary=feasibility.summary(doc),
        feasible_options=list(feasibility.FEASIBLE.items()),
        works_options=list(feasibility.WORKS.items()),
        errors=errors or {},
        typed=typed,
        conflicts=set(conflicts),
        may_write=access.can(g.user, access.WRITE, trajectory),
        max_label=feasibility.MAX_LABEL,
        typed_label=typed_label,
        chosen_rows=doc["rows"] if typed_rows is None else typed_rows,
        sticordi=STICORDI,
        back_url=_trajectory_url(trajectory),
    ), status


def _trajectory_url(trajectory: dict) -> str | None:
    """Return the core page of the trajectory, when this journal has one."""
    if "trajectories.show" not in current_app.view_functions:
        return None
    return url_for("trajectories.show", trajectory_id=trajectory["id"])


@bp.route("/trajectories/<trajectory_id>/feasibility")
@access.login_required
def overview(trajectory_id: str):
    """Show the adaptation x teacher table with "haalbaar?" and "werkt?" per teacher."""
    trajectory = _trajectory(trajectory_id, access.READ)
    return _page(trajectory, feasibility.load(get_store(), trajectory["id"]))


@bp.route("/trajectories/<trajectory_id>/feasibility", methods=["POST"])
@access.login_required
def save(trajectory_id: str):
    """Store the marks; on a conflicting save show the user's values and what changed."""
    trajectory = _trajectory(trajectory_id, access.WRITE)
    store = get_store()
    doc = feasibility.load(store, trajectory["id"])
    try:
        expected_rev = int(request.form.get("rev", ""))
    except ValueError:
        abort(400)
    if expected_rev != doc["rev"]:
        # The table changed (a column or row added, or someone saved): the form
        # may not match it any more, so show the user's values on the new table.
        return _conflict(trajectory, doc)
    try:
        marks = feasibility.parse_marks(doc, request.form)
    except FeasibilityError:
        abort(400)
    try:
        feasibility.save_marks(store, trajectory["id"], marks, expected_rev, g.user["id"])
    except StaleRevision:
        return _conflict(trajectory, feasibility.load(store, trajectory["id"]))
    flash("Het overzicht is bewaard.", "success")
    return redirect(url_for(".overview", trajectory_id=trajectory["id"]))


def _conflict(trajectory: dict, current: dict):
    try:
        mine = feasibility.parse_marks(current, request.form)
    except FeasibilityError:
        abort(400)
    flash("Iemand anders heeft het overzicht intussen gewijzigd. Jouw keuzes staan hieronder; "
          "gemarkeerde cellen verschillen van de bewaarde versie. Bewaar opnieuw om ze te "
          "behouden.", "warning")
    return _page(trajectory, current, typed=mine, status=409,
                 conflicts=feasibility.differences(mine, current))


@bp.route("/trajectories/<trajectory_id>/feasibility/teachers", methods=["POST"])
@access.login_required
def add_teacher(trajectory_id: str):
    """Add a teacher (a column) to the overview."""
    trajectory = _trajectory(trajectory_id, access.WRITE)
    store = get_store()
    label = request.form.get("label", "")
    try:
        feasibility.add_teacher(store, trajectory["id"], label, g.user["id"])
    except FeasibilityError as error:
        doc = feasibility.load(store, trajectory["id"])
        return _page(trajectory, doc, errors={"label": [error.message]}, typed_label=label,
                     status=400)
    return redirect(url_for(".overview", trajectory_id=trajectory["id"]))


@bp.route("/trajectories/<trajectory_id>/feasibility/teachers/<key>/remove", methods=["POST"])
@access.login_required
def remove_teacher(trajectory_id: str, key: str):
    """Remove a teacher (a column) and their marks from the overview."""
    trajectory = _trajectory(trajectory_id, access.WRITE)
    if feasibility.remove_teacher(get_store(), trajectory["id"], key, g.user["id"]) is None:
        abort(404)
    return redirect(url_for(".overview", trajectory_id=trajectory["id"]))


@bp.route("/trajectories/<trajectory_id>/feasibility/rows", methods=["POST"])
@access.login_required
def choose_rows(trajectory_id: str):
    """Choose which adaptations the overview shows."""
    trajectory = _trajectory(trajectory_id, access.WRITE)
    store = get_store()
    keys = request.form.getlist("rows")
    try:
        feasibility.set_rows(store, trajectory["id"], keys, g.user["id"])
    except FeasibilityError as error:
        doc = feasibility.load(store, trajectory["id"])
        return _page(trajectory, doc, errors={"rows": [error.message]}, typed_rows=keys,
                     status=400)
    return redirect(url_for(".overview", trajectory_id=trajectory["id"]))
