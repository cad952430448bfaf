"""The centre's pages: the start page, an ondersteuner's caseload across schools, the
director's patterns across schools, and the network library."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from ..charts import render_svg
from ..charts import to_csv
from ..errors import NotFound
from ..errors import ValidationError
from ..federation import library
from ..process import practice_file
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from . import caseload as caseload_service
from . import patterns as pattern_service

bp = Blueprint("centre", __name__, url_prefix="/centre")


@bp.route("/")
@access.login_required
def index():
    """Send each person to the page of their role."""
    user = g.user
    if access.has_role(user, "support"):
        return redirect(url_for("centre.caseload"))
    if access.has_role(user, "director"):
        return redirect(url_for("centre.patterns"))
    if access.has_role(user, "admin"):
        return redirect(url_for("centre_admin.index"))
    abort(403)


@bp.route("/caseload")
@access.role_required("support")
def caseload():
    """What needs me now, in every linked school where I am on a team."""
    parts = caseload_service.caseload(g.user, refresh=request.args.get("refresh") == "1")
    return render_template("centre/caseload.html", parts=parts,
                           linked=bool(caseload_service.identities_of(g.user)))


def _year() -> str:
    offered = pattern_service.school_years()
    year = request.args.get("school_year", "")
    return year if year in offered else offered[0]


@bp.route("/patterns")
@access.role_required("director")
def patterns():
    """The linked schools' figures side by side, with the tables and CSV."""
    year = _year()
    found = pattern_service.collect(g.user, year)
    charts = pattern_service.charts(found)
    return render_template("centre/patterns.html", found=found, charts=charts, year=year,
                           year_options=[(y, y.replace("-", "–"))
                                         for y in pattern_service.school_years()],
                           svgs={c.id: render_svg(c) for c in charts})


@bp.route("/patterns/<name>.csv")
@access.role_required("director")
def patterns_csv(name: str):
    """One chart's table as CSV."""
    year = _year()
    chart = next((c for c in pattern_service.charts(pattern_service.collect(g.user, year))
                  if c.id == name), None)
    if chart is None:
        abort(404)
    audit("export", object_type="patterns", detail=f"centre_csv:{chart.id}")
    return Response("\ufeff" + to_csv(chart), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="patronen-scholen-{chart.id}-{year}.csv"'})


@bp.route("/library")
@access.role_required("support", "director", "admin")
def library_index():
    """The practice examples linked schools share through the centre."""
    examples = [library.summary(e) for e in library.offered()]
    return render_template("centre/library.html", examples=examples)


def _example(example_id: str) -> dict:
    example = get_store().network_examples.get(example_id)
    if example is None:
        abort(404)
    return example


@bp.route("/library/<example_id>")
@access.role_required("support", "director", "admin")
def library_show(example_id: str):
    """One example, as the schools will see it."""
    example = _example(example_id)
    try:
        values = practice_file.parse_file(practice_file.dumps(example["content"]).encode("utf-8"))
    except ValidationError:
        abort(404)
    audit("view", object_type="network_example", object_id=example_id)
    return render_template("centre/library_show.html", example=example, values=values)


@bp.route("/library/<example_id>/remove", methods=["POST"])
@access.role_required("admin")
def library_remove(example_id: str):
    """Take an example out of the network library (the centre's admin)."""
    try:
        library.remove(g.user, example_id)
    except NotFound:
        abort(404)
    flash(_("The example has been taken out of the network library."), "success")
    return redirect(url_for("centre.library_index"))
