"""The core flows work with JavaScript switched off: sign in, read a trajectory, write an observation."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect


def test_core_flows_without_javascript(new_context, live_server, login_as, open_trajectory):
    teacher = live_server.user_with_role("teacher")
    setup = new_context().new_page()
    login_as(setup, "support")
    url = open_trajectory(setup, pupil=f"Ella {secrets.token_hex(2)}", teacher=teacher)

    page = new_context(java_script_enabled=False).new_page()
    login_as(page, teacher)

    # Read the trajectory.
    page.goto(url)
    expect(page.locator("main")).to_contain_text("Voorspelbaarheid: weten wat er komt")

    # Write an observation: the server-side preview stands in for the live one.
    page.goto(url + "/entries/new?kind=observation")
    expect(page.locator(".preview-toggle")).to_have_count(0)  # journal.js did not run
    seen = "Tijdens het groepswerk nam ze **zelf** het woord."
    page.locator("[name=seen]").fill(seen)
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("main strong", has_text="zelf").first).to_be_visible()
    expect(page.locator("[name=seen]")).to_have_value(seen)
    page.locator("button[name=action][value=publish]").click()
    expect(page).to_have_url(re.compile(r"/entries/[\w-]+$"))
    expect(page.locator("main")).to_contain_text("Tijdens het groepswerk nam ze zelf het woord.")

    # Sign out: a plain form post.
    page.locator("form[action$='/logout'] [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login$"))
