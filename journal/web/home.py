"""The personal start page."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import render_template

from ..security import access
from ..security.access import can
from ..storage import get_store

bp = Blueprint("home", __name__)


def visible_trajectories(user: dict) -> list[dict]:
    """Return the trajectories ``user`` may read, newest first."""
    trajectories = get_store().trajectories.all()
    mine = [t for t in trajectories if can(user, access.READ, t)]
    return sorted(mine, key=lambda t: t.get("updated_at", ""), reverse=True)


@bp.route("/")
@access.login_required
def index():
    """Show what needs the user's attention and their trajectories."""
    return render_template("home/index.html", trajectories=visible_trajectories(g.user))
