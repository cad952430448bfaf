"""A coordinator writes a school template in the browser: the editor keeps what was typed
on error, the preview shows the form staff will see, and both pass axe. The editor is plain
HTML forms (no script of its own), so it works the same without JavaScript."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

SOURCE = '''kind = "observation"
title = "Leesmoment {tag}"

[[sections]]
title = "Het leesmoment"

[[sections.fields]]
key = "pages"
type = "number"
label = "Hoeveel bladzijden gelezen?"
minimum = 0

[[sections.fields]]
key = "on"
type = "date"
label = "Wanneer?"

[[sections.fields]]
key = "mood"
type = "scale"
label = "Hoe ging het?"
scale_labels = ["moeizaam", "vlot"]
'''


def test_the_editor_and_the_preview_keep_input_and_pass_axe(page, login_as, axe,
                                                             unlabelled_fields, shoot):
    login_as(page, "coordinator")
    page.goto("entry-templates/new")
    assert unlabelled_fields(page) == []
    assert axe(page) == []

    broken = SOURCE.format(tag="x").replace('type = "number"', 'type = "getal"')
    page.locator("#source").fill(broken)
    page.locator("button[value=save]").click()
    expect(page.locator("#source-error")).to_be_visible()
    expect(page.locator("#source")).to_have_value(broken)
    assert axe(page) == []

    tag = secrets.token_hex(3)
    page.locator("#source").fill(SOURCE.format(tag=tag))
    page.locator("button[value=preview]").click()
    preview = page.locator("section[aria-labelledby=preview-title]")
    expect(preview.locator("input[type=number]")).to_be_visible()
    expect(preview.locator("input[type=date]")).to_be_visible()
    assert axe(page) == []
    shoot(page, "school-template-preview")

    page.locator("button[value=save]").click()
    expect(page.locator("main h1")).to_have_text(f"Leesmoment {tag}")
    expect(page.locator("section[aria-labelledby=preview-title] input[type=number]")).to_be_visible()
    assert axe(page) == []



def test_the_form_editor_builds_a_template(page, login_as, axe, unlabelled_fields, shoot):
    """A coordinator who does not write TOML: fields added and moved with buttons, problems
    at their field, a preview, version 1; the page passes axe."""
    login_as(page, "coordinator")
    page.goto("entry-templates/new/form")
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    tag = secrets.token_hex(3)
    page.locator("#title_nl").fill(f"Klasbezoek {tag}")
    page.locator("#f-0-label_nl").fill("Wat zag je?")
    page.get_by_role("button", name="Veld toevoegen").click()
    expect(page.locator("#title_nl")).to_have_value(f"Klasbezoek {tag}")  # kept
    page.locator("#f-1-label_nl").fill("Wat hielp?")
    page.locator("#f-1-type").select_option("multiselect")
    page.get_by_role("button", name="Voorbeeld").click()
    expect(page.locator("#problems")).to_contain_text("optie")  # no options yet: at field 2
    assert axe(page) == []
    page.locator("#f-1-options").fill("Time-timer\nBuddy")
    page.get_by_role("button", name="Naar boven (veld 2)").click()
    expect(page.locator("#f-0-label_nl")).to_have_value("Wat hielp?")
    page.get_by_role("button", name="Voorbeeld").click()
    preview = page.locator("section[aria-labelledby=preview-title]")
    expect(preview.get_by_text("Buddy")).to_be_visible()
    assert axe(page) == []
    shoot(page, "school-template-form-editor")
    page.get_by_role("button", name="Bewaren").click()
    expect(page.locator("main h1")).to_have_text(f"Klasbezoek {tag}")


def test_the_form_editor_works_without_javascript(new_context, login_as):
    """Every button of the form editor is a plain submit: with JavaScript off, adding a
    field keeps what was typed."""
    page = new_context(java_script_enabled=False).new_page()
    login_as(page, "coordinator")
    page.goto("entry-templates/new/form")
    page.locator("#title_nl").fill("Zonder script")
    page.get_by_role("button", name="Veld toevoegen").click()
    expect(page.locator("#title_nl")).to_have_value("Zonder script")
    expect(page.locator("#f-1-label_nl")).to_be_visible()
