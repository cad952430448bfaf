"""Planned class visits of a trajectory: list, plan, change and cancel."""

from __future__ import annotations

from flask import g
from flask import jsonify
from flask_babel import gettext as _

from ..process import visits as service
from ..security import access
from ..storage import get_store
from .blueprint import bp
from .errors import invalid
from .errors import json_body
from .helpers import change_from_revision
from .helpers import check_strings
from .helpers import listing
from .helpers import unknown_fields
from .spec import DATE
from .spec import REV
from .spec import STRING
from .spec import TIMESTAMP
from .spec import listing_of
from .spec import nullable
from .spec import operation
from .spec import path_param
from .spec import ref

_TEXT_FIELDS = ("date", "start_time", "end_time", "purpose")


def visit_json(visit: dict) -> dict:
    """Return the API representation of a visit."""
    keep = ("id", "rev", "trajectory_id", "pupil_id", "date", "start_time", "end_time",
            "visitor_ids", "purpose", "status", "created_by", "created_at", "updated_at")
    return {key: visit.get(key) for key in keep}


def _visit_for(action: str, visit_id: str) -> tuple[dict, dict]:
    """Return ``(trajectory, visit)`` when the user may do ``action`` to its trajectory."""
    visit = get_store().visits.get(visit_id)
    return service.load_visit(g.user, visit["trajectory_id"] if visit else "", visit_id, action)


def _values(data: dict) -> dict:
    """Check the types of posted visit fields (text, and a list of ids for visitors)."""
    check_strings({k: v for k, v in data.items() if k in _TEXT_FIELDS},
                  nullable=("start_time", "end_time"))
    visitors = data.get("visitor_ids", [])
    if not isinstance(visitors, list) or not all(isinstance(v, str) for v in visitors):
        raise invalid({"visitor_ids": [_("Send a list of user ids.")]})
    return data


@bp.get("/trajectories/<trajectory_id>/visits")
@access.login_required
def list_visits(trajectory_id: str):
    """List a trajectory's class visits (cancelled ones included), by date."""
    _trajectory, visits = service.list_visits(g.user, trajectory_id)
    return listing([visit_json(v) for v in visits])


@bp.post("/trajectories/<trajectory_id>/visits")
@access.login_required
def plan_visit(trajectory_id: str):
    """Plan a class visit (day, optional time slot, visitors from the team, purpose)."""
    data = json_body()
    unknown_fields(data, set(service.FIELDS))
    visit = service.plan_visit(g.user, trajectory_id, _values(data))
    return jsonify(visit_json(visit)), 201


@bp.get("/visits/<visit_id>")
@access.login_required
def get_visit(visit_id: str):
    """Show one class visit."""
    return jsonify(visit_json(_visit_for(access.READ, visit_id)[1]))


@bp.patch("/visits/<visit_id>")
@access.login_required
def update_visit(visit_id: str):
    """Change a planned visit from the revision the client last saw; fields left out keep
    their value."""
    trajectory, visit = _visit_for(access.WRITE, visit_id)
    return change_from_revision(
        service.FIELDS, lambda values, rev: service.update_visit(
            g.user, trajectory["id"], visit_id, values, expected_rev=rev),
        visit_json, current=visit, check=_values)


@bp.post("/visits/<visit_id>/cancel")
@access.login_required
def cancel_visit(visit_id: str):
    """Cancel a planned visit (it stays listed as cancelled)."""
    trajectory, _visit = _visit_for(access.WRITE, visit_id)
    return change_from_revision(
        (), lambda _values, rev: service.cancel_visit(
            g.user, trajectory["id"], visit_id, expected_rev=rev), visit_json)


_TIME = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "HH:MM"}
_FIELDS = {"date": DATE, "start_time": nullable(_TIME), "end_time": nullable(_TIME),
           "visitor_ids": {"type": "array", "items": STRING,
                           "description": "Team members who visit (at least one)."},
           "purpose": {"type": "string", "maxLength": service.MAX_PURPOSE,
                       "description": "A short line without pupil details."}}

SCHEMAS = {
    "Visit": {
        "type": "object",
        "required": ["id", "rev", "trajectory_id", "date", "visitor_ids", "status"],
        "properties": {
            "id": STRING, "rev": REV, "trajectory_id": STRING, "pupil_id": nullable(STRING),
            **_FIELDS,
            "status": {"type": "string", "enum": [service.PLANNED, service.CANCELLED]},
            "created_by": nullable(STRING), "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
        },
    },
    "VisitCreate": {"type": "object", "required": ["date", "visitor_ids"],
                    "additionalProperties": False, "properties": _FIELDS},
    "VisitUpdate": {"type": "object", "required": ["rev"], "additionalProperties": False,
                    "properties": {"rev": REV, **_FIELDS}},
    "VisitCancel": {"type": "object", "required": ["rev"], "additionalProperties": False,
                    "properties": {"rev": REV}},
}

_VISIT = path_param("visit_id", "The visit's id.")

PATHS = {
    "/trajectories/{trajectory_id}/visits": {
        "parameters": [path_param("trajectory_id", "The trajectory's id.")],
        "get": operation("listVisits", "List a trajectory's class visits", tag="visits",
                         ok=(200, "By date; cancelled visits included.", listing_of("Visit"))),
        "post": operation("planVisit", "Plan a class visit", tag="visits",
                          ok=(201, "The new visit.", ref("Visit")), body=ref("VisitCreate"),
                          errors=(401, 403, 404),
                          description="Team members of an open trajectory."),
    },
    "/visits/{visit_id}": {
        "parameters": [_VISIT],
        "get": operation("getVisit", "Show a class visit", tag="visits",
                         ok=(200, "The visit.", ref("Visit"))),
        "patch": operation("updateVisit", "Change a planned class visit", tag="visits",
                           ok=(200, "The changed visit.", ref("Visit")), body=ref("VisitUpdate"),
                           errors=(401, 403, 404, 409),
                           description="Team members. Fields left out keep their value."),
    },
    "/visits/{visit_id}/cancel": {
        "parameters": [_VISIT],
        "post": operation("cancelVisit", "Cancel a class visit", tag="visits",
                          ok=(200, "The cancelled visit.", ref("Visit")), body=ref("VisitCancel"),
                          errors=(401, 403, 404, 409)),
    },
}
