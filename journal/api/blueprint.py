"""The API blueprint itself: every route module attaches its views to :data:`bp`.

Held apart from ``journal/api/__init__.py`` so the route modules import the
blueprint without importing the package that imports them.
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import g
from flask import request

from .errors import ApiError
from .errors import default_message
from .errors import init_blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
init_blueprint(bp)


@bp.before_request
def require_token():
    """Refuse every request that is not authenticated by a Bearer token (401)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "access_decision", None) == "public":
        return None
    if not g.get("auth_via_token") or g.get("user") is None:
        raise ApiError(401, default_message(401))
    return None
