"""The parents' page and the pupil's page: what the team shares, personal links that
expire and can be stopped, reactions on the team's timeline, agreement with goals."""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta

import pytest

from journal.errors import Forbidden
from journal.errors import ValidationError
from journal.process import family_links
from journal.process import family_page
from journal.storage import get_store

from tests.security.conftest import audit_actions
from tests.security.corpus import all_hostile
from tests.security.corpus import sample
from tests.security.test_hostile_input import assert_no_injected_markup

EN = {"Accept-Language": "en"}
#: Words that are in the team's data but must never reach a parent.
STAFF_ONLY = ("GEHEIM-observatie", "GEHEIM-intern", "GEHEIM-concept", "GEHEIM-reactie",
              "GEHEIM-attest", "GEHEIM-evaluatie", "GEHEIM-vaktaal", "GEHEIM-doel2",
              "GEHEIM-stem")


@pytest.fixture
def shared(app, users, make_pupil, make_trajectory, make_goal, make_entry, make_comment):
    """Noor's trajectory with the team's data, part of it shared with both parents."""
    from journal.process import voices

    store = get_store()
    pupil = make_pupil("Noor", "4C")
    trajectory = make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                                 phase="implementation")
    goal = make_goal(trajectory, text="GEHEIM-vaktaal: automatiseert splitsingen tot 10.")
    store.goals.update(goal["id"], {"evaluations": [{"id": "e1", "date": "2025-02-01",
                                                     "author_id": users["support"]["id"],
                                                     "text": "GEHEIM-evaluatie", "html": "",
                                                     "status": "ongoing"}]})
    other_goal = make_goal(trajectory, text="GEHEIM-doel2 wordt niet gedeeld.")
    agreement = make_entry(trajectory, users["support"], "agreement",
                           what="Een pictogrammenrooster op de bank.", applied_by="alle leraren")
    make_entry(trajectory, users["support"], "agreement", what="GEHEIM-intern afspraak",
               internal=True)
    observation = make_entry(trajectory, users["teacher"], seen="GEHEIM-observatie in de klas.")
    for_parents = make_entry(trajectory, users["teacher"], seen="Noor las vandaag hardop voor!")
    make_entry(trajectory, users["teacher"], seen="GEHEIM-concept", publish=False)
    make_comment(for_parents, users["support"], "GEHEIM-reactie van de ondersteuner")
    store.restricted_notes.create({"trajectory_id": trajectory["id"], "pupil_id": pupil["id"],
                                   "category": "report", "title": "GEHEIM-attest",
                                   "text": "GEHEIM-attest", "html": {}})
    voices.record_voice(users["teacher"], trajectory["id"], {
        "speaker": "pupil", "date": "2025-02-01", "text": "GEHEIM-stem van de leerling"})
    family_page.save_settings(users["support"], trajectory["id"], {
        "goal_ids": [goal["id"]], "plain_" + goal["id"]: "Noor leert **sneller rekenen** tot 10.",
        "agreement_keys": ["entry." + agreement["id"]], "entry_ids": [for_parents["id"]]})
    mama, mama_token = family_links.create_link(users["support"], trajectory["id"],
                                                {"audience": "parent", "name": "Sarah (mama)"})
    papa, papa_token = family_links.create_link(users["support"], trajectory["id"],
                                                {"audience": "parent", "name": "Tom (papa)"})
    return {"trajectory": trajectory, "pupil": pupil, "goal": goal, "other_goal": other_goal,
            "agreement": agreement, "observation": observation, "for_parents": for_parents,
            "mama": mama, "mama_token": mama_token, "papa": papa, "papa_token": papa_token}


def page_text(client, token, **kwargs):
    response = client.get(f"/family/{token}", **kwargs)
    return response, response.get_data(as_text=True)


# -- what a parent reads ---------------------------------------------------------------------

def test_a_parent_reads_only_what_the_team_shared(client, shared):
    response, page = page_text(client, shared["mama_token"])
    assert response.status_code == 200
    assert "<strong>sneller rekenen</strong>" in page  # the goal in plain words
    assert "Een pictogrammenrooster op de bank." in page and "alle leraren" in page
    assert "Noor las vandaag hardop voor!" in page  # the entry marked for the parents
    assert "Hallo Sarah (mama)." in page
    for secret in STAFF_ONLY:
        assert secret not in page, secret


def test_the_page_is_a_private_capability(client, shared):
    response, page = page_text(client, shared["mama_token"])
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    # No way into the staff's pages, and nothing that loads from elsewhere.
    assert "/t/" not in page and "/login" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_the_page_is_in_dutch_unless_english_is_chosen(client, shared):
    _response, page = page_text(client, shared["mama_token"], headers=EN)
    assert "Waar we aan werken" in page and 'lang="nl"' in page
    client.post("/account/language", data={"locale": "en", "next": f"/family/{shared['mama_token']}"})
    _response, page = page_text(client, shared["mama_token"])
    assert "What we are working on" in page


def test_the_published_handover_sheet_is_shared_when_chosen(app, users, client, shared):
    from journal.process import handover

    trajectory = shared["trajectory"]
    handover.save(users["support"], trajectory["id"], {
        "need": "Rust en **voorspelbaarheid**.", "works": "Een rooster.",
        "when_wrong": "Even naar de rustige hoek.", "contacts": "Juf An"}, expected_rev=0)
    settings = family_page.settings_of(trajectory["id"])
    data = {"goal_ids": list(settings["goals"]), "handover": "1",
            **{"plain_" + k: v["text"] for k, v in settings["goals"].items()}}
    family_page.save_settings(users["support"], trajectory["id"], data, settings["rev"])
    assert "voorspelbaarheid" not in page_text(client, shared["mama_token"])[1]  # not published
    handover.publish(users["support"], trajectory["id"], expected_rev=None)
    assert "<strong>voorspelbaarheid</strong>" in page_text(client, shared["mama_token"])[1]


def test_every_view_is_audited_under_the_link(client, shared):
    page_text(client, shared["mama_token"])
    (record,) = audit_actions(action="view", object_type="family_page")
    assert record["user_id"] == "link:" + shared["mama"]["id"]
    assert record["pupil_id"] == shared["pupil"]["id"] and record["detail"] == "parent"


# -- agreeing and reacting -------------------------------------------------------------------

def test_a_parent_agrees_with_a_goal_and_the_team_sees_it(app, users, login, client, shared):
    goal = shared["goal"]
    response = client.post(f"/family/{shared['mama_token']}/agree", data={"goal_id": goal["id"]})
    assert response.status_code == 302 and response.location.endswith("#goal-" + goal["id"])
    assert "Je ging akkoord op" in page_text(client, shared["mama_token"])[1]
    # The other parent has not agreed: their page still offers the button.
    assert "Ik ga akkoord met dit doel" in page_text(app.test_client(), shared["papa_token"])[1]
    team = login(app.test_client(), "teacher")
    goal_page = team.get(f"/t/{shared['trajectory']['id']}/goals/{goal['id']}", headers=EN)
    agreed = goal_page.get_data(as_text=True).split('id="agreed-title"')[1].split("The pupil</dt>")[0]
    assert "Agreed" in agreed and "marked by Sarah (mama) on their own page" in agreed


def test_only_a_shared_goal_can_be_agreed(client, shared):
    response = client.post(f"/family/{shared['mama_token']}/agree",
                           data={"goal_id": shared["other_goal"]["id"]})
    assert response.status_code == 404
    assert get_store().voices.find(link_id=shared["mama"]["id"]) == []


def test_a_reaction_lands_on_the_teams_timeline(app, users, login, client, shared):
    response = client.post(f"/family/{shared['mama_token']}/react",
                           data={"text": "Thuis helpt een *lijstje* ook.",
                                 "goal_id": shared["goal"]["id"]})
    assert response.status_code == 302
    assert "Thuis helpt een <em>lijstje</em> ook." in page_text(client, shared["mama_token"])[1]
    team = login(app.test_client(), "teacher")
    page = team.get(f"/t/{shared['trajectory']['id']}", headers=EN).get_data(as_text=True)
    timeline = page.split('id="timeline"')[1]
    assert "lijstje" in timeline and "written by Sarah (mama) on their own page" in timeline
    (record,) = audit_actions(action="create", object_type="voice",
                              user_id="link:" + shared["mama"]["id"])
    assert record["detail"] == "parents:says" and "lijstje" not in repr(get_store().audit.all())


def test_each_parent_sees_only_their_own_messages(app, client, shared):
    client.post(f"/family/{shared['mama_token']}/react", data={"text": "Bericht van mama."})
    assert "Bericht van mama." in page_text(client, shared["mama_token"])[1]
    assert "Bericht van mama." not in page_text(app.test_client(), shared["papa_token"])[1]


@pytest.mark.parametrize("data, message", [
    ({"text": "  "}, "Noteer wat er gezegd is"),
    ({"text": "x" * 4001}, "Gebruik hoogstens 4000 tekens"),
])
def test_a_bad_reaction_keeps_what_was_typed(client, shared, data, message):
    response = client.post(f"/family/{shared['mama_token']}/react", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    if data["text"].strip():
        assert data["text"] in page
    assert get_store().voices.find(link_id=shared["mama"]["id"]) == []


def test_a_reaction_about_a_goal_that_is_not_shared_is_refused(client, shared):
    response = client.post(f"/family/{shared['mama_token']}/react",
                           data={"text": "Over dat andere doel", "goal_id": shared["other_goal"]["id"]})
    assert response.status_code == 400 and "Over dat andere doel" in response.get_data(as_text=True)


def test_one_link_sends_a_limited_number_of_messages_a_day(app, client, shared):
    app.config["JOURNAL_FAMILY_REACTIONS_PER_DAY"] = 2
    for n in range(2):
        assert client.post(f"/family/{shared['mama_token']}/react",
                           data={"text": f"Bericht {n}"}).status_code == 302
    response = client.post(f"/family/{shared['mama_token']}/react", data={"text": "Nog een"})
    assert response.status_code == 400 and "morgen" in response.get_data(as_text=True)
    # The other parent's link is not affected.
    assert app.test_client().post(f"/family/{shared['papa_token']}/react",
                                  data={"text": "Van papa"}).status_code == 302


def test_hostile_reactions_stay_text_for_the_parent_and_the_team(app, users, login, client, shared):
    app.config["JOURNAL_FAMILY_REACTIONS_PER_DAY"] = 1000
    for hostile in sample(all_hostile(), 40):
        response = client.post(f"/family/{shared['mama_token']}/react", data={"text": hostile})
        assert response.status_code in (302, 400)
    assert_no_injected_markup(page_text(client, shared["mama_token"])[1], "parents' page")
    team = login(app.test_client(), "teacher")
    url = f"/t/{shared['trajectory']['id']}"
    assert_no_injected_markup(team.get(url).get_data(as_text=True), url)


# -- links that stop working -----------------------------------------------------------------

def _not_found_body(client, token: str = "A" * 43) -> str:
    """The 404 page, without what differs per request (the address asked, the form token)."""
    body = client.get("/family/" + token).get_data(as_text=True)
    return re.sub(r'name="csrf_token" value="[^"]*"', "", body.replace(token, "<token>"))


def test_a_revoked_link_answers_like_an_unknown_one_and_the_other_still_works(
        app, users, login, client, shared):
    unknown = _not_found_body(client)
    team = login(app.test_client(), "support")
    response = team.post(f"/t/{shared['trajectory']['id']}/parents/links/{shared['papa']['id']}/revoke")
    assert response.status_code == 302
    assert client.get(f"/family/{shared['papa_token']}").status_code == 404
    assert _not_found_body(client, shared["papa_token"]) == unknown
    assert page_text(client, shared["mama_token"])[0].status_code == 200
    assert client.post(f"/family/{shared['papa_token']}/react",
                       data={"text": "Na het stoppen"}).status_code == 404
    denied = audit_actions(action="denied", object_type="family_link")
    assert len(denied) == 3  # the page twice and the reaction, each with the stopped link
    assert {(d["object_id"], d["detail"]) for d in denied} == {(shared["papa"]["id"], "revoked")}


def test_an_expired_link_answers_404(client, shared):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    get_store().family_links.update(shared["mama"]["id"], {"expires_on": yesterday})
    assert page_text(client, shared["mama_token"])[0].status_code == 404


@pytest.mark.parametrize("change", ["closed", "left"])
def test_links_stop_when_the_trajectory_closes_or_the_pupil_leaves(client, shared, change):
    store = get_store()
    if change == "closed":
        store.trajectories.update(shared["trajectory"]["id"], {"phase": "closed"})
    else:
        store.pupils.update(shared["pupil"]["id"], {"left_on": date.today().isoformat()})
    assert page_text(client, shared["mama_token"])[0].status_code == 404


def test_a_new_address_replaces_the_old_one(app, users, login, shared):
    team = login(app.test_client(), "support")
    response = team.post(
        f"/t/{shared['trajectory']['id']}/parents/links/{shared['mama']['id']}/renew", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "It is shown only now" in page
    new_token = re.search(r"/family/([A-Za-z0-9_-]{43})", page).group(1)
    client = app.test_client()
    assert page_text(client, shared["mama_token"])[0].status_code == 404
    assert page_text(client, new_token)[0].status_code == 200


def test_guessing_links_is_throttled_per_address(app, client, shared):
    app.config["JOURNAL_THROTTLE_ADDRESS_FAILURES"] = 3
    guesser = {"REMOTE_ADDR": "192.0.2.9"}
    for n in range(3):
        assert client.get(f"/family/{'B' * 42}{n}", environ_base=guesser).status_code == 404
    # Locked: even the right link waits, from that address only.
    assert client.get(f"/family/{shared['mama_token']}", environ_base=guesser).status_code == 429
    assert client.get(f"/family/{shared['mama_token']}",
                      environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_reaction_without_the_forms_token_is_refused(self, client, shared):
        response = client.post(f"/family/{shared['mama_token']}/react", data={"text": "Hallo"})
        assert response.status_code == 400
        assert get_store().voices.find(link_id=shared["mama"]["id"]) == []
        page = page_text(client, shared["mama_token"])[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post(f"/family/{shared['mama_token']}/react",
                               data={"text": "Hallo", "csrf_token": token})
        assert response.status_code == 302


# -- the team's side -------------------------------------------------------------------------

def test_the_secret_is_shown_once_and_only_its_digest_is_kept(app, users, login, shared):
    team = login(app.test_client(), "support")
    response = team.post(f"/t/{shared['trajectory']['id']}/parents/links", headers=EN,
                         data={"audience": "parent", "name": "Oma Lies", "expires_on": ""})
    page = response.get_data(as_text=True)
    token = re.search(r"/family/([A-Za-z0-9_-]{43})", page).group(1)
    dump = repr(get_store().db.table("family_links").all()) + repr(get_store().audit.all())
    assert token not in dump and shared["mama_token"] not in dump
    again = team.get(f"/t/{shared['trajectory']['id']}/parents", headers=EN).get_data(as_text=True)
    assert token not in again and "Oma Lies" in again
    link = get_store().family_links.find(name="Oma Lies")[0]
    assert link["expires_on"] == (date.today() + timedelta(days=90)).isoformat()


@pytest.mark.parametrize("data, field", [
    ({"audience": "parent", "name": ""}, "name"),
    ({"audience": "buur", "name": "X"}, "audience"),
    ({"audience": "parent", "name": "X", "expires_on": "2000-01-01"}, "expires_on"),
    ({"audience": "parent", "name": "X",
      "expires_on": (date.today() + timedelta(days=500)).isoformat()}, "expires_on"),
    ({"audience": "pupil", "name": "Noor"}, "audience"),  # the pupil's page is off
])
def test_bad_link_requests_are_refused_with_a_reason(users, shared, data, field):
    with pytest.raises(ValidationError) as refused:
        family_links.create_link(users["support"], shared["trajectory"]["id"], data)
    assert field in refused.value.errors


def test_only_managers_share_and_make_links(app, users, login, shared):
    trajectory_id = shared["trajectory"]["id"]
    with pytest.raises(Forbidden):  # a teacher on the team reads the page but changes nothing
        family_links.create_link(users["teacher"], trajectory_id, {"audience": "parent",
                                                                   "name": "X"})
    teacher = login(app.test_client(), "teacher")
    page = teacher.get(f"/t/{trajectory_id}/parents", headers=EN)
    assert page.status_code == 200 and b"Make the link" not in page.data
    assert teacher.post(f"/t/{trajectory_id}/parents", data={"goal_ids": []}).status_code == 403
    assert teacher.post(f"/t/{trajectory_id}/parents/links/{shared['mama']['id']}/revoke"
                        ).status_code == 403
    outsider = login(app.test_client(), "outsider_support")
    assert outsider.get(f"/t/{trajectory_id}/parents").status_code == 404
    assert outsider.get(f"/t/{trajectory_id}/parents/preview").status_code == 404
    assert page_text(app.test_client(), shared["mama_token"])[0].status_code == 200


def test_sharing_a_goal_needs_plain_words_and_keeps_the_choices(app, users, login, shared):
    team = login(app.test_client(), "support")
    goal = shared["goal"]
    settings = family_page.settings_of(shared["trajectory"]["id"])
    response = team.post(f"/t/{shared['trajectory']['id']}/parents", headers=EN, data={
        "rev": settings["rev"], "goal_ids": [goal["id"], shared["other_goal"]["id"]],
        "plain_" + goal["id"]: "Sneller rekenen", "plain_" + shared["other_goal"]["id"]: "",
        "pupil_page": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Write this goal in plain words" in page
    assert "Sneller rekenen" in page
    assert family_page.settings_of(shared["trajectory"]["id"])["rev"] == settings["rev"]


def test_a_stale_save_of_the_choices_keeps_both(app, users, login, shared):
    team = login(app.test_client(), "support")
    response = team.post(f"/t/{shared['trajectory']['id']}/parents", headers=EN,
                         data={"rev": "0", "goal_ids": []})
    assert response.status_code == 409 and b"Someone else changed" in response.data
    assert family_page.settings_of(shared["trajectory"]["id"])["goals"]  # not overwritten


def test_internal_and_draft_entries_cannot_be_marked_for_the_parents(users, shared):
    internal = [e for e in get_store().entries.all() if e.get("internal")][0]
    with pytest.raises(ValidationError) as refused:
        family_page.save_settings(users["support"], shared["trajectory"]["id"],
                                  {"entry_ids": [internal["id"]]})
    assert "entry_ids" in refused.value.errors


def test_an_entry_that_becomes_internal_leaves_the_page(client, shared):
    get_store().entries.update(shared["for_parents"]["id"], {"internal": True})
    assert "hardop voor" not in page_text(client, shared["mama_token"])[1]


def test_the_team_previews_what_the_parents_see(app, login, shared):
    team = login(app.test_client(), "teacher")
    response = team.get(f"/t/{shared['trajectory']['id']}/parents/preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "sneller rekenen" in page and "<form" not in page
    for secret in STAFF_ONLY:
        assert secret not in page


# -- the pupil's page ------------------------------------------------------------------------

def test_the_pupils_page_is_switched_on_per_trajectory(app, users, client, shared):
    trajectory_id = shared["trajectory"]["id"]
    settings = family_page.settings_of(trajectory_id)
    data = {"goal_ids": list(settings["goals"]), "pupil_page": "1",
            "agreement_keys": settings["agreement_keys"],
            **{"plain_" + k: v["text"] for k, v in settings["goals"].items()}}
    family_page.save_settings(users["support"], trajectory_id, data, settings["rev"])
    _link, token = family_links.create_link(users["support"], trajectory_id,
                                            {"audience": "pupil", "name": "Noor"})
    response, page = page_text(client, token)
    assert response.status_code == 200
    assert "family-pupil" in page and "Hallo Noor!" in page and "sneller rekenen" in page
    assert "hardop voor" not in page  # entries are for the parents' page only
    client.post(f"/family/{token}/agree", data={"goal_id": shared["goal"]["id"]})
    (voice,) = get_store().voices.find(link_id=_link["id"])
    assert voice["speaker"] == "pupil" and voice["agrees"]
    # Switched off again: the pupil's link stops; the parents' links go on.
    settings = family_page.settings_of(trajectory_id)
    family_page.save_settings(users["support"], trajectory_id, dict(data, pupil_page=""),
                              settings["rev"])
    assert page_text(client, token)[0].status_code == 404
    assert page_text(client, shared["mama_token"])[0].status_code == 200
