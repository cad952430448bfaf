"""The form editor of school templates: a coordinator builds a template with labels, types and
options (no TOML), adds, removes and moves fields with buttons that keep everything typed,
previews it, saves version 1 and changes it into version 2, and gets the same document and
the same schema check as the TOML editor."""

from __future__ import annotations

import re
from html import unescape

import pytest

from journal.plugins.entry_templates import registry
from journal.plugins.entry_templates.files import parse_toml
from journal.plugins.testing import post_template_entry
from journal.process import school_template_form as form_editor
from journal.storage import get_store

from tests.test_school_templates import VISIT
from tests.test_school_templates import entry_fields
from tests.test_school_templates import only_template
from tests.test_school_templates import school_audit
from tests.test_school_templates import team  # noqa: F401 (fixture)

EN = {"Accept-Language": "en"}


def visit_form(**extra) -> dict:
    """What a coordinator types: a class visit with a multi-select, a scale and a number."""
    data = {
        "kind": "observation", "title_nl": "Klasbezoek", "title_en": "Class visit",
        "description_nl": "Kort noteren.", "description_en": "", "focus_areas": ["ass"],
        "f-0-key": "", "f-0-option_keys": "", "f-0-section": "Het bezoek",
        "f-0-label_nl": "Wat hielp?", "f-0-label_en": "What helped?", "f-0-type": "multiselect",
        "f-0-help_nl": "Vink aan wat je zag.", "f-0-help_en": "",
        "f-0-options": "Time-timer | Visual timer\nBuddy", "f-0-minimum": "", "f-0-maximum": "",
        "f-0-required": "1",
        "f-1-key": "", "f-1-option_keys": "", "f-1-section": "Het bezoek",
        "f-1-label_nl": "Rust in de klas", "f-1-label_en": "", "f-1-type": "scale",
        "f-1-help_nl": "", "f-1-help_en": "", "f-1-options": "", "f-1-minimum": "1",
        "f-1-maximum": "4",
        "f-2-key": "", "f-2-option_keys": "", "f-2-section": "Daarna",
        "f-2-label_nl": "Minuten zelfstandig", "f-2-label_en": "", "f-2-type": "number",
        "f-2-help_nl": "", "f-2-help_en": "", "f-2-options": "", "f-2-minimum": "0",
        "f-2-maximum": "50",
    }
    data.update(extra)
    return data


def field_values(html: str, part: str) -> list[str]:
    """The values of one part of every field, in page order."""
    found = re.findall(rf'name="f-(\d+)-{part}"[^>]*value="([^"]*)"', html)
    return [unescape(v) for _n, v in sorted(found, key=lambda f: int(f[0]))]


def coordinator(app, login):
    return login(app.test_client(), "coordinator")


# -- the service -----------------------------------------------------------------------------

def test_the_form_makes_the_document_the_schema_accepts():
    values = form_editor.from_request(visit_form(), {"focus_areas": ["ass"]})
    document = parse_toml(form_editor.to_toml(values))
    assert document["title"] == {"nl": "Klasbezoek", "en": "Class visit"}
    assert document["focus_areas"] == ["ass"]
    assert [s["title"] for s in document["sections"]] == ["Het bezoek", "Daarna"]
    helped, calm = document["sections"][0]["fields"]
    assert helped == {"key": "wat_hielp", "type": "multiselect",
                      "label": {"nl": "Wat hielp?", "en": "What helped?"},
                      "help": "Vink aan wat je zag.", "required": True,
                      "options": [{"key": "time_timer",
                                   "label": {"nl": "Time-timer", "en": "Visual timer"}},
                                  {"key": "buddy", "label": "Buddy"}]}
    assert (calm["scale_min"], calm["scale_max"]) == (1, 4)
    (minutes,) = document["sections"][1]["fields"]
    assert (minutes["minimum"], minutes["maximum"]) == (0, 50)


def test_buttons_add_remove_and_move_fields():
    values = form_editor.from_request(visit_form(), {})
    labels = lambda v: [f["label_nl"] for f in v["fields"]]  # noqa: E731
    assert labels(form_editor.apply(values, "up:1")) == ["Rust in de klas", "Wat hielp?",
                                                          "Minuten zelfstandig"]
    assert labels(form_editor.apply(values, "down:1")) == ["Wat hielp?", "Minuten zelfstandig",
                                                            "Rust in de klas"]
    assert labels(form_editor.apply(values, "remove:0")) == ["Rust in de klas",
                                                              "Minuten zelfstandig"]
    added = form_editor.apply(values, "add")
    assert labels(added)[-1] == "" and added["fields"][-1]["section"] == "Daarna"
    for nonsense in ("up:0", "down:2", "remove:9", "up:x", "explode"):
        assert form_editor.apply(values, nonsense) == values


def test_saved_keys_stay_when_labels_change():
    """Entries keep their answers under the keys: a changed label never renames a key."""
    document = parse_toml(VISIT.replace('key = "calm"', 'key = "calm"\nrequired = true'))
    document["sections"][0]["fields"][0].pop("scale_labels")
    values = form_editor.from_document(document)
    values["fields"][1]["label_nl"] = "Wat hielp het meest?"
    values["fields"][1]["options"] = "Time-timer\nBuddy\nKoptelefoon"
    again = parse_toml(form_editor.to_toml(values))
    calm, helped = again["sections"][0]["fields"]
    assert calm["key"] == "calm" and calm["required"] is True
    assert helped["key"] == "helped"
    assert [o["key"] for o in helped["options"]] == ["timer", "buddy", "koptelefoon"]


def test_a_template_with_parts_the_form_does_not_show_is_left_to_the_toml_editor():
    assert form_editor.from_document(parse_toml(VISIT)) is None  # scale_labels
    with_sets = parse_toml(VISIT.replace("scale_labels", "help"))
    with_sets["option_sets"] = {"moods": [{"key": "ok", "label": "Ok"}]}
    assert form_editor.from_document(with_sets) is None


def test_hostile_text_stays_text_in_the_toml():
    hostile = 'a"\nb = 1\n[[x]]\\ \x7f \u2028 😀'
    values = form_editor.from_request(visit_form(**{"f-0-label_nl": hostile,
                                                     "title_nl": hostile}), {})
    document = parse_toml(form_editor.to_toml(values))
    assert document["title"]["nl"] == hostile
    assert document["sections"][0]["fields"][0]["label"]["nl"] == hostile
    assert set(document) == {"kind", "title", "description", "focus_areas", "sections"}


# -- the pages ---------------------------------------------------------------------------------

def test_a_coordinator_builds_previews_saves_and_changes_a_template(
        app, client, login, users, team, plugin_host):  # noqa: F811
    editor = coordinator(app, login)
    page = editor.get("/entry-templates/new/form", headers=EN)
    assert page.status_code == 200 and b'name="f-0-label_nl"' in page.data
    preview = editor.post("/entry-templates/new/form", data=visit_form(action="preview"),
                          headers=EN)
    assert preview.status_code == 200
    assert b"Rust in de klas" in preview.data and b'name="tpl_wat_hielp"' in preview.data
    assert get_store().school_templates.all() == []  # a preview saves nothing
    saved = editor.post("/entry-templates/new/form", data=visit_form(action="save"))
    assert saved.status_code == 302
    doc = only_template()
    assert (doc["template_id"], doc["version"]) == ("school.klasbezoek", 1)
    assert [r["detail"] for r in school_audit("create")] == ["school.klasbezoek"]

    # Staff fill it in like any template.
    teacher = login(client, "teacher")
    spec = registry.find(plugin_host, "school.klasbezoek")
    assert post_template_entry(teacher, team, spec, {"wat_hielp": ["buddy"], "rust_in_de_klas": 3,
                                                     "minuten_zelfstandig": 20},
                               **entry_fields()).status_code == 302

    # Changing it in the form: version 2, with the same keys.
    change = editor.get(f"/entry-templates/{doc['id']}/form", headers=EN).get_data(as_text=True)
    assert field_values(change, "key") == ["wat_hielp", "rust_in_de_klas", "minuten_zelfstandig"]
    form = visit_form(**{"f-1-label_nl": "Rust tijdens de les", "action": "save",
                         "rev": str(doc["rev"])})
    for n, key in enumerate(field_values(change, "key")):
        form[f"f-{n}-key"] = key
    form["f-0-option_keys"] = field_values(change, "option_keys")[0]
    assert editor.post(f"/entry-templates/{doc['id']}/form", data=form).status_code == 302
    changed = only_template()
    assert changed["version"] == 2 and [r["detail"] for r in school_audit("update")] == ["v2"]
    fields = parse_toml(changed["source"])["sections"][0]["fields"]
    assert fields[1] == {"key": "rust_in_de_klas", "type": "scale",
                         "label": "Rust tijdens de les", "scale_min": 1, "scale_max": 4}
    assert [o["key"] for o in fields[0]["options"]] == ["time_timer", "buddy"]


def test_field_buttons_keep_everything_typed(app, login, users):
    editor = coordinator(app, login)
    moved = editor.post("/entry-templates/new/form", data=visit_form(op="down:0"), headers=EN)
    html = moved.get_data(as_text=True)
    assert moved.status_code == 200 and get_store().school_templates.all() == []
    assert field_values(html, "label_nl") == ["Rust in de klas", "Wat hielp?",
                                              "Minuten zelfstandig"]
    assert "Time-timer | Visual timer\nBuddy" in unescape(html)  # the options moved along
    assert 'value="Klasbezoek"' in html and "Kort noteren." in html
    added = editor.post("/entry-templates/new/form", data=visit_form(op="add"), headers=EN)
    assert field_values(added.get_data(as_text=True), "label_nl")[-1] == ""
    removed = editor.post("/entry-templates/new/form", data=visit_form(op="remove:1"), headers=EN)
    assert field_values(removed.get_data(as_text=True), "label_nl") == ["Wat hielp?",
                                                                        "Minuten zelfstandig"]


def test_problems_are_shown_at_their_field_and_nothing_is_lost(app, login, users):
    editor = coordinator(app, login)
    response = editor.post("/entry-templates/new/form", headers=EN, data=visit_form(
        action="save", **{"f-2-label_nl": "", "f-0-options": "", "f-2-help_nl": "Blijft staan"}))
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    start = html.index('id="problems"')
    problems = html[start:html.index("</div>", start)]
    assert 'href="#field-0"' in problems and 'href="#field-2"' in problems
    assert "Give at least one option" in problems and "Write the question or label" in problems
    assert "Blijft staan" in html and get_store().school_templates.all() == []
    # What only the schema check finds is shown at its field too, in the form's terms.
    values = form_editor.from_request(visit_form(), {})
    number, message = form_editor.explain(values, "sections[1].fields[0].maximum: too high")
    assert (number, message) == (2, "maximum: too high")
    assert form_editor.explain(values, "title: This is missing.") == (None,
                                                                      "title: This is missing.")


def test_limits_must_be_numbers_in_order():
    for low, high in (("x", "5"), ("5", "1")):
        values = form_editor.from_request(visit_form(**{"f-1-minimum": low,
                                                        "f-1-maximum": high}), {})
        assert list(form_editor.problems(values)) == [1]
    assert form_editor.problems(form_editor.from_request(visit_form(), {})) == {}


def test_a_template_the_form_cannot_show_opens_as_toml(app, login, users):
    editor = coordinator(app, login)
    editor.post("/entry-templates/new", data={"source": VISIT, "action": "save"})
    doc = only_template()
    response = editor.get(f"/entry-templates/{doc['id']}/form", headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/entry-templates/{doc['id']}/edit")


@pytest.mark.parametrize("who, allowed", [("coordinator", True), ("admin", True),
                                          ("teacher", False), ("support", False)])
def test_only_admins_and_coordinators_use_the_form_editor(app, users, login, who, allowed):
    client = login(app.test_client(), who)
    assert client.get("/entry-templates/new/form").status_code == (200 if allowed else 403)
    response = client.post("/entry-templates/new/form", data=visit_form(action="save"))
    assert response.status_code == (302 if allowed else 403)
    assert len(get_store().school_templates.all()) == (1 if allowed else 0)
