"""Entries: each kind with its required fields, drafts, publishing, tags, goals, access, Markdown."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from journal.process import entry_access
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory):
    """A trajectory with the teacher and the support specialist on its team."""
    return make_trajectory(users["teacher"], users["support"], learning_question="Hoe geef ik instructies?")


def url(trajectory, tail=""):
    return f"/t/{trajectory['id']}/entries{tail}"


def observation(**extra):
    data = {"date": "2025-03-10", "class_group": "3B", "lesson": "Wiskunde", "moment": "3e lesuur",
            "seen": "Hij **wacht** tot de buur begint.", "quick_wins": "- instructie op het bord",
            "tags": " Instructie, GROEPSWERK ,instructie", "action": "publish"}
    data.update(extra)
    return data


def only_entry(trajectory):
    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    return entry


def test_observation_is_saved_with_rendered_markdown_and_normalised_tags(client, login, users, team):
    login(client, "teacher")
    response = client.post(url(team, "/new?kind=observation"), data=observation())
    assert response.status_code == 302
    entry = only_entry(team)
    assert entry["kind"] == "observation" and entry["status"] == "published"
    assert entry["fields"]["seen"] == "Hij **wacht** tot de buur begint."
    assert "<strong>wacht</strong>" in entry["html"]["seen"]
    assert entry["tags"] == ["instructie", "groepswerk"]
    assert entry["authors"] == [users["teacher"]["id"]]
    assert entry["pupil_id"] == team["pupil_id"]
    page = client.get(response.headers["Location"], headers=EN)
    assert page.status_code == 200
    assert b"<strong>wacht</strong>" in page.data
    assert b"Wiskunde" in page.data


def test_observation_needs_what_was_seen_and_keeps_the_input(client, login, team):
    login(client, "teacher")
    response = client.post(url(team, "/new?kind=observation"),
                           data=observation(seen="   ", lesson="Frans <b>vet</b>"), headers=EN)
    assert response.status_code == 400
    assert b'id="seen-error"' in response.data
    assert b"Frans &lt;b&gt;vet&lt;/b&gt;" in response.data
    assert b'value="3e lesuur"' in response.data
    assert get_store().entries.find(trajectory_id=team["id"]) == []


def test_form_cannot_set_author_trajectory_pupil_or_creation_date(client, login, users, team, make_trajectory):
    other = make_trajectory(users["outsider_teacher"])
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation(
        authors=users["support"]["id"], created_by=users["support"]["id"],
        trajectory_id=other["id"], pupil_id="someone", created_at="2000-01-01T00:00:00+00:00",
        status="published", rev="99"))
    entry = only_entry(team)
    assert entry["authors"] == [users["teacher"]["id"]]
    assert entry["created_by"] == users["teacher"]["id"]
    assert entry["trajectory_id"] == team["id"] and entry["pupil_id"] == team["pupil_id"]
    assert not entry["created_at"].startswith("2000")
    assert entry["rev"] == 1


def test_agreement_needs_what_who_from_and_review(client, login, team):
    login(client, "support")
    response = client.post(url(team, "/new?kind=agreement"), headers=EN, data={
        "date": "2025-03-10", "what": "Instructies ook visueel op het bord.", "applied_by": "",
        "from_date": "2025-03-11", "review_date": "2025-03-01", "action": "publish"})
    assert response.status_code == 400
    assert b'id="applied_by-error"' in response.data
    assert b'id="review_date-error"' in response.data
    assert b"Instructies ook visueel op het bord." in response.data
    response = client.post(url(team, "/new?kind=agreement"), data={
        "date": "2025-03-10", "what": "Instructies ook visueel op het bord.", "applied_by": "Alle leraren van 3B",
        "from_date": "2025-03-11", "review_date": "2025-05-01", "action": "publish"})
    assert response.status_code == 302
    entry = only_entry(team)
    assert entry["fields"]["applied_by"] == "Alle leraren van 3B"
    assert entry["fields"]["review_date"] == "2025-05-01"


ONE_TO_ONE = {"date": "2025-03-10", "what": "Woordenschat voorbereiden voor de les biologie.",
              "serves_learning_question": "De leraar ziet welke woorden vooraf nodig zijn.",
              "lowers_barriers": "Hij kan daarna de klasinstructie volgen.",
              "return_to_class": "2025-03-17", "action": "publish"}


@pytest.mark.parametrize("missing", ["serves_learning_question", "lowers_barriers", "return_to_class"])
def test_one_to_one_is_refused_without_both_justifications_and_return(client, login, team, missing):
    login(client, "support")
    data = dict(ONE_TO_ONE, **{missing: ""})
    response = client.post(url(team, "/new?kind=one_to_one"), data=data, headers=EN)
    assert response.status_code == 400
    assert f'id="{missing}-error"'.encode() in response.data
    for key, value in data.items():
        if key not in (missing, "action", "date", "return_to_class"):
            assert value.encode() in response.data
    assert get_store().entries.find(trajectory_id=team["id"]) == []


def test_one_to_one_is_refused_as_draft_too_and_saved_when_complete(client, login, team):
    login(client, "support")
    response = client.post(url(team, "/new?kind=one_to_one"), data=dict(ONE_TO_ONE, lowers_barriers="", action="draft"))
    assert response.status_code == 400
    response = client.post(url(team, "/new?kind=one_to_one"), data=ONE_TO_ONE)
    assert response.status_code == 302
    entry = only_entry(team)
    assert entry["fields"]["return_to_class"] == "2025-03-17"
    assert "biologie" in entry["html"]["what"]


def test_one_to_one_return_cannot_lie_before_the_moment(client, login, team):
    login(client, "support")
    response = client.post(url(team, "/new?kind=one_to_one"), data=dict(ONE_TO_ONE, return_to_class="2025-03-01"))
    assert response.status_code == 400
    assert b'id="return_to_class-error"' in response.data


def test_draft_is_visible_only_to_its_authors(app, client, login, users, team, make_trajectory):
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation(action="draft"))
    entry = only_entry(team)
    assert entry["status"] == "draft"
    assert client.get(url(team, f"/{entry['id']}")).status_code == 200

    support = login(app.test_client(), "support")
    assert support.get(url(team, f"/{entry['id']}")).status_code == 404
    assert support.get(url(team, f"/{entry['id']}/edit")).status_code == 404
    assert support.post(url(team, f"/{entry['id']}/publish")).status_code == 404
    coordinator = login(app.test_client(), "coordinator")
    assert coordinator.get(url(team, f"/{entry['id']}")).status_code == 404

    assert entry_access.visible_entries(users["teacher"], team) == [entry]
    assert entry_access.visible_entries(users["support"], team) == []
    assert entry_access.visible_entries(users["coordinator"], team) == []
    assert [d["id"] for d in entry_access.drafts_of(users["teacher"])] == [entry["id"]]
    assert entry_access.drafts_of(users["support"]) == []


def test_publish_shows_the_draft_to_the_team(app, client, login, users, team):
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation(action="draft"))
    entry = only_entry(team)
    assert client.post(url(team, f"/{entry['id']}/publish")).status_code == 302
    assert only_entry(team)["status"] == "published"
    support = login(app.test_client(), "support")
    assert support.get(url(team, f"/{entry['id']}")).status_code == 200
    assert [e["id"] for e in entry_access.visible_entries(users["support"], team)] == [entry["id"]]
    assert entry_access.drafts_of(users["teacher"]) == []


def test_co_author_sees_and_edits_the_draft(app, client, login, users, team):
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"),
                data=observation(action="draft", co_authors=[users["support"]["id"], users["outsider_teacher"]["id"]]))
    entry = only_entry(team)
    assert entry["authors"] == [users["teacher"]["id"], users["support"]["id"]]
    support = login(app.test_client(), "support")
    assert support.get(url(team, f"/{entry['id']}")).status_code == 200


def test_editing_adds_the_editor_as_author_and_keeps_history(app, client, login, users, team):
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation())
    entry = only_entry(team)
    support = login(app.test_client(), "support")
    response = support.post(url(team, f"/{entry['id']}/edit"),
                            data=observation(seen="Hij begint na een visuele start.", rev=entry["rev"], action="save"))
    assert response.status_code == 302
    saved = only_entry(team)
    assert saved["fields"]["seen"] == "Hij begint na een visuele start."
    assert saved["authors"] == [users["teacher"]["id"], users["support"]["id"]]
    assert saved["rev"] == 2


def test_entries_are_listed_newest_first_and_filtered(client, login, users, team, make_goal):
    goal = make_goal(team)
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation(date="2025-03-01", tags="rust"))
    client.post(url(team, "/new?kind=observation"),
                data=observation(date="2025-03-20", tags="Instructie", goal_ids=[goal["id"]]))
    client.post(url(team, "/new?kind=agreement"), data={
        "date": "2025-03-10", "what": "Visueel", "applied_by": "Alle leraren", "from_date": "2025-03-11",
        "review_date": "2025-05-01", "action": "publish"})
    teacher = users["teacher"]
    dates = [e["date"] for e in entry_access.visible_entries(teacher, team)]
    assert dates == ["2025-03-20", "2025-03-10", "2025-03-01"]
    assert [e["kind"] for e in entry_access.visible_entries(teacher, team, kind="agreement")] == ["agreement"]
    assert [e["date"] for e in entry_access.visible_entries(teacher, team, tag=" INSTRUCTIE")] == ["2025-03-20"]
    assert [e["date"] for e in entry_access.visible_entries(teacher, team, goal_id=goal["id"])] == ["2025-03-20"]
    assert entry_access.visible_entries(teacher, team, author_id=users["support"]["id"]) == []


def test_goals_of_another_trajectory_cannot_be_linked(client, login, users, team, make_trajectory, make_goal):
    foreign = make_goal(make_trajectory(users["outsider_teacher"]))
    login(client, "teacher")
    response = client.post(url(team, "/new?kind=observation"), data=observation(goal_ids=[foreign["id"]]), headers=EN)
    assert response.status_code == 400
    assert b'goal_ids-error' in response.data


def test_linked_goals_and_tags_show_on_the_entry(client, login, team, make_goal):
    goal = make_goal(team, text="Stapt zelfstandig in bij groepswerk.")
    login(client, "teacher")
    response = client.post(url(team, "/new?kind=observation"), data=observation(goal_ids=[goal["id"]]))
    page = client.get(response.headers["Location"], headers=EN)
    assert b"Stapt zelfstandig in bij groepswerk." in page.data
    assert b"groepswerk" in page.data


def test_form_offers_the_trajectory_goals_and_team(client, login, team, make_goal):
    make_goal(team, text="Vraagt hulp met een kaartje.")
    login(client, "teacher")
    page = client.get(url(team, "/new?kind=observation"), headers=EN)
    assert page.status_code == 200
    assert b"Vraagt hulp met een kaartje." in page.data
    assert b"Support" in page.data  # the co-author choice lists the support specialist
    assert b'name="csrf_token"' in page.data
    assert b'value="3B"' in page.data  # class group from the pupil


def test_choose_page_lists_the_kinds(client, login, team):
    login(client, "teacher")
    page = client.get(url(team, "/new"), headers=EN)
    assert page.status_code == 200
    for label in (b"Observation", b"Reflection", b"Agreement", b"One-to-one moment"):
        assert label in page.data


def test_non_members_get_404_everywhere(app, client, login, team):
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation())
    entry = only_entry(team)
    outsider = login(app.test_client(), "outsider_teacher")
    for path in ("/new?kind=observation", f"/{entry['id']}", f"/{entry['id']}/edit", f"/{entry['id']}/history"):
        assert outsider.get(url(team, path)).status_code == 404, path
    for path in ("/new?kind=observation", f"/{entry['id']}/edit", f"/{entry['id']}/comments",
                 f"/{entry['id']}/publish", "/preview"):
        assert outsider.post(url(team, path), data=observation()).status_code == 404, path
    admin = login(app.test_client(), "admin")
    assert admin.get(url(team, f"/{entry['id']}")).status_code == 404


def test_entry_of_another_trajectory_is_not_found_under_this_one(app, client, login, users, team, make_trajectory):
    mine = make_trajectory(users["teacher"])
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation())
    entry = only_entry(team)
    assert client.get(url(mine, f"/{entry['id']}")).status_code == 404


def test_coordinator_reads_but_cannot_write_unless_member(app, client, login, users, team, make_trajectory):
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation())
    entry = only_entry(team)
    coordinator = login(app.test_client(), "coordinator")
    page = coordinator.get(url(team, f"/{entry['id']}"), headers=EN)
    assert page.status_code == 200
    assert b"Edit" not in page.data and b"Add comment" not in page.data
    assert coordinator.get(url(team, "/new?kind=observation")).status_code == 403
    assert coordinator.post(url(team, "/new?kind=observation"), data=observation()).status_code == 403
    assert coordinator.get(url(team, f"/{entry['id']}/edit")).status_code == 403
    assert coordinator.post(url(team, f"/{entry['id']}/comments"), data={"body": "Goed!"}).status_code == 403
    assert get_store().comments.all() == []
    assert len(get_store().entries.all()) == 1

    theirs = make_trajectory(users["coordinator"], users["teacher"])
    assert coordinator.post(url(theirs, "/new?kind=observation"), data=observation()).status_code == 302


class _Tags(HTMLParser):
    """Collect the elements and attributes of an HTML fragment."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def parsed(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_hostile_markdown_is_sanitised(client, login, team):
    login(client, "teacher")
    hostile = ('<script>alert(1)</script>\n\n[klik](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)'
               '\n\n<img src=x onerror=alert(1)>\n\n<a href="#" onclick="alert(1)">x</a>\n\n[ok](https://example.org)')
    response = client.post(url(team, "/new?kind=observation"), data=observation(seen=hostile, quick_wins=hostile))
    assert response.status_code == 302
    entry = only_entry(team)
    for html in (entry["html"]["seen"], entry["html"]["quick_wins"]):
        found = parsed(html)
        assert "script" not in found.tags and "img" not in found.tags
        assert not [name for name, _value in found.attrs if name.startswith("on")]
        hrefs = [value for name, value in found.attrs if name == "href"]
        assert hrefs == ["https://example.org"]
    page = client.get(response.headers["Location"])
    found = parsed(page.data.decode())
    assert not [name for name, _value in found.attrs if name.startswith("on")]
    assert found.tags.count("script") == 1  # only the page's own journal.js


def test_too_long_text_is_refused_with_the_input_kept(app, client, login, team):
    app.config["JOURNAL_MARKDOWN_MAX_CHARS"] = 100
    login(client, "teacher")
    response = client.post(url(team, "/new?kind=observation"), data=observation(seen="lang " * 50), headers=EN)
    assert response.status_code == 400
    assert b'id="seen-error"' in response.data
    assert b"lang lang lang" in response.data


def test_viewing_and_creating_are_audited_with_ids_only(client, login, team):
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation"), data=observation(seen="Geheime inhoud"))
    entry = only_entry(team)
    client.get(url(team, f"/{entry['id']}"))
    records = [r for r in get_store().audit.all() if r["object_type"] == "entry"]
    assert [r["action"] for r in records] == ["create", "view"]
    assert all(r["object_id"] == entry["id"] and r["pupil_id"] == team["pupil_id"] for r in records)
    assert "Geheime" not in repr(get_store().audit.all())


@pytest.fixture
def stress_template(register_plugin):
    """A plugin offering an observation template, checking entries and watching saves."""
    from journal import hookimpl
    from journal.plugins.entry_templates.specs import Field
    from journal.plugins.entry_templates.specs import Item
    from journal.plugins.entry_templates.specs import Section
    from journal.plugins.entry_templates.specs import TemplateSpec

    spec = TemplateSpec(
        id="stress_test.moment", version=1, title="Stressmoment", kind="observation",
        sections=(Section(title="Wat ging eraan vooraf", fields=(
            Field(key="aanleiding", type="text", label="Aanleiding", required=True),
            Field(key="voorspelbaarheid", type="checklist", label="Voorspelbaarheid", items=(
                Item(key="dagplanning", label="Dagplanning hangt zichtbaar"),
                Item(key="overgang", label="Overgang vooraf aangekondigd"),
            )),
        )),),
    )

    class Plugin:
        saved = []

        @hookimpl
        def journal_plugin_info(self):
            return {"title": "Stress test", "description": "", "api_version": 1}

        @hookimpl
        def journal_entry_templates(self):
            return [spec]

        @hookimpl
        def journal_validate_entry(self, entry, template):
            if entry["answers"].get("aanleiding") == "onbekend":
                return ["Beschrijf de aanleiding concreet."]
            return []

        @hookimpl
        def journal_entry_saved(self, entry, trajectory, created):
            Plugin.saved.append((entry["id"], created))

    plugin = Plugin()
    register_plugin(plugin, name="stress_test")
    return plugin


def test_template_entry_stores_answers_and_a_snapshot_reference(client, login, team, stress_template):
    login(client, "teacher")
    page = client.get(url(team, "/new?kind=observation&template=stress_test.moment"), headers=EN)
    assert page.status_code == 200
    assert b"Stressmoment" in page.data and b"Dagplanning hangt zichtbaar" in page.data
    response = client.post(url(team, "/new?kind=observation&template=stress_test.moment"), data=observation(**{
        "tpl_aanleiding": "Onverwachte invaller", "tpl_voorspelbaarheid-overgang-status": "werkt"}))
    assert response.status_code == 302
    entry = only_entry(team)
    assert entry["template"]["id"] == "stress_test.moment" and entry["template"]["version"] == 1
    assert entry["template"]["spec_hash"].startswith("sha256:")
    assert entry["answers"]["aanleiding"] == "Onverwachte invaller"
    assert entry["answers"]["voorspelbaarheid"]["overgang"]["status"] == "werkt"
    assert stress_template.saved == [(entry["id"], True)]
    shown = client.get(response.headers["Location"], headers=EN)
    assert b"Onverwachte invaller" in shown.data


def test_template_errors_and_plugin_problems_keep_the_input(client, login, team, stress_template):
    login(client, "teacher")
    target = url(team, "/new?kind=observation&template=stress_test.moment")
    response = client.post(target, data=observation(seen="Gezien en bewaard"), headers=EN)
    assert response.status_code == 400
    assert b"Gezien en bewaard" in response.data
    response = client.post(target, data=observation(tpl_aanleiding="onbekend"), headers=EN)
    assert response.status_code == 400
    assert "Beschrijf de aanleiding concreet.".encode() in response.data
    assert get_store().entries.find(trajectory_id=team["id"]) == []


def test_template_for_another_kind_or_unknown_is_ignored(client, login, team, stress_template):
    login(client, "teacher")
    page = client.get(url(team, "/new?kind=agreement&template=stress_test.moment"), headers=EN)
    assert page.status_code == 200 and b"Stressmoment" not in page.data
    page = client.get(url(team, "/new?kind=observation&template=nope.nope"), headers=EN)
    assert page.status_code == 200


def test_choose_page_offers_plugin_templates(client, login, team, stress_template):
    login(client, "teacher")
    page = client.get(url(team, "/new"), headers=EN)
    assert b"Stressmoment" in page.data
    assert b"template=stress_test.moment" in page.data


def test_editing_a_template_entry_updates_its_answers(client, login, team, stress_template):
    login(client, "teacher")
    client.post(url(team, "/new?kind=observation&template=stress_test.moment"),
                data=observation(tpl_aanleiding="Invaller"))
    entry = only_entry(team)
    page = client.get(url(team, f"/{entry['id']}/edit"))
    assert b'value="Invaller"' in page.data
    response = client.post(url(team, f"/{entry['id']}/edit"), data=observation(
        rev=entry["rev"], action="save", tpl_aanleiding="Brandoefening"))
    assert response.status_code == 302
    assert only_entry(team)["answers"]["aanleiding"] == "Brandoefening"
    assert stress_template.saved[-1] == (entry["id"], False)


def test_tag_suggestions_come_from_vocabularies(client, login, team):
    login(client, "teacher")
    page = client.get(url(team, "/new?kind=agreement"), headers=EN)
    assert "compenseren".encode() in page.data  # core STICORDI vocabulary


def test_preview_endpoint_returns_sanitised_html(client, login, team):
    login(client, "teacher")
    response = client.post(url(team, "/preview"), data={"text": "**vet** <script>x</script>"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<strong>vet</strong>" in response.text
    assert "<script" not in response.text


def test_preview_endpoint_refuses_readers_and_outsiders(app, login, team):
    coordinator = login(app.test_client(), "coordinator")
    assert coordinator.post(url(team, "/preview"), data={"text": "x"}).status_code == 403
    outsider = login(app.test_client(), "outsider_teacher")
    assert outsider.post(url(team, "/preview"), data={"text": "x"}).status_code == 404


def test_preview_endpoint_refuses_too_long_text(app, client, login, team):
    app.config["JOURNAL_MARKDOWN_MAX_CHARS"] = 10
    login(client, "teacher")
    response = client.post(url(team, "/preview"), data={"text": "x" * 50})
    assert response.status_code == 400


def test_preview_button_works_without_javascript_and_saves_nothing(client, login, team):
    login(client, "teacher")
    response = client.post(url(team, "/new?kind=observation"), headers=EN,
                           data=observation(seen="Een *schuine* observatie", action="preview"))
    assert response.status_code == 200
    assert b'id="seen-preview"' in response.data
    assert b"<em>schuine</em>" in response.data
    assert b"Een *schuine* observatie</textarea>" in response.data
    assert get_store().entries.find(trajectory_id=team["id"]) == []


def test_entry_forms_enable_the_live_preview(client, login, team):
    login(client, "teacher")
    page = client.get(url(team, "/new?kind=observation"))
    assert f'data-preview-url="/t/{team["id"]}/entries/preview"'.encode() in page.data
    assert b"data-markdown-preview" in page.data
    assert b"<script>" not in page.data and b"style=" not in page.data


class TestCsrf:
    """With CSRF protection on (as in production), entry forms carry a token and need it."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @staticmethod
    def token(page) -> str:
        import re

        return re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()

    def test_entry_form_needs_its_token(self, client, users, team):
        from journal.plugins.testing import TEST_PASSWORD

        login_page = client.get("/login")
        client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD,
                                    "csrf_token": self.token(login_page)})
        form_page = client.get(url(team, "/new?kind=observation"))
        assert client.post(url(team, "/new?kind=observation"), data=observation()).status_code == 400
        assert get_store().entries.find(trajectory_id=team["id"]) == []
        response = client.post(url(team, "/new?kind=observation"),
                               data=observation(csrf_token=self.token(form_page)))
        assert response.status_code == 302
        entry = only_entry(team)
        show = client.get(response.headers["Location"])
        assert client.post(url(team, f"/{entry['id']}/comments"), data={"body": "x"}).status_code == 400
        assert client.post(url(team, f"/{entry['id']}/comments"),
                           data={"body": "x", "csrf_token": self.token(show)}).status_code == 302
        assert client.post(url(team, "/preview"), data={"text": "x"}).status_code == 400


def test_a_closed_trajectory_takes_no_new_entries_and_keeps_what_was_typed(
        client, login, users, team):
    get_store().trajectories.update(team["id"], {"phase": "closed"})
    login(client, "teacher")
    page = client.get(url(team, "/new?kind=observation"))
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/t/{team['id']}")
    refused = client.post(url(team, "/new?kind=observation"),
                          data=observation(seen="Laat geschreven observatie"),
                          headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "closed" in text and "Laat geschreven observatie" in text
    assert get_store().entries.find(trajectory_id=team["id"]) == []


def test_the_api_refuses_entries_in_a_closed_trajectory(app, users, team):
    from journal.security.sessions import create_token

    get_store().trajectories.update(team["id"], {"phase": "closed"})
    _, secret = create_token(users["teacher"], "test")
    response = app.test_client().post(
        f"/api/v1/trajectories/{team['id']}/entries",
        json={"kind": "observation", "date": "2026-01-05", "fields": {"seen": "x"}},
        headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 400
    assert "trajectory" in response.get_json()["error"]["fields"]
    assert get_store().entries.find(trajectory_id=team["id"]) == []
