"""Co-written reflections: a model's phases, attributed contributions, shared conclusions."""

from __future__ import annotations

import pytest

from journal.process import entries as entry_service
from journal.process import entry_forms
from journal.process import reflection as reflection_service
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"])


def new_url(trajectory):
    return f"/t/{trajectory['id']}/entries/new?kind=reflection"


def only_entry(trajectory):
    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    return entry


def test_new_reflection_form_shows_korthagens_five_phases(client, login, team):
    login(client, "teacher")
    page = client.get(new_url(team), headers=EN)
    assert page.status_code == 200
    model = reflection_service.model_by_id("korthagen")
    assert len(model["phases"]) == 5
    for phase in model["phases"]:
        assert f'name="phase_{phase["key"]}"'.encode() in page.data
        assert phase["title"].encode() in page.data


def test_creator_contributions_are_attributed_per_phase(client, login, users, team):
    login(client, "teacher")
    response = client.post(new_url(team), data={
        "date": "2025-03-12", "model": "korthagen",
        "phase_handelen": "Ik wilde de instructie *visueel* maken.", "phase_terugblikken": "",
        "action": "draft"})
    assert response.status_code == 302
    entry = only_entry(team)
    (contribution,) = entry["fields"]["contributions"]
    assert contribution["author_id"] == users["teacher"]["id"]
    assert contribution["phase"] == "handelen"
    assert "<em>visueel</em>" in contribution["html"]
    assert contribution["at"]
    assert entry["fields"]["model"] == "korthagen"


def test_reflection_needs_a_known_model(client, login, team):
    login(client, "teacher")
    response = client.post(new_url(team), data={"date": "2025-03-12", "model": "nope", "action": "draft"},
                           headers=EN)
    assert response.status_code == 400
    assert b'id="model-error"' in response.data


def test_publishing_needs_shared_conclusions_and_next_steps(app, client, login, team):
    login(client, "teacher")
    response = client.post(new_url(team), headers=EN, data={
        "date": "2025-03-12", "model": "korthagen", "phase_handelen": "Visueel maken.",
        "conclusions": "Het werkt.", "next_steps": "", "action": "publish"})
    assert response.status_code == 400
    assert b'id="next_steps-error"' in response.data
    assert b"Visueel maken." in response.data and b"Het werkt." in response.data

    client.post(new_url(team), data={"date": "2025-03-12", "model": "korthagen", "action": "draft"})
    entry = only_entry(team)
    refused = client.post(f"/t/{team['id']}/entries/{entry['id']}/publish", headers=EN)
    assert refused.status_code == 400
    assert b'id="conclusions-error"' in refused.data
    assert only_entry(team)["status"] == "draft"


def test_team_members_add_contributions_that_keep_their_author(app, client, login, users, team):
    login(client, "teacher")
    client.post(new_url(team), data={"date": "2025-03-12", "model": "korthagen",
                                     "phase_handelen": "Leraar: doel", "conclusions": "C", "next_steps": "N",
                                     "action": "publish"})
    entry = only_entry(team)
    support = login(app.test_client(), "support")
    response = support.post(f"/t/{team['id']}/entries/{entry['id']}/contributions",
                            data={"phase": "terugblikken", "text": "Support: hij keek naar het bord."})
    assert response.status_code == 302
    stored = only_entry(team)
    by = [(c["author_id"], c["phase"]) for c in stored["fields"]["contributions"]]
    assert by == [(users["teacher"]["id"], "handelen"), (users["support"]["id"], "terugblikken")]
    assert users["support"]["id"] in stored["authors"]
    page = client.get(f"/t/{team['id']}/entries/{entry['id']}", headers=EN)
    text = page.data.decode()
    assert "Support: hij keek naar het bord." in text
    assert text.index("Leraar: doel") < text.index("Support: hij keek")


def test_concurrent_contributions_never_conflict(app, client, login, users, team):
    login(client, "teacher")
    client.post(new_url(team), data={"date": "2025-03-12", "model": "korthagen", "action": "draft",
                                     "co_authors": [users["support"]["id"]]})
    entry = only_entry(team)
    support = login(app.test_client(), "support")
    # Both loaded the page at revision 1; neither contribution names a revision.
    a = client.post(f"/t/{team['id']}/entries/{entry['id']}/contributions",
                    data={"phase": "bewustwording", "text": "Van de leraar"})
    b = support.post(f"/t/{team['id']}/entries/{entry['id']}/contributions",
                     data={"phase": "bewustwording", "text": "Van support"})
    assert a.status_code == b.status_code == 302
    texts = [c["text"] for c in only_entry(team)["fields"]["contributions"]]
    assert texts == ["Van de leraar", "Van support"]


def test_editing_conclusions_after_a_new_contribution_keeps_both(app, client, login, users, team):
    login(client, "teacher")
    client.post(new_url(team), data={"date": "2025-03-12", "model": "korthagen", "action": "publish",
                                     "conclusions": "Eerste conclusie", "next_steps": "Stap"})
    entry = only_entry(team)
    support = login(app.test_client(), "support")
    support.post(f"/t/{team['id']}/entries/{entry['id']}/contributions",
                 data={"phase": "alternatieven", "text": "Pictogrammen proberen"})
    data = entry_forms.form_of("reflection", entry_forms.values_of(entry))
    data.update(rev=entry["rev"], action="save", conclusions="Gedeelde conclusie")
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(f"/t/{team['id']}/entries/{entry['id']}/edit", data=data)
    assert response.status_code == 302
    stored = only_entry(team)
    assert stored["fields"]["conclusions"] == "Gedeelde conclusie"
    assert [c["text"] for c in stored["fields"]["contributions"]] == ["Pictogrammen proberen"]


def test_conflicting_conclusions_are_not_overwritten(app, client, login, team):
    login(client, "teacher")
    client.post(new_url(team), data={"date": "2025-03-12", "model": "korthagen", "action": "publish",
                                     "conclusions": "Basis", "next_steps": "Stap"})
    entry = only_entry(team)
    base = entry_forms.form_of("reflection", entry_forms.values_of(entry))
    base = {k: v for k, v in base.items() if v is not False}
    support = login(app.test_client(), "support")
    assert support.post(f"/t/{team['id']}/entries/{entry['id']}/edit",
                        data=dict(base, rev=1, action="save", conclusions="Van support")).status_code == 302
    response = client.post(f"/t/{team['id']}/entries/{entry['id']}/edit",
                           data=dict(base, rev=1, action="save", conclusions="Van de leraar"))
    assert response.status_code == 409
    assert only_entry(team)["fields"]["conclusions"] == "Van support"


def test_contribution_errors_keep_the_text(app, client, login, team):
    login(client, "teacher")
    client.post(new_url(team), data={"date": "2025-03-12", "model": "korthagen", "action": "draft"})
    entry = only_entry(team)
    response = client.post(f"/t/{team['id']}/entries/{entry['id']}/contributions", headers=EN,
                           data={"phase": "onbestaand", "text": "Mijn gedachte"})
    assert response.status_code == 400
    assert b'id="phase-error"' in response.data
    assert b"Mijn gedachte</textarea>" in response.data
    empty = client.post(f"/t/{team['id']}/entries/{entry['id']}/contributions",
                        data={"phase": "handelen", "text": "  "})
    assert empty.status_code == 400
    assert only_entry(team)["fields"]["contributions"] == []


def test_coordinator_cannot_contribute_unless_member(app, login, users, team):
    client = login(app.test_client(), "teacher")
    client.post(new_url(team), data={"date": "2025-03-12", "model": "korthagen", "action": "publish",
                                     "conclusions": "C", "next_steps": "N"})
    entry = only_entry(team)
    coordinator = login(app.test_client(), "coordinator")
    response = coordinator.post(f"/t/{team['id']}/entries/{entry['id']}/contributions",
                                data={"phase": "handelen", "text": "Mag niet"})
    assert response.status_code == 403
    assert only_entry(team)["fields"]["contributions"] == []


def test_other_kinds_take_no_contributions(client, login, team):
    login(client, "teacher")
    client.post(f"/t/{team['id']}/entries/new?kind=observation",
                data={"date": "2025-03-12", "seen": "Iets", "action": "publish"})
    entry = only_entry(team)
    response = client.post(f"/t/{team['id']}/entries/{entry['id']}/contributions",
                           data={"phase": "handelen", "text": "Iets"})
    assert response.status_code == 404


def test_plugin_reflection_model_can_be_chosen(app, client, login, team, register_plugin):
    from journal import hookimpl

    class Starr:
        @hookimpl
        def journal_plugin_info(self):
            return {"title": "STARR", "description": "", "api_version": 1}

        @hookimpl
        def journal_reflection_models(self):
            return [{"id": "starr_test", "title": "STARR",
                     "phases": [{"key": "situatie", "title": "Situatie", "prompt": "Wat was de situatie?"},
                                {"key": "taak", "title": "Taak", "prompt": ""}]}]

    register_plugin(Starr(), name="starr_test")
    login(client, "teacher")
    page = client.post(new_url(team), data={"date": "2025-03-12", "model": "starr_test", "action": "preview"})
    assert b'name="phase_situatie"' in page.data
    response = client.post(new_url(team), data={"date": "2025-03-12", "model": "starr_test",
                                                 "phase_situatie": "In de les", "action": "draft"})
    assert response.status_code == 302
    assert only_entry(team)["fields"]["contributions"][0]["phase"] == "situatie"


def test_contribution_preview_without_javascript_saves_nothing(client, login, team):
    login(client, "teacher")
    client.post(new_url(team), data={"date": "2025-03-12", "model": "korthagen", "action": "draft"})
    entry = only_entry(team)
    response = client.post(f"/t/{team['id']}/entries/{entry['id']}/contributions",
                           data={"phase": "alternatieven", "text": "- timer\n- picto", "action": "preview"})
    assert response.status_code == 200
    assert b'id="text-preview"' in response.data and b"<li>timer</li>" in response.data
    assert b'value="alternatieven" selected' in response.data
    assert only_entry(team)["fields"]["contributions"] == []


def test_parallel_contributions_are_all_kept(app, users, make_trajectory):
    import threading

    from journal.process import reflection

    trajectory = make_trajectory(users["teacher"], users["support"])
    entry = entry_service.create_entry(users["teacher"], trajectory["id"], "reflection",
                                       {"date": "2025-03-12"}, model_id="korthagen",
                                       co_author_ids=[users["support"]["id"]])

    def write(user, n):
        with app.app_context():
            for i in range(n):
                reflection.add_contribution(user, entry["id"], "terugblikken", f"{user['username']} {i}")

    jobs = [threading.Thread(target=write, args=(users[name], 8)) for name in ("teacher", "support")]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    stored = get_store().entries.require(entry["id"])
    texts = sorted(c["text"] for c in stored["fields"]["contributions"])
    assert texts == sorted([f"teacher {i}" for i in range(8)] + [f"support {i}" for i in range(8)])
    assert stored["rev"] == 17
