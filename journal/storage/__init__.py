"""Storage: the durable database engine and the repositories over it.

Use :func:`get_store` inside a request or app context; never import TinyDB
elsewhere.
"""

from __future__ import annotations

import os

from flask import Flask
from flask import current_app
from flask import request

from .engine import Database
from .errors import CorruptionError
from .errors import StorageError
from .errors import StorageWriteError
from .store import NotFound
from .store import StaleRevision
from .store import Store

__all__ = ["CorruptionError", "NotFound", "StaleRevision", "StorageError", "StorageWriteError",
           "Store", "get_store", "init_app", "open_store"]


def open_store(app: Flask) -> Store:
    """Open the store configured for ``app`` (in memory for tests)."""
    path = None if app.config["JOURNAL_IN_MEMORY"] else app.config["JOURNAL_DATA_DIR"]
    return Store(Database(path, backup_dir=os.path.join(app.instance_path, "backups")))


def init_app(app: Flask) -> None:
    """Open the instance's store and keep it on ``app.extensions``.

    If the data is damaged (or needs an upgrade that failed) the error is kept
    instead: every use of the store raises it, so the journal never serves or
    overwrites such data, while ``journal check`` and ``journal restore`` still run.
    """
    try:
        app.extensions["journal.store"] = open_store(app)
    except StorageError as error:
        app.logger.error("%s", error)
        app.extensions["journal.store_error"] = error
        app.before_request(_refuse_without_store)


def _refuse_without_store():
    # Every page and API call answers 503 (see journal.web); static files still load.
    if request.endpoint != "static":
        raise current_app.extensions["journal.store_error"].with_traceback(None)


class NotAnInstance(RuntimeError):
    """The instance folder has not been initialised with ``journal init``."""


def get_store() -> Store:
    """Return the store of the current app.

    :raise StorageError: the database could not be opened (see :func:`init_app`).
    """
    store = current_app.extensions.get("journal.store")
    if store is None:
        error = current_app.extensions.get("journal.store_error")
        if error is None:
            raise NotAnInstance(
                f"{current_app.instance_path} is not a journal instance. "
                "Run `journal init` first (or `journal serve --demo` to try a demo school)."
            )
        raise error.with_traceback(None)
    return store
