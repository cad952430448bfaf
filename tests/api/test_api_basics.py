"""The API's ground rules: tokens only, JSON errors, the OpenAPI document, pupils."""

from __future__ import annotations

import pytest

from journal.storage import get_store


def test_without_a_token_every_route_answers_401_json(client, users):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json
    assert response.json["error"]["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_cookie_session_is_not_accepted(app, users, login):
    browser = login(app.test_client(), "teacher")
    assert browser.get("/").status_code == 200  # the session itself works on pages
    response = browser.get("/api/v1/me")
    assert response.status_code == 401


def test_a_wrong_token_falls_back_to_nothing_even_with_a_session(app, users, login):
    browser = login(app.test_client(), "teacher")
    response = browser.get("/api/v1/me", headers={"Authorization": "Bearer jrnl_not-a-token"})
    assert response.status_code == 401


def test_a_token_identifies_its_user(client, bearer, users):
    response = client.get("/api/v1/me", headers=bearer("support"))
    assert response.status_code == 200
    assert response.json == {"id": users["support"]["id"], "username": "support",
                             "display_name": "Support", "roles": ["support"]}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_token_from_the_command_line_works(client, runner, users):
    result = runner.invoke(args=["token", "create", "support", "--name", "sync"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json["username"] == "support"


def test_a_token_of_a_deactivated_account_is_refused(client, bearer, users):
    headers = bearer("teacher")
    get_store().users.update(users["teacher"]["id"], {"active": False})
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unknown_api_paths_answer_json_404(client, bearer):
    response = client.get("/api/v1/no-such-thing", headers=bearer("teacher"))
    assert response.status_code == 404
    assert response.json["error"] == {"status": 404, "message": "Not found."}


def test_wrong_method_answers_json_405_with_allow(client, bearer):
    response = client.delete("/api/v1/me", headers=bearer("teacher"))
    assert response.status_code == 405
    assert response.json["error"]["status"] == 405
    assert "GET" in response.headers["Allow"]


def test_web_pages_keep_html_errors(client, users):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_openapi_document_is_public_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


class TestPupils:
    def test_members_see_the_pupil_of_their_trajectory(self, client, bearer, pupil, trajectory):
        listed = client.get("/api/v1/pupils", headers=bearer("teacher"))
        assert listed.status_code == 200
        assert [p["id"] for p in listed.json["items"]] == [pupil["id"]]
        one = client.get(f"/api/v1/pupils/{pupil['id']}", headers=bearer("support"))
        assert one.status_code == 200
        assert one.json["display_name"] == "Pupil A"
        assert one.json["class_group"] == "3B"

    def test_coordinator_sees_every_pupil(self, client, bearer, pupil):
        other = get_store().pupils.create({"display_name": "Pupil B", "class_group": "1A",
                                           "left_on": None})
        listed = client.get("/api/v1/pupils", headers=bearer("coordinator"))
        # by class group, then name: as the pupil list on the pages
        assert [p["id"] for p in listed.json["items"]] == [other["id"], pupil["id"]]

    @pytest.mark.parametrize("name", ["outsider_teacher", "outsider_support", "admin"])
    def test_others_neither_list_nor_open_the_pupil(self, client, bearer, pupil, trajectory, name):
        headers = bearer(name)
        assert client.get("/api/v1/pupils", headers=headers).json["items"] == []
        response = client.get(f"/api/v1/pupils/{pupil['id']}", headers=headers)
        assert response.status_code == 404
        assert response.is_json

    def test_a_manager_renames_a_pupil_from_the_revision_they_saw(self, client, bearer, pupil,
                                                                   trajectory):
        response = client.patch(f"/api/v1/pupils/{pupil['id']}", headers=bearer("support"),
                                json={"rev": 1, "class_group": "4B"})
        assert response.status_code == 200
        assert response.json["class_group"] == "4B"
        assert response.json["display_name"] == "Pupil A"
        assert response.json["rev"] == 2

    def test_renaming_from_an_old_revision_is_409_and_changes_nothing(self, client, bearer,
                                                                       pupil, trajectory):
        get_store().pupils.update(pupil["id"], {"class_group": "5A"})
        response = client.patch(f"/api/v1/pupils/{pupil['id']}", headers=bearer("coordinator"),
                                json={"rev": 1, "display_name": "Other name"})
        assert response.status_code == 409
        assert response.json["current"]["class_group"] == "5A"
        assert get_store().pupils.get(pupil["id"])["display_name"] == "Pupil A"

    def test_a_teacher_on_the_team_may_not_rename_the_pupil(self, client, bearer, pupil,
                                                            trajectory):
        response = client.patch(f"/api/v1/pupils/{pupil['id']}", headers=bearer("teacher"),
                                json={"rev": 1, "display_name": "X"})
        assert response.status_code == 403
        assert get_store().pupils.get(pupil["id"])["display_name"] == "Pupil A"

    def test_an_unknown_pupil_is_404(self, client, bearer, users):
        assert client.get("/api/v1/pupils/nope", headers=bearer("coordinator")).status_code == 404
