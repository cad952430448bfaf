"""Template forms: every field labelled, errors beside the field, answers stored as data."""

from __future__ import annotations

import re

import pytest

from journal.plugins.entry_templates.forms import answers_as_text
from journal.plugins.entry_templates.forms import check_answers
from journal.plugins.entry_templates.forms import iter_checklist
from journal.plugins.entry_templates.forms import parse_form
from journal.plugins.entry_templates.forms import render_answers
from journal.plugins.entry_templates.forms import render_form
from journal.plugins.entry_templates.specs import from_snapshot
from journal.plugins.entry_templates.specs import snapshot
from journal.plugins.testing import form_data
from journal.plugins.testing import sample_answers

from .conftest import checklist_spec


@pytest.fixture
def spec(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield checklist_spec()


def test_every_input_has_a_label(spec):
    html = str(render_form(spec))
    inputs = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert len(inputs) == 2 * 2 + 2  # two items (status, note), text, markdown
    for input_id in inputs:
        assert f'<label for="{input_id}"' in html, input_id
    for name in ("tpl_mood", "tpl_calm"):  # radio groups are labelled by their fieldset legend
        assert f'<fieldset class="field choice" id="{name}"' in html
        assert html.count(f'name="{name}"') >= 2


def test_checklist_rows_show_status_choices_category_and_note(spec):
    html = str(render_form(spec))
    assert "Dagschema met pictogrammen" in html and "Compenseren" in html
    for status in ("doe_ik_al", "ga_ik_proberen", "werkt", "werkt_niet"):
        assert f'value="{status}"' in html
    assert 'name="tpl_adaptations-pictos-note"' in html
    assert "Een dag op voorhand." in html  # item help


def test_scale_shows_its_end_labels_and_points(spec):
    html = str(render_form(spec))
    assert "onrustig" in html and "rustig" in html
    assert all(f'name="tpl_calm" value="{n}"' in html for n in range(1, 6))


def test_a_filled_form_reads_back_as_structured_answers(spec):
    form = {"tpl_adaptations-pictos-status": "werkt", "tpl_adaptations-aankondigen-note": "nog niet",
            "tpl_mood": "goed", "tpl_calm": "4", "tpl_moment": " na speeltijd ", "tpl_notes": "**ok**\n"}
    answers, errors = parse_form(spec, form)
    assert errors == {}
    assert answers == {
        "adaptations": {"pictos": {"status": "werkt", "note": ""},
                        "aankondigen": {"status": "", "note": "nog niet"}},
        "mood": "goed", "calm": 4, "moment": "na speeltijd", "notes": "**ok**",
    }
    assert check_answers(spec, answers) == []


def test_invalid_input_gives_errors_beside_the_field_and_keeps_what_was_typed(spec):
    form = {"tpl_adaptations-pictos-status": "magic", "tpl_mood": "boos", "tpl_calm": "9",
            "tpl_moment": "x" * 41, "tpl_adaptations-pictos-note": "n" * 501}
    answers, errors = parse_form(spec, form)
    assert set(errors) == {"tpl_adaptations-pictos-status", "tpl_adaptations-pictos-note", "tpl_mood",
                           "tpl_calm", "tpl_moment"}
    html = str(render_form(spec, answers, errors))
    assert html.count('class="field-error"') == 5
    assert 'value="' + "x" * 41 + '"' in html
    assert 'id="tpl_moment-error"' in html and 'aria-invalid="true"' in html


def test_required_fields_must_be_filled(spec):
    answers, errors = parse_form(spec, {})
    assert answers == {}
    assert list(errors) == ["tpl_mood"]


def test_required_checklist_needs_one_status(app):
    import dataclasses

    spec = checklist_spec()
    field = dataclasses.replace(spec.sections[0].fields[0], required=True)
    spec = dataclasses.replace(spec, sections=(dataclasses.replace(spec.sections[0], fields=(field,)),))
    with app.test_request_context():
        _, errors = parse_form(spec, {"tpl_adaptations-pictos-note": "alleen een notitie"})
        assert list(errors) == ["tpl_adaptations"]
        _, errors = parse_form(spec, {"tpl_adaptations-pictos-status": "werkt"})
        assert errors == {}


def test_answers_render_read_only_with_only_the_filled_items(spec):
    answers = {"adaptations": {"pictos": {"status": "werkt_niet", "note": "te druk"}},
               "mood": "wisselend", "calm": 2}
    html = str(render_answers(spec, answers))
    assert "Dagschema met pictogrammen" in html and "te druk" in html
    assert "does not work" in html and "status-werkt_niet" in html
    assert "Groepswerk vooraf aankondigen" not in html  # not filled in
    assert "Wisselend" in html and "2 / 5" in html
    assert "Moment" not in html  # an empty field is left out
    full = str(render_answers(spec, answers, only_filled=False))
    assert "Groepswerk vooraf aankondigen" in full and "Moment" in full


def test_values_the_spec_does_not_know_are_shown_never_dropped(spec):
    answers = {"mood": "goed", "old_field": "van vroeger",
               "adaptations": {"verdwenen": {"status": "werkt", "note": ""}}}
    html = str(render_answers(spec, answers))
    assert "Other recorded values" in html
    assert "old_field" in html and "van vroeger" in html
    assert "adaptations / verdwenen" in html
    assert "Other recorded values" in answers_as_text(spec, answers)
    no_spec = str(render_answers(None, answers))
    assert "van vroeger" in no_spec


def test_user_text_is_escaped_and_markdown_sanitised(spec):
    answers = {"moment": "<img src=x onerror=alert(1)>", "notes": "**vet** <script>alert(2)</script>",
               "adaptations": {"pictos": {"status": "werkt", "note": "<b>nee</b>"}}}
    html = str(render_answers(spec, answers))
    assert "<img" not in html and "<script" not in html and "<b>nee" not in html
    assert "<strong>vet</strong>" in html
    form_html = str(render_form(spec, answers, {}))
    assert "<img" not in form_html and "&lt;b&gt;nee&lt;/b&gt;" in form_html


def test_a_snapshot_renders_exactly_like_the_live_spec(spec):
    answers = sample_answers(spec)
    rebuilt = from_snapshot(snapshot(spec))
    assert render_answers(rebuilt, answers) == render_answers(spec, answers)
    assert render_form(rebuilt, answers, {}) == render_form(spec, answers, {})


def test_sample_answers_round_trip_through_the_form(spec):
    answers = sample_answers(spec)
    assert parse_form(spec, form_data(spec, answers)) == (answers, {})


def test_iter_checklist_lets_views_count_what_works(spec):
    answers = {"adaptations": {"pictos": {"status": "werkt", "note": ""},
                               "aankondigen": {"status": "ga_ik_proberen", "note": ""}}}
    rows = list(iter_checklist(spec, answers))
    assert [(r["item"], r["status"], r["category"]) for r in rows] == [
        ("pictos", "werkt", "compenseren"), ("aankondigen", "ga_ik_proberen", "")]


def test_check_answers_spots_data_that_does_not_fit(spec):
    assert check_answers(spec, {"mood": "boos", "calm": 7, "moment": 3,
                                "adaptations": {"pictos": {"status": "??"}}}) == [
        "adaptations: checklist answers must be {item: {status, note}}",
        "mood: 'boos' is not an option",
        "calm: 7 is not on the scale",
        "moment: must be text",
    ]


def test_answers_as_text_for_exports(spec):
    text = answers_as_text(spec, {"mood": "goed", "notes": "**ok**",
                                  "adaptations": {"pictos": {"status": "werkt", "note": "fijn"}}})
    assert "Voorspelbaarheid (v1)" in text
    assert "- Dagschema met pictogrammen: works – fijn" in text
    assert "Hoe ging het?: Goed" in text and "Toelichting: **ok**" in text
