"""Helpers for federation tests in one process: journals served on loopback by threads.

``serving(app)`` serves an app with werkzeug on 127.0.0.1 (a free port) in a thread,
so signed calls really travel over HTTP; ``pair(...)`` links a school to a centre
through the real pairing call. The real-process world (``journal serve`` processes)
is in :mod:`tests.support.federation_world`.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def serving(app):
    """Serve ``app`` on a free loopback port; yield its address (no trailing slash)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def make_user(app, username: str, roles: list[str], **fields) -> dict:
    """Create an account in ``app`` (password: the fixtures' test password)."""
    from journal.plugins.testing import TEST_PASSWORD
    from journal.security.passwords import hash_password
    from journal.storage import get_store

    with app.app_context():
        return get_store().users.create({
            "username": username, "display_name": username.title(), "roles": roles,
            "password_hash": hash_password(TEST_PASSWORD), "active": True, "locale": "en",
            **fields})


def admin(user_id: str) -> dict:
    """An active administrator as a service's ``actor`` (links are an admin's business)."""
    return {"id": user_id, "username": user_id, "roles": ["admin"], "active": True}


def identity(subject: str, issuer: str = "https://idp.example") -> dict:
    """An OpenID identity as kept on a user record."""
    return {"provider": "idp", "issuer": issuer, "subject": subject,
            "linked_at": "2026-01-01T00:00:00+00:00"}


def pair(school_app, school_url: str, centre_app, centre_url: str, *, shares=("caseload",
         "library", "patterns"), name: str = "") -> str:
    """Link a school to a centre with a fresh code, as both admins would; return the link id."""
    from journal.federation import links
    from journal.federation import pairing

    with centre_app.app_context():
        code, _minutes = pairing.new_code(admin("centre-admin"))
    with school_app.test_request_context():
        link = pairing.pair_with_centre(
            admin("school-admin"), centre_url=centre_url, code=code,
            shares=links.clean_shares(shares), own_url=school_url,
            own_name=name or school_app.config["JOURNAL_SCHOOL_NAME"])
    return link["id"]
