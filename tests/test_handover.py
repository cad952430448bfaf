"""The "wat werkt" handover sheet: drafted from the record, edited with revision checks,
published for every reader, printable and exportable."""

from __future__ import annotations

import json

import pytest

from journal.process import adaptation_rows
from journal.process import adaptations
from journal.process import handover
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory, make_pupil):
    pupil = make_pupil("Leerling Sam", "5A")
    return make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           phase="fading_out", educational_need="Sam heeft **voorspelbaarheid** nodig.")


def parts(**overrides):
    data = {"need": "Voorspelbaarheid.", "works": "- Dagschema", "when_wrong": "Rustig benoemen.",
            "contacts": "- Juf An"}
    data.update(overrides)
    return data


def test_the_draft_comes_from_what_was_recorded(client, users, login, team, make_entry):
    works = make_entry(team, users["teacher"], "agreement", what="Dagschema op de bank.",
                       applied_by="klasleraar")
    fails = make_entry(team, users["teacher"], "agreement", what="Beloningskaart.")
    secret = make_entry(team, users["teacher"], "agreement", what="Interne afspraak.",
                        internal=True)
    for entry, verdict in ((works, "yes"), (fails, "no"), (secret, "yes")):
        adaptations.rate(users["teacher"], team["id"], adaptation_rows.agreement_key(entry["id"]),
                         {"works": verdict,
                          "note": "Elke ochtend overlopen." if verdict == "yes" else ""})
    login(client, "support")
    page = client.get(f"/t/{team['id']}/handover", headers=EN).get_data(as_text=True)
    assert "Draft the handover sheet" in page
    form = client.get(f"/t/{team['id']}/handover/edit", headers=EN).get_data(as_text=True)
    assert "Sam heeft **voorspelbaarheid** nodig." in form
    assert "Dagschema op de bank." in form and "Elke ochtend overlopen." in form
    assert "Applied by: klasleraar." in form
    assert "Avoid (this did not work):" in form and "Beloningskaart." in form
    assert "Interne afspraak." not in form  # internal entries stay out
    assert "Teacher (Teacher)" in form and "Support (Learning-support specialist)" in form
    assert get_store().handovers.all() == []  # drafting saves nothing


def test_saving_publishing_and_reading_the_published_version(client, users, login, team):
    login(client, "teacher")
    url = f"/t/{team['id']}/handover"
    assert client.post(url + "/edit", data=dict(parts(), rev=0)).status_code == 302
    sheet = handover.sheet_of(team)
    assert sheet["fields"]["need"] == "Voorspelbaarheid." and sheet["published"] is None
    # Not published: the coordinator (reader, not on the team) does not see the draft.
    login(client, "coordinator")
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "has not published a handover sheet yet" in page and "Dagschema" not in page

    login(client, "teacher")
    assert client.post(url + "/publish", data={"rev": sheet["rev"]}).status_code == 302
    published = handover.sheet_of(team)
    assert published["published"]["fields"]["works"] == "- Dagschema"
    # Later edits stay in the working version until published again.
    client.post(url + "/edit", data=dict(parts(works="- Dagschema\n- Koptelefoon"),
                                         rev=published["rev"]))
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Koptelefoon" in page and "Changed since publishing" in page
    login(client, "coordinator")
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Dagschema" in page and "Koptelefoon" not in page and "Published" in page


def test_publishing_needs_every_part(client, users, login, team):
    login(client, "teacher")
    url = f"/t/{team['id']}/handover"
    response = client.post(url + "/edit", headers=EN,
                           data=dict(parts(when_wrong=""), rev=0, action="publish"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'id="when_wrong-error"' in body and "Dagschema" in body
    assert handover.sheet_of(team)["published"] is None  # saved, but not published


def test_a_stale_save_shows_both_versions_and_loses_nothing(client, users, login, team):
    first = handover.save(users["support"], team["id"], parts(), expected_rev=0)
    handover.save(users["support"], team["id"], parts(when_wrong="Hun aanpak."),
                  expected_rev=first["rev"])
    login(client, "teacher")
    response = client.post(f"/t/{team['id']}/handover/edit", headers=EN,
                           data=dict(parts(when_wrong="Mijn aanpak."), rev=first["rev"]))
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Hun aanpak." in body and "Mijn aanpak." in body
    assert handover.sheet_of(team)["fields"]["when_wrong"] == "Hun aanpak."
    # The form now carries the current revision: saving again is a deliberate merge.
    assert 'name="rev" value="2"' in body
    # A sheet started by someone else meanwhile is a conflict too.
    other = handover.sheet_of(team)
    get_store().handovers.delete(other["id"])
    handover.save(users["support"], team["id"], parts(), expected_rev=0)
    with pytest.raises(Exception) as raised:
        handover.save(users["teacher"], team["id"], parts(), expected_rev=0)
    assert type(raised.value).__name__ == "StaleRevision"


def test_print_and_exports(client, users, login, team):
    sheet = handover.save(users["teacher"], team["id"], parts(works="- **Dagschema**"),
                          expected_rev=0)
    handover.publish(users["teacher"], team["id"], expected_rev=sheet["rev"])
    login(client, "coordinator")
    printed = client.get(f"/t/{team['id']}/handover/print", headers=EN).get_data(as_text=True)
    assert "print-view" in printed and "<strong>Dagschema</strong>" in printed
    assert "Leerling Sam (5A)" in printed
    md = client.get(f"/t/{team['id']}/handover/export?format=md", headers=EN)
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    assert "attachment" in md.headers["Content-Disposition"]
    text = md.get_data(as_text=True)
    assert "## What works, and how to apply it" in text and "- **Dagschema**" in text
    data = json.loads(client.get(f"/t/{team['id']}/handover/export?format=json").data)
    assert data["trajectory_id"] == team["id"]
    assert [p["key"] for p in data["parts"]] == ["need", "works", "when_wrong", "contacts"]
    exports = [r for r in get_store().audit.all() if r["action"] == "export"]
    assert [r["detail"] for r in exports] == ["handover:md", "handover:json"]
    assert all("Dagschema" not in repr(r) for r in get_store().audit.all())


def test_access_outsiders_404_readers_cannot_edit(client, users, login, team):
    handover.save(users["teacher"], team["id"], parts(), expected_rev=0)
    login(client, "outsider_teacher")
    for path in ("", "/edit", "/print", "/export"):
        assert client.get(f"/t/{team['id']}/handover{path}").status_code == 404
    assert client.post(f"/t/{team['id']}/handover/publish", data={"rev": 1}).status_code == 404
    login(client, "coordinator")
    assert client.get(f"/t/{team['id']}/handover/edit").status_code == 403
    assert client.post(f"/t/{team['id']}/handover/publish", data={"rev": 1}).status_code == 403
    assert handover.sheet_of(team)["published"] is None


def test_erasing_the_pupil_erases_the_sheet_and_the_register(app, users, team, make_entry):
    from journal.privacy import erasure

    sheet = handover.save(users["teacher"], team["id"], parts(), expected_rev=0)
    entry = make_entry(team, users["teacher"], "agreement", what="Dagschema.")
    adaptations.rate(users["teacher"], team["id"], adaptation_rows.agreement_key(entry["id"]),
                     {"works": "yes", "note": "Sam vindt het fijn."})
    erasure.erase_pupil(team["pupil_id"], actor_id=users["coordinator"]["id"])
    store = get_store()
    assert store.handovers.get(sheet["id"]) is None and store.adaptations.all() == []
    assert not [r for r in store.db.table("revisions").all()
                if r["collection"] in ("handovers", "adaptations")]
