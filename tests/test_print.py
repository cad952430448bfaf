"""The print view of a trajectory for a team meeting."""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta

import pytest

from journal.storage import get_store

EN = {"Accept-Language": "en"}


def add_entry(trajectory, author, kind, text, *, status="published"):
    field = {"observation": "seen", "agreement": "what", "reflection": "conclusions"}[kind]
    fields = {field: text}
    if kind == "agreement":
        fields.update(applied_by="alle leraren van 3B", from_date="2025-03-01",
                      review_date="2025-05-01")
    return get_store().entries.create({
        "trajectory_id": trajectory["id"], "pupil_id": trajectory.get("pupil_id"), "kind": kind,
        "status": status, "date": "2025-03-10", "authors": [author["id"]],
        "created_by": author["id"], "tags": [], "goal_ids": [], "fields": fields,
        "html": {field: f"<p>{text}</p>"}, "template": None, "answers": {}, "internal": False,
        "breach_of_rules": False,
    })


@pytest.fixture
def sheet(users, make_trajectory, make_pupil, make_goal):
    pupil = make_pupil("Leerling Noor", "6A")
    trajectory = make_trajectory(
        users["teacher"], users["support"], pupil_id=pupil["id"], title="Noor plant haar werk",
        educational_need="Nood aan structuur", learning_question="Hoe help ik plannen?",
        html={"educational_need": "<p>Nood aan structuur</p>",
              "learning_question": "<p>Hoe help ik plannen?</p>"},
        focus_areas=["executieve_functies"])
    make_goal(trajectory, text="Maakt zelf een weekplanning",
              review_date=(date.today() - timedelta(days=3)).isoformat(),
              evaluations=[{"id": "e1", "date": "2025-03-01", "author_id": users["support"]["id"],
                            "text": "Lukt met hulp", "html": "<p>Lukt met hulp</p>",
                            "status": "ongoing"}])
    add_entry(trajectory, users["support"], "agreement", "AFSPRAAK-TIMER")
    add_entry(trajectory, users["teacher"], "observation", "OBSERVATIE-KLAS")
    add_entry(trajectory, users["teacher"], "observation", "CONCEPT-GEHEIM", status="draft")
    return trajectory


def test_print_view_holds_the_essentials_for_a_team_meeting(client, users, login, sheet):
    login(client, "support")
    response = client.get(f"/t/{sheet['id']}/print", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for expected in ("Noor plant haar werk", "Leerling Noor (6A)", "Nood aan structuur",
                     "Hoe help ik plannen?", "Maakt zelf een weekplanning", "Lukt met hulp",
                     "AFSPRAAK-TIMER", "alle leraren van 3B", "Teacher (Teacher)",
                     "Support (Learning-support specialist)", "Executieve functies",
                     "Review overdue"):
        assert expected in page, expected
    assert "OBSERVATIE-KLAS" not in page  # need to know: goals and agreements only
    assert "CONCEPT-GEHEIM" not in page


def test_print_view_can_include_every_published_entry_but_never_drafts(client, users, login, sheet):
    login(client, "teacher")
    page = client.get(f"/t/{sheet['id']}/print?all=1", headers=EN).get_data(as_text=True)
    assert "OBSERVATIE-KLAS" in page and "AFSPRAAK-TIMER" in page
    assert "CONCEPT-GEHEIM" not in page  # not even the author's own draft goes on paper


def test_print_view_uses_the_print_stylesheet_and_no_inline_code(client, users, login, sheet):
    login(client, "teacher")
    page = client.get(f"/t/{sheet['id']}/print", headers=EN).get_data(as_text=True)
    assert re.search(r'<link[^>]+print\.css[^>]+media="print"', page)
    assert "<script>" not in page and " style=" not in page
    assert 'class="print-view"' in page


@pytest.mark.parametrize("who, status", [
    ("teacher", 200), ("support", 200), ("coordinator", 200),
    ("outsider_support", 404), ("admin", 404),
])
def test_print_view_access(app, users, login, sheet, who, status):
    client = login(app.test_client(), who)
    assert client.get(f"/t/{sheet['id']}/print").status_code == status


def test_printing_is_audited(client, users, login, sheet):
    login(client, "coordinator")
    client.get(f"/t/{sheet['id']}/print")
    record = get_store().audit.all()[-1]
    assert (record["action"], record["object_id"], record["detail"]) == ("view", sheet["id"], "print")
    assert record["user_id"] == users["coordinator"]["id"]
