"""Planned class visits: planning, changing and cancelling, who may, what is audited,
and where the team sees them (trajectory page, start page)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from journal.errors import Forbidden
from journal.errors import NotFound
from journal.errors import ValidationError
from journal.process import visits as service
from journal.storage import get_store

EN = {"Accept-Language": "en"}
TODAY = date.today()
NEXT_WEEK = (TODAY + timedelta(days=7)).isoformat()
NEXT_MONTH = (TODAY + timedelta(days=30)).isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()


@pytest.fixture
def team(users, make_trajectory, make_pupil):
    pupil = make_pupil(display_name="Lotte Verbruggen", class_group="4A")
    return make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           title="Rustig starten")


def visits_url(trajectory, tail=""):
    return f"/t/{trajectory['id']}/visits{tail}"


def plan(users, team, **fields):
    data = {"date": NEXT_WEEK, "visitor_ids": [users["support"]["id"]],
            "purpose": "Instructie wiskunde bekijken", **fields}
    return service.plan_visit(users["teacher"], team["id"], data)


def test_planning_a_visit_through_the_page(client, users, login, team):
    login(client, "teacher")
    response = client.post(visits_url(team, "/new"), data={
        "date": NEXT_WEEK, "start_time": "09:30", "end_time": "10:20",
        "visitor_ids": [users["support"]["id"], users["teacher"]["id"]],
        "purpose": "  Instructie   wiskunde bekijken "})
    assert response.status_code == 302
    (visit,) = get_store().visits.find(trajectory_id=team["id"])
    assert visit["date"] == NEXT_WEEK and (visit["start_time"], visit["end_time"]) == ("09:30", "10:20")
    assert visit["visitor_ids"] == [users["support"]["id"], users["teacher"]["id"]]
    assert visit["purpose"] == "Instructie wiskunde bekijken" and visit["status"] == "planned"
    assert visit["pupil_id"] == team["pupil_id"]
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert f'id="visit-{visit["id"]}"' in page
    assert "Instructie wiskunde bekijken" in page and "09:30 to 10:20" in page
    assert "Support" in page  # who visits


@pytest.mark.parametrize("fields, field", [
    ({"date": ""}, "date"),
    ({"date": "31-12-2030"}, "date"),
    ({"date": YESTERDAY}, "date"),
    ({"start_time": "25:00"}, "start_time"),
    ({"start_time": "", "end_time": "10:00"}, "start_time"),
    ({"start_time": "10:00", "end_time": "09:00"}, "end_time"),
    ({"visitor_ids": []}, "visitor_ids"),
    ({"purpose": "x" * (service.MAX_PURPOSE + 1)}, "purpose"),
])
def test_wrong_input_is_refused_and_kept(client, users, login, team, fields, field):
    login(client, "teacher")
    data = {"date": NEXT_WEEK, "start_time": "", "end_time": "",
            "visitor_ids": [users["support"]["id"]], "purpose": "Rekenles volgen", **fields}
    response = client.post(visits_url(team, "/new"), data=data, headers=EN)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "Rekenles volgen" in page or field == "purpose"  # what was typed stays in the form
    assert get_store().visits.all() == []


def test_visitors_must_be_on_the_team(users, team):
    with pytest.raises(ValidationError) as caught:
        plan(users, team, visitor_ids=[users["outsider_support"]["id"]])
    assert "visitor_ids" in caught.value.errors


def test_no_visits_in_a_closed_trajectory(users, team):
    get_store().trajectories.update(team["id"], {"phase": "closed"})
    with pytest.raises(ValidationError):
        plan(users, team)


@pytest.mark.parametrize("who, read, write", [
    ("teacher", 200, 200),
    ("support", 200, 200),
    ("coordinator", 200, 403),   # reads every trajectory, plans only where a member
    ("outsider_teacher", 404, 404),
    ("admin", 404, 404),
])
def test_visit_pages_follow_membership(app, users, login, team, who, read, write):
    visit = plan(users, team)
    client = login(app.test_client(), who)
    assert client.get(f"/t/{team['id']}").status_code == read
    for tail in ("/new", f"/{visit['id']}/edit"):
        assert client.get(visits_url(team, tail)).status_code == write, tail
    response = client.post(visits_url(team, f"/{visit['id']}/cancel"))
    assert response.status_code == (302 if write == 200 else write)
    assert (get_store().visits.get(visit["id"])["status"] == "cancelled") == (write == 200)


def test_the_services_refuse_outsiders_and_audit_it(users, team):
    visit = plan(users, team)
    with pytest.raises(NotFound):
        service.plan_visit(users["outsider_teacher"], team["id"], {"date": NEXT_WEEK})
    with pytest.raises(Forbidden):
        service.cancel_visit(users["coordinator"], team["id"], visit["id"])
    denied = [r for r in get_store().audit.all() if r["action"] == "denied"]
    assert {r["user_id"] for r in denied} == {users["outsider_teacher"]["id"],
                                              users["coordinator"]["id"]}


def test_a_visit_of_another_trajectory_is_not_found(users, team, make_trajectory):
    other = make_trajectory(users["teacher"], users["support"])
    visit = plan(users, other)
    with pytest.raises(NotFound):
        service.load_visit(users["teacher"], team["id"], visit["id"])


def test_changing_and_cancelling_are_audited_without_content(client, users, login, team):
    visit = plan(users, team)
    login(client, "support")
    response = client.post(visits_url(team, f"/{visit['id']}/edit"), data={
        "date": NEXT_MONTH, "visitor_ids": [users["support"]["id"]], "purpose": "Andere les",
        "rev": visit["rev"]})
    assert response.status_code == 302
    assert get_store().visits.get(visit["id"])["date"] == NEXT_MONTH
    assert client.post(visits_url(team, f"/{visit['id']}/cancel")).status_code == 302
    cancelled = get_store().visits.get(visit["id"])
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_by"] == users["support"]["id"]
    records = [r for r in get_store().audit.all() if r["object_type"] == "visit"]
    assert [(r["action"], r["detail"]) for r in records] == [
        ("create", ""), ("update", ""), ("update", "cancel")]
    assert all(r["pupil_id"] == team["pupil_id"] for r in records)
    assert not any("Andere les" in str(r) or "wiskunde" in str(r) for r in get_store().audit.all())
    # A cancelled visit cannot be changed or cancelled again, and says so.
    again = client.post(visits_url(team, f"/{visit['id']}/edit"), headers=EN, data={
        "date": NEXT_MONTH, "visitor_ids": [users["support"]["id"]], "rev": cancelled["rev"]})
    assert again.status_code == 400 and b"cancelled" in again.data
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "Cancelled" in page and "Cancel the visit" not in page


def test_a_stale_change_shows_both_versions(client, users, login, team):
    visit = plan(users, team)
    service.update_visit(users["teacher"], team["id"], visit["id"],
                         {"date": NEXT_MONTH, "visitor_ids": [users["teacher"]["id"]],
                          "purpose": "Hun versie"}, expected_rev=visit["rev"])
    login(client, "support")
    response = client.post(visits_url(team, f"/{visit['id']}/edit"), headers=EN, data={
        "date": NEXT_WEEK, "visitor_ids": [users["support"]["id"]], "purpose": "Mijn versie",
        "rev": visit["rev"]})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Hun versie" in page and "Mijn versie" in page
    assert get_store().visits.get(visit["id"])["purpose"] == "Hun versie"


def test_the_start_page_shows_coming_visits_of_my_trajectories(client, users, login, team,
                                                                make_trajectory):
    soon = plan(users, team, date=NEXT_WEEK, start_time="13:00", purpose="Soon")
    plan(users, team, date=(TODAY + timedelta(days=40)).isoformat(), purpose="Later")
    cancelled = plan(users, team, date=NEXT_WEEK)
    service.cancel_visit(users["teacher"], team["id"], cancelled["id"])
    other = make_trajectory(users["outsider_teacher"], users["outsider_support"], title="Ander")
    service.plan_visit(users["outsider_teacher"], other["id"],
                       {"date": NEXT_WEEK, "visitor_ids": [users["outsider_teacher"]["id"]]})
    login(client, "teacher")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Class visits in the next 14 days" in page
    assert f"visit-{soon['id']}" in page and f"visit-{cancelled['id']}" not in page
    assert "Rustig starten" in page and "Ander" not in page
    assert page.count("#visit-") == 1  # the later visit waits until it comes near


def test_visits_are_part_of_the_pupils_dossier(users, team):
    from journal.privacy import dossier

    visit = plan(users, team)
    found = dossier.pupil_documents(team["pupil_id"])
    assert [v["id"] for v in found["visits"]] == [visit["id"]]
