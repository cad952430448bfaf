"""Class visits through the API: members plan and change, the coordinator reads, others
see nothing; stale changes answer 409; the answers match the pages' rules."""

from __future__ import annotations

import pytest

from journal.storage import get_store


def _plan(client, bearer, trajectory, users, who="teacher", **fields):
    body = {"date": "2099-03-02", "start_time": "09:30", "end_time": "10:20",
            "visitor_ids": [users["support"]["id"]], "purpose": "Instructie bekijken", **fields}
    return client.post(f"/api/v1/trajectories/{trajectory['id']}/visits",
                       headers=bearer(who), json=body)


def test_a_member_plans_changes_and_cancels_a_visit(client, bearer, trajectory, users):
    created = _plan(client, bearer, trajectory, users)
    assert created.status_code == 201
    visit = created.json
    assert (visit["status"], visit["rev"], visit["start_time"]) == ("planned", 1, "09:30")
    listed = client.get(f"/api/v1/trajectories/{trajectory['id']}/visits",
                        headers=bearer("coordinator"))
    assert [v["id"] for v in listed.json["items"]] == [visit["id"]]
    changed = client.patch(f"/api/v1/visits/{visit['id']}", headers=bearer("support"),
                           json={"rev": 1, "start_time": None, "end_time": None})
    assert changed.status_code == 200
    assert (changed.json["start_time"], changed.json["purpose"]) == (None, "Instructie bekijken")
    stale = client.post(f"/api/v1/visits/{visit['id']}/cancel", headers=bearer("teacher"),
                        json={"rev": 1})
    assert stale.status_code == 409 and stale.json["current"]["rev"] == 2
    cancelled = client.post(f"/api/v1/visits/{visit['id']}/cancel", headers=bearer("teacher"),
                            json={"rev": 2})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"


@pytest.mark.parametrize("name", ["outsider_teacher", "outsider_support", "admin"])
def test_outsiders_get_404_everywhere(client, bearer, trajectory, users, name):
    visit = _plan(client, bearer, trajectory, users).json
    for method, url in (("get", f"/api/v1/visits/{visit['id']}"),
                        ("get", f"/api/v1/trajectories/{trajectory['id']}/visits"),
                        ("patch", f"/api/v1/visits/{visit['id']}"),
                        ("post", f"/api/v1/visits/{visit['id']}/cancel")):
        response = getattr(client, method)(url, headers=bearer(name), json={"rev": 1})
        assert response.status_code == 404, url
    assert _plan(client, bearer, trajectory, users, who=name).status_code == 404
    assert get_store().visits.get(visit["id"])["rev"] == 1


def test_the_coordinator_reads_but_does_not_plan_unless_on_the_team(client, bearer, trajectory,
                                                                      users):
    assert _plan(client, bearer, trajectory, users, who="coordinator").status_code == 403
    assert get_store().visits.all() == []


@pytest.mark.parametrize("fields, field", [
    ({"visitor_ids": "not-a-list"}, "visitor_ids"),
    ({"visitor_ids": []}, "visitor_ids"),
    ({"date": 20990302}, "date"),
    ({"start_time": "9h"}, "start_time"),
    ({"colour": "red"}, "colour"),
])
def test_wrong_input_names_the_field(client, bearer, trajectory, users, fields, field):
    response = _plan(client, bearer, trajectory, users, **fields)
    assert response.status_code == 400
    assert field in response.json["error"]["fields"]
    assert get_store().visits.all() == []
