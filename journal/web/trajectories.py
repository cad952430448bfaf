"""Pages for trajectories (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trajectories", __name__)
