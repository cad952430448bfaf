"""Goals: adding, validation, overdue badges, evaluations, edit conflicts and history."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from journal.process import goals as goal_service
from journal.storage import get_store

EN = {"Accept-Language": "en"}
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
NEXT_MONTH = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def team(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"], title="Rustig starten")


def goals_url(trajectory, tail=""):
    return f"/t/{trajectory['id']}/goals{tail}"


@pytest.mark.parametrize("who, read, write", [
    ("teacher", 200, 200),
    ("support", 200, 200),
    ("coordinator", 200, 403),   # reads every trajectory, writes only where a member
    ("outsider_teacher", 404, 404),
    ("admin", 404, 404),
])
def test_goal_pages_follow_membership(app, users, login, team, make_goal, who, read, write):
    goal = make_goal(team)
    client = login(app.test_client(), who)
    for tail in (f"/{goal['id']}", f"/{goal['id']}/history"):
        assert client.get(goals_url(team, tail)).status_code == read, tail
    for tail in ("/new", f"/{goal['id']}/edit", f"/{goal['id']}/evaluate"):
        assert client.get(goals_url(team, tail)).status_code == write, tail
        assert client.post(goals_url(team, tail), data={}).status_code == (
            400 if write == 200 else write), tail


def test_a_goal_of_another_trajectory_is_not_found(client, users, login, team, make_trajectory,
                                                   make_goal):
    other = make_trajectory(users["teacher"])
    goal = make_goal(other)
    login(client, "teacher")
    assert client.get(goals_url(team, f"/{goal['id']}")).status_code == 404
    assert client.get(goals_url(other, f"/{goal['id']}")).status_code == 200


def test_adding_a_goal(client, users, login, team):
    login(client, "teacher")
    response = client.post(goals_url(team, "/new"), data={
        "text": "Start **zelfstandig** na de instructie", "owner_id": users["support"]["id"],
        "review_date": NEXT_MONTH})
    assert response.status_code == 302
    (goal,) = get_store().goals.find(trajectory_id=team["id"])
    assert goal["status"] == "ongoing" and goal["evaluations"] == []
    assert goal["owner_id"] == users["support"]["id"]
    assert goal["pupil_id"] == team["pupil_id"]
    assert "<strong>zelfstandig</strong>" in goal["html"]["text"]
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "<strong>zelfstandig</strong>" in page and "Review overdue" not in page
    audit = [r for r in get_store().audit.all() if r["object_type"] == "goal"]
    assert audit[-1]["action"] == "create" and audit[-1]["object_id"] == goal["id"]


def test_goal_validation_keeps_the_input(client, users, login, team):
    login(client, "teacher")
    response = client.post(goals_url(team, "/new"), headers=EN, data={
        "text": "", "owner_id": users["outsider_teacher"]["id"], "review_date": "morgen"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("text", "owner_id", "review_date"):
        assert f'id="{field}-error"' in page, field
    assert 'value="morgen"' in page
    assert get_store().goals.all() == []


def test_overdue_goals_stand_out_in_words(client, users, login, team, make_goal):
    make_goal(team, text="Te laat", review_date=YESTERDAY)
    make_goal(team, text="Op tijd", review_date=NEXT_MONTH)
    make_goal(team, text="Bereikt", review_date=YESTERDAY, status="achieved")
    login(client, "teacher")
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "1 goal is past its review date." in page
    assert page.count('<span class="badge overdue">Review overdue</span>') == 2  # notice + goal
    card = page[page.index('id="goal-'):]
    assert card.index("Te laat") < card.index("Op tijd")  # ongoing first, by review date


def test_evaluation_records_a_dated_status_and_moves_the_review_date(client, users, login, team,
                                                                     make_goal):
    goal = make_goal(team, review_date=YESTERDAY)
    login(client, "support")
    response = client.post(goals_url(team, f"/{goal['id']}/evaluate"), data={
        "date": date.today().isoformat(), "text": "Lukt 2 op 4 keer", "status": "ongoing",
        "next_review_date": NEXT_MONTH, "rev": goal["rev"]})
    assert response.status_code == 302
    stored = get_store().goals.require(goal["id"])
    (evaluation,) = stored["evaluations"]
    assert evaluation["author_id"] == users["support"]["id"]
    assert evaluation["status"] == "ongoing" and evaluation["text"] == "Lukt 2 op 4 keer"
    assert stored["review_date"] == NEXT_MONTH
    assert not goal_service.is_overdue(stored)
    page = client.get(goals_url(team, f"/{goal['id']}"), headers=EN).get_data(as_text=True)
    assert "Lukt 2 op 4 keer" in page and "Review overdue" not in page

    client.post(goals_url(team, f"/{goal['id']}/evaluate"), data={
        "date": date.today().isoformat(), "text": "Doel bereikt", "status": "achieved",
        "rev": stored["rev"]})
    assert get_store().goals.require(goal["id"])["status"] == "achieved"


def test_evaluation_in_the_future_or_without_text_is_refused(client, users, login, team, make_goal):
    goal = make_goal(team)
    login(client, "teacher")
    response = client.post(goals_url(team, f"/{goal['id']}/evaluate"), headers=EN, data={
        "date": NEXT_MONTH, "text": "", "status": "achieved", "rev": goal["rev"]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "An evaluation cannot lie in the future." in page
    assert 'id="text-error"' in page and f'value="{NEXT_MONTH}"' in page
    assert get_store().goals.require(goal["id"])["evaluations"] == []


def test_a_later_save_never_silently_overwrites_a_goal(app, users, login, team, make_goal):
    goal = make_goal(team, text="Oorspronkelijk doel")
    teacher = login(app.test_client(), "teacher")
    support = login(app.test_client(), "support")
    form = {"owner_id": users["teacher"]["id"], "review_date": NEXT_MONTH, "status": "ongoing",
            "rev": goal["rev"]}
    first = teacher.post(goals_url(team, f"/{goal['id']}/edit"), data=dict(form, text="Versie van de leraar"))
    assert first.status_code == 302

    second = support.post(goals_url(team, f"/{goal['id']}/edit"), headers=EN,
                          data=dict(form, text="Versie van de ondersteuner"))
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else saved this goal while you were editing" in page
    assert "Versie van de leraar" in page and "Versie van de ondersteuner" in page
    current = get_store().goals.require(goal["id"])
    assert current["text"] == "Versie van de leraar"
    assert f'name="rev" value="{current["rev"]}"' in page

    merged = support.post(goals_url(team, f"/{goal['id']}/edit"),
                          data=dict(form, text="Samengevoegd", rev=current["rev"]))
    assert merged.status_code == 302
    assert get_store().goals.require(goal["id"])["text"] == "Samengevoegd"


def test_goal_history_shows_who_changed_what_and_the_old_text(client, users, login, team, make_goal):
    goal = make_goal(team, text="Eerste tekst")
    login(client, "teacher")
    client.post(goals_url(team, f"/{goal['id']}/edit"), data={
        "text": "Tweede tekst", "owner_id": users["teacher"]["id"], "review_date": NEXT_MONTH,
        "status": "ongoing", "rev": goal["rev"]})
    page = client.get(goals_url(team, f"/{goal['id']}/history"), headers=EN).get_data(as_text=True)
    assert "Eerste tekst" in page and "Tweede tekst" in page
    assert page.index("Tweede tekst") < page.index("Eerste tekst")  # newest first
    assert "Version 2" in page and "Teacher" in page
    assert "Changed: Goal, Review date" in page


def test_an_evaluation_on_a_changed_goal_is_not_saved_blindly(client, users, login, team, make_goal):
    goal = make_goal(team)
    get_store().goals.update(goal["id"], {"status": "stopped"}, actor_id=users["support"]["id"])
    login(client, "teacher")
    response = client.post(goals_url(team, f"/{goal['id']}/evaluate"), headers=EN, data={
        "date": date.today().isoformat(), "text": "Mijn evaluatie", "status": "achieved",
        "rev": goal["rev"]})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "its status is now: Stopped" in page and "Mijn evaluatie" in page
    stored = get_store().goals.require(goal["id"])
    assert stored["evaluations"] == [] and stored["status"] == "stopped"
    assert f'name="rev" value="{stored["rev"]}"' in page


def test_a_closed_trajectory_takes_no_new_goals_until_reopened(client, users, login, make_trajectory):
    closed = make_trajectory(users["teacher"], users["support"], phase="closed")
    login(client, "teacher")
    response = client.post(goals_url(closed, "/new"), headers=EN, data={
        "text": "Nieuw doel", "owner_id": users["teacher"]["id"], "review_date": NEXT_MONTH})
    assert response.status_code == 400
    assert "Reopen it to add goals." in response.get_data(as_text=True)
    assert get_store().goals.all() == []
