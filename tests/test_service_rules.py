"""Services own the rules: called directly (as the CLI or a plugin would), they refuse
the wrong actor with an audited domain error, and they audit what they change."""

from __future__ import annotations

import pytest

from journal.errors import Forbidden
from journal.errors import NotFound
from journal.privacy import erasure
from journal.privacy import retention
from journal.privacy import transfer
from journal.process import goals
from journal.process import handover
from journal.process import lifecycle
from journal.process import pupils
from journal.process import trajectories
from journal.storage import get_store


def _denials(user: dict) -> list[dict]:
    return [r for r in get_store().audit.all()
            if r["action"] == "denied" and r["user_id"] == user["id"]]


@pytest.fixture
def team(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"], title="Rustig starten")


def test_an_outsider_changes_nothing_and_each_refusal_is_audited(app, users, team):
    outsider = users["outsider_teacher"]
    attempts = [
        lambda: goals.create_goal(outsider, team["id"], {"text": "Doel", "review_date": "2030-01-01",
                                                         "owner_id": outsider["id"]}),
        lambda: handover.save(outsider, team["id"], {"need": "x"}, expected_rev=0),
        lambda: lifecycle.change_phase(outsider, team["id"], "goals"),
        lambda: trajectories.update_trajectory(outsider, team["id"], {}),
        lambda: handover.export(outsider, team["id"], "md"),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):  # the trajectory does not exist for them
            attempt()
    assert len(_denials(outsider)) == len(attempts)
    assert get_store().goals.all() == [] and get_store().handovers.all() == []
    assert get_store().trajectories.require(team["id"])["phase"] == team["phase"]


def test_a_member_who_may_not_manage_is_refused_with_forbidden(app, users, team):
    with pytest.raises(Forbidden):
        lifecycle.change_phase(users["teacher"], team["id"], "goals", expected_rev=team["rev"])
    assert _denials(users["teacher"])[-1]["outcome"] == "403"
    moved = lifecycle.change_phase(users["support"], team["id"], "goals", expected_rev=team["rev"])
    assert moved["phase"] == "goals"
    record = get_store().audit.all()[-1]
    assert (record["action"], record["object_id"], record["user_id"], record["detail"]) == (
        "update", team["id"], users["support"]["id"], "phase")


def test_only_staff_open_trajectories_and_add_pupils(app, users):
    with pytest.raises(Forbidden):
        trajectories.create_trajectory(users["admin"], {"target": "team", "title": "Team"})
    with pytest.raises(Forbidden):
        pupils.create_pupil(users["admin"], {"display_name": "Leerling"})
    assert get_store().trajectories.all() == [] and get_store().pupils.all() == []
    assert [r["detail"] for r in _denials(users["admin"])] == ["open_trajectory"] * 2


def test_privacy_requests_are_for_the_care_coordinator_only(app, users, make_pupil):
    pupil = make_pupil("Lotte Peeters", "3A")
    for who in ("teacher", "support", "admin"):
        with pytest.raises(Forbidden):
            transfer.record_decision(users[who], pupil["id"], informed_on="2025-05-02",
                                     objection="no")
        with pytest.raises(Forbidden):
            erasure.erase_on_request(users[who], pupil["id"], "Lotte Peeters")
    assert get_store().pupils.get(pupil["id"]) and get_store().privacy_requests.all() == []
    with pytest.raises(Exception) as refused:
        erasure.erase_on_request(users["coordinator"], pupil["id"], "Lotte")
    assert getattr(refused.value, "errors", {}).get("confirm")
    assert erasure.erase_on_request(users["coordinator"], pupil["id"], " lotte  peeters ") >= 1
    assert get_store().pupils.get(pupil["id"]) is None


def test_retention_periods_are_checked_and_audited_by_the_service(app, users):
    with pytest.raises(Forbidden):
        retention.change_periods(users["coordinator"], {"left_months": "6", "closed_months": "6"})
    with pytest.raises(Exception) as refused:
        retention.change_periods(users["admin"], {"left_months": "zes", "closed_months": "-1"})
    assert set(refused.value.errors) == {"left_months", "closed_months"}
    assert retention.change_periods(users["admin"], {"left_months": "6", "closed_months": "36"}) \
        == {"left_months": 6, "closed_months": 36} == retention.periods()
    record = get_store().audit.all()[-1]
    assert (record["action"], record["object_id"], record["user_id"]) == (
        "update", "retention", users["admin"]["id"])


def test_an_api_rename_keeps_the_pupils_leaving_date(app, client, users, make_pupil):
    from journal.security.sessions import create_token

    pupil = make_pupil("Leerling B", "2B")
    get_store().pupils.update(pupil["id"], {"left_on": "2025-06-30"})
    _, secret = create_token(users["coordinator"], "tests")
    rev = get_store().pupils.require(pupil["id"])["rev"]
    response = client.patch(f"/api/v1/pupils/{pupil['id']}", json={"rev": rev, "class_group": "3B"},
                            headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    stored = get_store().pupils.require(pupil["id"])
    assert (stored["class_group"], stored["left_on"]) == ("3B", "2025-06-30")
