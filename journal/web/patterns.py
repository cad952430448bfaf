"""The care coordinator's overview of school-wide patterns: charts, their tables, CSV.

Only the coordinator sees it (an administrator reads pupil content only as a
team member, so not here). The page shows aggregates only; filters are GET
parameters, so a filtered view can be bookmarked and works without JavaScript.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import g
from flask import render_template
from flask import request

from ..charts import render_svg
from ..charts import to_csv
from ..plugins.entry_templates.specs import STICORDI
from ..process import patterns as service
from ..security import access

bp = Blueprint("patterns", __name__, url_prefix="/patterns")

#: Rows of "Adaptations that work" the page shows before "Show … more".
WORKING_ROWS = 50


@bp.route("/")
@access.role_required("coordinator")
def index():
    """Show every chart with the table behind it, filtered by school year, class, focus area."""
    found, offered = service.view_overview(g.user, request.args)
    views = current_app.view_functions
    return render_template(
        "patterns/index.html",
        overview=found,
        offered=offered,
        year_options=[(y, y.replace("-", "–")) for y in offered.school_years],
        class_options=[(c, c) for c in offered.class_groups],
        filters=found.filters,
        svgs={c.id: render_svg(c) for c in found.charts},
        sticordi=STICORDI,
        can_share="practice.new" in views,
        # The register's page of one adaptation, where the coordinator promotes it.
        register_endpoint="adaptations.item" if "adaptations.item" in views else None,
        # The most working first; a whole school's long tail one click away.
        limit=None if request.args.get("all") == "1" else WORKING_ROWS,
    )


@bp.route("/<name>.csv")
@access.role_required("coordinator")
def csv_export(name: str):
    """Download the table behind one chart as CSV, with the same filters as the page."""
    chart, filters = service.chart_export(g.user, request.args, name)
    parts = ["patronen", chart.id] + [v for v in filters.as_args().values()]
    filename = "-".join(_safe(p) for p in parts) + ".csv"
    # A byte-order mark so spreadsheet programs on Windows read the accents right.
    return Response("\ufeff" + to_csv(chart), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _safe(part: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in part)[:40]
