"""HTTP hardening: security headers on every response, no caching of signed-in
pages, CSRF tokens on state changes, and templates that a strict CSP allows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import journal
from journal.storage import get_store

TEMPLATE_ROOTS = [Path(journal.__file__).parent / "templates",
                  Path(journal.__file__).parent.parent / "plugins"]


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/login", "/static/journal.css", "/does-not-exist"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()
    csp = _csp(response)
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'" and csp["object-src"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert "http" not in response.headers["Content-Security-Policy"]  # no third-party origins
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_never_cached(app, users, login):
    client = login(app.test_client(), "teacher")
    for path in ("/", "/account/", "/account/tokens"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_api_answers_with_pupil_data_are_never_cached(app, users):
    from journal.security.sessions import create_token

    _, secret = create_token(users["teacher"], "t")
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.headers["Cache-Control"] == "no-store"


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def _template_files():
    for root in TEMPLATE_ROOTS:
        yield from (p for p in root.rglob("*.html") if p.is_file())


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_templates_need_no_inline_script_style_or_third_party_assets():
    problems = []
    for path in _template_files():
        text = path.read_text("utf-8")
        for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style= attribute", STYLE_ATTR),
                              ("on*= handler", HANDLER_ATTR), ("<style> element", STYLE_ELEMENT),
                              ("third-party URL", EXTERNAL)):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path}:{line}: {name}")
    assert not problems, "\n".join(problems)


def test_there_are_templates_to_check():
    assert len(list(_template_files())) > 5


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_token_is_refused(self, app, users):
        client = app.test_client()
        page = client.get("/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
        from journal.plugins.testing import TEST_PASSWORD

        refused = client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD})
        assert refused.status_code == 400
        assert get_store().sessions.all() == []
        accepted = client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD,
                                               "csrf_token": token})
        assert accepted.status_code == 302
        # Signed in, state-changing requests still need the token.
        assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
        assert client.post("/logout").status_code == 400
        assert get_store().tokens.all() == []

    def test_a_token_from_another_session_does_not_work(self, app, users):
        other = app.test_client()
        page = other.get("/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
        from journal.plugins.testing import TEST_PASSWORD

        victim = app.test_client()
        response = victim.post("/login", data={"username": "teacher", "password": TEST_PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 400
