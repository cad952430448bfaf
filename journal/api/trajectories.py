"""Trajectories: list, open, read, change settings and team, move through the phases."""

from __future__ import annotations

from flask import g
from flask import jsonify
from flask_babel import gettext as _

from ..process import lifecycle
from ..process import phases
from ..process import trajectories as service
from ..security import access
from .blueprint import bp
from .errors import invalid
from .errors import json_body
from .helpers import change_from_revision
from .helpers import listing
from .helpers import trajectory_for
from .helpers import unknown_fields
from .spec import DATE
from .spec import HTML
from .spec import MARKDOWN
from .spec import REV
from .spec import STRING
from .spec import TIMESTAMP
from .spec import listing_of
from .spec import nullable
from .spec import operation
from .spec import path_param
from .spec import ref

#: Fields a client may set when opening or changing a trajectory.
EDITABLE = ("target", "pupil_id", "title", "educational_need", "learning_question",
            "focus_areas", "members", "start_date", "planned_end_date")
STRING_FIELDS = ("target", "pupil_id", "title", "educational_need", "learning_question",
                 "start_date", "planned_end_date")


def trajectory_json(trajectory: dict, people: dict[str, dict] | None = None,
                    pupils: dict[str, dict] | None = None) -> dict:
    """Return the API representation of a trajectory (the reader may read it).

    :param people: the members as users by id, and ``pupils`` the pupils by id,
        when a list looked them up for every trajectory at once.
    """
    if people is None:
        people = service.users_by_id(m["user_id"] for m in trajectory.get("members", ()))
    pupil = (pupils.get(trajectory.get("pupil_id")) if pupils is not None
             else service.pupil_of(trajectory))
    return {
        "id": trajectory["id"],
        "rev": trajectory["rev"],
        "target": trajectory.get("target"),
        "pupil_id": trajectory.get("pupil_id"),
        "pupil": ({"id": pupil["id"], "display_name": pupil.get("display_name", ""),
                   "class_group": pupil.get("class_group", "")} if pupil else None),
        "title": trajectory.get("title", ""),
        "display_title": service.display_title(trajectory, pupil),
        "educational_need": trajectory.get("educational_need", ""),
        "learning_question": trajectory.get("learning_question", ""),
        "html": trajectory.get("html", {}),
        "focus_areas": trajectory.get("focus_areas", []),
        "members": [
            {"user_id": m["user_id"], "role": m["role"],
             "display_name": people.get(m["user_id"], {}).get("display_name", "")}
            for m in trajectory.get("members", ())
        ],
        "phase": trajectory.get("phase"),
        "phase_history": trajectory.get("phase_history", []),
        "start_date": trajectory.get("start_date"),
        "planned_end_date": trajectory.get("planned_end_date"),
        "closed_on": trajectory.get("closed_on"),
        "created_by": trajectory.get("created_by"),
        "created_at": trajectory.get("created_at"),
        "updated_at": trajectory.get("updated_at"),
    }


def _values(data: dict) -> dict:
    """Check the JSON types of trajectory fields; the service checks their meaning."""
    errors: dict[str, list[str]] = {}
    for key in STRING_FIELDS:
        if key in data and data[key] is not None and not isinstance(data[key], str):
            errors[key] = [_("Send text here.")]
    if "focus_areas" in data and not _list_of(data["focus_areas"], str):
        errors["focus_areas"] = [_("Send a list of ids.")]
    if "members" in data and not (
        _list_of(data["members"], dict)
        and all(isinstance(m.get("user_id"), str) and isinstance(m.get("role"), str)
                for m in data["members"])
    ):
        errors["members"] = [_("Send a list of {user_id, role}.")]
    if "new_pupil" in data and not (
        isinstance(data["new_pupil"], dict)
        and all(isinstance(v, str) for v in data["new_pupil"].values())
    ):
        errors["new_pupil"] = [_("Send {display_name, class_group} for the new pupil.")]
    if errors:
        raise invalid(errors)
    return data


def _list_of(value, kind) -> bool:
    return isinstance(value, list) and all(isinstance(v, kind) for v in value)


@bp.get("/trajectories")
@access.login_required
def list_trajectories():
    """List the trajectories the user may read, most recently changed first."""
    found = service.visible_readonly(g.user)  # turned into JSON at once, never changed
    people = service.users_by_id(m["user_id"] for t in found for m in t.get("members", ()))
    pupils = service.pupils_of(found)
    return listing([trajectory_json(t, people, pupils) for t in found])


@bp.post("/trajectories")
@access.login_required
def create_trajectory():
    """Open a trajectory; the person opening it joins the team."""
    access.check_allowed(g.user, "open_trajectory")  # refuse before reading the body
    data = json_body()
    unknown_fields(data, set(EDITABLE) | {"new_pupil"})
    trajectory = service.create_trajectory(g.user, _values(data))
    return jsonify(trajectory_json(trajectory)), 201


@bp.get("/trajectories/<trajectory_id>")
@access.login_required
def get_trajectory(trajectory_id: str):
    """Show a trajectory the user may read (the read is audited, like the page)."""
    return jsonify(trajectory_json(service.view_trajectory(g.user, trajectory_id, "api")))


@bp.patch("/trajectories/<trajectory_id>")
@access.login_required
def update_trajectory(trajectory_id: str):
    """Change a trajectory's settings or team, from the revision the client last saw.

    Fields left out keep their value. Needs the right to manage the trajectory.
    """
    trajectory = trajectory_for(access.MANAGE, trajectory_id)
    return change_from_revision(
        (*EDITABLE, "new_pupil"), lambda values, rev: service.update_trajectory(
            g.user, trajectory_id, values, expected_rev=rev),
        trajectory_json, current=trajectory, keep=EDITABLE, check=_values)


@bp.post("/trajectories/<trajectory_id>/phase")
@access.login_required
def change_phase(trajectory_id: str):
    """Move a trajectory to another phase (closing needs ``confirm_close``, and nothing
    missing unless a care coordinator gives ``override_reason``)."""
    trajectory_for(access.MANAGE, trajectory_id)  # refuse before reading the body
    return change_from_revision(
        ("phase", "confirm_close", "override_reason"), lambda values, rev: lifecycle.change_phase(
            g.user, trajectory_id, values["phase"], expected_rev=rev,
            confirm_close=values.get("confirm_close") is True,
            override_reason=str(values.get("override_reason") or "")),
        trajectory_json, check=_phase)


def _phase(sent: dict) -> None:
    """Refuse a phase that is not one of the journal's phases (400)."""
    phase = sent.get("phase")
    if not isinstance(phase, str) or phases.get(phase) is None:
        raise invalid({"phase": [_("Choose a phase from the list.")]})


_PHASE_IDS = list(phases.PHASE_IDS)
_MEMBER = {
    "type": "object",
    "required": ["user_id", "role"],
    "properties": {"user_id": STRING, "role": {"type": "string", "enum": list(service.MEMBER_ROLES)},
                   "display_name": {"type": "string", "readOnly": True}},
}
_INPUT_PROPERTIES = {
    "target": {"type": "string", "enum": list(service.TARGETS)},
    "pupil_id": nullable({"type": "string", "description": "A pupil you may see, or \"new\"."}),
    "new_pupil": {"type": "object", "description": "With pupil_id \"new\".",
                  "properties": {"display_name": STRING, "class_group": STRING}},
    "title": {"type": "string", "maxLength": service.MAX_TITLE},
    "educational_need": MARKDOWN,
    "learning_question": MARKDOWN,
    "focus_areas": {"type": "array", "items": STRING},
    "members": {"type": "array", "items": _MEMBER},
    "start_date": DATE,
    "planned_end_date": nullable(DATE),
}

SCHEMAS = {
    "Trajectory": {
        "type": "object",
        "required": ["id", "rev", "target", "pupil_id", "title", "members", "phase"],
        "properties": {
            "id": STRING,
            "rev": REV,
            "target": {"type": "string", "enum": list(service.TARGETS)},
            "pupil_id": nullable(STRING),
            "pupil": nullable({"type": "object", "properties": {
                "id": STRING, "display_name": STRING, "class_group": STRING}}),
            "title": STRING,
            "display_title": STRING,
            "educational_need": MARKDOWN,
            "learning_question": MARKDOWN,
            "html": HTML,
            "focus_areas": {"type": "array", "items": STRING},
            "members": {"type": "array", "items": _MEMBER},
            "phase": {"type": "string", "enum": _PHASE_IDS},
            "phase_history": {"type": "array", "items": {"type": "object"}},
            "start_date": nullable(DATE),
            "planned_end_date": nullable(DATE),
            "closed_on": nullable(DATE),
            "created_by": nullable(STRING),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    },
    "TrajectoryCreate": {
        "type": "object",
        "required": ["target", "start_date"],
        "additionalProperties": False,
        "properties": _INPUT_PROPERTIES,
    },
    "TrajectoryUpdate": {
        "type": "object",
        "required": ["rev"],
        "additionalProperties": False,
        "properties": dict(_INPUT_PROPERTIES, rev=REV),
    },
    "PhaseChange": {
        "type": "object",
        "required": ["rev", "phase"],
        "additionalProperties": False,
        "properties": {"rev": REV, "phase": {"type": "string", "enum": _PHASE_IDS},
                       "confirm_close": {"type": "boolean",
                                         "description": "Must be true to close."},
                       "override_reason": {"type": "string", "maxLength": 500,
                                           "description": "A care coordinator's reason to close "
                                                          "although goals are unevaluated or the "
                                                          "handover sheet is unpublished."}},
    },
}

_ID = path_param("trajectory_id", "The trajectory's id.")

PATHS = {
    "/trajectories": {
        "get": operation("listTrajectories", "List the trajectories you may read",
                         tag="trajectories", errors=(401,),
                         ok=(200, "Most recently changed first.", listing_of("Trajectory"))),
        "post": operation(
            "createTrajectory", "Open a trajectory", tag="trajectories",
            ok=(201, "The new trajectory, in the intake phase.", ref("Trajectory")),
            body=ref("TrajectoryCreate"), errors=(401, 403),
            description="Teachers, learning-support specialists and coordinators; you join "
                        "the team. A pupil trajectory names a pupil you may see, or "
                        "pupil_id \"new\" with new_pupil.",
        ),
    },
    "/trajectories/{trajectory_id}": {
        "parameters": [_ID],
        "get": operation("getTrajectory", "Show a trajectory", tag="trajectories",
                         ok=(200, "The trajectory.", ref("Trajectory"))),
        "patch": operation(
            "updateTrajectory", "Change a trajectory's settings or team", tag="trajectories",
            ok=(200, "The changed trajectory.", ref("Trajectory")),
            body=ref("TrajectoryUpdate"), errors=(401, 403, 404, 409),
            description="Coordinators and the learning-support specialists on the team. "
                        "Fields left out keep their value.",
        ),
    },
    "/trajectories/{trajectory_id}/phase": {
        "parameters": [_ID],
        "post": operation(
            "changePhase", "Move a trajectory to another phase", tag="trajectories",
            ok=(200, "The trajectory in its new phase.", ref("Trajectory")),
            body=ref("PhaseChange"), errors=(401, 403, 404, 409),
        ),
    },
}
