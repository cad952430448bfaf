"""The personal start page: what needs the user's attention, and their trajectories."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import render_template
from flask import url_for

from ..process import goals as goal_service
from ..process import lifecycle
from ..process import phases
from ..process import trajectories as trajectory_service
from ..process import visits as visit_service
from ..security import access
from .trajectories import plugin_fragments

bp = Blueprint("home", __name__)

#: Overdue goals and quiet trajectories the start page lists before "Show … more".
ATTENTION_ITEMS = 20


@bp.route("/")
@access.login_required
def index():
    """Show overdue goals, coming class visits, drafts, quiet trajectories and the user's
    own trajectories."""
    from ..process import entry_forms
    from ..process.entry_access import drafts_of
    from ..config import is_centre

    if is_centre():
        return redirect(url_for("centre.index"))
    user = g.user
    visible = trajectory_service.visible_readonly(user)  # a coordinator's: the whole school
    by_id = {t["id"]: t for t in visible}
    pupils = trajectory_service.pupils_of(visible)
    mine = [t for t in visible if access.is_member(user, t)]
    mine_ids = {t["id"] for t in mine}
    open_mine = [t for t in mine if not phases.is_closed(t)]
    overdue = [
        {"goal": goal, "trajectory": by_id[goal["trajectory_id"]],
         "pupil": pupils.get(by_id[goal["trajectory_id"]].get("pupil_id"))}
        for goal in goal_service.overdue_goals(visible)
    ]
    days = int(current_app.config["JOURNAL_STALE_TRAJECTORY_DAYS"])
    quiet = [
        {"trajectory": t, "last": last, "pupil": pupils.get(t.get("pupil_id"))}
        for t, last in trajectory_service.stale(visible, days)
    ]
    waiting = lifecycle.waiting_reflections(user, visible)
    waiting_ids = {w["entry"]["id"] for w in waiting}
    drafts = [
        {"entry": d, "trajectory": by_id.get(d["trajectory_id"]),
         "kind": str(entry_forms.KIND_LABELS.get(d["kind"], d["kind"]))}
        for d in drafts_of(user)
        if d["trajectory_id"] in by_id and d["id"] not in waiting_ids
    ]
    visits = [
        {"visit": v, "trajectory": by_id[v["trajectory_id"]],
         "pupil": pupils.get(by_id[v["trajectory_id"]].get("pupil_id"))}
        for v in visit_service.upcoming(open_mine)
    ]
    overdue_ids = {o["goal"]["trajectory_id"] for o in overdue}
    reviews = goal_service.next_review_dates([t["id"] for t in open_mine])
    rows = [
        {"trajectory": t, "pupil": pupils.get(t.get("pupil_id")),
         "next_review": reviews.get(t["id"]), "overdue": t["id"] in overdue_ids}
        for t in open_mine
    ]
    return render_template(
        "home/index.html",
        trajectories=open_mine,
        rows=rows,
        closed_count=len(mine) - len(open_mine),
        others_count=len([t for t in visible
                          if t["id"] not in mine_ids and not phases.is_closed(t)]),
        overdue=overdue,
        quiet=quiet,
        quiet_days=days,
        drafts=drafts,
        waiting=waiting,
        visits=visits,
        visit_days=visit_service.UPCOMING_DAYS,
        visitors=trajectory_service.users_by_id(
            uid for v in visits for uid in v["visit"]["visitor_ids"]),
        draft_links="entries.edit" in current_app.view_functions,
        show_links="entries.show" in current_app.view_functions,
        fragments=plugin_fragments("home_panel"),
        # School-wide lists (a coordinator's) show the most urgent first, the rest one click away.
        limit=None if request.args.get("all") == "1" else ATTENTION_ITEMS,
    )
