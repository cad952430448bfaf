"""The team's page about the parents' page: what we share, the personal links, a preview.

Everyone on the trajectory reads it; whoever may manage the trajectory
changes what is shared and makes, renews and revokes links. A new link's
address is shown once, on the page that answers the request, because only a
digest of its secret is stored.
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

from ..errors import StaleRevision
from ..errors import ValidationError
from ..process import family_links as link_service
from ..process import family_page as service
from ..process import handover
from ..process.goals import goals_for
from ..process.trajectories import load_trajectory
from ..process.trajectories import pupil_of
from ..process.trajectories import users_by_id
from ..security import access
from ..security.audit import audit

bp = Blueprint("sharing", __name__, url_prefix="/t/<trajectory_id>/parents")


def _page(trajectory: dict, *, form: dict | None = None, errors: dict | None = None,
          link_form: dict | None = None, link_errors: dict | None = None,
          new_link: tuple[dict, str] | None = None, status: int = 200, theirs: bool = False):
    settings = service.settings_of(trajectory["id"])
    goals = goals_for(trajectory["id"])
    if form is None:
        form = {"goal_ids": list(settings["goals"]),
                "plain": {g["id"]: (settings["goals"].get(g["id"]) or {}).get("text") or g["text"]
                          for g in goals},
                "agreement_keys": settings["agreement_keys"], "entry_ids": settings["entry_ids"],
                "handover": settings["handover"], "pupil_page": settings["pupil_page"]}
    links = link_service.links_for(trajectory["id"])
    from ..process.entry_forms import KIND_LABELS

    return render_template(
        "sharing/index.html", trajectory=trajectory, pupil=pupil_of(trajectory),
        settings=settings, form=form, errors=errors or {}, goals=goals,
        agreements=service.shareable_agreements(trajectory),
        entries=service.shareable_entries(trajectory), kind_labels=KIND_LABELS,
        handover_published=handover.is_published(handover.sheet_of(trajectory)),
        links=links, states={link["id"]: link_service.state(link) for link in links},
        people=users_by_id([link.get("created_by") for link in links]
                           + [link.get("revoked_by") for link in links]),
        audience_labels=link_service.AUDIENCE_LABELS,
        link_form=link_form or {"audience": "parent", "name": "", "expires_on": ""},
        link_errors=link_errors or {}, default_days=link_service.default_days(),
        new_link=new_link and {"link": new_link[0], "url": url_for(
            "family.page", token=new_link[1], _external=True)},
        theirs=theirs,
    ), status


@bp.route("", methods=["GET", "POST"])
@access.login_required
def index(trajectory_id: str):
    """What the parents' page shares and who has a link; managers change both here."""
    if request.method == "GET":
        trajectory = load_trajectory(g.user, trajectory_id, access.READ)
        audit("view", object_type="family_page", object_id=trajectory_id,
              pupil_id=trajectory.get("pupil_id") or "", detail="settings")
        return _page(trajectory)
    goal_ids = request.form.getlist("goal_ids")
    data = {"goal_ids": goal_ids, "agreement_keys": request.form.getlist("agreement_keys"),
            "entry_ids": request.form.getlist("entry_ids"),
            "handover": request.form.get("handover"), "pupil_page": request.form.get("pupil_page")}
    plain = {key[len("plain_"):]: value for key, value in request.form.items()
             if key.startswith("plain_")}
    data.update({"plain_" + goal_id: text for goal_id, text in plain.items()})
    try:
        service.save_settings(g.user, trajectory_id, data, request.form.get("rev", type=int))
    except (ValidationError, StaleRevision) as exc:
        trajectory = load_trajectory(g.user, trajectory_id, access.MANAGE)
        form = dict(data, plain=plain, handover=bool(data["handover"]),
                    pupil_page=bool(data["pupil_page"]))
        stale = isinstance(exc, StaleRevision)
        return _page(trajectory, form=form, errors={} if stale else exc.errors,
                     status=409 if stale else 400, theirs=stale)
    flash(_("What the parents' page shares has been saved."), "success")
    return redirect(url_for(".index", trajectory_id=trajectory_id))


def _link_form() -> dict:
    return {name: request.form.get(name, "") for name in ("audience", "name", "expires_on")}


@bp.route("/links", methods=["POST"])
@access.login_required
def new_link(trajectory_id: str):
    """Make a personal link for one parent or the pupil; its address is shown once."""
    form = _link_form()
    try:
        made = link_service.create_link(g.user, trajectory_id, form)
    except ValidationError as exc:
        trajectory = load_trajectory(g.user, trajectory_id, access.MANAGE)
        return _page(trajectory, link_form=form, link_errors=exc.errors, status=400)
    return _page(load_trajectory(g.user, trajectory_id, access.MANAGE), new_link=made)


@bp.route("/links/<link_id>/renew", methods=["POST"])
@access.login_required
def renew_link(trajectory_id: str, link_id: str):
    """A new address (and expiry date) for the same person; the old one stops working."""
    try:
        made = link_service.renew_link(g.user, trajectory_id, link_id, _link_form())
    except ValidationError as exc:
        trajectory = load_trajectory(g.user, trajectory_id, access.MANAGE)
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "warning")
        return _page(trajectory, status=400)
    return _page(load_trajectory(g.user, trajectory_id, access.MANAGE), new_link=made)


@bp.route("/links/<link_id>/revoke", methods=["POST"])
@access.login_required
def revoke_link(trajectory_id: str, link_id: str):
    """Stop a link at once: it answers like an unknown page from now on."""
    link = link_service.revoke_link(g.user, trajectory_id, link_id)
    flash(_("The link for %(name)s no longer works.", name=link["name"]), "success")
    return redirect(url_for(".index", trajectory_id=trajectory_id) + "#links")


@bp.route("/preview")
@access.login_required
def preview(trajectory_id: str):
    """The parents' page (or ``?audience=pupil`` the pupil's) as its reader sees it."""
    audience = "pupil" if request.args.get("audience") == "pupil" else "parent"
    page = service.preview(g.user, trajectory_id, audience)
    return render_template(
        "family/pupil.html" if audience == "pupil" else "family/parents.html", token="",
        preview=True, form={"text": "", "goal_id": ""}, errors={},
        handover_parts=handover.PARTS, **page)
