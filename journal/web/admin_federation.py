"""The school admin's page of centres: linking to a leersteuncentrum with its pairing
code, choosing per link what the centre may see, checking and ending links
(docs/federation.md)."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..errors import ValidationError
from ..federation import links
from ..federation import pairing
from ..public_address import public_url
from ..security import access

bp = Blueprint("admin_federation", __name__, url_prefix="/admin/centres")


def _page(form: dict | None = None, errors: dict | None = None, status: int = 200):
    form = form or {"centre_url": "", "code": "", "shares": []}
    return render_template("admin_federation/index.html", links=links.all_links(), form=form,
                           errors=errors or {}, shares=links.SHARES), status


@bp.route("/")
@access.role_required("admin")
def index():
    """The school's links to centres, and linking to another one."""
    return _page()


@bp.route("/pair", methods=["POST"])
@access.role_required("admin")
def pair():
    """Link to a centre with the code its admin shows."""
    form = {"centre_url": request.form.get("centre_url", "")[:pairing.MAX_URL],
            "code": request.form.get("code", "")[:40], "shares": request.form.getlist("shares")}
    try:
        link = pairing.pair_with_centre(
            g.user, centre_url=form["centre_url"], code=form["code"],
            shares=links.clean_shares(form["shares"]), own_url=public_url(),
            own_name=current_app.config["JOURNAL_SCHOOL_NAME"])
    except ValidationError as error:
        return _page(form, error.errors, 400)
    flash(_("The school is now linked to %(name)s.", name=link["peer_name"]), "success")
    return redirect(url_for("admin_federation.index"))


@bp.route("/<link_id>/shares", methods=["POST"])
@access.role_required("admin")
def shares(link_id: str):
    """Change what the centre may see over this link."""
    links.set_shares(g.user, link_id, links.clean_shares(request.form.getlist("shares")))
    flash(_("Saved. The centre sees only what is ticked."), "success")
    return redirect(url_for("admin_federation.index"))


@bp.route("/<link_id>/check", methods=["POST"])
@access.role_required("admin")
def check(link_id: str):
    """Ask the centre whether the link works."""
    reason = links.check(g.user, link_id)
    if reason:
        flash(_("The centre did not answer as expected (%(reason)s).", reason=reason), "error")
    else:
        flash(_("The link works."), "success")
    return redirect(url_for("admin_federation.index"))


@bp.route("/<link_id>/revoke", methods=["POST"])
@access.role_required("admin")
def revoke(link_id: str):
    """End the link: the centre is refused from now on."""
    links.revoke(g.user, link_id)
    flash(_("The link has been ended: the centre can no longer ask this school for anything."),
          "success")
    return redirect(url_for("admin_federation.index"))
