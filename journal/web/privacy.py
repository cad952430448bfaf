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

from ..privacy import dpia
from ..privacy import erasure
from ..privacy import export
from ..privacy import redaction
from ..privacy import retention
from ..privacy import transfer
from ..rendering import RenderError
from ..rendering import render_markdown
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from .helpers import ROLE_LABELS
from .helpers import parse_date

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
}


def _document_label(name: str) -> str:
    """Name a collection (or a plugin's table ``plugin:<name>``) for the user."""
    if name.startswith("plugin:"):
        return _("Data of the plugin %(name)s", name=name.split(":", 1)[1])
    return str(DOCUMENT_LABELS.get(name, name))


def _pupil(pupil_id: str) -> dict:
    pupil = get_store().pupils.get(pupil_id)
    if pupil is None:
        abort(404)
    return pupil


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


def _redact_posted(data: dict) -> tuple[dict, int, str]:
    """Remove the names ticked (or typed) in the review; return ``(data, removed, format)``."""
    terms = redaction.parse_terms(request.form.getlist("redact"), request.form.get("extra", ""))
    data, removed = redaction.redact(data, terms)
    fmt = "json" if request.form.get("format") == "json" else "html"
    return data, removed, fmt


def _download(data: dict, name: str, pupil: dict, fmt: str, removed: int, title: str):
    """Record the export in the audit trail and send it as a JSON file or a printable page."""
    audit("export", object_type="pupil", object_id=pupil["id"], pupil_id=pupil["id"],
          detail=f"{name}:{fmt}:redacted={removed}")
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f'attachment; filename="{name}-{pupil["id"]}.json"'})
    return render_template("privacy/document.html", data=data, title=title, markdown=markdown)


@bp.route("/pupils/<pupil_id>/export", methods=["GET", "POST"])
@access.role_required("coordinator")
def inspection(pupil_id: str):
    """The parents' inspection copy: review other pupils' names, then print or download."""
    pupil = _pupil(pupil_id)
    with_history = bool(request.values.get("history"))
    with_restricted = request.method == "GET" or bool(request.form.get("restricted"))
    data = export.build(pupil_id, with_history=with_history, with_restricted=with_restricted)
    if request.method == "GET":
        audit("view", object_type="pupil", object_id=pupil_id, pupil_id=pupil_id,
              detail="inspection_review")
        return render_template("privacy/inspection.html", **_review_context(pupil, data))
    data, removed, fmt = _redact_posted(data)
    get_store().privacy_requests.create(
        {"pupil_id": pupil_id, "kind": "inspection", "format": fmt, "history": with_history,
         "restricted": with_restricted, "redactions": removed, "recorded_by": g.user["id"]},
        actor_id=g.user["id"])
    return _download(data, "inspection", pupil, fmt, removed, _("Inspection copy"))


@bp.route("/pupils/<pupil_id>/transfer", methods=["GET", "POST"])
@access.role_required("coordinator")
def transfer_page(pupil_id: str):
    """The transfer package: what goes and what stays, the parents' decision."""
    pupil = _pupil(pupil_id)
    errors: dict[str, list[str]] = {}
    form = {"informed_on": request.form.get("informed_on", ""),
            "objection": request.form.get("objection", "")}
    if request.method == "POST":
        if parse_date(form["informed_on"]) is None:
            errors["informed_on"] = [_("Use a date like 2025-03-31.")]
        if form["objection"] not in ("yes", "no"):
            errors["objection"] = [_("Choose whether the parents object.")]
        if not errors:
            transfer.record_decision(pupil_id, informed_on=form["informed_on"],
                                     objection=form["objection"] == "yes", actor=g.user)
            flash(_("The parents' decision has been recorded."), "success")
            return redirect(url_for("privacy.transfer_page", pupil_id=pupil_id))
    decision = transfer.latest_decision(pupil_id)
    candidates = []
    if decision and not decision["objection"]:
        candidates = redaction.candidates(pupil_id, transfer.build(pupil_id))
    else:
        audit("view", object_type="pupil", object_id=pupil_id, pupil_id=pupil_id,
              detail="transfer_review")
    return render_template("privacy/transfer.html", pupil=pupil, left_out=transfer.left_out(pupil_id),
                           decision=decision, form=form, errors=errors, candidates=candidates), (
        400 if errors else 200)


@bp.route("/pupils/<pupil_id>/transfer/package", methods=["POST"])
@access.role_required("coordinator")
def transfer_package(pupil_id: str):
    """Download the transfer package (only without the parents' objection)."""
    pupil = _pupil(pupil_id)
    try:
        data = transfer.build(pupil_id)
    except transfer.TransferRefused:
        flash(_("The package cannot be made: record first that the parents were informed and do not object."),
              "error")
        return redirect(url_for("privacy.transfer_page", pupil_id=pupil_id))
    data, removed, fmt = _redact_posted(data)
    return _download(data, "transfer", pupil, fmt, removed, _("Transfer package"))


@bp.route("/pupils/<pupil_id>/erase", methods=["GET", "POST"])
@access.role_required("coordinator")
def erase(pupil_id: str):
    """Erase a pupil and everything about them, after typing their name to confirm."""
    pupil = _pupil(pupil_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        typed = " ".join(request.form.get("confirm", "").split())
        if typed.casefold() != " ".join(pupil["display_name"].split()).casefold():
            errors["confirm"] = [_("Type the pupil's name exactly as shown to confirm.")]
        else:
            gone = erasure.erase_pupil(pupil_id, actor_id=g.user["id"])
            flash(_("The pupil and %(n)s documents about them have been erased.", n=gone), "success")
            return redirect(url_for("privacy.index"))
    from ..privacy import dossier

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
        values = {}
        for key in ("left_months", "closed_months"):
            try:
                values[key] = int(form[key])
            except ValueError:
                values[key] = -1
            if not 0 <= values[key] <= retention.MAX_MONTHS:
                errors[key] = [_("Use a whole number of months from 0 to %(n)s.", n=retention.MAX_MONTHS)]
        if not errors:
            retention.set_periods(**values)
            audit("update", object_type="settings", object_id="retention", detail="periods")
            flash(_("The retention periods have been saved."), "success")
            return redirect(url_for("privacy.retention_page"))
    elif request.method == "POST" and request.form.get("action") == "purge":
        keys = set(request.form.getlist("items"))
        if not keys:
            flash(_("Tick what may be erased first."), "error")
        else:
            gone = retention.purge(keys, actor_id=g.user["id"])
            audit("purge", object_type="retention", detail=f"items={len(keys)}:documents={gone}")
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
    audit("export", object_type="dpia", detail=fmt)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="dpia.{fmt}"'})
