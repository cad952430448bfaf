"""Goals of a trajectory: list, add, read, change and evaluate."""

from __future__ import annotations

from flask import g
from flask import jsonify

from ..process import goals as service
from ..security import access
from .blueprint import bp
from .errors import json_body
from .helpers import check_strings
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

EDITABLE = ("text", "owner_id", "review_date", "status")


def goal_json(goal: dict) -> dict:
    """Return the API representation of a goal."""
    return {
        "id": goal["id"],
        "rev": goal["rev"],
        "trajectory_id": goal["trajectory_id"],
        "pupil_id": goal.get("pupil_id"),
        "text": goal.get("text", ""),
        "html": goal.get("html", {}),
        "owner_id": goal.get("owner_id"),
        "review_date": goal.get("review_date"),
        "status": goal.get("status"),
        "overdue": service.is_overdue(goal),
        "evaluations": goal.get("evaluations", []),
        "created_by": goal.get("created_by"),
        "created_at": goal.get("created_at"),
        "updated_at": goal.get("updated_at"),
    }


def _goal_for(action: str, goal_id: str) -> tuple[dict, dict]:
    """Return ``(trajectory, goal)`` if the user may do ``action`` to the goal's trajectory."""
    return service.load_goal(g.user, goal_id, action)


@bp.get("/trajectories/<trajectory_id>/goals")
@access.login_required
def list_goals(trajectory_id: str):
    """List a trajectory's goals: ongoing first, then by review date."""
    trajectory = trajectory_for(access.READ, trajectory_id)
    return listing([goal_json(goal) for goal in service.goals_for(trajectory["id"])])


@bp.post("/trajectories/<trajectory_id>/goals")
@access.login_required
def create_goal(trajectory_id: str):
    """Add a goal (text, owner from the team, review date); it starts ongoing."""
    trajectory_for(access.WRITE, trajectory_id)  # refuse before reading the body
    data = json_body()
    unknown_fields(data, {"text", "owner_id", "review_date"})
    check_strings(data)
    goal = service.create_goal(g.user, trajectory_id, data)
    return jsonify(goal_json(goal)), 201


@bp.get("/goals/<goal_id>")
@access.login_required
def get_goal(goal_id: str):
    """Show one goal with its evaluations."""
    _trajectory, goal = _goal_for(access.READ, goal_id)
    return jsonify(goal_json(goal))


@bp.patch("/goals/<goal_id>")
@access.login_required
def update_goal(goal_id: str):
    """Change a goal from the revision the client last saw; fields left out keep their value."""
    _trajectory, goal = _goal_for(access.WRITE, goal_id)
    return change_from_revision(
        EDITABLE, lambda values, rev: service.update_goal(g.user, goal_id, values,
                                                          expected_rev=rev),
        goal_json, current=goal, check=check_strings)


@bp.post("/goals/<goal_id>/evaluations")
@access.login_required
def evaluate_goal(goal_id: str):
    """Record a dated evaluation and the goal's resulting status."""
    _goal_for(access.WRITE, goal_id)  # refuse before reading the body
    return change_from_revision(
        ("date", "text", "status", "next_review_date"),
        lambda values, rev: service.add_evaluation(g.user, goal_id, values, expected_rev=rev),
        goal_json, check=lambda sent: check_strings(sent, nullable=("next_review_date",)),
        status=201)


_STATUS = {"type": "string", "enum": list(service.STATUSES)}

SCHEMAS = {
    "Goal": {
        "type": "object",
        "required": ["id", "rev", "trajectory_id", "text", "owner_id", "review_date", "status"],
        "properties": {
            "id": STRING,
            "rev": REV,
            "trajectory_id": STRING,
            "pupil_id": nullable(STRING),
            "text": MARKDOWN,
            "html": HTML,
            "owner_id": STRING,
            "review_date": DATE,
            "status": _STATUS,
            "overdue": {"type": "boolean",
                        "description": "Ongoing and past its review date."},
            "evaluations": {"type": "array", "items": {
                "type": "object",
                "properties": {"id": STRING, "date": DATE, "author_id": STRING,
                               "text": MARKDOWN, "html": STRING, "status": _STATUS,
                               "at": TIMESTAMP},
            }},
            "created_by": nullable(STRING),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    },
    "GoalCreate": {
        "type": "object",
        "required": ["text", "owner_id", "review_date"],
        "additionalProperties": False,
        "properties": {"text": {"type": "string", "maxLength": service.MAX_TEXT},
                       "owner_id": {"type": "string", "description": "A team member."},
                       "review_date": DATE},
    },
    "GoalUpdate": {
        "type": "object",
        "required": ["rev"],
        "additionalProperties": False,
        "properties": {"rev": REV, "text": {"type": "string", "maxLength": service.MAX_TEXT},
                       "owner_id": STRING, "review_date": DATE, "status": _STATUS},
    },
    "Evaluation": {
        "type": "object",
        "required": ["rev", "date", "text", "status"],
        "additionalProperties": False,
        "properties": {"rev": REV, "date": DATE, "text": MARKDOWN, "status": _STATUS,
                       "next_review_date": nullable(DATE)},
    },
}

_GOAL = path_param("goal_id", "The goal's id.")

PATHS = {
    "/trajectories/{trajectory_id}/goals": {
        "parameters": [path_param("trajectory_id", "The trajectory's id.")],
        "get": operation("listGoals", "List a trajectory's goals", tag="goals",
                         ok=(200, "Ongoing first, then by review date.", listing_of("Goal"))),
        "post": operation("createGoal", "Add a goal", tag="goals",
                          ok=(201, "The new goal.", ref("Goal")), body=ref("GoalCreate"),
                          errors=(401, 403, 404),
                          description="Team members of the trajectory."),
    },
    "/goals/{goal_id}": {
        "parameters": [_GOAL],
        "get": operation("getGoal", "Show a goal", tag="goals", ok=(200, "The goal.", ref("Goal"))),
        "patch": operation("updateGoal", "Change a goal", tag="goals",
                           ok=(200, "The changed goal.", ref("Goal")), body=ref("GoalUpdate"),
                           errors=(401, 403, 404, 409),
                           description="Team members. Fields left out keep their value."),
    },
    "/goals/{goal_id}/evaluations": {
        "parameters": [_GOAL],
        "post": operation("evaluateGoal", "Evaluate a goal", tag="goals",
                          ok=(201, "The goal with the new evaluation.", ref("Goal")),
                          body=ref("Evaluation"), errors=(401, 403, 404, 409)),
    },
}
