"""The network library in a school: practice examples other schools share through a
linked centre, browsed live and adopted into this school's own library."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _

from ..errors import ValidationError
from ..federation import client
from ..federation import library
from ..federation import links
from ..security import access
from ..security.audit import audit

bp = Blueprint("network", __name__, url_prefix="/practice/network")

STAFF = ("teacher", "support", "coordinator")


@bp.route("/")
@access.role_required(*STAFF)
def index():
    """Every centre's library this school shares in, fetched now."""
    sharing = links.sharing("library")
    calls = {link["id"]: (client.Peer.of(link), "GET", "/federation/v1/library", None)
             for link in sharing}
    answers = client.call_each(calls, timeout=links.timeout(), skew=links.skew())
    centres = []
    for link in sharing:
        answer = answers.get(link["id"])
        examples = None
        if isinstance(answer, dict) and isinstance(answer.get("examples"), list):
            examples = [library.clean_summary(e) for e in answer["examples"]
                        if isinstance(e, dict)]
            examples = [e for e in examples if e["id"]]
        centres.append({"link": link, "examples": examples})
    audit("view", object_type="network_library", detail=f"centres:{len(sharing)}")
    return render_template("network/index.html", centres=centres,
                           may_adopt=access.has_role(g.user, "coordinator", "support"))


@bp.route("/<link_id>/<example_id>/adopt", methods=["POST"])
@access.role_required("coordinator", "support")
def adopt(link_id: str, example_id: str):
    """Adopt an example from the centre into this school's library."""
    try:
        example = library.adopt_from_centre(g.user, link_id, example_id)
    except client.Unreachable:
        flash(_("The centre cannot be reached right now, or no longer offers this example. "
                "Try again later."), "error")
        return redirect(url_for("network.index"))
    except ValidationError:
        flash(_("This example cannot be adopted: the centre sent something that is not a "
                "valid practice example."), "error")
        return redirect(url_for("network.index"))
    flash(_("You adopted this practice example; it is in the school's library now."), "success")
    return redirect(url_for("practice.show", example_id=example["id"]))


@bp.route("/<link_id>/<example_id>/withdraw", methods=["POST"])
@access.role_required("coordinator", "support")
def withdraw(link_id: str, example_id: str):
    """Take one of this school's examples out of the centre's library."""
    try:
        library.withdraw_from_centre(g.user, link_id, example_id)
    except client.Unreachable:
        flash(_("The centre cannot be reached right now. Try again later."), "error")
    else:
        flash(_("The example has been taken out of the centre's library."), "success")
    return redirect(url_for("network.index"))
