"""The "My API keys" page: create (secret shown once), list, revoke."""

from __future__ import annotations

import re

from journal.security.sessions import create_token
from journal.storage import get_store


def _create(client, name="rapport-script"):
    response = client.post("/account/tokens", data={"name": name}, headers={"Accept-Language": "en"})
    match = re.search(rb"jrnl_[A-Za-z0-9_-]+", response.data)
    return response, match.group().decode() if match else None


def test_a_new_key_is_shown_once_and_works_for_the_api(app, users, login):
    client = login(app.test_client(), "teacher")
    response, secret = _create(client)
    assert response.status_code == 200 and secret
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200 and api.get_json()["username"] == "teacher"
    listing = client.get("/account/tokens")
    assert b"rapport-script" in listing.data
    assert secret.encode() not in listing.data
    assert secret not in str(get_store().tokens.all())  # only a hash is stored


def test_revoking_a_key_stops_it_at_once(app, users, login):
    client = login(app.test_client(), "teacher")
    _, secret = _create(client)
    token = get_store().tokens.find(user_id=users["teacher"]["id"])[0]
    assert client.post(f"/account/tokens/{token['id']}/revoke").status_code == 302
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401
    assert [r["action"] for r in get_store().audit.all()][-2:] == ["token_create", "token_revoke"]


def test_no_one_can_list_or_revoke_someone_elses_key(app, users, login):
    record, secret = create_token(users["support"], "theirs")
    client = login(app.test_client(), "teacher")
    assert b"theirs" not in client.get("/account/tokens").data
    assert client.post(f"/account/tokens/{record['id']}/revoke").status_code == 404
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                                 ).status_code == 200


def test_the_name_is_required_and_bounded_and_what_was_typed_is_kept(app, users, login):
    client = login(app.test_client(), "teacher")
    empty, _ = _create(client, "")
    assert empty.status_code == 400 and b"Give the key a name" in empty.data
    long_name = "x" * 61
    too_long, secret = _create(client, long_name)
    assert too_long.status_code == 400 and secret is None
    assert long_name.encode() in too_long.data
    assert get_store().tokens.all() == []


def test_the_token_page_needs_a_signed_in_user(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
