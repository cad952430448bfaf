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
