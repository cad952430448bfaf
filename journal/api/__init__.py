"""The JSON API under ``/api/v1``, described by the OpenAPI document at ``/api/v1/openapi.json``.

Clients authenticate with a personal access token only (``Authorization: Bearer
…``, created on /account/tokens or with ``journal token create USERNAME``). The
blueprint is exempt from CSRF protection, so a browser's session cookie is
never accepted here: without a valid token every route but the public
OpenAPI document answers 401. Access rules are the web pages' own
(:mod:`journal.security.access`), and the routes call the same services.
"""

from __future__ import annotations

# Importing the route modules attaches their views to the blueprint.
from . import openapi  # noqa: F401  (imports every other route module)
from .blueprint import bp  # noqa: F401  (registered by journal.web)
