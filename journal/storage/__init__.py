"""Storage: the durable database engine and the repositories over it.

Use :func:`get_store` inside a request or app context; never import TinyDB
elsewhere.
"""

from __future__ import annotations

from flask import Flask
from flask import current_app

from .engine import Database
from .store import NotFound
from .store import StaleRevision
from .store import Store

__all__ = ["NotFound", "StaleRevision", "Store", "get_store", "init_app", "open_store"]


def open_store(app: Flask) -> Store:
    """Open the store configured for ``app`` (in memory for tests)."""
    path = None if app.config["JOURNAL_IN_MEMORY"] else app.config["JOURNAL_DATA_DIR"]
    return Store(Database(path))


def init_app(app: Flask) -> None:
    """Open the instance's store and keep it on ``app.extensions``."""
    app.extensions["journal.store"] = open_store(app)


def get_store() -> Store:
    """Return the store of the current app."""
    return current_app.extensions["journal.store"]
