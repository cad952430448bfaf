"""The trajectory lifecycle: what closing asks for (evaluated goals, a published handover
sheet), a coordinator's override with a reason, and the start page's attention items."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from journal.process import entries as entry_service
from journal.process import goals as goal_service
from journal.process import handover
from journal.process import lifecycle
from journal.process import reflection
from journal.security.sessions import create_token
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"], title="Rustige overgangen",
                           phase="fading_out")


def publish_sheet(trajectory, actor):
    sheet = handover.save(actor, trajectory["id"], {"need": "Rust.", "works": "- Dagschema",
                                                    "when_wrong": "Pauze.", "contacts": "- An"},
                          expected_rev=0)
    return handover.publish(actor, trajectory["id"], expected_rev=sheet["rev"])


def close(client, trajectory, **extra):
    rev = get_store().trajectories.require(trajectory["id"])["rev"]
    return client.post(f"/t/{trajectory['id']}/phase", headers=EN,
                       data={"phase": "closed", "confirm_close": "yes", "rev": rev, **extra})


def test_closing_is_refused_with_the_list_of_what_is_missing(client, users, login, team,
                                                             make_goal):
    make_goal(team, text="Stapt zelf in bij groepswerk.")
    login(client, "support")
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "Before the trajectory can close:" in page
    assert "Goal “Stapt zelf in bij groepswerk.” has no final evaluation yet." in page

    response = close(client, team)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "The trajectory cannot close yet" in body
    assert "has no final evaluation yet" in body
    assert "handover sheet is not published yet" in body
    assert "Close anyway" not in body  # only a coordinator may override
    assert get_store().trajectories.require(team["id"])["phase"] == "fading_out"


def test_a_trajectory_closes_once_goals_are_evaluated_and_the_sheet_is_published(
        client, users, login, team, make_goal):
    goal = make_goal(team)
    assert [p["key"] for p in lifecycle.close_problems(team)] == ["goal", "handover"]
    # A status set without an evaluation is not a final evaluation.
    get_store().goals.update(goal["id"], {"status": "achieved"})
    assert [p["key"] for p in lifecycle.close_problems(team)] == ["goal", "handover"]
    goal_service.add_evaluation(users["support"], goal["id"],
                                {"date": date.today().isoformat(), "text": "Lukt elke dag.",
                                 "status": "achieved"})
    publish_sheet(team, users["support"])
    assert lifecycle.close_problems(team) == []
    login(client, "support")
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "Everything closing asks for is there." in page
    assert close(client, team).status_code == 302
    closed = get_store().trajectories.require(team["id"])
    assert closed["phase"] == "closed" and "override" not in closed["phase_history"][-1]


def test_a_coordinator_may_close_anyway_with_a_reason_that_is_kept(client, users, login,
                                                                   make_trajectory, make_goal):
    trajectory = make_trajectory(users["teacher"], users["coordinator"], phase="fading_out")
    make_goal(trajectory)
    login(client, "coordinator")
    page = close(client, trajectory).get_data(as_text=True)
    assert "Close anyway, because…" in page
    response = close(client, trajectory, override_reason="De leerling is verhuisd.")
    assert response.status_code == 302
    closed = get_store().trajectories.require(trajectory["id"])
    assert closed["phase"] == "closed"
    assert closed["phase_history"][-1]["override"] == {"reason": "De leerling is verhuisd.",
                                                       "missing": ["goal", "handover"]}
    record = [r for r in get_store().audit.all() if r["detail"].startswith("phase")][-1]
    assert record["detail"] == "phase:override" and "verhuisd" not in repr(record)
    # Reopening and the phase page show the reason in the history.
    page = client.get(f"/t/{trajectory['id']}/phase", headers=EN).get_data(as_text=True)
    assert "because: De leerling is verhuisd." in page


def test_a_support_specialist_cannot_override(client, users, login, team, make_goal):
    make_goal(team)
    login(client, "support")
    response = close(client, team, override_reason="Ik wil het toch.")
    assert response.status_code == 400
    assert 'id="close_missing-error"' in response.get_data(as_text=True)
    assert get_store().trajectories.require(team["id"])["phase"] == "fading_out"


def test_the_api_refuses_closing_with_what_is_missing(app, client, users, team):
    token = create_token(users["support"], "test")[1]
    response = client.post(f"/api/v1/trajectories/{team['id']}/phase",
                           headers={"Authorization": f"Bearer {token}"},
                           json={"rev": team["rev"], "phase": "closed", "confirm_close": True})
    assert response.status_code == 400
    assert "close_missing" in response.json["error"]["fields"]
    assert get_store().trajectories.require(team["id"])["phase"] == "fading_out"


# -- the start page ------------------------------------------------------------

def reflection_by(trajectory, author, *, co_authors=(), publish=False, day=None):
    form = {"date": day or date.today().isoformat(), "conclusions": "Samen bekeken.",
            "next_steps": "Verder."}
    entry = entry_service.create_entry(author, trajectory["id"], "reflection", form,
                                       publish=publish, co_author_ids=list(co_authors),
                                       model_id="korthagen")
    return reflection.add_contribution(author, entry["id"], "handelen", "Wat ik deed.")


def test_reflections_waiting_for_my_contribution_are_on_the_start_page(
        client, users, login, team, make_trajectory):
    draft = reflection_by(team, users["support"], co_authors=[users["teacher"]["id"]])
    recent = reflection_by(team, users["support"], publish=True)
    reflection_by(team, users["support"], publish=True,
                  day=(date.today() - timedelta(days=40)).isoformat())  # too old to wait
    closed = make_trajectory(users["teacher"], users["support"], phase="fading_out")
    reflection_by(closed, users["support"], co_authors=[users["teacher"]["id"]])
    closed = get_store().trajectories.update(closed["id"], {"phase": "closed"})  # closed since

    waiting = lifecycle.waiting_reflections(users["teacher"], [team, closed])
    assert [w["entry"]["id"] for w in waiting] == [draft["id"], recent["id"]]
    # The author herself is not waiting for her own contribution.
    assert lifecycle.waiting_reflections(users["support"], [team, closed]) == []

    login(client, "teacher")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Reflections waiting for your contribution" in page
    assert f"/entries/{draft['id']}" in page and f"/entries/{recent['id']}" in page
    # Once I contributed, it no longer waits for me.
    reflection.add_contribution(users["teacher"], draft["id"], "terugblikken", "Mijn kant.")
    reflection.add_contribution(users["teacher"], recent["id"], "terugblikken", "Mijn kant.")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Reflections waiting for your contribution" not in page


def test_the_start_page_links_the_list_for_everyone(client, users, login):
    login(client, "teacher")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "/adaptations/school" in page and "Our agreements for everyone" in page
