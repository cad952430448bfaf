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

    seen = "Bij de overgang naar de turnles bleef ze aan de deur staan, handen over de oren."
    page.locator("[name=seen]").fill(seen)
    # The template's required question is left open first: the error says so, nothing is lost.
    page.locator("[name=tpl_stress_level][value='4']").check()
    page.locator("[name=tpl_situation]").fill("Overgang na de speeltijd")
    shoot(page, "observation-template", at=page.locator("fieldset.template-form"))
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


def test_set_and_evaluate_a_goal(page, live_server, login_as, open_trajectory, axe,
                                 unlabelled_fields, shoot):
    login_as(page, "support")
    teacher = live_server.user_with_role("teacher")
    url = open_trajectory(page, pupil=pupil_name("Noah"), teacher=teacher)
    page.goto(url + "/goals/new")
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    goal = "Begint zelfstandig aan groepswerk na de instructie, 3 keer op 4."
    page.locator("[name=text]").fill(goal)
    page.locator("[name=owner_id]").select_option(live_server.user_id(teacher))
    page.locator("[name=review_date]").fill("2030-03-15")
    page.locator("form:has([name=review_date]) [type=submit]").click()
    card = page.locator("#goals li", has_text=goal)
    expect(card).to_be_visible()
    expect(card).to_contain_text(live_server.users[teacher]["display_name"])

    card.locator("a[href$='/evaluate']").click()
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    achieved = page.locator("[name=status] option[value=achieved]").inner_text().strip()
    # An evaluation without text is refused next to the field; the chosen status stays.
    page.locator("[name=status]").select_option("achieved")
    page.locator("form:has([name=status]) [type=submit]").click()
    expect(page.locator("#text-error")).to_be_visible()
    expect(page.locator("[name=status]")).to_have_value("achieved")

    evaluation = "Lukt nu elke dag met de stappenkaart op de bank."
    page.locator("[name=text]").fill(evaluation)
    page.locator("form:has([name=status]) [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/goals/[\w-]+$"))
    expect(page.locator("main")).to_contain_text(evaluation)
    expect(page.locator("main")).to_contain_text(achieved)
    assert axe(page) == []
    shoot(page, "goal")


def test_print_view_holds_the_trajectory_for_a_team_meeting(page, live_server, login_as,
                                                            open_trajectory, axe, shoot):
    login_as(page, "support")
    name = pupil_name("Emma")
    url = open_trajectory(page, pupil=name, teacher=live_server.user_with_role("teacher"))
    page.goto(url + "/goals/new")
    page.locator("[name=text]").fill("Vraagt hulp met de hulpkaart.")
    page.locator("[name=review_date]").fill("2030-01-20")
    page.locator("form:has([name=review_date]) [type=submit]").click()

    page.goto(url)
    page.locator(f"a[href$='{url.removeprefix(live_server.url[:-1])}/print']").click()
    sheet = page.locator("main")
    expect(sheet).to_contain_text(name)
    expect(sheet).to_contain_text("Voorspelbaarheid: weten wat er komt")
    expect(sheet).to_contain_text("Vraagt hulp met de hulpkaart.")
    assert axe(page) == []
    shoot(page, "print-view")

    # On paper the menus, buttons and forms are left out.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
