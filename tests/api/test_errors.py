"""Clear JSON errors: bad JSON, field messages, too-large bodies."""

from __future__ import annotations

import pytest

from journal.storage import get_store


@pytest.fixture
def app_config():
    # A small body limit to test 413; exceptions become 500 answers as in production.
    return {"MAX_CONTENT_LENGTH": 4096, "PROPAGATE_EXCEPTIONS": False}


def test_invalid_json_is_400(client, bearer, trajectory):
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals",
                           headers=bearer("teacher"), data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["message"] == "The request body is not valid JSON."


def test_a_json_array_is_not_an_object(client, bearer, trajectory):
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals",
                           headers=bearer("teacher"), json=["text"])
    assert response.status_code == 400
    assert response.json["error"]["message"] == "The request body must be a JSON object."


def test_a_form_body_is_415(client, bearer, trajectory):
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals",
                           headers=bearer("teacher"), data={"text": "x"})
    assert response.status_code == 415
    assert response.is_json


def test_field_messages_name_each_wrong_field(client, bearer, trajectory):
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals",
                           headers=bearer("teacher"),
                           json={"text": "", "owner_id": "nobody", "review_date": "31/12"})
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert set(fields) == {"text", "owner_id", "review_date"}
    assert fields["review_date"] == ["Use a date like 2025-03-31."]
    assert get_store().goals.all() == []


def test_wrong_json_types_are_field_errors_not_crashes(client, bearer, trajectory):
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals",
                           headers=bearer("teacher"),
                           json={"text": 12, "owner_id": None, "review_date": ["2025-01-01"]})
    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == {"text", "owner_id", "review_date"}


def test_fields_the_client_may_not_set_are_refused(client, bearer, trajectory, users):
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals",
                           headers=bearer("teacher"),
                           json={"text": "Leest zelfstandig", "owner_id": users["teacher"]["id"],
                                 "review_date": "2099-01-01", "created_by": "someone",
                                 "trajectory_id": "other"})
    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == {"created_by", "trajectory_id"}
    assert get_store().goals.all() == []


def test_a_body_over_the_limit_is_413(client, bearer, trajectory, users):
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals",
                           headers=bearer("teacher"),
                           json={"text": "x" * 5000, "owner_id": users["teacher"]["id"],
                                 "review_date": "2099-01-01"})
    assert response.status_code == 413
    assert response.json["error"]["status"] == 413
    assert get_store().goals.all() == []


def test_a_missing_revision_is_a_field_error(client, bearer, trajectory, make_goal):
    goal = make_goal(trajectory)
    response = client.patch(f"/api/v1/goals/{goal['id']}", headers=bearer("teacher"),
                            json={"status": "achieved"})
    assert response.status_code == 400
    assert list(response.json["error"]["fields"]) == ["rev"]
    assert get_store().goals.get(goal["id"])["status"] == "ongoing"


def test_a_server_error_is_json_without_details(client, bearer, monkeypatch, caplog):
    def broken(user):
        raise RuntimeError("secret pupil detail")

    monkeypatch.setattr("journal.process.pupils.visible_pupils", broken)
    response = client.get("/api/v1/pupils", headers=bearer("coordinator"))
    assert response.status_code == 500
    assert response.json["error"] == {"status": 500, "message": "Something went wrong on the server."}
    assert b"secret" not in response.data
