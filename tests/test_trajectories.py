"""Trajectories: opening, settings and team, phases, access, the page and its timeline."""

from __future__ import annotations

import pytest

from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory):
    """A pupil trajectory with the teacher and the support specialist on its team."""
    return make_trajectory(users["teacher"], users["support"], title="Rustig starten",
                           educational_need="Voorspelbaarheid", learning_question="Hoe kondig ik wissels aan?")


def add_entry(trajectory, author, kind, *, status="published", date="2025-03-10", tags=(),
              goal_ids=(), html_text="Tekst"):
    """Store an entry as the entries service does (docs/data-model.md)."""
    field = {"observation": "seen", "reflection": "conclusions", "agreement": "what",
             "one_to_one": "what"}[kind]
    return get_store().entries.create({
        "trajectory_id": trajectory["id"], "pupil_id": trajectory.get("pupil_id"), "kind": kind,
        "status": status, "date": date, "authors": [author["id"]], "created_by": author["id"],
        "tags": list(tags), "goal_ids": list(goal_ids), "fields": {field: html_text},
        "html": {field: f"<p>{html_text}</p>"}, "template": None, "answers": {},
        "internal": False, "breach_of_rules": False,
    })


def new_form(**extra):
    data = {"target": "pupil", "pupil_id": "new", "new_pupil_name": "Leerling Z",
            "new_pupil_class": "4A", "title": "", "educational_need": "Heeft **structuur** nodig",
            "learning_question": "Hoe orden ik de taken?", "focus_areas": ["ass", "gedrag"],
            "start_date": "2025-02-03", "planned_end_date": "2025-06-30"}
    data.update(extra)
    return data


# -- access ---------------------------------------------------------------------

READ_PAGES = ["", "/print", "/history"]
MANAGE_PAGES = ["/edit", "/phase"]


@pytest.mark.parametrize("who, read, manage", [
    ("teacher", 200, 403),          # member, but not allowed to manage
    ("support", 200, 200),          # member with the support role manages
    ("coordinator", 200, 200),      # sees and manages every trajectory
    ("outsider_teacher", 404, 404),  # not a member: the trajectory does not exist for them
    ("outsider_support", 404, 404),
    ("admin", 404, 404),            # admin reads pupil content only when a member
])
def test_trajectory_pages_follow_membership_and_role(app, users, login, team, who, read, manage):
    client = login(app.test_client(), who)
    for tail in READ_PAGES:
        assert client.get(f"/t/{team['id']}{tail}").status_code == read, tail
    for tail in MANAGE_PAGES:
        assert client.get(f"/t/{team['id']}{tail}").status_code == manage, tail
        assert client.post(f"/t/{team['id']}{tail}", data={}).status_code in (
            {manage} if manage != 200 else {400}), tail


def test_unknown_trajectory_is_404_and_anonymous_is_sent_to_login(client, users, login):
    assert client.get("/t/nope").status_code == 302
    login(client, "support")
    assert client.get("/t/nope").status_code == 404


def test_refused_access_is_audited_without_content(app, users, login, team):
    client = login(app.test_client(), "outsider_teacher")
    client.get(f"/t/{team['id']}")
    denied = [r for r in get_store().audit.all() if r["action"] == "denied"]
    assert denied and denied[-1]["object_id"] == team["id"] and denied[-1]["outcome"] == "404"


def test_viewing_a_trajectory_is_audited(client, users, login, team):
    login(client, "teacher")
    client.get(f"/t/{team['id']}")
    views = [r for r in get_store().audit.all()
             if r["action"] == "view" and r["object_id"] == team["id"]]
    assert views and views[-1]["user_id"] == users["teacher"]["id"]
    assert views[-1]["pupil_id"] == team["pupil_id"]
    assert "Voorspelbaarheid" not in repr(get_store().audit.all())


def test_lists_show_only_readable_trajectories(app, users, login, team, make_trajectory):
    other = make_trajectory(users["outsider_teacher"], title="Ander traject")
    client = login(app.test_client(), "teacher")
    page = client.get("/t/", headers=EN).get_data(as_text=True)
    assert "Rustig starten" in page and "Ander traject" not in page
    coordinator = login(app.test_client(), "coordinator")
    page = coordinator.get("/t/", headers=EN).get_data(as_text=True)
    assert "Rustig starten" in page and "Ander traject" in page
    assert other["id"] in page


# -- opening ----------------------------------------------------------------------

def test_teacher_opens_a_trajectory_for_a_new_pupil_and_joins_its_team(client, users, login):
    login(client, "teacher")
    form = new_form(**{"member-" + users["support"]["id"]: "support"})
    response = client.post("/t/new", data=form)
    assert response.status_code == 302
    (trajectory,) = get_store().trajectories.all()
    assert response.headers["Location"].endswith(f"/t/{trajectory['id']}")
    assert trajectory["phase"] == "intake"
    assert {"user_id": users["teacher"]["id"], "role": "teacher"} in trajectory["members"]
    assert {"user_id": users["support"]["id"], "role": "support"} in trajectory["members"]
    assert trajectory["created_by"] == users["teacher"]["id"]
    assert "<strong>structuur</strong>" in trajectory["html"]["educational_need"]
    assert trajectory["focus_areas"] == ["ass", "gedrag"]
    pupil = get_store().pupils.require(trajectory["pupil_id"])
    assert (pupil["display_name"], pupil["class_group"]) == ("Leerling Z", "4A")
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Leerling Z (4A)" in page
    assert "<strong>structuur</strong>" in page and "Hoe orden ik de taken?" in page
    assert "Intake" in page


def test_validation_errors_sit_next_to_the_field_and_keep_the_input(client, users, login):
    login(client, "teacher")
    response = client.post("/t/new", headers=EN, data=new_form(
        target="team", title="", learning_question="Mijn <vraag>", start_date="31/02/2025",
        planned_end_date="2025-01-01", focus_areas=["ass", "bestaat-niet"]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="title-error"' in page
    assert 'id="start_date-error"' in page
    assert 'id="focus_areas-error"' not in page or "Choose focus areas" in page
    assert "Choose focus areas from the list." in page
    assert "Mijn &lt;vraag&gt;" in page
    assert 'value="31/02/2025"' in page
    assert 'value="team" checked' in page
    assert get_store().trajectories.all() == []


def test_planned_end_before_start_is_refused(client, users, login):
    login(client, "support")
    response = client.post("/t/new", headers=EN, data=new_form(planned_end_date="2025-01-01"))
    assert response.status_code == 400
    assert "The planned end lies before the start." in response.get_data(as_text=True)


def test_a_user_cannot_attach_a_trajectory_to_a_pupil_they_cannot_see(client, users, login,
                                                                       make_trajectory):
    hidden = make_trajectory(users["outsider_teacher"])
    login(client, "teacher")
    response = client.post("/t/new", headers=EN, data=new_form(pupil_id=hidden["pupil_id"]))
    assert response.status_code == 400
    assert "Choose a pupil from the list." in response.get_data(as_text=True)
    assert len(get_store().trajectories.all()) == 1


def test_team_members_must_hold_the_role_they_get(client, users, login):
    login(client, "teacher")
    form = new_form(**{"member-" + users["outsider_teacher"]["id"]: "support",
                       "member-" + users["admin"]["id"]: "teacher"})
    response = client.post("/t/new", headers=EN, data=form)
    assert response.status_code == 400
    assert 'id="members-error"' in response.get_data(as_text=True)


def test_admin_without_a_teaching_role_cannot_open_trajectories(client, users, login):
    login(client, "admin")
    assert client.get("/t/new").status_code == 403
    assert client.post("/t/new", data=new_form()).status_code == 403


# -- settings, team and phases -------------------------------------------------------

def test_support_member_edits_settings_and_team(client, users, login, team):
    login(client, "support")
    form = new_form(pupil_id=team["pupil_id"], title="Nieuwe titel", rev=team["rev"],
                    **{"member-" + users["support"]["id"]: "support",
                       "member-" + users["outsider_teacher"]["id"]: "teacher"})
    response = client.post(f"/t/{team['id']}/edit", data=form)
    assert response.status_code == 302
    stored = get_store().trajectories.require(team["id"])
    assert stored["title"] == "Nieuwe titel"
    assert {m["user_id"] for m in stored["members"]} == {users["support"]["id"],
                                                          users["outsider_teacher"]["id"]}
    # the teacher left the team and can no longer read it; the new teacher can
    gone = login(client.application.test_client(), "teacher")
    assert gone.get(f"/t/{team['id']}").status_code == 404
    joined = login(client.application.test_client(), "outsider_teacher")
    assert joined.get(f"/t/{team['id']}").status_code == 200
    history = client.get(f"/t/{team['id']}/history", headers=EN).get_data(as_text=True)
    assert "Rustig starten" in history and "Nieuwe titel" in history


def test_editing_settings_on_a_stale_revision_shows_both_versions(client, users, login, team):
    get_store().trajectories.update(team["id"], {"title": "Hun titel"},
                                    actor_id=users["coordinator"]["id"])
    login(client, "support")
    form = new_form(pupil_id=team["pupil_id"], title="Mijn titel", rev=team["rev"],
                    **{"member-" + users["support"]["id"]: "support"})
    response = client.post(f"/t/{team['id']}/edit", data=form, headers=EN)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Hun titel" in page and 'value="Mijn titel"' in page
    assert get_store().trajectories.require(team["id"])["title"] == "Hun titel"


def test_closing_needs_confirmation_and_a_closed_trajectory_can_be_reopened(client, users, login, team):
    login(client, "support")
    url = f"/t/{team['id']}/phase"
    refused = client.post(url, data={"phase": "closed", "rev": team["rev"]}, headers=EN)
    assert refused.status_code == 400
    assert 'id="confirm_close-error"' in refused.get_data(as_text=True)
    assert get_store().trajectories.require(team["id"])["phase"] == "observation"

    # Closing also needs a published handover sheet (tests/test_lifecycle.py covers the rule).
    from journal.process import handover
    sheet = handover.save(users["support"], team["id"], {
        "need": "Rust.", "works": "- Pictoschema", "when_wrong": "Pauze.", "contacts": "- Support"},
        expected_rev=0)
    handover.publish(users["support"], team["id"], expected_rev=sheet["rev"])
    assert client.post(url, data={"phase": "closed", "confirm_close": "yes",
                                  "rev": team["rev"]}).status_code == 302
    closed = get_store().trajectories.require(team["id"])
    assert closed["phase"] == "closed" and closed["closed_on"]
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "Reopen" in page and "New goal" not in page

    assert client.post(url, data={"phase": "implementation", "rev": closed["rev"]}).status_code == 302
    reopened = get_store().trajectories.require(team["id"])
    assert reopened["phase"] == "implementation" and reopened["closed_on"] is None
    assert [(h["from"], h["to"]) for h in reopened["phase_history"]] == [
        ("observation", "closed"), ("closed", "implementation")]
    timeline = client.get(f"/t/{team['id']}?kind=phase", headers=EN).get_data(as_text=True)
    assert "from Closed to Implementation and reflection" in timeline


def test_a_phase_change_on_a_stale_revision_is_refused(client, users, login, team):
    get_store().trajectories.update(team["id"], {"phase": "goals"})
    login(client, "support")
    response = client.post(f"/t/{team['id']}/phase",
                           data={"phase": "implementation", "rev": team["rev"]}, headers=EN)
    assert response.status_code == 409
    assert get_store().trajectories.require(team["id"])["phase"] == "goals"


def test_the_page_says_what_the_phase_asks_for(client, users, login, team):
    login(client, "teacher")
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "There is at least one classroom observation." in page
    assert "To do" in page
    add_entry(team, users["teacher"], "observation")
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "Done" in page and "To do" not in page


# -- the timeline ---------------------------------------------------------------------

@pytest.fixture
def timeline(users, team, make_goal):
    goal = make_goal(team, text="Zelfstandig starten")
    add_entry(team, users["teacher"], "observation", date="2025-03-01", tags=["instructie"],
              html_text="OBS-ALPHA")
    add_entry(team, users["support"], "observation", date="2025-03-02", html_text="OBS-BETA",
              goal_ids=[goal["id"]])
    add_entry(team, users["support"], "agreement", date="2025-03-03", tags=["instructie"],
              html_text="AGR-GAMMA")
    add_entry(team, users["support"], "reflection", date="2025-03-04", status="draft",
              html_text="DRAFT-DELTA")
    return goal


def texts(page):
    return {t for t in ("OBS-ALPHA", "OBS-BETA", "AGR-GAMMA", "DRAFT-DELTA") if t in page}


def test_timeline_filters_by_kind_author_tag_and_goal(client, users, login, team, timeline):
    login(client, "teacher")
    base = f"/t/{team['id']}"
    get = lambda query="": client.get(base + query, headers=EN).get_data(as_text=True)  # noqa: E731
    assert texts(get()) == {"OBS-ALPHA", "OBS-BETA", "AGR-GAMMA"}  # another's draft stays hidden
    assert texts(get("?kind=observation")) == {"OBS-ALPHA", "OBS-BETA"}
    assert texts(get(f"?author={users['teacher']['id']}")) == {"OBS-ALPHA"}
    assert texts(get("?tag=instructie")) == {"OBS-ALPHA", "AGR-GAMMA"}
    assert texts(get(f"?goal={timeline['id']}")) == {"OBS-BETA"}
    assert texts(get(f"?kind=observation&author={users['support']['id']}")) == {"OBS-BETA"}
    assert texts(get("?kind=evaluation")) == set()
    assert "Nothing matches these filters." in get("?tag=bestaat-niet")


def test_filters_are_kept_in_the_form(client, users, login, team, timeline):
    login(client, "teacher")
    page = client.get(f"/t/{team['id']}?kind=agreement&tag=instructie", headers=EN).get_data(as_text=True)
    assert '<option value="agreement" selected>' in page
    assert '<option value="instructie" selected>' in page
    assert "Clear filters" in page


def test_condensed_view_shows_agreements_and_goals_only(client, users, login, team, timeline):
    login(client, "support")
    page = client.get(f"/t/{team['id']}?view=condensed", headers=EN).get_data(as_text=True)
    assert texts(page) == {"AGR-GAMMA"}
    assert "Zelfstandig starten" in page


def test_authors_see_their_own_drafts_on_the_timeline(client, users, login, team, timeline):
    login(client, "support")
    assert "DRAFT-DELTA" in client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)


def test_goal_evaluations_appear_on_the_timeline(client, users, login, team, timeline):
    login(client, "teacher")
    client.post(f"/t/{team['id']}/goals/{timeline['id']}/evaluate",
                data={"date": "2025-03-05", "text": "EVAL-EPSILON", "status": "ongoing",
                      "rev": timeline["rev"]})
    page = client.get(f"/t/{team['id']}?kind=evaluation", headers=EN).get_data(as_text=True)
    assert "EVAL-EPSILON" in page and texts(page) == set()
    by_goal = client.get(f"/t/{team['id']}?goal={timeline['id']}", headers=EN).get_data(as_text=True)
    assert "EVAL-EPSILON" in by_goal and texts(by_goal) == {"OBS-BETA"}


# -- pupils -----------------------------------------------------------------------

def test_pupil_pages_follow_the_trajectories(app, users, login, team, make_trajectory):
    other = make_trajectory(users["outsider_teacher"])
    pupil_url = f"/pupils/{team['pupil_id']}"
    teacher = login(app.test_client(), "teacher")
    assert teacher.get(pupil_url).status_code == 200
    assert teacher.get(f"/pupils/{other['pupil_id']}").status_code == 404
    assert teacher.get(pupil_url + "/edit").status_code == 403
    listing = teacher.get("/pupils/").get_data(as_text=True)
    assert pupil_url in listing and other["pupil_id"] not in listing
    coordinator = login(app.test_client(), "coordinator")
    assert other["pupil_id"] in coordinator.get("/pupils/").get_data(as_text=True)
    admin = login(app.test_client(), "admin")
    assert admin.get(pupil_url).status_code == 404


def test_support_member_renames_a_pupil_and_errors_keep_input(client, users, login, team):
    login(client, "support")
    url = f"/pupils/{team['pupil_id']}/edit"
    pupil = get_store().pupils.require(team["pupil_id"])
    bad = client.post(url, data={"display_name": " ", "class_group": "5C", "rev": pupil["rev"]},
                      headers=EN)
    assert bad.status_code == 400
    assert 'id="display_name-error"' in bad.get_data(as_text=True)
    assert 'value="5C"' in bad.get_data(as_text=True)
    ok = client.post(url, data={"display_name": "Leerling Q", "class_group": "5C",
                                "rev": pupil["rev"]})
    assert ok.status_code == 302
    assert get_store().pupils.require(team["pupil_id"])["display_name"] == "Leerling Q"


def test_plugins_add_sanitised_fragments_to_the_trajectory_page(client, users, login, team,
                                                                 register_plugin):
    from journal import hookimpl

    class Fragments:
        @hookimpl
        def journal_page_fragment(self, slot, context):
            if slot == "trajectory_sidebar" and context["trajectory"]["id"] == team["id"]:
                return '<p>ZIJPANEEL</p><script>alert(1)</script>'
            return None

    register_plugin(Fragments(), "fragments")
    login(client, "teacher")
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "<p>ZIJPANEEL</p>" in page and "alert(1)" not in page


@pytest.mark.parametrize("app_config", [{"JOURNAL_MARKDOWN_MAX_CHARS": 50}])
def test_text_that_cannot_be_rendered_safely_is_a_field_error(client, users, login):
    login(client, "teacher")
    long_need = "Heel lang verhaal " * 10
    response = client.post("/t/new", headers=EN, data=new_form(educational_need=long_need))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="educational_need-error"' in page
    assert long_need.strip() in page
    assert get_store().trajectories.all() == []


def test_a_long_timeline_shows_the_newest_items_and_the_rest_one_click_away(
        client, users, login, team):
    from journal.web.trajectories import TIMELINE_ITEMS

    for n in range(TIMELINE_ITEMS + 3):
        add_entry(team, users["teacher"], "observation", date=f"2025-01-{n + 1:02d}",
                  html_text=f"ITEM-{n:02d}-")
    login(client, "teacher")
    page = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert f"ITEM-{TIMELINE_ITEMS + 2:02d}-" in page and "ITEM-00-" not in page
    assert "Show 3 older items" in page
    everything = client.get(f"/t/{team['id']}?all=1", headers=EN).get_data(as_text=True)
    assert "ITEM-00-" in everything and "older items" not in everything


def test_a_long_list_of_trajectories_is_paged(client, users, login, make_trajectory,
                                               monkeypatch):
    from journal.web import trajectories as pages

    monkeypatch.setattr(pages, "LIST_PAGE", 2)
    for n in range(5):
        make_trajectory(users["teacher"], target="team", title=f"LIST-{n}")
    login(client, "teacher")
    pages_seen = [client.get(f"/t/?page={n}", headers=EN).get_data(as_text=True)
                  for n in (1, 2, 3)]
    assert "Page 1 of 3" in pages_seen[0] and "Older" in pages_seen[0]
    assert "Newer" in pages_seen[2]
    titles = [[f"LIST-{n}" for n in range(5) if f"LIST-{n}" in page] for page in pages_seen]
    assert [len(t) for t in titles] == [2, 2, 1]
    assert sorted(sum(titles, [])) == [f"LIST-{n}" for n in range(5)]
