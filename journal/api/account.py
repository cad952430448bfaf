"""Who the token belongs to: lets a client check its token and show the user's name."""

from __future__ import annotations

from flask import g
from flask import jsonify

from ..security import access
from .blueprint import bp
from .spec import STRING
from .spec import operation
from .spec import ref

SCHEMAS = {
    "User": {
        "type": "object",
        "required": ["id", "display_name"],
        "properties": {"id": STRING, "display_name": STRING},
    },
    "Me": {
        "type": "object",
        "required": ["id", "username", "display_name", "roles"],
        "properties": {
            "id": STRING,
            "username": STRING,
            "display_name": STRING,
            "roles": {"type": "array",
                      "items": {"type": "string", "enum": list(access.SCHOOL_ROLES)}},
        },
    },
}

PATHS = {
    "/me": {
        "get": operation("getMe", "The account the token belongs to", tag="account",
                         ok=(200, "Your account.", ref("Me")), errors=(401,)),
    },
}


@bp.get("/me")
@access.login_required
def me():
    """Show the account the token belongs to (never its secrets)."""
    user = g.user
    return jsonify({"id": user["id"], "username": user["username"],
                    "display_name": user.get("display_name", ""), "roles": user.get("roles", [])})
