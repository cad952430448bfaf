"""Pages for the adaptations register of a trajectory, and the school-wide list
"Onze afspraken voor iedereen" of adaptations promoted to a class or the school.

A register row is named by its key (``?key=`` or a form field), never by text:
rows derived from entries have no document of their own until someone rates,
edits or promotes them.
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

from ..errors import NotFound
from ..plugins.entry_templates.forms import STATUS_LABELS
from ..plugins.entry_templates.specs import ITEM_STATUSES
from ..plugins.entry_templates.specs import STICORDI
from ..process import ValidationError
from ..process import adaptation_rows as rows
from ..process import adaptations as service
from ..process import goals as goal_service
from ..process import phases
from ..process import trajectories as trajectory_service
from ..process.text import plain_text
from ..process.text import shorten
from ..security import access
from ..storage import StaleRevision
from ..storage import get_store
from . import attachments as attachments_web

bp = Blueprint("adaptations", __name__)


def _options() -> dict:
    # Labels as plain strings, translated once per page: a register has a row per adaptation.
    return {
        "category_options": [("", _("No category"))] + list(STICORDI.items()),
        "status_options": [(k, str(STATUS_LABELS[k])) for k in ITEM_STATUSES],
        "answer_options": [(k, str(rows.ANSWER_LABELS[k])) for k in rows.ANSWERS],
        "scope_labels": _translated(rows.SCOPE_LABELS),
        "origin_labels": _translated(rows.ORIGIN_LABELS),
        "answer_labels": _translated(rows.ANSWER_LABELS),
    }


def _translated(labels: dict) -> dict[str, str]:
    return {key: str(label) for key, label in labels.items()}


def _goal_pairs(trajectory: dict) -> list[tuple[str, str]]:
    return [(goal["id"], shorten(plain_text((goal.get("html") or {}).get("text", "")), 70))
            for goal in goal_service.goals_for(trajectory["id"])]


# -- the register ----------------------------------------------------------------

def _register_page(trajectory: dict, *, form=None, errors=None, status: int = 200):
    pupil = trajectory_service.pupil_of(trajectory)
    return render_template(
        "adaptations/index.html", trajectory=trajectory, pupil=pupil,
        rows=rows.rows_for(trajectory),
        form=form or {"status": rows.DEFAULT_STATUS, "goal_ids": []}, errors=errors or {},
        goal_pairs=_goal_pairs(trajectory), closed=phases.is_closed(trajectory),
        **_options(),
    ), status


@bp.route("/t/<trajectory_id>/adaptations")
@access.login_required
def index(trajectory_id: str):
    """Every adaptation tried in the trajectory, with its category and how it works."""
    return _register_page(trajectory_service.view_trajectory(g.user, trajectory_id, "adaptations"))


@bp.route("/t/<trajectory_id>/adaptations", methods=["POST"])
@access.login_required
def add(trajectory_id: str):
    """Write a free adaptation in the register."""
    form = {key: request.form.get(key, "") for key in ("text", "category", "applied_by",
                                                         "status")}
    form["goal_ids"] = request.form.getlist("goal_ids")
    form["caption"] = request.form.get("caption", "")
    try:
        service.add_free(g.user, trajectory_id, form, attachments_web.from_form())
    except ValidationError as exc:
        trajectory = trajectory_service.load_trajectory(g.user, trajectory_id)
        return _register_page(trajectory, form=form, errors=exc.errors, status=400)
    flash(_("The adaptation is in the register."), "success")
    return redirect(url_for(".index", trajectory_id=trajectory_id))


# -- one row -------------------------------------------------------------------

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
    trajectory, row = service.view_row(g.user, trajectory_id, request.args.get("key", ""))
    if row is None:
        flash(_("That adaptation is no longer in the register."), "warning")
        return redirect(url_for(".index", trajectory_id=trajectory_id))
    return _row_page(trajectory, row)


def _current_row(trajectory: dict, row: dict) -> dict:
    """The row as it is stored now (after someone else's save)."""
    current = rows.find_row(trajectory, row["key"])
    if current is None:
        raise NotFound("adaptation")
    return current


def _back(trajectory: dict, row: dict):
    return redirect(url_for(".item", trajectory_id=trajectory["id"], key=row["key"]))


@bp.route("/t/<trajectory_id>/adaptations/item/edit", methods=["POST"])
@access.login_required
def edit(trajectory_id: str):
    """Change an adaptation's category, who applies it, its status (and a free one's text)."""
    trajectory, row = service.load_row(g.user, trajectory_id, request.form.get("key"),
                                       access.WRITE)
    form = {key: request.form.get(key, "") for key in ("text", "category", "applied_by", "status")}
    form["goal_ids"] = request.form.getlist("goal_ids")
    try:
        service.update_row(g.user, trajectory_id, row["key"], form,
                           expected_rev=request.form.get("rev", type=int))
    except ValidationError as exc:
        return _row_page(trajectory, row, status=400, errors=exc.errors, form=form, which="edit")
    except StaleRevision:
        current = _current_row(trajectory, row)
        return _row_page(trajectory, current, status=409, form=form, which="edit",
                         theirs=dict(current, text=_free_text(current) or current["text"]))
    flash(_("The adaptation has been saved."), "success")
    return _back(trajectory, row)


@bp.route("/t/<trajectory_id>/adaptations/item/rate", methods=["POST"])
@access.login_required
def rate(trajectory_id: str):
    """Record whether the adaptation is feasible and works, for me or a named teacher."""
    trajectory, row = service.load_row(g.user, trajectory_id, request.form.get("key"),
                                       access.WRITE)
    form = {key: request.form.get(key, "") for key in ("teacher", "feasible", "works", "note")}
    try:
        service.rate(g.user, trajectory_id, row["key"], form)
    except ValidationError as exc:
        return _row_page(trajectory, row, status=400, errors=exc.errors, rating_form=form,
                         which="rate")
    flash(_("Your answer has been saved."), "success")
    return _back(trajectory, row)


@bp.route("/t/<trajectory_id>/adaptations/item/promote", methods=["POST"])
@access.login_required
def promote(trajectory_id: str):
    """Make the adaptation everyday care for the class group or the whole school."""
    trajectory, row = service.load_row(g.user, trajectory_id, request.form.get("key"),
                                       access.MANAGE)
    form = {key: request.form.get(key, "") for key in ("scope", "class_group", "text")}
    try:
        service.promote(g.user, trajectory_id, row["key"], form,
                        expected_rev=request.form.get("rev", type=int))
    except ValidationError as exc:
        return _row_page(trajectory, row, status=400, errors=exc.errors, promote_form=form,
                         which="promote")
    except StaleRevision:
        current = _current_row(trajectory, row)
        flash(_("Someone changed this adaptation meanwhile. Check it and promote again."),
              "warning")
        return _row_page(trajectory, current, status=409, promote_form=form, which="promote")
    flash(_("The adaptation is now on the list for everyone."), "success")
    return _back(trajectory, row)


@bp.route("/t/<trajectory_id>/adaptations/item/demote", methods=["POST"])
@access.login_required
def demote(trajectory_id: str):
    """Take the adaptation off the list for everyone (it stays in the register)."""
    trajectory, row = service.load_row(g.user, trajectory_id, request.form.get("key"),
                                       access.MANAGE)
    if service.demote(g.user, trajectory_id, row["key"]) is not None:
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
    docs = rows.promoted()
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
