"""Building blocks for the OpenAPI document: each route module describes its own paths.

A route module defines ``PATHS`` (OpenAPI path items keyed by the path under
``/api/v1``) and ``SCHEMAS`` (component schemas) with the helpers below;
:mod:`journal.api.openapi` puts them together. A test checks that the
document and the routes in ``app.url_map`` name the same paths and methods.
"""

from __future__ import annotations


def ref(name: str) -> dict:
    """Return a reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """Return ``schema`` that also allows ``null`` (OpenAPI 3.1 / JSON Schema style)."""
    return {"anyOf": [schema, {"type": "null"}]}


STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
TIMESTAMP = {"type": "string", "format": "date-time"}
REV = {"type": "integer", "minimum": 1, "description": "Revision: 1 on creation, +1 per update."}
MARKDOWN = {"type": "string", "description": "Markdown; rendered and sanitised as `html[field]`."}
HTML = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": "Sanitised HTML per Markdown field, rendered when saved.",
}


def listing_of(name: str) -> dict:
    """Return the schema of a ``{"items": [...]}`` answer."""
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": ref(name)}},
    }


def json_content(schema: dict) -> dict:
    """Return a ``content`` object for ``application/json``."""
    return {"application/json": {"schema": schema}}


def answer(description: str, schema: dict) -> dict:
    """Return a JSON response object."""
    return {"description": description, "content": json_content(schema)}


def error(status: int) -> dict:
    """Return a reference to the shared response for error ``status``."""
    return {"$ref": f"#/components/responses/Error{status}"}


def path_param(name: str, description: str) -> dict:
    """Return a required string path parameter."""
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


def operation(operation_id: str, summary: str, *, tag: str, ok: tuple[int, str, dict],
              body: dict | None = None, errors: tuple[int, ...] = (401, 404),
              description: str = "") -> dict:
    """Return an operation object.

    :param ok: ``(status, description, schema)`` of the success answer.
    :param body: the JSON request body schema, if any (then 400, 413 and 415 are listed too).
    :param errors: the error statuses this operation can answer.
    """
    status, ok_description, schema = ok
    responses = {str(status): answer(ok_description, schema)}
    listed = set(errors) | ({400, 413, 415} if body is not None else set())
    for code in sorted(listed):
        responses[str(code)] = error(code)
    op = {"operationId": operation_id, "summary": summary, "tags": [tag], "responses": responses}
    if description:
        op["description"] = description
    if body is not None:
        op["requestBody"] = {"required": True, "content": json_content(body)}
    return op


def public(op: dict) -> dict:
    """Mark an operation as needing no token."""
    op["security"] = []
    return op
