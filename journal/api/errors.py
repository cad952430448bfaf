"""JSON errors for the API: one shape for every failure.

Every error answers ``{"error": {"status": …, "message": …, "fields": {…}?}}``;
a stale revision (409) also carries the ``current`` document so a client can
merge. Browser pages keep their HTML error pages: :func:`error_response` is
also called by the app-wide handler for paths under ``/api/`` that matched no
API route (404 and 405 happen before a blueprint is known).
"""

from __future__ import annotations

import json

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

from ..errors import Forbidden
from ..errors import NotFound
from ..errors import StaleRevision
from ..errors import ValidationError


class ApiError(Exception):
    """An error the API reports as JSON.

    :param status: the HTTP status.
    :param message: a sentence for people.
    :param fields: messages per request field (``{"date": ["Use a date …"]}``).
    :param extra: more top-level keys for the body (``current`` on a 409).
    """

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None,
                 extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields
        self.extra = extra or {}


def invalid(fields: dict[str, list[str]], message: str | None = None) -> ApiError:
    """Return a 400 error with messages per field."""
    return ApiError(400, message or _("Some fields are not valid."), fields)


def default_message(status: int) -> str:
    """Return the sentence the API uses for ``status`` when nothing more precise is known."""
    messages = {
        400: _("The request is not valid."),
        401: _("Send a valid personal access token: Authorization: Bearer <token>."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("Someone else saved a newer version; nothing was changed."),
        413: _("The request body is too large."),
        415: _("Send the body as JSON (Content-Type: application/json)."),
        429: _("Too many requests; try again later."),
        500: _("Something went wrong on the server."),
    }
    return messages.get(status, _("The request failed."))


def error_response(error: Exception, status: int | None = None):
    """Build the JSON response for ``error`` (an :class:`ApiError` or an HTTP exception)."""
    if isinstance(error, ApiError):
        status, message, fields, extra = error.status, error.message, error.fields, error.extra
    else:
        status = status or getattr(error, "code", None) or 500
        message, fields, extra = default_message(status), None, {}
    body = {"error": {"status": status, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="journal"'
    if status == 405 and isinstance(error, HTTPException):
        allowed = error.get_headers()
        response.headers.extend([h for h in allowed if h[0] == "Allow"])
    return response


def json_body() -> dict:
    """Return the request's JSON object, or raise a 400/413 :class:`ApiError`.

    Reading the body enforces ``MAX_CONTENT_LENGTH`` (413 through Werkzeug).
    """
    if not request.is_json:
        raise ApiError(415, default_message(415))
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, _("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, _("The request body must be a JSON object."))
    return data


def init_blueprint(bp: Blueprint) -> None:
    """Answer every error inside the API blueprint with JSON."""
    bp.register_error_handler(ApiError, error_response)
    bp.register_error_handler(HTTPException, error_response)
    bp.register_error_handler(ValidationError, lambda e: error_response(invalid(e.errors)))
    bp.register_error_handler(NotFound, lambda e: error_response(e, 404))
    bp.register_error_handler(Forbidden, lambda e: error_response(e, 403))
    bp.register_error_handler(StaleRevision, _stale)
    bp.register_error_handler(InternalServerError, _server_error)


def conflict(current: dict) -> ApiError:
    """Return the 409 error for a stale revision, carrying the ``current`` representation."""
    return ApiError(409, default_message(409), extra={"current": current})


def _stale(error: StaleRevision):
    # Routes that update turn StaleRevision into conflict(<their representation>); this
    # fallback only says which revision is current, never more than the route would show.
    current = {"id": error.current.get("id"), "rev": error.current.get("rev")}
    return error_response(conflict(current))


def _server_error(error: InternalServerError):
    current_app.logger.error("API request failed: %s %s", request.method, request.endpoint)
    return error_response(error, 500)
