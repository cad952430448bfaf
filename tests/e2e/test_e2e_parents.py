"""The parents' page in Chromium: the ondersteuner shares a goal in plain words and an
agreement and makes a link for each parent; a parent opens theirs on a phone, reads the goal,
agrees with it and sends a message; the team sees the message on the timeline and the
agreement on the goal; a stopped link answers 404 while the other parent's still works. axe-core
checks the parents' page, the pupil's page and the team's sharing page."""

from __future__ import annotations

import re
import secrets
from datetime import date
from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE

#: Is anything wider than the window (so a phone user has to scroll sideways)?
OVERFLOW_JS = "() => document.documentElement.scrollWidth > window.innerWidth + 1"


def _make_link(team, name: str, audience: str = "parent") -> str:
    form = team.locator("form:has([name=audience])")
    form.locator(f"[name=audience][value={audience}]").check()
    form.locator("[name=name]").fill(name)
    form.get_by_role("button", name="Link maken").click()
    url = team.locator("#new-link-url").input_value()
    assert re.search(r"/family/[A-Za-z0-9_-]{43}$", url), url
    return url


def test_a_parent_reads_agrees_and_reacts_on_a_phone_and_the_team_sees_it(
        new_context, live_server, login_as, open_trajectory, axe, unlabelled_fields):
    team = new_context().new_page()
    login_as(team, "ondersteuner")
    pupil = f"Mila {secrets.token_hex(2)}"
    trajectory_url = open_trajectory(team, pupil=pupil, teacher="leraar")
    team.goto(trajectory_url + "/goals/new")
    team.locator("[name=text]").fill("Automatiseert de splitsingen tot tien.")
    team.locator("[name=review_date]").fill((date.today() + timedelta(days=30)).isoformat())
    team.locator("form:has([name=review_date]) [type=submit]").click()
    team.goto(trajectory_url + "/entries/new?kind=agreement")
    team.locator("[name=what]").fill("Mila mag de splitsingskaart gebruiken bij elke oefening.")
    team.locator("[name=applied_by]").fill("alle leraren van 3B")
    team.locator("[name=from_date]").fill(date.today().isoformat())
    team.locator("[name=review_date]").fill((date.today() + timedelta(days=40)).isoformat())
    team.locator("button[name=action][value=publish]").click()
    team.wait_for_load_state()

    # What we share: the goal in plain words, the agreement, the pupil's page.
    team.goto(trajectory_url + "/parents")
    assert axe(team) == [] and unlabelled_fields(team) == []
    team.locator("[name=goal_ids]").first.check()
    goal_id = team.locator("[name=goal_ids]").first.get_attribute("value")
    team.locator(f"#plain_{goal_id}").fill("Mila leert **snel** rekenen tot tien.")
    team.locator("[name=agreement_keys]").first.check()
    team.locator("[name=pupil_page]").check()
    team.get_by_role("button", name="Bewaren wat we delen").click()
    expect(team.locator(".flash-success")).to_be_visible()
    mama = _make_link(team, "Sarah (mama)")
    papa = _make_link(team, "Tom (papa)")
    child = _make_link(team, pupil, audience="pupil")

    # A parent on a phone.
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    response = phone.goto(mama)
    assert response.status == 200 and response.headers["cache-control"] == "no-store"
    expect(phone.locator("h1")).to_contain_text(pupil)
    expect(phone.locator("#goals")).to_contain_text("Mila leert snel rekenen tot tien.")
    expect(phone.locator("#agreements")).to_contain_text("splitsingskaart")
    assert "Automatiseert" not in phone.locator("main").inner_text()  # the team's own wording
    assert axe(phone) == [] and unlabelled_fields(phone) == []
    assert not phone.evaluate(OVERFLOW_JS)
    phone.get_by_role("button", name="Ik ga akkoord met dit doel").click()
    expect(phone.locator("#goals")).to_contain_text("Je ging akkoord op")
    phone.get_by_label("Je bericht").fill("Thuis oefenen we met de splitsingskaart van school.")
    phone.get_by_role("button", name="Versturen").click()
    expect(phone.locator(".flash-success")).to_contain_text("Het team leest je bericht")
    expect(phone.locator("#sent-title")).to_be_visible()

    # The pupil's page: simpler words, larger type.
    pupil_page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    assert pupil_page.goto(child).status == 200
    expect(pupil_page.locator("h1")).to_contain_text(f"Hallo {pupil}!")
    assert axe(pupil_page) == [] and not pupil_page.evaluate(OVERFLOW_JS)

    # The team sees the message on the timeline and the agreement on the goal.
    team.goto(trajectory_url + "?kind=voice#timeline")
    timeline = team.locator("#timeline")
    expect(timeline).to_contain_text("Thuis oefenen we met de splitsingskaart")
    expect(timeline).to_contain_text("geschreven door Sarah (mama) op de eigen pagina")
    team.goto(trajectory_url + f"/goals/{goal_id}")
    expect(team.locator(".agreed-with")).to_contain_text("aangeduid door Sarah (mama)")

    # Stopping the father's link: it answers 404; the mother's goes on.
    team.goto(trajectory_url + "/parents")
    team.get_by_role("button", name="De link van Tom (papa) stopzetten").click()
    expect(team.locator(".flash-success")).to_contain_text("werkt niet meer")
    other = new_context(viewport=PHONE, is_mobile=True).new_page()
    assert other.goto(papa).status == 404
    assert other.goto(mama).status == 200
