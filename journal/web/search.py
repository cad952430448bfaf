"""The search page: full-text search over what the user may see."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import render_template
from flask import request
from flask_babel import get_locale

from ..plugins.host import get_plugins
from ..process.trajectories import readable
from ..search import search
from ..security import access

bp = Blueprint("search", __name__)

FILTERS = ("trajectory", "kind", "focus", "tag", "from", "to")


@bp.route("/search")
@access.login_required
def index():
    """Show the search form and, for a query, the results the user may see."""
    query = request.args.get("q", "").strip()[:200]
    filters = {name: request.args.get(name, "").strip()[:100] for name in FILTERS}
    hits = []
    if query:
        hits = search(
            g.user, query, trajectory_id=filters["trajectory"], kind=filters["kind"],
            focus_area=filters["focus"], tag=filters["tag"], date_from=filters["from"],
            date_to=filters["to"], language=str(get_locale()),
        )
    trajectories = {t["id"]: t for t in readable(g.user)}  # stored: only read here
    trajectory_options = sorted(((t["id"], t["title"]) for t in trajectories.values()),
                                key=lambda o: o[1].lower())
    return render_template("search/index.html", query=query, filters=filters, hits=hits,
                           trajectories=trajectories, trajectory_options=trajectory_options,
                           focus_options=_focus_options())


def _focus_options() -> list[tuple[str, str]]:
    return [(a["id"], a["label"]) for a in get_plugins().focus_areas()]
