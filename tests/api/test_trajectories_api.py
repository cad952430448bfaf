"""Trajectories through the API follow the web pages' access rules."""

from __future__ import annotations

import pytest

from journal.storage import get_store

READERS = ["teacher", "support", "coordinator"]
STRANGERS = ["outsider_teacher", "outsider_support", "admin"]


class TestReading:
    def test_members_and_the_coordinator_list_the_trajectory(self, client, bearer, trajectory):
        for name in READERS:
            items = client.get("/api/v1/trajectories", headers=bearer(name)).json["items"]
            assert [t["id"] for t in items] == [trajectory["id"]], name

    @pytest.mark.parametrize("name", STRANGERS)
    def test_others_do_not_list_it(self, client, bearer, trajectory, name):
        assert client.get("/api/v1/trajectories", headers=bearer(name)).json["items"] == []

    @pytest.mark.parametrize("name", STRANGERS)
    def test_others_get_404_not_403(self, client, bearer, trajectory, name):
        response = client.get(f"/api/v1/trajectories/{trajectory['id']}", headers=bearer(name))
        assert response.status_code == 404
        assert response.is_json

    def test_a_member_reads_it_with_pupil_and_team(self, client, bearer, trajectory, users,
                                                  pupil):
        response = client.get(f"/api/v1/trajectories/{trajectory['id']}", headers=bearer("teacher"))
        assert response.status_code == 200
        body = response.json
        assert body["rev"] == 1
        assert body["title"] == "Reading"
        assert body["pupil"] == {"id": pupil["id"], "display_name": "Pupil A", "class_group": "3B"}
        assert body["members"] == [
            {"user_id": users["teacher"]["id"], "role": "teacher", "display_name": "Teacher"},
            {"user_id": users["support"]["id"], "role": "support", "display_name": "Support"},
        ]

    def test_reads_are_audited_by_id_only(self, client, bearer, trajectory, users):
        client.get(f"/api/v1/trajectories/{trajectory['id']}", headers=bearer("coordinator"))
        views = [r for r in get_store().audit.all() if r["action"] == "view"]
        assert [(r["user_id"], r["object_id"], r["pupil_id"]) for r in views] == [
            (users["coordinator"]["id"], trajectory["id"], trajectory["pupil_id"])]

    def test_refusals_are_audited(self, client, bearer, trajectory, users):
        client.get(f"/api/v1/trajectories/{trajectory['id']}", headers=bearer("outsider_teacher"))
        denied = [r for r in get_store().audit.all() if r["action"] == "denied"]
        assert [(r["user_id"], r["outcome"]) for r in denied] == [
            (users["outsider_teacher"]["id"], "404")]


class TestOpening:
    def test_a_teacher_opens_a_trajectory_for_a_new_pupil_and_joins_the_team(
            self, client, bearer, users):
        response = client.post("/api/v1/trajectories", headers=bearer("teacher"), json={
            "target": "pupil", "pupil_id": "new",
            "new_pupil": {"display_name": "Leerling Z", "class_group": "2C"},
            "learning_question": "Hoe help ik Z **starten**?",
            "members": [{"user_id": users["support"]["id"], "role": "support"}],
            "start_date": "2025-10-01",
        })
        assert response.status_code == 201
        body = response.json
        assert body["phase"] == "intake"
        assert body["pupil"]["display_name"] == "Leerling Z"
        assert body["html"]["learning_question"] == "<p>Hoe help ik Z <strong>starten</strong>?</p>"
        assert {m["user_id"] for m in body["members"]} == {users["teacher"]["id"],
                                                           users["support"]["id"]}
        assert get_store().trajectories.get(body["id"])["created_by"] == users["teacher"]["id"]

    def test_an_admin_may_not_open_one(self, client, bearer):
        response = client.post("/api/v1/trajectories", headers=bearer("admin"),
                               json={"target": "team", "title": "3B", "start_date": "2025-10-01"})
        assert response.status_code == 403
        assert get_store().trajectories.all() == []

    def test_invalid_fields_are_named(self, client, bearer):
        response = client.post("/api/v1/trajectories", headers=bearer("support"),
                               json={"target": "school", "start_date": "soon"})
        assert response.status_code == 400
        assert {"target", "start_date"} <= set(response.json["error"]["fields"])

    def test_a_pupil_the_user_may_not_see_is_refused(self, client, bearer, pupil):
        response = client.post("/api/v1/trajectories", headers=bearer("outsider_support"),
                               json={"target": "pupil", "pupil_id": pupil["id"],
                                     "start_date": "2025-10-01"})
        assert response.status_code == 400
        assert "pupil_id" in response.json["error"]["fields"]


class TestChanging:
    def test_the_support_specialist_changes_the_title(self, client, bearer, trajectory):
        response = client.patch(f"/api/v1/trajectories/{trajectory['id']}",
                                headers=bearer("support"), json={"rev": 1, "title": "Lezen"})
        assert response.status_code == 200
        assert response.json["title"] == "Lezen"
        assert response.json["rev"] == 2
        stored = get_store().trajectories.get(trajectory["id"])
        assert stored["title"] == "Lezen"
        assert stored["members"] == trajectory["members"]  # fields left out are kept

    def test_a_teacher_member_reads_but_may_not_manage(self, client, bearer, trajectory):
        response = client.patch(f"/api/v1/trajectories/{trajectory['id']}",
                                headers=bearer("teacher"), json={"rev": 1, "title": "X"})
        assert response.status_code == 403
        assert get_store().trajectories.get(trajectory["id"])["title"] == "Reading"

    def test_an_outsider_gets_404_for_changes_too(self, client, bearer, trajectory):
        response = client.patch(f"/api/v1/trajectories/{trajectory['id']}",
                                headers=bearer("outsider_support"), json={"rev": 1, "title": "X"})
        assert response.status_code == 404

    def test_a_stale_revision_is_409_with_the_current_version(self, client, bearer, trajectory):
        get_store().trajectories.update(trajectory["id"], {"title": "Someone else's"})
        response = client.patch(f"/api/v1/trajectories/{trajectory['id']}",
                                headers=bearer("coordinator"), json={"rev": 1, "title": "Mine"})
        assert response.status_code == 409
        assert response.json["current"]["title"] == "Someone else's"
        assert response.json["current"]["rev"] == 2
        stored = get_store().trajectories.get(trajectory["id"])
        assert (stored["title"], stored["rev"]) == ("Someone else's", 2)

    def test_moving_to_the_next_phase(self, client, bearer, trajectory):
        response = client.post(f"/api/v1/trajectories/{trajectory['id']}/phase",
                               headers=bearer("support"), json={"rev": 1, "phase": "goals"})
        assert response.status_code == 200
        assert response.json["phase"] == "goals"
        assert response.json["phase_history"][-1]["to"] == "goals"

    def test_closing_needs_confirmation(self, client, bearer, trajectory):
        response = client.post(f"/api/v1/trajectories/{trajectory['id']}/phase",
                               headers=bearer("support"), json={"rev": 1, "phase": "closed"})
        assert response.status_code == 400
        assert "confirm_close" in response.json["error"]["fields"]
        assert get_store().trajectories.get(trajectory["id"])["phase"] == "observation"
