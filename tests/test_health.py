"""``/health``: the trivial answer monitoring (and the page benchmark) asks for."""

from __future__ import annotations

from journal.storage import get_store


def test_health_answers_ok_without_signing_in_and_reads_nothing(app, client):
    before = len(get_store().audit.all())
    response = client.get("/health")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"
    assert len(get_store().audit.all()) == before  # no data, so nothing to audit


def test_health_answers_a_signed_in_user_the_same(app, users, login):
    response = login(app.test_client(), "teacher").get("/health")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
