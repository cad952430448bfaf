"""The field types people asked for (date, number, scale, multi-select) through the entry page,
the read-only view, the API, exports and the parents' inspection copy."""

from __future__ import annotations

import pytest

from journal import hookimpl
from journal.plugins.entry_templates import registry
from journal.plugins.entry_templates.files import load_text
from journal.plugins.entry_templates.forms import answers_as_text
from journal.plugins.testing import post_template_entry
from journal.storage import get_store

EN = {"Accept-Language": "en"}
NL = {"Accept-Language": "nl"}

VISIT = '''
id = "visit.check"
version = 1
kind = "observation"
title = { nl = "Klasbezoek", en = "Class visit" }
focus_areas = ["ass"]

[[sections]]
title = { nl = "Het bezoek", en = "The visit" }

[[sections.fields]]
key = "on"
type = "date"
label = { nl = "Datum van het bezoek", en = "Date of the visit" }
required = true

[[sections.fields]]
key = "minutes"
type = "number"
label = { nl = "Aantal minuten zelfstandig gewerkt", en = "Minutes of independent work" }
minimum = 0
maximum = 50
step = 0.5

[[sections.fields]]
key = "calm"
type = "scale"
label = "Rust in de klas"
scale_min = 1
scale_max = 5
scale_labels = [{ nl = "onrustig", en = "restless" }, { nl = "heel rustig", en = "very calm" }]

[[sections.fields]]
key = "helped"
type = "multiselect"
label = { nl = "Wat hielp?", en = "What helped?" }
options = [
  { key = "timer", label = { nl = "Time-timer", en = "Visual timer" } },
  { key = "buddy", label = "Buddy" },
  { key = "headphones", label = "Koptelefoon" },
]
'''


class VisitPlugin:
    @hookimpl
    def journal_entry_templates(self):
        return [load_text(VISIT, "visit.toml", "visit")]


@pytest.fixture
def team(users, make_trajectory, register_plugin):
    register_plugin(VisitPlugin(), "visit")
    return make_trajectory(users["teacher"], users["support"])


@pytest.fixture
def spec(app, plugin_host, team):
    return registry.find(plugin_host, "visit.check")


def speak(client, locale):
    client.post("/account/language", data={"locale": locale})


def entry_fields(**extra):
    return {"date": "2025-03-10", "class_group": "3B", "lesson": "Wiskunde", "moment": "1",
            "seen": "Werkt zelfstandig.", "action": "publish", **extra}


def only_entry(trajectory):
    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    return entry


def test_every_new_field_type_is_stored_as_data(client, login, team, spec):
    login(client, "teacher")
    response = client.post(
        f"/t/{team['id']}/entries/new?kind=observation&template=visit.check",
        data=entry_fields(tpl_on="31/03/2025", tpl_minutes="12,5", tpl_calm="4",
                          tpl_helped=["headphones", "timer"]))
    assert response.status_code == 302
    answers = only_entry(team)["answers"]
    assert answers == {"on": "2025-03-31", "minutes": 12.5, "calm": 4,
                       "helped": ["timer", "headphones"]}  # template order, not click order


def test_the_read_only_view_shows_labels_and_local_formats(client, login, team, spec):
    login(client, "teacher")
    post_template_entry(client, team, spec, {"on": "2025-03-31", "minutes": 12.5, "calm": 4,
                                             "helped": ["timer", "buddy"]}, **entry_fields())
    entry = only_entry(team)
    speak(client, "nl")
    dutch = client.get(f"/t/{team['id']}/entries/{entry['id']}").get_data(as_text=True)
    assert "31 maart 2025" in dutch and "12,5" in dutch and "4 / 5" in dutch
    assert "Time-timer, Buddy" in dutch and "Datum van het bezoek" in dutch
    speak(client, "en")
    english = client.get(f"/t/{team['id']}/entries/{entry['id']}").get_data(as_text=True)
    assert "March 31, 2025" in english and "Visual timer, Buddy" in english
    assert "Date of the visit" in english and "Class visit" in english


def test_the_form_offers_a_date_picker_number_limits_scale_ends_and_checkboxes(client, login, team):
    login(client, "teacher")
    page = client.get(f"/t/{team['id']}/entries/new?kind=observation&template=visit.check",
                      headers=EN).get_data(as_text=True)
    assert 'type="date"' in page and 'name="tpl_on"' in page
    assert 'type="number"' in page and 'step="0.5"' in page and 'min="0"' in page and 'max="50"' in page
    assert "restless" in page and "very calm" in page
    assert page.count('type="checkbox" name="tpl_helped"') == 3


@pytest.mark.parametrize("typed, message", [
    ({"tpl_on": "31 maart"}, "Vul een datum in zoals 31/03/2025."),
    ({"tpl_on": ""}, "Dit veld is verplicht."),
    ({"tpl_minutes": "veel"}, "Vul een getal in, zoals 12 of 2,5."),
    ({"tpl_minutes": "51"}, "Vul een getal in van 0 tot 50."),
    ({"tpl_minutes": "12,3"}, "Gebruik stappen van 0,5 vanaf 0."),
    ({"tpl_helped": ["timer", "trampoline"]}, "Kies uit de mogelijkheden."),
])
def test_a_wrong_value_gets_a_dutch_message_and_keeps_what_was_typed(client, login, team, typed,
                                                                      message):
    login(client, "teacher")
    speak(client, "nl")
    data = entry_fields(tpl_on="2025-03-31", tpl_minutes="10", tpl_helped=["buddy"],
                        seen="Mijn notitie blijft staan")
    data.update(typed)
    response = client.post(f"/t/{team['id']}/entries/new?kind=observation&template=visit.check",
                           data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Mijn notitie blijft staan" in page
    for name, value in typed.items():
        if isinstance(value, str) and value:
            assert f'value="{value}"' in page
    assert 'value="buddy" checked' in page or "trampoline" in str(typed)
    assert get_store().entries.find(trajectory_id=team["id"]) == []


def test_editing_shows_the_stored_values_and_saves_new_ones(client, login, team, spec):
    login(client, "teacher")
    post_template_entry(client, team, spec, {"on": "2025-03-31", "minutes": 12.5,
                                             "helped": ["buddy"]}, **entry_fields())
    entry = only_entry(team)
    page = client.get(f"/t/{team['id']}/entries/{entry['id']}/edit").get_data(as_text=True)
    assert 'value="2025-03-31"' in page and 'value="12.5"' in page
    assert 'value="buddy" checked' in page and 'value="timer" checked' not in page
    response = client.post(f"/t/{team['id']}/entries/{entry['id']}/edit", data=entry_fields(
        rev=entry["rev"], action="save", tpl_on="01-04-2025", tpl_minutes="0",
        tpl_helped=["timer"]))
    assert response.status_code == 302
    assert only_entry(team)["answers"] == {"on": "2025-04-01", "minutes": 0, "helped": ["timer"]}


def test_the_api_gives_the_answers_as_typed_json(client, login, team, spec, users):
    from journal.security.sessions import create_token

    login(client, "teacher")
    post_template_entry(client, team, spec, {"on": "2025-03-31", "minutes": 7, "calm": 2,
                                             "helped": ["timer"]}, **entry_fields())
    entry = only_entry(team)
    _, secret = create_token(users["teacher"], "tests")
    data = client.get(f"/api/v1/entries/{entry['id']}",
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert data["answers"] == {"on": "2025-03-31", "minutes": 7, "calm": 2, "helped": ["timer"]}
    assert data["template"]["id"] == "visit.check"


def test_exports_and_the_inspection_copy_show_every_type(app, client, login, team, spec):
    answers = {"on": "2025-03-31", "minutes": 12.5, "calm": 4, "helped": ["timer", "buddy"]}
    with app.test_request_context(headers=NL):
        text = answers_as_text(spec, answers)
    assert "Datum van het bezoek: 31 maart 2025" in text
    assert "Aantal minuten zelfstandig gewerkt: 12,5" in text
    assert "Wat hielp?: Time-timer, Buddy" in text
    login(client, "teacher")
    post_template_entry(client, team, spec, answers, **entry_fields())
    login(client, "coordinator")
    page = client.post(f"/privacy/pupils/{team['pupil_id']}/export", data={"format": "html"})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<strong>minutes</strong>: 12.5" in body and "<strong>calm</strong>: 4" in body
    assert "<strong>helped</strong>: timer, buddy" in body and "2025-03-31" in body
