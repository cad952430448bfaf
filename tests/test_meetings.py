"""Meetings (overleg): date, participants from the team and others, what was decided, the
goals and agreements it changed; on the entry page, the print view, the CLB synthesis and the
inspection copy, with people by name."""

from __future__ import annotations

import pytest

from journal.privacy import export
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory, make_pupil, make_goal, make_entry):
    pupil = make_pupil("Leerling Noor", "4C")
    trajectory = make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                                 phase="implementation")
    goal = make_goal(trajectory, text="Leest tien minuten per dag hardop.")
    agreement = make_entry(trajectory, users["support"], "agreement",
                           what="Voorleessoftware bij toetsen.", applied_by="alle leraren")
    return {"trajectory": trajectory, "goal": goal, "agreement": agreement}


def post_meeting(client, team, users, **fields):
    data = {"date": "2025-03-12", "meeting_type": "mdo",
            "participants": [users["teacher"]["id"], users["support"]["id"]],
            "others": "- Mevrouw Claes (CLB)\n- de ouders",
            "decided": "We verlengen de voorleessoftware tot de paasvakantie.",
            "changed_agreements": [team["agreement"]["id"]], "goal_ids": [team["goal"]["id"]],
            "tags": "", "action": "publish", **fields}
    return client.post(f"/t/{team['trajectory']['id']}/entries/new?kind=meeting", data=data,
                       headers=EN)


def test_a_meeting_is_recorded_with_its_people_decision_and_changes(app, users, login, team):
    client = login(app.test_client(), "support")
    form = client.get(f"/t/{team['trajectory']['id']}/entries/new?kind=meeting", headers=EN)
    assert b"Kind of meeting" in form.data and b"Participants from the school team" in form.data
    assert b"Voorleessoftware bij toetsen." in form.data  # an agreement it may change
    response = post_meeting(client, team, users)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (meeting,) = get_store().entries.find(kind="meeting")
    assert meeting["date"] == "2025-03-12"  # the meeting's date is the entry's date
    assert meeting["fields"]["meeting_type"] == "mdo"
    assert meeting["fields"]["participants"] == [users["teacher"]["id"], users["support"]["id"]]
    assert meeting["fields"]["changed_agreements"] == [team["agreement"]["id"]]
    assert meeting["goal_ids"] == [team["goal"]["id"]]
    page = client.get(f"/t/{team['trajectory']['id']}/entries/{meeting['id']}",
                      headers=EN).get_data(as_text=True)
    assert "MDO (multidisciplinary consultation)" in page
    assert "Teacher, Support" in page and "Mevrouw Claes (CLB)" in page
    assert "We verlengen de voorleessoftware" in page and "Voorleessoftware bij toetsen." in page
    assert users["teacher"]["id"] not in page.split("<main")[1].split("</main>")[0].replace(
        f'value="{users["teacher"]["id"]}"', "")


@pytest.mark.parametrize("fields, field", [
    ({"meeting_type": ""}, "meeting_type"),
    ({"meeting_type": "koffie"}, "meeting_type"),
    ({"decided": ""}, "decided"),
])
def test_a_meeting_needs_its_kind_and_decision_and_keeps_what_was_typed(
        app, users, login, team, fields, field):
    client = login(app.test_client(), "support")
    response = post_meeting(client, team, users, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and f'id="{field}-error"' in page
    assert "Mevrouw Claes (CLB)" in page
    assert get_store().entries.find(kind="meeting") == []


def test_only_the_team_and_this_trajectorys_agreements_can_be_named(
        app, users, login, team, make_trajectory, make_entry):
    other = make_entry(make_trajectory(users["outsider_teacher"]), users["outsider_teacher"],
                       "agreement")
    client = login(app.test_client(), "support")
    for fields, field in (({"participants": [users["outsider_teacher"]["id"]]}, "participants"),
                          ({"changed_agreements": [other["id"]]}, "changed_agreements")):
        response = post_meeting(client, team, users, **fields)
        assert response.status_code == 400 and f'id="{field}-error"' in response.get_data(
            as_text=True)
    assert get_store().entries.find(kind="meeting") == []


def test_the_print_view_and_the_clb_synthesis_include_meetings(app, users, login, team):
    client = login(app.test_client(), "support")
    post_meeting(client, team, users)
    trajectory_id = team["trajectory"]["id"]
    for url in (f"/t/{trajectory_id}/print", f"/t/{trajectory_id}/synthesis?from=2025-01-01&to=2025-06-30"):
        page = client.get(url, headers=EN).get_data(as_text=True)
        meetings = page.split(">Meetings<")[1]
        assert "MDO (multidisciplinary consultation)" in meetings, url
        assert "We verlengen de voorleessoftware" in meetings and "Teacher, Support" in meetings
        assert "Leest tien minuten per dag hardop." in meetings  # the goal it changed
    outside = client.get(f"/t/{trajectory_id}/synthesis?from=2025-04-01&to=2025-06-30",
                         headers=EN).get_data(as_text=True)
    assert "We verlengen" not in outside and "No meetings recorded." in outside


def test_the_inspection_copy_names_the_participants(app, users, login, team):
    client = login(app.test_client(), "support")
    post_meeting(client, team, users)
    copy = export.build(team["trajectory"]["pupil_id"])
    (meeting,) = [e for t in copy["trajectories"] for e in t["entries"] if e["kind"] == "Meeting"]
    assert meeting["fields"]["participants"] == "Teacher, Support"
    assert meeting["fields"]["changed_agreements"] == "Voorleessoftware bij toetsen."
    assert users["teacher"]["id"] not in repr(copy)


def test_the_meeting_kind_can_be_filtered_on_the_timeline(app, users, login, team, make_entry):
    make_entry(team["trajectory"], users["support"], "meeting", decided="Afspraak met de ouders.")
    client = login(app.test_client(), "teacher")
    page = client.get(f"/t/{team['trajectory']['id']}?kind=meeting", headers=EN).get_data(
        as_text=True)
    timeline = page.split('id="timeline"')[1]
    assert "Afspraak met de ouders." in timeline and "Voorleessoftware bij toetsen." not in timeline
