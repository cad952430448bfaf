"""Opening a trajectory, writing an observation with a plugin template, goals, the print view."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect


def pupil_name(base: str) -> str:
    """A pupil name no other test uses (the tests share one demo instance)."""
    return f"{base} {secrets.token_hex(2)}"


def test_open_a_trajectory_for_a_new_pupil(page, new_context, live_server, login_as,
                                           open_trajectory, axe, unlabelled_fields, shoot):
    support = login_as(page, "support")
    teacher = live_server.user_with_role("teacher")
    page.goto("t/new")
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    shoot(page, "trajectory-new")

    name = pupil_name("Lotte")
    url = open_trajectory(page, pupil=name, teacher=teacher)
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.locator("[role=status]")).to_be_visible()
    team = page.locator("dd:has(li)").first
    expect(team).to_contain_text(live_server.users[teacher]["display_name"])
    expect(team).to_contain_text(live_server.users[support]["display_name"])
    assert axe(page) == []

    # The teacher on the team finds it on their start page; another teacher gets a 404.
    teacher_page = new_context().new_page()
    login_as(teacher_page, teacher)
    teacher_page.get_by_role("link", name=re.compile(re.escape(name))).first.click()
    expect(teacher_page).to_have_url(url)
    outsider = new_context().new_page()
    login_as(outsider, live_server.user_with_role("teacher", but=teacher))
    response = outsider.goto(url)
    assert response.status == 404


def test_opening_a_trajectory_without_a_pupil_keeps_what_was_typed(page, login_as):
    login_as(page, "support")
    page.goto("t/new")
    page.locator("[name=target][value=pupil]").check()
    page.locator("[name=educational_need]").fill("Structuur bij overgangen")
    page.locator("form:has([name=new_pupil_name]) [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/t/new$"))
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.locator("[name=educational_need]")).to_have_value("Structuur bij overgangen")
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()


TEMPLATE = "ass_predictability.observation"


def test_write_an_observation_with_a_plugin_template(page, new_context, live_server, login_as,
                                                     open_trajectory, axe, unlabelled_fields,
                                                     shoot):
    login_as(page, "support")
    teacher = live_server.user_with_role("teacher")
    url = open_trajectory(page, pupil=pupil_name("Lotte"), teacher=teacher)
    page.goto(url + "/entries/new")
    assert axe(page) == []
    page.locator(f"a[href*='template={TEMPLATE}']").click()
    expect(page.locator(f"[data-template='{TEMPLATE}']")).to_be_visible()
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    shoot(page, "observation-template")

    seen = "Bij de overgang naar de turnles bleef ze aan de deur staan, handen over de oren."
    page.locator("[name=seen]").fill(seen)
    # The template's required question is left open first: the error says so, nothing is lost.
    page.locator("[name=tpl_stress_level][value='4']").check()
    page.locator("button[name=action][value=publish]").click()
    expect(page.locator("#tpl_just_before-error, .has-error").first).to_be_visible()
    expect(page.locator("[name=seen]")).to_have_value(seen)
    expect(page.locator("[name=tpl_stress_level][value='4']")).to_be_checked()
    assert axe(page) == []

    page.locator("[name=tpl_just_before]").fill("De turnles ging onaangekondigd door in de refter.")
    page.locator("[name=tpl_unannounced_change][value=place]").check()
    page.locator("[name=tags]").fill("overgangen")
    page.locator("button[name=action][value=publish]").click()
    expect(page).to_have_url(re.compile(r"/entries/[\w-]+$"))
    main = page.locator("main")
    expect(main).to_contain_text(seen)
    expect(main).to_contain_text("De turnles ging onaangekondigd door in de refter.")
    expect(main).to_contain_text("Waar: een ander lokaal of een andere plaats")
    expect(main).to_contain_text("ASS: observatie van een stressmoment")
    assert axe(page) == []
    shoot(page, "observation")
    entry_url = page.url

    # Published to the team: the teacher finds it on the trajectory's timeline.
    teacher_page = new_context().new_page()
    login_as(teacher_page, teacher)
    teacher_page.goto(url)
    teacher_page.locator(f"#timeline a[href='{entry_url.removeprefix(live_server.url[:-1])}']"
                         ).first.click()
    expect(teacher_page.locator("main")).to_contain_text(seen)
