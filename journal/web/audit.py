"""The audit log for the care coordinator and the administrator: read, filter,
export (CSV, JSON). There is no way to change or delete a record."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask_babel import gettext as _

from ..security import access
from ..security.audit import ACTIONS
from ..security.audit import EXPORT_FIELDS
from ..security.audit import FILTER_FIELDS
from ..security.audit import audit
from ..security.audit import matching
from ..security.audit import search
from ..storage import get_store
from .audit_labels import ACTION_LABELS
from .audit_labels import OBJECT_LABELS
from .helpers import parse_date

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 100
#: Records counted at most for the page's total ("more than 10,000" beyond).
COUNT_LIMIT = 10_000

def _filters() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Read the filters from the query string; return them and messages per bad field."""
    errors: dict[str, list[str]] = {}
    filters = {k: request.args.get(k, "").strip()[:100] for k in FILTER_FIELDS}
    username = request.args.get("user", "").strip().lower()[:40]
    filters["user"] = username
    if username:
        found = get_store().users.find(username=username)
        if found:
            filters["user_id"] = found[0]["id"]
        else:
            errors["user"] = [_("There is no account with this user name.")]
    for name in ("since", "until"):
        value = request.args.get(name, "").strip()[:10]
        filters[name] = value
        if value and parse_date(value) is None:
            errors[name] = [_("Use a date like 2025-03-31.")]
    if filters["action"] and filters["action"] not in ACTIONS:
        errors["action"] = [_("Choose an action from the list.")]
    return filters, errors


@bp.route("/")
@access.role_required("coordinator", "admin")
def index():
    """Show the audit log, newest first, filtered and paged."""
    filters, errors = _filters()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    shown, total = ([], 0) if errors else search(
        filters, page=page, per_page=PAGE_SIZE, count_limit=COUNT_LIMIT)
    users = {u["id"]: u["username"] for u in get_store().users.all_readonly()}
    audit("view", object_type="audit", detail="list")
    query = {k: v for k, v in filters.items() if v and k != "user_id"}
    more = total > COUNT_LIMIT  # the exact number is not worth counting millions of records
    pages = page + (len(shown) == PAGE_SIZE) if more else max(1, -(-total // PAGE_SIZE))
    return render_template("audit/index.html", records=shown, total=total, page=page,
                           pages=pages, more=more, count_limit=COUNT_LIMIT, filters=filters,
                           errors=errors, users=users, query=query,
                           action_labels=ACTION_LABELS, object_labels=OBJECT_LABELS,
                           action_options=[("", _("All"))] + [(a, str(ACTION_LABELS.get(a, a)))
                                                              for a in ACTIONS]), (
        400 if errors else 200)


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet programs run cells that start like a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/export.<fmt>")
@access.role_required("coordinator", "admin")
def export(fmt: str):
    """Download the filtered audit log as CSV or JSON."""
    if fmt not in ("csv", "json"):
        return render_template("errors/error.html", status=404), 404
    filters, errors = _filters()
    if errors:
        return render_template("errors/error.html", status=400), 400
    audit("export", object_type="audit", detail=fmt)
    records = ({k: r.get(k, "") for k in EXPORT_FIELDS} for r in matching(filters))
    body = _json_lines(records) if fmt == "json" else _csv_lines(records)
    # Streamed (the trail is read in batches): a year of records would not fit a response.
    return Response(body,
                    mimetype="application/json" if fmt == "json" else "text/csv",
                    headers={"Content-Disposition": f'attachment; filename="audit-log.{fmt}"'})


def _json_lines(records):
    """A JSON array of the records, one record a line."""
    yield "["
    for n, record in enumerate(records):
        yield ("," if n else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"


def _csv_lines(records):
    """The records as CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_FIELDS)
    for record in records:
        writer.writerow([_csv_cell(record[k]) for k in EXPORT_FIELDS])
        if out.tell() > 65536:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
