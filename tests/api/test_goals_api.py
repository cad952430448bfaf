"""Goals through the API: members write, the coordinator reads, others see nothing."""

from __future__ import annotations

import pytest

from journal.storage import get_store


@pytest.fixture
def goal(trajectory, make_goal):
    return make_goal(trajectory, text="Start zelfstandig aan een taak", review_date="2099-01-31")


def test_a_member_adds_a_goal(client, bearer, trajectory, users):
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals",
                           headers=bearer("teacher"),
                           json={"text": "Vraagt *zelf* hulp", "owner_id": users["support"]["id"],
                                 "review_date": "2099-03-01"})
    assert response.status_code == 201
    body = response.json
    assert (body["status"], body["rev"], body["overdue"]) == ("ongoing", 1, False)
    assert body["html"]["text"] == "<p>Vraagt <em>zelf</em> hulp</p>"
    assert body["pupil_id"] == trajectory["pupil_id"]
    listed = client.get(f"/api/v1/trajectories/{trajectory['id']}/goals", headers=bearer("support"))
    assert [g["id"] for g in listed.json["items"]] == [body["id"]]


def test_the_coordinator_reads_but_may_not_add_goals_unless_on_the_team(client, bearer,
                                                                        trajectory, goal, users):
    headers = bearer("coordinator")
    assert client.get(f"/api/v1/goals/{goal['id']}", headers=headers).status_code == 200
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/goals", headers=headers,
                           json={"text": "x", "owner_id": users["teacher"]["id"],
                                 "review_date": "2099-01-01"})
    assert response.status_code == 403
    assert len(get_store().goals.all()) == 1


@pytest.mark.parametrize("name", ["outsider_teacher", "outsider_support", "admin"])
def test_outsiders_get_404_everywhere(client, bearer, trajectory, goal, name):
    headers = bearer(name)
    assert client.get(f"/api/v1/goals/{goal['id']}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/trajectories/{trajectory['id']}/goals",
                      headers=headers).status_code == 404
    assert client.patch(f"/api/v1/goals/{goal['id']}", headers=headers,
                        json={"rev": 1, "status": "stopped"}).status_code == 404
    assert get_store().goals.get(goal["id"])["status"] == "ongoing"


def test_changing_a_goal_keeps_what_was_left_out(client, bearer, goal):
    response = client.patch(f"/api/v1/goals/{goal['id']}", headers=bearer("support"),
                            json={"rev": 1, "review_date": "2099-02-28"})
    assert response.status_code == 200
    assert response.json["review_date"] == "2099-02-28"
    assert response.json["text"] == "Start zelfstandig aan een taak"
    assert response.json["rev"] == 2


def test_a_stale_goal_revision_is_409_and_nothing_changes(client, bearer, goal):
    get_store().goals.update(goal["id"], {"review_date": "2099-05-01"})
    response = client.patch(f"/api/v1/goals/{goal['id']}", headers=bearer("teacher"),
                            json={"rev": 1, "text": "Mijn versie"})
    assert response.status_code == 409
    assert response.json["current"]["review_date"] == "2099-05-01"
    stored = get_store().goals.get(goal["id"])
    assert (stored["text"], stored["rev"]) == ("Start zelfstandig aan een taak", 2)


def test_an_evaluation_sets_the_status(client, bearer, goal, users):
    response = client.post(f"/api/v1/goals/{goal['id']}/evaluations", headers=bearer("teacher"),
                           json={"rev": 1, "date": "2025-01-10", "text": "Lukt elke dag",
                                 "status": "achieved"})
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "achieved"
    assert [(e["author_id"], e["status"]) for e in body["evaluations"]] == [
        (users["teacher"]["id"], "achieved")]


def test_an_overdue_goal_says_so(client, bearer, trajectory, make_goal):
    goal = make_goal(trajectory, review_date="2020-01-01")
    assert client.get(f"/api/v1/goals/{goal['id']}", headers=bearer("teacher")).json["overdue"] is True
