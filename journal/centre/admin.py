"""The centre admin's page of linked schools: pairing codes, what each school shares,
checking and ending links."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _

from ..federation import links
from ..federation import pairing
from ..public_address import public_url
from ..security import access

bp = Blueprint("centre_admin", __name__, url_prefix="/centre/admin")


def _page(code: str = "", minutes: int = 0):
    return render_template("centre/admin.html", links=links.all_links(), code=code,
                           minutes=minutes, pending=pairing.pending_codes(),
                           address=public_url())


@bp.route("/schools")
@access.role_required("admin")
def index():
    """The linked schools, and making a pairing code."""
    return _page()


@bp.route("/schools/code", methods=["POST"])
@access.role_required("admin")
def code():
    """Make a one-time pairing code and show it (once)."""
    made, minutes = pairing.new_code(g.user)
    return _page(made, minutes)


@bp.route("/schools/<link_id>/check", methods=["POST"])
@access.role_required("admin")
def check(link_id: str):
    """Ask the school whether the link works."""
    reason = links.check(g.user, link_id)
    if reason:
        flash(_("The school did not answer as expected (%(reason)s).", reason=reason), "error")
    else:
        flash(_("The link works."), "success")
    return redirect(url_for("centre_admin.index"))


@bp.route("/schools/<link_id>/revoke", methods=["POST"])
@access.role_required("admin")
def revoke(link_id: str):
    """End the link with a school, here and (if it answers) there."""
    links.revoke(g.user, link_id)
    flash(_("The link has been ended: the school's items, figures and examples are gone from "
            "the centre."), "success")
    return redirect(url_for("centre_admin.index"))
