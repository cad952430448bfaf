"""Pages for entries (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("entries", __name__)
