"""The synthesis for the CLB and the MDO: measures and their effect per goal over a period."""

from __future__ import annotations

import pytest

from journal.process import adaptation_rows
from journal.process import adaptations
from journal.process import goals as goal_service
from journal.process import synthesis
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory, make_pupil):
    pupil = make_pupil("Leerling Lina", "2B")
    return make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           phase="implementation", start_date="2025-01-06",
                           educational_need="Lina heeft structuur nodig.",
                           html={"educational_need": "<p>Lina heeft structuur nodig.</p>"})


@pytest.fixture
def record(users, team, make_goal, make_entry):
    """Two goals; measures in and out of the period; an evaluation in the period."""
    goal = make_goal(team, text="Start zelfstandig met een taak.")
    other = make_goal(team, text="Vraagt hulp met een kaartje.")
    linked = make_entry(team, users["teacher"], "agreement", what="Stappenplan op de bank.",
                        goal_ids=[goal["id"]], from_date="2025-02-03", review_date="2025-03-31")
    make_entry(team, users["teacher"], "agreement", what="Oude maatregel.", goal_ids=[goal["id"]],
               date="2024-09-02", from_date="2024-09-02", review_date="2024-10-01")
    make_entry(team, users["teacher"], "agreement", what="Koptelefoon bij zelfstandig werk.",
               from_date="2025-02-10", review_date="2025-06-30")
    make_entry(team, users["teacher"], "agreement", what="Interne maatregel.",
               goal_ids=[goal["id"]], internal=True)
    adaptations.rate(users["teacher"], team["id"], adaptation_rows.agreement_key(linked["id"]),
                     {"feasible": "yes", "works": "yes"})
    goal_service.add_evaluation(users["support"], goal["id"], {
        "date": "2025-03-01", "text": "Lukt 3 op 4 keer.", "status": "ongoing"})
    return {"goal": goal, "other": other}


def test_measures_and_their_effect_per_goal_in_the_period(team, record):
    result = synthesis.build(team, "2025-01-01", "2025-06-30")
    by_goal = {item["goal"]["id"]: item for item in result["goals"]}
    first = by_goal[record["goal"]["id"]]
    assert [m["text"] for m in first["measures"]] == ["Stappenplan op de bank."]
    assert first["measures"][0]["summary"]["working"]
    assert [e["text"] for e in first["evaluations"]] == ["Lukt 3 op 4 keer."]
    assert by_goal[record["other"]["id"]]["measures"] == []
    assert [m["text"] for m in result["unlinked"]] == ["Koptelefoon bij zelfstandig werk."]
    assert result["counts"] == {"measures": 2, "working": 1, "not_working": 0}
    # A period before everything: only the old measure, no evaluation.
    earlier = synthesis.build(team, "2024-09-01", "2024-12-31")
    item = next(i for i in earlier["goals"] if i["goal"]["id"] == record["goal"]["id"])
    assert [m["text"] for m in item["measures"]] == ["Oude maatregel."]
    assert item["evaluations"] == []


def test_the_printable_page_for_a_chosen_period(client, users, login, team, record):
    login(client, "support")
    response = client.get(f"/t/{team['id']}/synthesis",
                          query_string={"from": "2025-01-01", "to": "2025-06-30"}, headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "print-view" in page and "Synthesis of measures and their effect" in page
    assert "Start zelfstandig met een taak." in page and "Stappenplan op de bank." in page
    assert "Works" in page and "Lukt 3 op 4 keer." in page
    assert "Measures not linked to a goal" in page and "Koptelefoon" in page
    assert "Oude maatregel." not in page and "Interne maatregel." not in page
    assert "Lina heeft structuur nodig." in page and "Leerling Lina (2B)" in page
    record_ = [r for r in get_store().audit.all() if r["detail"] == "synthesis"]
    assert record_ and record_[-1]["object_id"] == team["id"]


def test_the_period_defaults_to_the_start_until_today_and_bad_dates_are_field_errors(
        client, users, login, team, record):
    login(client, "teacher")
    page = client.get(f"/t/{team['id']}/synthesis", headers=EN).get_data(as_text=True)
    assert 'value="2025-01-06"' in page and "Stappenplan op de bank." in page
    bad = client.get(f"/t/{team['id']}/synthesis", query_string={"from": "gisteren"}, headers=EN)
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert 'id="from-error"' in body and 'value="gisteren"' in body
    reversed_ = client.get(f"/t/{team['id']}/synthesis", headers=EN,
                           query_string={"from": "2025-05-01", "to": "2025-01-01"})
    assert reversed_.status_code == 400 and 'id="to-error"' in reversed_.get_data(as_text=True)


def test_outsiders_get_404_and_the_coordinator_may_read(client, users, login, team, record):
    login(client, "outsider_support")
    assert client.get(f"/t/{team['id']}/synthesis").status_code == 404
    login(client, "coordinator")
    assert client.get(f"/t/{team['id']}/synthesis").status_code == 200
