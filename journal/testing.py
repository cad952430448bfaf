"""Test fixtures for the journal and its plugins, shipped as a pytest plugin.

Installed with the journal (entry point ``pytest11``), so a plugin's own test
suite gets them by installing ``journal``. See docs/plugins.md, "Testing".

Fixtures: ``app`` (a journal on a temporary instance, strict plugins, no
installed plugins loaded unless asked), ``client``, ``runner``, ``users`` (one
account per role plus an outsider), ``login`` (sign a client in as a user),
``make_trajectory`` and friends (data factories), ``register_plugin`` (a
throwaway plugin that is always removed).
"""

from __future__ import annotations

import contextvars

import pytest
from flask.testing import FlaskClient

#: The password of every account the fixtures create.
TEST_PASSWORD = "correct horse battery staple"

#: The accounts the ``users`` fixture creates: name -> roles.
TEST_USERS = {
    "teacher": ["teacher"],
    "support": ["support"],
    "coordinator": ["coordinator"],
    "admin": ["admin"],
    "outsider_teacher": ["teacher"],
    "outsider_support": ["support"],
}


def make_test_app(tmp_path, **config):
    """Build an app on a temporary instance with test settings (``config`` overrides)."""
    from journal import create_app

    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "JOURNAL_IN_MEMORY": True,
        "JOURNAL_LOAD_ENTRYPOINTS": False,
        "JOURNAL_STRICT_PLUGINS": True,
        "WTF_CSRF_ENABLED": False,
    }
    settings.update(config)
    application = create_app(settings, instance_path=str(tmp_path / "instance"))
    application.test_client_class = JournalTestClient
    return application


class JournalTestClient(FlaskClient):
    """A test client whose requests never share ``g`` with the test's app context.

    The ``app`` fixture keeps an app context pushed so tests can call
    ``get_store()``; Flask would reuse that context (and its ``g``, including
    the cached locale) for every request. Each request here runs in a fresh
    :mod:`contextvars` context, as it would in a real server.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_config():
    """Override this fixture to change the ``app`` fixture's settings."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    """A journal application on a temporary, in-memory instance."""
    application = make_test_app(tmp_path, **app_config)
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for ``app``."""
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One active account per role plus outsiders: a dict name -> user document.

    Argon2 is slow on purpose; the fixture hashes the shared password once.
    """
    from journal.security.passwords import hash_password
    from journal.storage import get_store

    hashed = hash_password(TEST_PASSWORD)
    store = get_store()
    out = {}
    for name, roles in TEST_USERS.items():
        out[name] = store.users.create(
            {"username": name, "display_name": name.replace("_", " ").title(), "roles": roles,
             "password_hash": hashed, "active": True, "locale": "en"}
        )
    return out


@pytest.fixture
def login(app):
    """Sign a client in: ``login(client, user_or_name)``; returns the client."""

    def do_login(test_client, user):
        username = user if isinstance(user, str) else user["username"]
        response = test_client.post("/login", data={"username": username, "password": TEST_PASSWORD})
        assert response.status_code == 302, f"login as {username} failed"
        return test_client

    return do_login
