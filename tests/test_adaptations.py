"""The adaptations register: rows from agreements and template checklists, free rows,
ratings per teacher, editing with conflicts, promotion to the class or school."""

from __future__ import annotations

import html
import re

import pytest

from journal.process import adaptation_rows
from journal.process import adaptations
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(users, make_trajectory, make_pupil):
    pupil = make_pupil("Leerling Noor", "4C")
    return make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           phase="implementation", focus_areas=["tos"])


@pytest.fixture
def checklist_spec(register_plugin):
    """A throwaway plugin with an agreement template holding a checklist of adaptations."""
    from journal import hookimpl
    from journal.plugins.entry_templates.specs import Field
    from journal.plugins.entry_templates.specs import Item
    from journal.plugins.entry_templates.specs import Section
    from journal.plugins.entry_templates.specs import TemplateSpec

    spec = TemplateSpec(
        id="reg_test.afspraken", version=1, title="Afspraken TOS", kind="agreement",
        sections=(Section(title="Aanpassingen", fields=(
            Field(key="instructie", type="checklist", label="Instructie", items=(
                Item(key="visueel", label="Instructie visueel ondersteunen", category="compenseren"),
                Item(key="wachttijd", label="Extra wachttijd na een vraag", category="differentiëren"),
                Item(key="stil", label="Niet beantwoord item"),
            )),
        )),),
    )

    class Plugin:
        @hookimpl
        def journal_plugin_info(self):
            return {"title": "Register test", "description": "", "api_version": 1}

        @hookimpl
        def journal_entry_templates(self):
            return [spec]

    register_plugin(Plugin(), name="reg_test")
    return spec


def template_entry(make_entry, trajectory, author, spec, answers, **fields):
    """Store a published agreement filled from ``spec`` (as the entry pages do)."""
    form = {"date": "2025-02-10", "what": "Zie de checklist.", "applied_by": "alle leraren",
            "from_date": "2025-02-10", "review_date": "2025-04-01", **fields}
    return make_entry(trajectory, author, "agreement", template=spec, answers=answers, **form)


def keys(trajectory):
    return {r["key"]: r for r in adaptation_rows.rows_for(trajectory)}


def test_agreements_and_checklist_items_with_a_status_are_rows(app, users, team, make_entry,
                                                               checklist_spec):
    agreement = make_entry(team, users["teacher"], "agreement", what="Time-outkaart op de bank.",
                           applied_by="klasleraar")
    make_entry(team, users["teacher"], "agreement", what="Nog een concept.", publish=False)
    templated = template_entry(make_entry, team, users["support"], checklist_spec, {"instructie": {
        "visueel": {"status": "werkt", "note": "Met pictogrammen op het bord."},
        "wachttijd": {"status": "ga_ik_proberen", "note": ""},
        "stil": {"status": "", "note": "enkel een notitie"},
    }})
    rows = keys(team)
    free_agreement = rows[adaptation_rows.agreement_key(agreement["id"])]
    assert free_agreement["text"] == "Time-outkaart op de bank."
    assert free_agreement["applied_by"] == "klasleraar"
    assert free_agreement["status"] == "ga_ik_proberen" and free_agreement["origin"] == "agreement"
    visual = rows[adaptation_rows.item_key(templated["id"], "instructie", "visueel")]
    assert visual["category"] == "compenseren" and visual["category_label"] == "Compenseren"
    assert visual["summary"]["verdict"] == "works" and visual["summary"]["working"]
    assert visual["note"] == "Met pictogrammen op het bord."
    assert visual["entry_id"] == templated["id"] and visual["class_group"] == "4C"
    assert visual["focus_areas"] == ["tos"] and visual["scope"] == "pupil"
    waiting = rows[adaptation_rows.item_key(templated["id"], "instructie", "wachttijd")]
    assert waiting["summary"]["verdict"] == "planned" and not waiting["summary"]["tried"]
    # Drafts and items without a status are not adaptations.
    assert not any(r["text"] == "Nog een concept." for r in rows.values())
    assert adaptation_rows.item_key(templated["id"], "instructie", "stil") not in rows
    # Reading the register never writes.
    assert get_store().adaptations.all() == []


def test_register_page_lists_rows_and_adds_a_free_adaptation(client, users, login, team,
                                                            make_entry, make_goal):
    make_entry(team, users["teacher"], "agreement", what="Time-outkaart op de bank.")
    goal = make_goal(team, text="Vraagt zelf om een pauze.")
    login(client, "teacher")
    page = client.get(f"/t/{team['id']}/adaptations", headers=EN).get_data(as_text=True)
    assert "Time-outkaart op de bank." in page and "Agreement entry" in page

    refused = client.post(f"/t/{team['id']}/adaptations", headers=EN,
                          data={"text": "", "category": "zomaar", "applied_by": "Wiskunde"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert 'id="text-error"' in body and 'id="category-error"' in body
    assert 'value="Wiskunde"' in body  # what the user typed is kept

    response = client.post(f"/t/{team['id']}/adaptations", headers=EN, data={
        "text": "Koptelefoon tijdens **zelfstandig werk**", "category": "compenseren",
        "applied_by": "alle leraren", "status": "werkt", "goal_ids": [goal["id"]]})
    assert response.status_code == 302
    (doc,) = get_store().adaptations.all()
    assert doc["origin"] == "free" and doc["goal_ids"] == [goal["id"]]
    assert "<strong>zelfstandig werk</strong>" in doc["html"]["text"]
    page = client.get(f"/t/{team['id']}/adaptations", headers=EN).get_data(as_text=True)
    assert "Koptelefoon tijdens zelfstandig werk" in page and "Compenseren" in page
    assert "Works" in page
    # Every row links to its own page.
    links = re.findall(r'href="(/t/[^"]+/adaptations/item\?key=[^"]+)"', page)
    assert len(links) == 2
    opened = [client.get(html.unescape(link), headers=EN).get_data(as_text=True)
              for link in links]
    assert "Time-outkaart op de bank." in opened[0]
    assert "Koptelefoon tijdens" in opened[1] and "Written in the register" in opened[1]


def test_each_teacher_rates_feasible_and_works_and_the_verdict_follows(
        client, users, login, team, make_entry, app):
    entry = make_entry(team, users["teacher"], "agreement", what="Instructie in stappen.")
    key = adaptation_rows.agreement_key(entry["id"])
    url = f"/t/{team['id']}/adaptations/item/rate"
    login(client, "teacher")
    assert client.post(url, data={"key": key, "feasible": "yes", "works": "yes",
                                  "note": "Bord met stappen."}).status_code == 302
    login(client, "support")
    assert client.post(url, data={"key": key, "feasible": "no", "works": "no",
                                  "teacher": "Frans – mevr. Peeters"}).status_code == 302
    row = keys(team)[key]
    assert row["summary"]["verdict"] == "mixed"
    assert {r["teacher"] for r in row["ratings"]} == {"", "Frans – mevr. Peeters"}
    # The teacher changes their mind: their rating is replaced, the other one kept.
    login(client, "teacher")
    client.post(url, data={"key": key, "feasible": "yes", "works": "no"})
    row = keys(team)[key]
    assert len(row["ratings"]) == 2 and row["summary"]["verdict"] == "does_not_work"
    assert row["summary"]["works"] == {"unknown": 0, "yes": 0, "no": 2}
    page = client.get(f"/t/{team['id']}/adaptations/item", query_string={"key": key},
                      headers=EN).get_data(as_text=True)
    assert "Frans – mevr. Peeters" in page and "Does not work" in page

    bad = client.post(url, data={"key": key, "feasible": "misschien"}, headers=EN)
    assert bad.status_code == 400 and 'id="feasible-error"' in bad.get_data(as_text=True)


def test_editing_a_row_on_a_stale_revision_shows_theirs_and_keeps_mine(
        client, users, login, team, make_entry):
    entry = make_entry(team, users["teacher"], "agreement", what="Wiebelkussen.")
    key = adaptation_rows.agreement_key(entry["id"])
    login(client, "teacher")
    url = f"/t/{team['id']}/adaptations/item/edit"
    assert client.post(url, data={"key": key, "rev": 0, "category": "compenseren",
                                  "status": "werkt"}).status_code == 302
    stored = get_store().adaptations.find(source_key=key)[0]
    assert stored["category"] == "compenseren" and stored["rev"] == 2  # created, then changed
    assert keys(team)[key]["status"] == "werkt"
    # Someone else saves first; my save on revision 2 is refused and nothing is lost.
    adaptations.update_row(users["support"], team["id"], key,
                           {"category": "stimuleren", "applied_by": "Turnleraar"}, expected_rev=2)
    response = client.post(url, headers=EN, data={"key": key, "rev": 2, "category": "dispenseren",
                                                  "applied_by": "Mijn versie", "status": "werkt"})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Turnleraar" in body and 'value="Mijn versie"' in body
    assert keys(team)[key]["category"] == "stimuleren"


def test_promotion_puts_a_pupil_free_text_on_the_list_for_everyone(
        client, users, login, team, make_entry, make_trajectory):
    entry = make_entry(team, users["teacher"], "agreement", what="Noor krijgt een dagschema.")
    key = adaptation_rows.agreement_key(entry["id"])
    promote = f"/t/{team['id']}/adaptations/item/promote"
    # A teacher may write but not promote.
    login(client, "teacher")
    assert client.post(promote, data={"key": key, "scope": "school", "text": "x"}).status_code == 403
    login(client, "support")
    refused = client.post(promote, headers=EN, data={"key": key, "rev": 0, "scope": "class",
                                                     "class_group": "", "text": ""})
    assert refused.status_code == 400
    assert 'id="class_group-error"' in refused.get_data(as_text=True)
    assert client.post(promote, data={"key": key, "rev": 0, "scope": "class", "class_group": "4C",
                                      "text": "Een dagschema op de bank."}).status_code == 302
    row = keys(team)[key]
    assert row["scope"] == "class" and row["promotion"]["class_group"] == "4C"

    # Every member of staff sees the promoted text, never the pupil's.
    login(client, "outsider_teacher")
    page = client.get("/adaptations/school", headers=EN).get_data(as_text=True)
    assert "Een dagschema op de bank." in page and "Class group 4C" in page
    assert "Noor" not in page and "Where it came from" not in page
    login(client, "support")
    page = client.get("/adaptations/school", headers=EN).get_data(as_text=True)
    assert "Where it came from" in page

    login(client, "coordinator")
    assert client.post(f"/t/{team['id']}/adaptations/item/demote",
                       data={"key": key}).status_code == 302
    assert keys(team)[key]["scope"] == "pupil"
    page = client.get("/adaptations/school", headers=EN).get_data(as_text=True)
    assert "Een dagschema op de bank." not in page


def test_outsiders_get_404_and_readers_cannot_write(client, users, login, team, make_entry):
    entry = make_entry(team, users["teacher"], "agreement", what="Geheime afspraak.")
    key = adaptation_rows.agreement_key(entry["id"])
    login(client, "outsider_support")
    assert client.get(f"/t/{team['id']}/adaptations").status_code == 404
    assert client.get(f"/t/{team['id']}/adaptations/item",
                      query_string={"key": key}).status_code == 404
    assert client.post(f"/t/{team['id']}/adaptations/item/rate",
                       data={"key": key, "works": "yes"}).status_code == 404
    assert client.post(f"/t/{team['id']}/adaptations", data={"text": "x"}).status_code == 404
    denied = [r for r in get_store().audit.all() if r["action"] == "denied"]
    assert denied and all(r["object_id"] == team["id"] for r in denied)
    # The coordinator reads every trajectory but writes only where a member.
    login(client, "coordinator")
    assert client.get(f"/t/{team['id']}/adaptations").status_code == 200
    assert client.post(f"/t/{team['id']}/adaptations/item/rate",
                       data={"key": key, "works": "yes"}).status_code == 403
    assert get_store().adaptations.all() == []


def test_an_unknown_row_key_is_not_found(client, users, login, team):
    login(client, "teacher")
    gone = client.get(f"/t/{team['id']}/adaptations/item", query_string={"key": "entry.nope"})
    assert gone.status_code == 302  # back to the register, with a message
    assert client.post(f"/t/{team['id']}/adaptations/item/rate",
                       data={"key": "entry.nope", "works": "yes"}).status_code == 404


def test_rows_for_patterns_are_plain_dicts_for_every_trajectory(app, users, team, make_entry,
                                                                make_trajectory):
    other = make_trajectory(users["outsider_teacher"])
    entry = make_entry(other, users["outsider_teacher"], "agreement", what="Stappenplan.\nMeer.")
    make_entry(team, users["teacher"], "agreement", what="Koptelefoon.")
    rows = adaptation_rows.all_adaptations(get_store())
    assert {r["trajectory_id"] for r in rows} == {team["id"], other["id"]}
    assert all(isinstance(r, dict) and "summary" in r and "class_group" in r for r in rows)
    # Patterns get what the register adds: rows rated here replace the entry's verdict.
    assert adaptation_rows.pattern_rows([other["id"]]) == []
    adaptations.rate(users["outsider_teacher"], other["id"],
                     adaptation_rows.agreement_key(entry["id"]), {"works": "yes"})
    (found,) = adaptation_rows.pattern_rows([other["id"]])
    assert found["key"] == "agreement:stappenplan." and found["working"] and found["tried"]
    assert found["label"] == "Stappenplan."
