"""Pupils: those the user may see, because they may read one of the pupil's trajectories."""

from __future__ import annotations

from flask import g
from flask import jsonify

from ..process import pupils as pupil_service
from ..security import access
from .blueprint import bp
from .helpers import change_from_revision
from .helpers import check_strings
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

SCHEMAS["PupilUpdate"] = {
    "type": "object",
    "required": ["rev"],
    "additionalProperties": False,
    "properties": {"rev": REV, "display_name": {"type": "string", "maxLength": 80},
                   "class_group": {"type": "string", "maxLength": 40}},
}

PATHS = {
    "/pupils": {
        "get": operation(
            "listPupils", "List the pupils you may see", tag="pupils",
            ok=(200, "The pupils, by name.", listing_of("Pupil")), errors=(401,),
            description="Coordinators see every pupil; others the pupils of trajectories "
                        "they may read. Sorted by class group, then name.",
        ),
    },
    "/pupils/{pupil_id}": {
        "parameters": [path_param("pupil_id", "The pupil's id.")],
        "get": operation("getPupil", "Show a pupil", tag="pupils",
                         ok=(200, "The pupil.", ref("Pupil"))),
        "patch": operation(
            "updatePupil", "Rename a pupil or change the class group", tag="pupils",
            ok=(200, "The changed pupil.", ref("Pupil")), body=ref("PupilUpdate"),
            errors=(401, 403, 404, 409),
            description="Coordinators, and those who manage one of the pupil's trajectories.",
        ),
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


@bp.get("/pupils")
@access.login_required
def list_pupils():
    """List the pupils the user may see, by class group and name."""
    return listing([pupil_json(p) for p in pupil_service.visible_pupils(g.user)])


@bp.get("/pupils/<pupil_id>")
@access.login_required
def get_pupil(pupil_id: str):
    """Show one pupil; 404 when the user may not see them (existence does not leak)."""
    return jsonify(pupil_json(pupil_service.view_pupil(g.user, pupil_id, detail="api")))


@bp.patch("/pupils/<pupil_id>")
@access.login_required
def update_pupil(pupil_id: str):
    """Rename a pupil or change the class group, from the revision the client last saw."""
    pupil = pupil_service.load_pupil(g.user, pupil_id, edit=True)
    return change_from_revision(
        ("display_name", "class_group"), lambda values, rev: pupil_service.update_pupil(
            g.user, pupil_id, values, expected_rev=rev),
        pupil_json, current=pupil, check=check_strings,
        keep=("display_name", "class_group", "left_on"))  # left_on: set on the page only
