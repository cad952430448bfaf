"""Pages for goals: adding, editing (with conflict merge), evaluating, history."""

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
from ..process import goals as service
from ..process import today
from ..process import trajectories as trajectory_service
from ..security import access
from ..storage import StaleRevision

bp = Blueprint("goals", __name__, url_prefix="/t/<trajectory_id>/goals")

FIELDS = ("text", "owner_id", "review_date", "status")


def _load(trajectory_id: str, goal_id: str, action: str) -> tuple[dict, dict]:
    return service.load_goal(g.user, goal_id, action, trajectory_id=trajectory_id)


def _form_page(template: str, trajectory: dict, form: dict, errors: dict, status: int = 200,
               **context):
    people = trajectory_service.people_for(trajectory)
    return render_template(
        template,
        trajectory=trajectory,
        pupil=trajectory_service.pupil_of(trajectory),
        form=form,
        errors=errors,
        people=people,
        owner_options=[("", _("Choose an owner"))] + [
            (m["user_id"], (people.get(m["user_id"]) or {}).get("display_name", "?"))
            for m in trajectory.get("members", ())
        ],
        status_options=[(s, str(service.STATUS_LABELS[s])) for s in service.STATUSES],
        status_labels=service.STATUS_LABELS,
        **context,
    ), status


def _save_posted(template: str, trajectory: dict, goal: dict, fields, save, done: str):
    """Pass the posted ``fields`` to ``save``; show the form again on errors or a stale save."""
    form = {name: request.form.get(name, "") for name in fields}
    rev = request.form.get("rev", type=int)
    try:
        save(g.user, goal["id"], form, expected_rev=rev)
    except ValidationError as exc:
        return _form_page(template, trajectory, form, exc.errors, 400, goal=goal, rev=rev)
    except StaleRevision as exc:
        # Keep what this user typed; show the other version beside it and let the
        # next save (now based on the current revision) be a deliberate merge.
        return _form_page(template, trajectory, form, {}, 409, goal=exc.current,
                          rev=exc.current["rev"], theirs=exc.current)
    flash(done, "success")
    return redirect(url_for("goals.show", trajectory_id=trajectory["id"], goal_id=goal["id"]))


@bp.route("/new", methods=["GET", "POST"])
@access.login_required
def new(trajectory_id: str):
    """Add a goal with an owner and a review date."""
    trajectory = trajectory_service.load_trajectory(g.user, trajectory_id, access.WRITE)
    if request.method == "GET":
        form = {"text": "", "owner_id": g.user["id"], "review_date": "", "status": "ongoing"}
        return _form_page("goals/form.html", trajectory, form, {})
    form = {name: request.form.get(name, "") for name in FIELDS}
    try:
        goal = service.create_goal(g.user, trajectory_id, form)
    except ValidationError as exc:
        return _form_page("goals/form.html", trajectory, form, exc.errors, 400)
    flash(_("The goal has been added."), "success")
    return redirect(url_for("trajectories.show", trajectory_id=trajectory_id,
                            _anchor="goal-" + goal["id"]))


@bp.route("/<goal_id>")
@access.login_required
def show(trajectory_id: str, goal_id: str):
    """One goal with its evaluations and the entries linked to it."""
    from ..process import entry_forms
    from ..process.entry_access import visible_entries

    from ..process import voices as voice_service

    trajectory, goal = _load(trajectory_id, goal_id, access.READ)
    entries = visible_entries(g.user, trajectory, goal_id=goal_id)
    voices = voice_service.about_goal(voice_service.voices_for(trajectory_id), goal_id)
    return render_template(
        "goals/show.html", trajectory=trajectory, goal=goal,
        pupil=trajectory_service.pupil_of(trajectory),
        people=trajectory_service.people_for(trajectory),
        overdue=service.is_overdue(goal), status_labels=service.STATUS_LABELS,
        entries=entries, voices=voices,
        agreed=voice_service.agreements(voices).get(goal_id, {}),
        kind_labels={k: str(v) for k, v in entry_forms.KIND_LABELS.items()},
    )


@bp.route("/<goal_id>/edit", methods=["GET", "POST"])
@access.login_required
def edit(trajectory_id: str, goal_id: str):
    """Change a goal. A save based on an old version shows both versions to merge."""
    trajectory, goal = _load(trajectory_id, goal_id, access.WRITE)
    if request.method == "GET":
        form = {name: goal.get(name) or "" for name in FIELDS}
        return _form_page("goals/form.html", trajectory, form, {}, goal=goal, rev=goal["rev"])
    return _save_posted("goals/form.html", trajectory, goal, FIELDS, service.update_goal,
                        _("The goal has been saved."))


@bp.route("/<goal_id>/evaluate", methods=["GET", "POST"])
@access.login_required
def evaluate(trajectory_id: str, goal_id: str):
    """Record a dated evaluation and what it means for the goal."""
    trajectory, goal = _load(trajectory_id, goal_id, access.WRITE)
    if request.method == "GET":
        form = {"date": today().isoformat(), "text": "", "status": goal["status"],
                "next_review_date": ""}
        return _form_page("goals/evaluate.html", trajectory, form, {}, goal=goal,
                          rev=goal["rev"])
    return _save_posted("goals/evaluate.html", trajectory, goal,
                        ("date", "text", "status", "next_review_date"), service.add_evaluation,
                        _("The evaluation has been saved."))


@bp.route("/<goal_id>/history")
@access.login_required
def history(trajectory_id: str, goal_id: str):
    """Every version of a goal: who changed what, when, and the old text."""
    trajectory, goal = _load(trajectory_id, goal_id, access.READ)
    versions = service.history(goal)
    people = trajectory_service.users_by_id(
        [v["by"] for v in versions] + [v["document"].get("owner_id") for v in versions])
    return render_template("goals/history.html", trajectory=trajectory, goal=goal,
                           pupil=trajectory_service.pupil_of(trajectory),
                           versions=versions, people=people,
                           status_labels=service.STATUS_LABELS)
