"""Privacy pages: the parents' inspection copy, the transfer package, erasure,
retention and the DPIA help.

The care coordinator handles parents' requests (copies, transfer, erasure);
the administrator confirms retention purges. Every step is audited by ids.
"""

from __future__ import annotations

import csv
import io
import json

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
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from markupsafe import escape

from ..errors import ValidationError
from ..privacy import dossier
from ..privacy import dpia
from ..privacy import erasure
from ..privacy import export
from ..privacy import redaction
from ..privacy import retention
from ..privacy import transfer
from ..rendering import RenderError
from ..rendering import render_markdown
from ..security import access
from ..storage import get_store
from .helpers import ROLE_LABELS

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

#: What the erase page calls each collection of a pupil's documents.
DOCUMENT_LABELS = {
    "pupils": _l("Pupil"),
    "trajectories": _l("Trajectories"),
    "goals": _l("Goals"),
    "entries": _l("Entries"),
    "comments": _l("Comments"),
    "restricted_notes": _l("Notes in the restricted section"),
    "privacy_requests": _l("Parents' requests"),
    "adaptations": _l("Adaptations"),
    "handovers": _l("Handover sheet"),
    "attachments": _l("Photos and files"),
    "voices": _l("What the pupil and the parents said"),
    "family_pages": _l("What the parents' page shares"),
    "family_links": _l("Personal links to the parents' page"),
    "visits": _l("Planned class visits"),
}


def _document_label(name: str) -> str:
    """Name a collection (or a plugin's table ``plugin:<name>``) for the user."""
    if name.startswith("plugin:"):
        return _("Data of the plugin %(name)s", name=name.split(":", 1)[1])
    return str(DOCUMENT_LABELS.get(name, name))


def markdown(text) -> Markup:
    """Render redacted Markdown for the printable copy (escaped text if it cannot be)."""
    try:
        return render_markdown(str(text or ""))
    except RenderError:
        return Markup("<pre>") + escape(text) + Markup("</pre>")


@bp.route("/")
@access.role_required("coordinator", "admin")
def index():
    """The privacy overview: pupils (for the coordinator) and the tools."""
    pupils = []
    if access.has_role(g.user, "coordinator"):
        pupils = sorted(get_store().pupils.all(),
                        key=lambda p: (p.get("class_group", ""), p.get("display_name", "")))
    requests = sorted(get_store().privacy_requests.all(), key=lambda r: r["created_at"], reverse=True)
    return render_template("privacy/index.html", pupils=pupils, requests=requests[:50])


def _review_context(pupil: dict, data: dict) -> dict:
    return {"pupil": pupil, "candidates": redaction.candidates(pupil["id"], data)}


def _posted_terms() -> tuple[list[str], str]:
    """The names ticked (or typed) in the review, and the format asked for."""
    terms = redaction.parse_terms(request.form.getlist("redact"), request.form.get("extra", ""))
    return terms, "json" if request.form.get("format") == "json" else "html"


def _download(data: dict, name: str, pupil: dict, fmt: str, title: str):
    """Send a copy (audited by its service) as a JSON file or a printable page."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f'attachment; filename="{name}-{pupil["id"]}.json"'})
    return render_template("privacy/document.html", data=data, title=title, markdown=markdown)


@bp.route("/pupils/<pupil_id>/export", methods=["GET", "POST"])
@access.role_required("coordinator")
def inspection(pupil_id: str):
    """The parents' inspection copy: review other pupils' names, then print or download."""
    with_history = bool(request.values.get("history"))
    if request.method == "GET":
        pupil, data = export.review_copy(g.user, pupil_id, with_history=with_history)
        return render_template("privacy/inspection.html", **_review_context(pupil, data))
    terms, fmt = _posted_terms()
    pupil, data, _removed = export.hand_out_copy(
        g.user, pupil_id, with_history=with_history,
        with_restricted=bool(request.form.get("restricted")), terms=terms, fmt=fmt)
    return _download(data, "inspection", pupil, fmt, _("Inspection copy"))


@bp.route("/pupils/<pupil_id>/transfer", methods=["GET", "POST"])
@access.role_required("coordinator")
def transfer_page(pupil_id: str):
    """The transfer package: what goes and what stays, the parents' decision."""
    errors: dict[str, list[str]] = {}
    form = {"informed_on": request.form.get("informed_on", ""),
            "objection": request.form.get("objection", "")}
    if request.method == "POST":
        try:
            transfer.record_decision(g.user, pupil_id, informed_on=form["informed_on"],
                                     objection=form["objection"])
        except ValidationError as exc:
            errors = exc.errors
        else:
            flash(_("The parents' decision has been recorded."), "success")
            return redirect(url_for("privacy.transfer_page", pupil_id=pupil_id))
    pupil, decision, candidates = transfer.review(g.user, pupil_id)
    return render_template("privacy/transfer.html", pupil=pupil, left_out=transfer.left_out(pupil_id),
                           decision=decision, form=form, errors=errors, candidates=candidates), (
        400 if errors else 200)


@bp.route("/pupils/<pupil_id>/transfer/package", methods=["POST"])
@access.role_required("coordinator")
def transfer_package(pupil_id: str):
    """Download the transfer package (only without the parents' objection)."""
    terms, fmt = _posted_terms()
    try:
        pupil, data, _removed = transfer.hand_out_package(g.user, pupil_id, terms=terms, fmt=fmt)
    except transfer.TransferRefused:
        flash(_("The package cannot be made: record first that the parents were informed and do not object."),
              "error")
        return redirect(url_for("privacy.transfer_page", pupil_id=pupil_id))
    return _download(data, "transfer", pupil, fmt, _("Transfer package"))


@bp.route("/pupils/<pupil_id>/erase", methods=["GET", "POST"])
@access.role_required("coordinator")
def erase(pupil_id: str):
    """Erase a pupil and everything about them, after typing their name to confirm."""
    pupil = dossier.load_pupil(g.user, pupil_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            gone = erasure.erase_on_request(g.user, pupil_id, request.form.get("confirm", ""))
        except ValidationError as exc:
            errors = exc.errors
        else:
            flash(_("The pupil and %(n)s documents about them have been erased.", n=gone), "success")
            return redirect(url_for("privacy.index"))
    counts = {_document_label(name): len(docs)
              for name, docs in dossier.pupil_documents(pupil_id).items() if docs}
    return render_template("privacy/erase.html", pupil=pupil, counts=counts, errors=errors), (
        400 if errors else 200)


@bp.route("/retention", methods=["GET", "POST"])
@access.role_required("admin")
def retention_page():
    """Retention periods and what is due; the administrator confirms the purge."""
    errors: dict[str, list[str]] = {}
    current = retention.periods()
    form = {k: request.form.get(k, str(v)) for k, v in current.items()}
    if request.method == "POST" and request.form.get("action") == "periods":
        try:
            retention.change_periods(g.user, form)
        except ValidationError as exc:
            errors = exc.errors
        else:
            flash(_("The retention periods have been saved."), "success")
            return redirect(url_for("privacy.retention_page"))
    elif request.method == "POST" and request.form.get("action") == "purge":
        keys = set(request.form.getlist("items"))
        if not keys:
            flash(_("Tick what may be erased first."), "error")
        else:
            gone = retention.purge_ticked(g.user, keys)
            flash(_("%(n)s documents have been erased.", n=gone), "success")
        return redirect(url_for("privacy.retention_page"))
    return render_template("privacy/retention.html", due=retention.due(), form=form, errors=errors), (
        400 if errors else 200)


@bp.route("/dpia")
@access.role_required("coordinator", "admin")
def dpia_page():
    """The data inventory and role/access matrix for the school's DPIA."""
    return render_template("privacy/dpia.html", inventory=dpia.inventory(),
                           matrix=dpia.access_matrix(), capabilities=dpia.CAPABILITIES)


@bp.route("/dpia.<fmt>")
@access.role_required("coordinator", "admin")
def dpia_export(fmt: str):
    """Download the inventory and the matrix (JSON, or CSV: the matrix only)."""
    if fmt == "json":
        body = json.dumps({"inventory": dpia.inventory(), "access_matrix": dpia.access_matrix()},
                          ensure_ascii=False, indent=2)
        mimetype = "application/json"
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        keys = [key for key, _label in dpia.CAPABILITIES]
        writer.writerow(["role"] + [str(label) for _key, label in dpia.CAPABILITIES])
        for row in dpia.access_matrix():
            writer.writerow([str(ROLE_LABELS[row["role"]])] + ["yes" if row[k] else "no" for k in keys])
        body, mimetype = out.getvalue(), "text/csv"
    else:
        abort(404)
    dpia.record_export(g.user, fmt)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="dpia.{fmt}"'})
