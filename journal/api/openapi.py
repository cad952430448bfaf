"""The OpenAPI 3.1 document of the API, served at ``/api/v1/openapi.json``.

Built from the ``PATHS`` and ``SCHEMAS`` each route module declares (see
:mod:`journal.api.spec`), so the description lives next to the code it describes.
"""

from __future__ import annotations

from flask import jsonify
from flask import request
from flask_babel import force_locale

from .. import __version__
from ..security import access
from . import account
from . import comments
from . import entries
from . import goals
from . import pupils
from . import trajectories
from . import visits
from .blueprint import bp
from .errors import default_message
from .spec import STRING
from .spec import json_content
from .spec import operation
from .spec import public

#: The modules whose ``PATHS`` and ``SCHEMAS`` make up the document.
ROUTE_MODULES = (account, pupils, trajectories, goals, entries, comments, visits)

ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 429, 500)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer"},
                "message": STRING,
                "fields": {
                    "type": "object",
                    "description": "Messages per request field (400).",
                    "additionalProperties": {"type": "array", "items": STRING},
                },
            },
        },
        "current": {
            "type": "object",
            "description": "409 only: the document as it is stored now, to merge with.",
        },
    },
}

DESCRIPTION = """\
The journal's JSON API. Authenticate every request (except this document) with a
personal access token: `Authorization: Bearer <token>`. Create one on your account
page (Tokens) or with `journal token create USERNAME`. Browser session cookies are
not accepted.

You see and change exactly what the web pages let you see and change. A
trajectory you may not read answers 404; one you may read but not change, 403.

Updates send the `rev` you last saw; if someone saved in between, the answer is
409 with the `current` document and nothing changes. Errors are always
`{"error": {"status", "message", "fields"?}}`.
"""


def build_document(server_url: str = "/api/v1") -> dict:
    """Return the OpenAPI document of the API."""
    paths = {
        "/openapi.json": {
            "get": public(operation(
                "getOpenAPI", "This OpenAPI document", tag="meta",
                ok=(200, "The OpenAPI 3.1 document.", {"type": "object"}), errors=(),
            )),
        },
    }
    schemas = {"Error": ERROR_SCHEMA}
    for module in ROUTE_MODULES:
        paths.update(getattr(module, "PATHS", {}))
        schemas.update(getattr(module, "SCHEMAS", {}))
    responses = {
        f"Error{status}": {"description": default_message(status),
                           "content": json_content({"$ref": "#/components/schemas/Error"})}
        for status in ERROR_STATUSES
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Journal API", "version": __version__, "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in
                 ("meta", "account", "pupils", "trajectories", "goals", "entries", "comments",
                  "visits")],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A personal access token."},
            },
            "schemas": schemas,
            "responses": responses,
        },
    }


@bp.get("/openapi.json")
@access.public
def openapi_document():
    """Serve the OpenAPI document (public: it holds no pupil data), always in English."""
    with force_locale("en"):
        return jsonify(build_document(request.script_root + bp.url_prefix))
