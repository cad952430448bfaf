"""The pupil's and the parents' voice: written down dated and attributed, shown on the
trajectory, the goal page (agreed with whom, and when) and the timeline."""

from __future__ import annotations

import pytest

from journal.errors import Forbidden
from journal.errors import NotFound
from journal.errors import ValidationError
from journal.process import voices
from journal.storage import get_store

from tests.security.conftest import audit_actions
from tests.security.corpus import all_hostile
from tests.security.corpus import sample
from tests.security.test_hostile_input import assert_no_injected_markup

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory, make_pupil):
    pupil = make_pupil("Leerling Noor", "4C")
    return make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           phase="implementation")


def post_voice(client, team, **fields):
    data = {"speaker": "pupil", "date": "2025-03-04", "text": "", "goal_id": "", **fields}
    return client.post(f"/t/{team['id']}/voices/new", data=data, headers=EN)


def test_the_pupils_words_are_shown_dated_and_attributed(app, users, login, team):
    client = login(app.test_client(), "teacher")
    response = post_voice(client, team, text="Een **stappenplan** op mijn bank helpt mij.")
    assert response.status_code == 302 and response.location.endswith("#voices")
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    section = page.split('id="voices"')[1].split("</section>")[0]
    assert "<strong>stappenplan</strong>" in section
    assert "The pupil" in section and "Mar 4, 2025" in section
    assert "written down by Teacher" in section
    (voice,) = get_store().voices.all()
    assert voice["recorded_by"] == users["teacher"]["id"] and voice["link_id"] is None


def test_the_record_is_audited_without_its_words(app, users, login, team):
    client = login(app.test_client(), "support")
    post_voice(client, team, speaker="parents", text="Thuis werkt een timer goed.")
    (record,) = audit_actions(action="create", object_type="voice")
    assert record["user_id"] == users["support"]["id"] and record["pupil_id"] == team["pupil_id"]
    assert record["detail"] == "parents:says"
    assert "timer" not in repr(get_store().audit.all())


def test_a_goal_shows_whether_it_was_agreed_with_the_parents_and_the_pupil(
        app, users, login, team, make_goal):
    goal = make_goal(team, text="Leest elke dag tien minuten hardop.")
    client = login(app.test_client(), "support")
    page = client.get(f"/t/{team['id']}/goals/{goal['id']}", headers=EN).get_data(as_text=True)
    assert page.count("Not agreed yet") == 2
    response = post_voice(client, team, speaker="parents", goal_id=goal["id"], agrees="1",
                          date="2025-03-10")
    assert response.status_code == 302
    assert response.location.endswith(f"/goals/{goal['id']}#voices")
    page = client.get(f"/t/{team['id']}/goals/{goal['id']}", headers=EN).get_data(as_text=True)
    agreed = page.split('id="agreed-title"')[1].split("</section>")[0]
    parents, pupil = agreed.split("The pupil</dt>")
    assert "Agreed" in parents and "Mar 10, 2025" in parents and "written down by Support" in parents
    assert "Not agreed yet" in pupil
    trajectory_page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "Agreed with the parents on Mar 10, 2025" in trajectory_page
    assert "Agreed with the pupil" not in trajectory_page


def test_the_latest_agreement_counts(app, users, team, make_goal):
    goal = make_goal(team)
    for day in ("2025-03-12", "2025-02-01"):
        voices.record_voice(users["teacher"], team["id"], {
            "speaker": "pupil", "date": day, "goal_id": goal["id"], "agrees": "1"})
    agreed = voices.agreements(voices.voices_for(team["id"]))
    assert agreed[goal["id"]]["pupil"]["date"] == "2025-03-12"
    assert "parents" not in agreed[goal["id"]]


@pytest.mark.parametrize("fields, field, message", [
    ({"text": ""}, "text", "Write down what was said"),
    ({"text": "Iets", "speaker": "buurman"}, "speaker", "Choose whose words these are"),
    ({"text": "Iets", "date": "2999-01-01"}, "date", "lies in the future"),
    ({"text": "Iets", "date": ""}, "date", "Fill in a date"),
    ({"text": "", "agrees": "1"}, "text", "Write down what was said"),  # agreeing needs a goal
])
def test_bad_input_gets_a_message_and_keeps_what_was_typed(app, users, login, team, fields,
                                                           field, message):
    client = login(app.test_client(), "teacher")
    response = post_voice(client, team, **{"text": "Mijn getypte woorden", **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    if fields.get("text", "x"):
        assert fields["text"] in page
    assert get_store().voices.all() == []


def test_a_goal_of_another_trajectory_is_refused(app, users, team, make_trajectory, make_goal):
    elsewhere = make_goal(make_trajectory(users["teacher"]))
    with pytest.raises(ValidationError) as refused:
        voices.record_voice(users["teacher"], team["id"], {
            "speaker": "pupil", "date": "2025-03-01", "text": "x", "goal_id": elsewhere["id"]})
    assert "goal_id" in refused.value.errors


def test_only_the_team_writes_down_voices_and_refusals_are_audited(app, users, login, team):
    with pytest.raises(NotFound):
        voices.record_voice(users["outsider_teacher"], team["id"],
                            {"speaker": "pupil", "date": "2025-03-01", "text": "x"})
    with pytest.raises(Forbidden):  # the coordinator reads every trajectory, writes in her own
        voices.record_voice(users["coordinator"], team["id"],
                            {"speaker": "pupil", "date": "2025-03-01", "text": "x"})
    assert len(audit_actions(action="denied", object_id=team["id"])) == 2
    client = login(app.test_client(), "outsider_teacher")
    assert post_voice(client, team, text="Zeta").status_code == 404
    assert client.get(f"/t/{team['id']}/voices/new").status_code == 404
    assert get_store().voices.all() == []


def test_a_closed_trajectory_takes_no_new_voices(app, users, team):
    get_store().trajectories.update(team["id"], {"phase": "closed"})
    with pytest.raises(ValidationError):
        voices.record_voice(users["teacher"], team["id"],
                            {"speaker": "pupil", "date": "2025-03-01", "text": "x"})


def test_voices_are_on_the_timeline_and_its_filter(app, users, login, team, make_entry):
    make_entry(team, users["teacher"], seen="Een observatie in de klas.")
    client = login(app.test_client(), "teacher")
    post_voice(client, team, speaker="parents", text="Thuis lukt het huiswerk met een lijstje.")
    page = client.get(f"/t/{team['id']}?kind=voice", headers=EN).get_data(as_text=True)
    timeline = page.split('id="timeline"')[1]
    assert "met een lijstje" in timeline and "Een observatie in de klas" not in timeline
    page = client.get(f"/t/{team['id']}?kind=observation", headers=EN).get_data(as_text=True)
    assert "met een lijstje" not in page.split('id="timeline"')[1]


def test_hostile_words_are_shown_as_text(app, users, login, team, make_goal):
    goal = make_goal(team)
    client = login(app.test_client(), "teacher")
    for hostile in sample(all_hostile(), 40):
        response = post_voice(client, team, text=hostile, goal_id=goal["id"])
        assert response.status_code in (302, 400)
    for url in (f"/t/{team['id']}", f"/t/{team['id']}/goals/{goal['id']}"):
        page = client.get(url)
        assert page.status_code == 200
        assert_no_injected_markup(page.get_data(as_text=True), url)
