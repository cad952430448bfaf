"""The JSON API under ``/api/v1``, described by the OpenAPI document at ``/api/v1/openapi.json``.

Clients authenticate with a personal access token only (``Authorization: Bearer
…``, created on /account/tokens or with ``journal token create USERNAME``). The
blueprint is exempt from CSRF protection, so a browser's session cookie is
never accepted here: without a valid token every route but the public
OpenAPI document answers 401. Access rules are the web pages' own
(:mod:`journal.security.access`), and the routes call the same services.
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


# The route modules attach their views to ``bp``; imported last because they import it.
from . import account  # noqa: E402
from . import comments  # noqa: E402
from . import entries  # noqa: E402
from . import goals  # noqa: E402
from . import openapi  # noqa: E402
from . import pupils  # noqa: E402
from . import trajectories  # noqa: E402

#: The modules whose ``PATHS`` and ``SCHEMAS`` make up the OpenAPI document.
ROUTE_MODULES = (account, pupils, trajectories, goals, entries, comments)
