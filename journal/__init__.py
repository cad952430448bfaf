"""The journal: observation and reflection for learning support in Flemish schools.

:func:`create_app` builds the application (Flask's application-factory
pattern); plugins import :data:`hookimpl` from here.
"""

from __future__ import annotations

import os

import pluggy
from flask import Flask

__version__ = "0.1.0"

#: Marker for plugin hook implementations: ``@hookimpl def journal_…(…)``.
hookimpl = pluggy.HookimplMarker("journal")


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Create and configure a journal application.

    :param test_config: settings that override every other source (tests).
    :param instance_path: the instance folder; default ``$JOURNAL_INSTANCE``
        or ``./instance``.
    """
    instance_path = instance_path or os.environ.get("JOURNAL_INSTANCE") or os.path.join(
        os.getcwd(), "instance"
    )
    app = Flask(__name__, instance_path=os.path.abspath(instance_path),
                instance_relative_config=True)

    from .config import load_config

    load_config(app, test_config)

    from . import cli

    cli.init_app(app)
    if not is_initialised(app):
        # Only `journal init` can run on a folder that is not an instance yet.
        return app

    from . import i18n
    from .plugins import host as plugin_host
    from . import storage
    from . import web
    from .security import headers
    from .security import sessions

    storage.init_app(app)
    sessions.init_app(app)
    i18n.init_app(app)
    headers.init_app(app)
    plugin_host.init_app(app)
    web.init_app(app)
    return app


def is_initialised(app: Flask) -> bool:
    """Return whether ``app`` runs on an initialised instance (it has a secret key)."""
    return bool(app.config["SECRET_KEY"])
