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
#: Results per page; older ones are a click away (a common word is in most of a school's entries).
PAGE_SIZE = 100


@bp.route("/search")
@access.login_required
def index():
    """Show the search form and, for a query, the results the user may see."""
    query = request.args.get("q", "").strip()[:200]
    filters = {name: request.args.get(name, "").strip()[:100] for name in FILTERS}
    page = max(1, request.args.get("page", 1, type=int) or 1)
    hits = []
    if query:  # one more than a page tells whether there is an older page, without counting
        hits = search(
            g.user, query, trajectory_id=filters["trajectory"], kind=filters["kind"],
            focus_area=filters["focus"], tag=filters["tag"], date_from=filters["from"],
            date_to=filters["to"], limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE,
            language=str(get_locale()),
        )
    more = len(hits) > PAGE_SIZE
    hits = hits[:PAGE_SIZE]
    trajectories = {t["id"]: t for t in readable(g.user)}  # stored: only read here
    trajectory_options = sorted(((t["id"], t["title"]) for t in trajectories.values()),
                                key=lambda o: o[1].lower())
    return render_template("search/index.html", query=query, filters=filters, hits=hits,
                           page=page, more=more, first=(page - 1) * PAGE_SIZE + 1,
                           query_args={"q": query, **{k: v for k, v in filters.items() if v}},
                           trajectories=trajectories, trajectory_options=trajectory_options,
                           focus_options=_focus_options())


def _focus_options() -> list[tuple[str, str]]:
    return [(a["id"], a["label"]) for a in get_plugins().focus_areas()]
