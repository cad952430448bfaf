"""Co-writing a reflection as two people in two browsers, including an edit conflict and its merge."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

SAVE = "button[name=action][value=save]"


def test_co_write_a_reflection_with_an_edit_conflict_and_merge(
        page, new_context, live_server, login_as, open_trajectory, axe, unlabelled_fields, shoot):
    # The ondersteuner starts a reflection and asks the teacher to write along.
    support = login_as(page, "support")
    teacher = live_server.user_with_role("teacher")
    url = open_trajectory(page, pupil=f"Mila {secrets.token_hex(2)}", teacher=teacher)
    page.goto(url + "/entries/new?kind=reflection")
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    page.locator("[name=model]").select_option("korthagen")
    page.locator("[name=phase_handelen]").fill("Ik wilde de overgangen aankondigen met picto's.")
    page.locator("[name=conclusions]").fill("De picto's helpen bij de overgang.")
    page.locator("[name=next_steps]").fill("Een week lang elke overgang aankondigen.")
    page.locator(f"[name=co_authors][value='{live_server.user_id(teacher)}']").check()
    page.locator("button[name=action][value=publish]").click()
    expect(page).to_have_url(re.compile(r"/entries/[\w-]+$"))
    entry_url = page.url

    # The teacher, in a second browser, adds her own contribution to another phase.
    other = new_context().new_page()
    login_as(other, teacher)
    other.goto(entry_url)
    form = other.locator("form.contribution-form")
    form.locator("[name=phase]").select_option("terugblikken")
    form.locator("[name=text]").fill("Na de speeltijd vroeg hij zelf naar de picto van de turnles.")
    form.locator("button[value=add]").click()
    phase = other.locator("#phase-terugblikken")
    expect(phase).to_contain_text("zelf naar de picto van de turnles")
    expect(phase).to_contain_text(live_server.users[teacher]["display_name"])
    assert axe(other) == []

    # Each contribution keeps its author.
    page.reload()
    expect(page.locator("#phase-handelen")).to_contain_text(
        live_server.users[support]["display_name"])
    expect(page.locator("#phase-terugblikken")).to_contain_text(
        live_server.users[teacher]["display_name"])
    shoot(page, "reflection")

    # Both open the edit form; the teacher saves first.
    page.goto(entry_url + "/edit")
    other.goto(entry_url + "/edit")
    other.locator("[name=conclusions]").fill(
        "De picto's helpen bij de overgang.\n\nHij vraagt er nu zelf naar.")
    other.locator(SAVE).click()
    expect(other).to_have_url(entry_url)
    expect(other.locator("main")).to_contain_text("Hij vraagt er nu zelf naar.")

    # The ondersteuner's save now conflicts: both versions are shown and nothing she typed is lost.
    mine = "De picto's helpen bij de overgang.\n\nVolgende stap: ook bij de les LO."
    page.locator("[name=conclusions]").fill(mine)
    page.locator(SAVE).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(live_server.users[teacher]["display_name"])
    expect(page.locator(".version-mine")).to_contain_text("Volgende stap: ook bij de les LO.")
    expect(page.locator(".version-theirs")).to_contain_text("Hij vraagt er nu zelf naar.")
    expect(page.locator("[name=conclusions]")).to_have_value(mine)
    assert axe(page) == []
    shoot(page, "reflection-conflict")

    # She merges both and saves: the merged text is what everyone sees.
    merged = ("De picto's helpen bij de overgang.\n\nHij vraagt er nu zelf naar.\n\n"
              "Volgende stap: ook bij de les LO.")
    page.locator("[name=conclusions]").fill(merged)
    page.locator(SAVE).click()
    expect(page).to_have_url(entry_url)
    other.goto(entry_url)
    for line in ("Hij vraagt er nu zelf naar.", "Volgende stap: ook bij de les LO."):
        expect(other.locator("main")).to_contain_text(line)

    # The revision history keeps the teacher's version and names both writers.
    other.goto(entry_url + "/history")
    history = other.locator("main")
    expect(history).to_contain_text(live_server.users[teacher]["display_name"])
    expect(history).to_contain_text(live_server.users[support]["display_name"])
    assert axe(other) == []
