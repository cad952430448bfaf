"""The main flow with the keyboard alone, with a visible focus on every stop."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect


def press_enter(page) -> None:
    """Press Enter on the focused link or button and wait for the next page to load."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_main_flow_with_the_keyboard_alone(page, new_context, live_server, login_as,
                                           open_trajectory, tab_to):
    # Set-up with the mouse: an ondersteuner opens a trajectory with this teacher on the team.
    teacher = live_server.user_with_role("teacher")
    setup = new_context().new_page()
    login_as(setup, "support")
    url = open_trajectory(setup, pupil=f"Jules {secrets.token_hex(2)}", teacher=teacher)
    path = url.removeprefix(live_server.url[:-1])

    # From here on only the keyboard: sign in ...
    page.goto("login")
    tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(teacher)
    tab_to(page, lambda f: f["name"] == "password")
    page.keyboard.type(live_server.password(teacher))
    press_enter(page)
    expect(page).to_have_url(live_server.url)

    # ... open the trajectory from the start page ...
    tab_to(page, lambda f: f["href"] == path, limit=150)
    press_enter(page)
    expect(page).to_have_url(url)

    # ... choose to write an observation ...
    tab_to(page, lambda f: f["href"].endswith("/entries/new"))
    press_enter(page)
    tab_to(page, lambda f: f["href"].endswith("kind=observation"))
    press_enter(page)
    expect(page).to_have_url(re.compile(r"kind=observation"))

    # ... write it and publish it.
    seen = "Bij het dictee keek hij telkens naar zijn buur voor hij begon."
    tab_to(page, lambda f: f["name"] == "seen")
    page.keyboard.type(seen)
    tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "action"
           and "publi" in f["value"])
    press_enter(page)
    expect(page).to_have_url(re.compile(r"/entries/[\w-]+$"))
    expect(page.locator("main")).to_contain_text(seen)

    # Sign out from the menu, still by keyboard.
    page.goto(url)
    tab_to(page, lambda f: f["tag"] == "button" and f["form_action"].endswith("/logout"))
    press_enter(page)
    expect(page).to_have_url(re.compile(r"/login$"))
