"""The personal start page: my trajectories, overdue goals, drafts and quiet trajectories."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from journal.storage import get_store

EN = {"Accept-Language": "en"}


def days_ago(n):
    return (date.today() - timedelta(days=n)).isoformat()


def add_entry(trajectory, author, kind="observation", *, status="published", on=None):
    return get_store().entries.create({
        "trajectory_id": trajectory["id"], "pupil_id": trajectory.get("pupil_id"), "kind": kind,
        "status": status, "date": on or date.today().isoformat(), "authors": [author["id"]],
        "created_by": author["id"], "tags": [], "goal_ids": [], "fields": {"seen": "x"},
        "html": {"seen": "<p>x</p>"}, "template": None, "answers": {}, "internal": False,
        "breach_of_rules": False,
    })


@pytest.fixture
def mine(users, make_trajectory, make_pupil):
    pupil = make_pupil("Leerling Mira", "2A")
    return make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           phase="implementation", start_date=days_ago(5))


def test_start_page_lists_my_open_trajectories_with_phase_pupil_and_next_review(
        client, users, login, mine, make_trajectory, make_goal):
    make_goal(mine, review_date="2099-05-01")
    make_goal(mine, review_date="2099-03-01")
    make_trajectory(users["outsider_teacher"], title="Niet van mij")
    make_trajectory(users["teacher"], title="Al gesloten", phase="closed")
    login(client, "teacher")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Leerling Mira (2A)" in page
    assert "Implementation and reflection" in page
    assert "Mar 1, 2099" in page and "May 1, 2099" not in page  # the next review date only
    assert "Niet van mij" not in page
    assert "Al gesloten" not in page and "1 closed trajectory is not shown." in page


def test_overdue_goals_are_on_the_start_page(client, users, login, mine, make_goal):
    make_goal(mine, text="Vraagt hulp met een kaartje", review_date=days_ago(3))
    login(client, "support")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Goals past their review date" in page
    assert "Vraagt hulp met een kaartje" in page
    assert "Review overdue" in page


def test_my_drafts_are_on_the_start_page_and_nobody_elses(app, users, login, mine):
    add_entry(mine, users["support"], "reflection", status="draft")
    support = login(app.test_client(), "support")
    assert "My drafts" in support.get("/", headers=EN).get_data(as_text=True)
    teacher = login(app.test_client(), "teacher")
    assert "My drafts" not in teacher.get("/", headers=EN).get_data(as_text=True)


def test_quiet_trajectories_are_flagged_until_someone_writes(app, users, login, make_trajectory):
    quiet = make_trajectory(users["teacher"], title="Stil traject", start_date=days_ago(60))
    add_entry(quiet, users["teacher"], on=days_ago(40))
    client = login(app.test_client(), "teacher")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Nothing written for more than 21 days" in page
    assert page.count("Stil traject") == 2  # in the attention list and in my trajectories
    add_entry(quiet, users["teacher"], on=days_ago(1))
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Nothing written for more than" not in page


def test_a_draft_does_not_count_as_activity(app, users, login, make_trajectory):
    quiet = make_trajectory(users["teacher"], title="Stil traject", start_date=days_ago(60))
    add_entry(quiet, users["teacher"], status="draft", on=days_ago(1))
    client = login(app.test_client(), "teacher")
    assert "Nothing written for more than" in client.get("/", headers=EN).get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"JOURNAL_STALE_TRAJECTORY_DAYS": 90}])
def test_the_quiet_period_is_configurable(app, users, login, make_trajectory):
    make_trajectory(users["teacher"], title="Stil traject", start_date=days_ago(60))
    client = login(app.test_client(), "teacher")
    assert "Nothing written for more than" not in client.get("/", headers=EN).get_data(as_text=True)


def test_coordinator_sees_school_wide_attention_and_other_trajectories(
        app, users, login, mine, make_goal):
    make_goal(mine, text="Overdue in de school", review_date=days_ago(2))
    client = login(app.test_client(), "coordinator")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Overdue in de school" in page
    assert "1 other open trajectory in the school." in page
    assert "You are not on the team of any open trajectory." in page


def test_a_whole_schools_overdue_goals_show_the_longest_overdue_first_and_the_rest_on_request(
        app, users, login, mine, make_goal):
    from journal.web.home import ATTENTION_ITEMS

    for n in range(ATTENTION_ITEMS + 3):
        make_goal(mine, text=f"Doel nummer {n:02d}", review_date=days_ago(10 + n))
    client = login(app.test_client(), "coordinator")
    page = client.get("/", headers=EN).get_data(as_text=True)
    oldest = f"Doel nummer {ATTENTION_ITEMS + 2:02d}"
    assert oldest in page and "Doel nummer 00" not in page
    assert page.count("Review overdue") == ATTENTION_ITEMS
    assert "Show 3 more" in page and "/?all=1" in page
    everything = client.get("/?all=1", headers=EN).get_data(as_text=True)
    assert everything.count("Review overdue") == ATTENTION_ITEMS + 3
    assert "Doel nummer 00" in everything and "Show 3 more" not in everything


def test_admin_sees_no_pupil_content(app, users, login, mine, make_goal):
    make_goal(mine, text="Geheim doel", review_date=days_ago(2))
    client = login(app.test_client(), "admin")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Geheim doel" not in page and "Leerling Mira" not in page
