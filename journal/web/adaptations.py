"""Pages for the adaptations register of a trajectory, and the school-wide list
"Onze afspraken voor iedereen" of adaptations promoted to a class or the school.

A register row is named by its key (``?key=`` or a form field), never by text:
rows derived from entries have no document of their own until someone rates,
edits or promotes them.
"""

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
from markupsafe import Markup

from ..process import ValidationError
from ..process import attachments as attachment_service
from . import attachments as attachments_web
from ..process import adaptations as service
from ..process import goals as goal_service
from ..process import phases
from ..process import trajectories as trajectory_service
from ..security import access
from ..security.audit import audit
from ..storage import StaleRevision
from ..storage import get_store
from ..plugins.entry_templates.specs import ITEM_STATUSES
from ..plugins.entry_templates.specs import STICORDI

bp = Blueprint("adaptations", __name__)


def _options() -> dict:
    from ..plugins.entry_templates.forms import STATUS_LABELS

    return {
        "category_options": [("", _("No category"))] + list(STICORDI.items()),
        "status_options": [(k, str(STATUS_LABELS[k])) for k in ITEM_STATUSES],
        "answer_options": [(k, str(service.ANSWER_LABELS[k])) for k in service.ANSWERS],
        "scope_labels": service.SCOPE_LABELS,
        "origin_labels": service.ORIGIN_LABELS,
        "answer_labels": service.ANSWER_LABELS,
    }


def _goal_pairs(trajectory: dict) -> list[tuple[str, str]]:
    out = []
    for goal in goal_service.goals_for(trajectory["id"]):
        text = " ".join(Markup((goal.get("html") or {}).get("text", "")).striptags().split())
        out.append((goal["id"], text if len(text) <= 70 else text[:69] + "…"))
    return out


def _audit_view(trajectory: dict, detail: str) -> None:
    audit("view", object_type="trajectory", object_id=trajectory["id"],
          pupil_id=trajectory.get("pupil_id") or "", detail=detail)


# -- the register ----------------------------------------------------------------

def _register_page(trajectory: dict, *, form=None, errors=None, status: int = 200):
    pupil = trajectory_service.pupil_of(trajectory)
    rows = service.rows_for(trajectory)
    return render_template(
        "adaptations/index.html", trajectory=trajectory, pupil=pupil, rows=rows,
        form=form or {"status": service.DEFAULT_STATUS, "goal_ids": []}, errors=errors or {},
        goal_pairs=_goal_pairs(trajectory), closed=phases.is_closed(trajectory),
        **_options(),
    ), status


@bp.route("/t/<trajectory_id>/adaptations")
@access.login_required
def index(trajectory_id: str):
    """Every adaptation tried in the trajectory, with its category and how it works."""
    trajectory = trajectory_service.require_trajectory(trajectory_id, access.READ)
    _audit_view(trajectory, "adaptations")
    return _register_page(trajectory)


@bp.route("/t/<trajectory_id>/adaptations", methods=["POST"])
@access.login_required
def add(trajectory_id: str):
    """Write a free adaptation in the register."""
    trajectory = trajectory_service.require_trajectory(trajectory_id, access.WRITE)
    form = {key: request.form.get(key, "") for key in ("text", "category", "applied_by",
                                                         "status")}
    form["goal_ids"] = request.form.getlist("goal_ids")
    form["caption"] = request.form.get("caption", "")
    try:
        service.clean_free(form, trajectory)  # the text first, so a refused file says only that
        staged = attachment_service.stage(attachments_web.from_form(), trajectory)
    except ValidationError as exc:
        return _register_page(trajectory, form=form, errors=exc.errors, status=400)
    try:
        doc = service.add_free(trajectory, form, actor=g.user)
    except ValidationError as exc:
        attachment_service.discard(staged)
        return _register_page(trajectory, form=form, errors=exc.errors, status=400)
    attachment_service.record(staged, actor=g.user, owner_type="adaptation",
                              owner_id=doc["source_key"], trajectory=trajectory)
    flash(_("The adaptation is in the register."), "success")
    return redirect(url_for(".index", trajectory_id=trajectory_id))


# -- one row -------------------------------------------------------------------

def _row_or_404(trajectory: dict, key: str | None) -> dict:
    row = service.find_row(trajectory, key or "")
    if row is None:
        abort(404)
    return row


def _row_page(trajectory: dict, row: dict, *, status: int = 200, errors=None, form=None,
              rating_form=None, promote_form=None, theirs=None, which: str = ""):
    pupil = trajectory_service.pupil_of(trajectory)
    people = trajectory_service.users_by_id(
        [r.get("user_id") for r in row["ratings"]]
        + [(row.get("promotion") or {}).get("by")])
    my_key = service.rating_key(g.user, "")
    mine = next((r for r in row["ratings"] if r["key"] == my_key), None)
    promotion_text = _free_text(row) or row["text"]
    return render_template(
        "adaptations/item.html", trajectory=trajectory, pupil=pupil, row=row, people=people,
        errors=errors or {}, which=which,
        form=form or {"category": row.get("category", ""), "applied_by": row.get("applied_by", ""),
                      "status": row.get("status", ""), "text": _free_text(row),
                      "goal_ids": row.get("goal_ids", [])},
        rating_form=rating_form or {"teacher": "", "feasible": (mine or {}).get("feasible", "unknown"),
                                    "works": (mine or {}).get("works", "unknown"),
                                    "note": (mine or {}).get("note", "")},
        promote_form=promote_form or {"scope": "class", "class_group": (pupil or {}).get("class_group", ""),
                                      "text": promotion_text},
        theirs=theirs, goal_pairs=_goal_pairs(trajectory),
        goal_labels=dict(_goal_pairs(trajectory)), **_options(),
    ), status


def _free_text(row: dict) -> str:
    if row["origin"] != "free" or not row.get("doc_id"):
        return ""
    doc = get_store().adaptations.get(row["doc_id"])
    return (doc or {}).get("text", "")


@bp.route("/t/<trajectory_id>/adaptations/item")
@access.login_required
def item(trajectory_id: str):
    """One adaptation: its source, the teachers' ratings, editing and promotion."""
    trajectory = trajectory_service.require_trajectory(trajectory_id, access.READ)
    row = service.find_row(trajectory, request.args.get("key", ""))
    if row is None:
        flash(_("That adaptation is no longer in the register."), "warning")
        return redirect(url_for(".index", trajectory_id=trajectory_id))
    _audit_view(trajectory, "adaptation")
    return _row_page(trajectory, row)


def _back(trajectory: dict, row: dict):
    return redirect(url_for(".item", trajectory_id=trajectory["id"], key=row["key"]))


@bp.route("/t/<trajectory_id>/adaptations/item/edit", methods=["POST"])
@access.login_required
def edit(trajectory_id: str):
    """Change an adaptation's category, who applies it, its status (and a free one's text)."""
    trajectory = trajectory_service.require_trajectory(trajectory_id, access.WRITE)
    row = _row_or_404(trajectory, request.form.get("key"))
    form = {key: request.form.get(key, "") for key in ("text", "category", "applied_by", "status")}
    form["goal_ids"] = request.form.getlist("goal_ids")
    try:
        service.update_row(trajectory, row, form, actor=g.user,
                           expected_rev=request.form.get("rev", type=int))
    except ValidationError as exc:
        return _row_page(trajectory, row, status=400, errors=exc.errors, form=form, which="edit")
    except StaleRevision:
        current = _row_or_404(trajectory, row["key"])
        return _row_page(trajectory, current, status=409, form=form, which="edit",
                         theirs=dict(current, text=_free_text(current) or current["text"]))
    flash(_("The adaptation has been saved."), "success")
    return _back(trajectory, row)


@bp.route("/t/<trajectory_id>/adaptations/item/rate", methods=["POST"])
@access.login_required
def rate(trajectory_id: str):
    """Record whether the adaptation is feasible and works, for me or a named teacher."""
    trajectory = trajectory_service.require_trajectory(trajectory_id, access.WRITE)
    row = _row_or_404(trajectory, request.form.get("key"))
    form = {key: request.form.get(key, "") for key in ("teacher", "feasible", "works", "note")}
    try:
        service.rate(trajectory, row, form, actor=g.user)
    except ValidationError as exc:
        return _row_page(trajectory, row, status=400, errors=exc.errors, rating_form=form,
                         which="rate")
    flash(_("Your answer has been saved."), "success")
    return _back(trajectory, row)


@bp.route("/t/<trajectory_id>/adaptations/item/promote", methods=["POST"])
@access.login_required
def promote(trajectory_id: str):
    """Make the adaptation everyday care for the class group or the whole school."""
    trajectory = trajectory_service.require_trajectory(trajectory_id, access.MANAGE)
    row = _row_or_404(trajectory, request.form.get("key"))
    form = {key: request.form.get(key, "") for key in ("scope", "class_group", "text")}
    try:
        service.promote(trajectory, row, form, actor=g.user,
                        expected_rev=request.form.get("rev", type=int))
    except ValidationError as exc:
        return _row_page(trajectory, row, status=400, errors=exc.errors, promote_form=form,
                         which="promote")
    except StaleRevision:
        current = _row_or_404(trajectory, row["key"])
        flash(_("Someone changed this adaptation meanwhile. Check it and promote again."),
              "warning")
        return _row_page(trajectory, current, status=409, promote_form=form, which="promote")
    flash(_("The adaptation is now on the list for everyone."), "success")
    return _back(trajectory, row)


@bp.route("/t/<trajectory_id>/adaptations/item/demote", methods=["POST"])
@access.login_required
def demote(trajectory_id: str):
    """Take the adaptation off the list for everyone (it stays in the register)."""
    trajectory = trajectory_service.require_trajectory(trajectory_id, access.MANAGE)
    row = _row_or_404(trajectory, request.form.get("key"))
    if service.demote(trajectory, row, actor=g.user) is not None:
        flash(_("The adaptation is no longer on the list for everyone."), "success")
    return _back(trajectory, row)


# -- the school-wide list --------------------------------------------------------

@bp.route("/adaptations/school")
@access.login_required
def school():
    """"Onze afspraken voor iedereen": adaptations that became everyday care.

    Every member of staff sees the text and category; the link to the source
    trajectory only shows to those who may read it.
    """
    docs = service.promoted()
    trajectories = {t["id"]: t for t in get_store().trajectories.find_in(
        "id", [d["trajectory_id"] for d in docs])}
    items = []
    for doc in docs:
        promotion = doc["promotion"]
        source = trajectories.get(doc["trajectory_id"])
        readable = source is not None and access.can(g.user, access.READ, source)
        items.append({
            "scope": doc["scope"], "class_group": promotion.get("class_group") or "",
            "html": promotion.get("html", ""),
            "category": doc.get("category") or promotion.get("category") or "",
            "at": promotion.get("at"),
            "link": url_for(".item", trajectory_id=source["id"], key=doc["source_key"])
            if readable else None,
        })
    class_filter = request.args.get("class_group", "").strip()
    classes = sorted({i["class_group"] for i in items if i["class_group"]}, key=str.lower)
    if class_filter:
        items = [i for i in items if i["scope"] == "school" or i["class_group"] == class_filter]
    return render_template("adaptations/school.html", items=items, classes=classes,
                           class_filter=class_filter, sticordi=STICORDI)
