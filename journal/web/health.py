"""``/health``: a trivial answer for monitoring and the page benchmark.

It says only that the process answers (``ok``), reads no data and writes no
audit record; with damaged data it answers 503 like every other page, so a
monitor notices. ``bench/pages_bench.py`` measures every page against it.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from ..security import access

bp = Blueprint("health", __name__)


@bp.route("/health")
@access.public
def index():
    """Answer ``ok`` in plain text, never cached."""
    return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})
