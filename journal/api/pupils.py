"""Pupils: those the user may see, because they may read one of the pupil's trajectories."""

from __future__ import annotations

from flask import abort
from flask import g
from flask import jsonify

from ..security import access
from ..storage import get_store
from . import bp
from .helpers import listing
from .spec import DATE
from .spec import REV
from .spec import STRING
from .spec import TIMESTAMP
from .spec import listing_of
from .spec import nullable
from .spec import operation
from .spec import path_param
from .spec import ref

SCHEMAS = {
    "Pupil": {
        "type": "object",
        "required": ["id", "rev", "display_name", "class_group", "left_on"],
        "properties": {
            "id": STRING,
            "rev": REV,
            "display_name": {"type": "string", "description": "Pseudonymous name."},
            "class_group": STRING,
            "left_on": nullable(DATE),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    },
}

PATHS = {
    "/pupils": {
        "get": operation(
            "listPupils", "List the pupils you may see", tag="pupils",
            ok=(200, "The pupils, by name.", listing_of("Pupil")), errors=(401,),
            description="Coordinators see every pupil; others the pupils of trajectories "
                        "they may read.",
        ),
    },
    "/pupils/{pupil_id}": {
        "parameters": [path_param("pupil_id", "The pupil's id.")],
        "get": operation("getPupil", "Show a pupil", tag="pupils",
                         ok=(200, "The pupil.", ref("Pupil"))),
    },
}


def pupil_json(pupil: dict) -> dict:
    """Return the API representation of a pupil."""
    return {
        "id": pupil["id"],
        "rev": pupil["rev"],
        "display_name": pupil.get("display_name", ""),
        "class_group": pupil.get("class_group", ""),
        "left_on": pupil.get("left_on"),
        "created_at": pupil.get("created_at"),
        "updated_at": pupil.get("updated_at"),
    }


def may_see_pupil(user: dict, pupil_id: str) -> bool:
    """Return whether ``user`` may see the pupil: a coordinator, or a reader of one of their trajectories."""
    if access.can(user, "overview"):
        return True
    trajectories = get_store().trajectories.find(pupil_id=pupil_id)
    return any(access.can(user, access.READ, t) for t in trajectories)


@bp.get("/pupils")
@access.login_required
def list_pupils():
    """List the pupils the user may see, by name."""
    pupils = [p for p in get_store().pupils.all() if may_see_pupil(g.user, p["id"])]
    pupils.sort(key=lambda p: (p.get("display_name") or "").lower())
    return listing([pupil_json(p) for p in pupils])


@bp.get("/pupils/<pupil_id>")
@access.login_required
def get_pupil(pupil_id: str):
    """Show one pupil; 404 when the user may not see them (existence does not leak)."""
    pupil = get_store().pupils.get(pupil_id)
    if pupil is None or not may_see_pupil(g.user, pupil_id):
        abort(404)
    return jsonify(pupil_json(pupil))
