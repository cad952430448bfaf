"""The care coordinator's overview: every trajectory of the school and what needs attention."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect


def test_coordinator_overview(page, new_context, live_server, login_as, open_trajectory, axe,
                              shoot):
    # An ondersteuner and a teacher open a trajectory without the coordinator on the team.
    setup = new_context().new_page()
    login_as(setup, "support")
    name = f"Sara {secrets.token_hex(2)}"
    url = open_trajectory(setup, pupil=name, teacher=live_server.user_with_role("teacher"))
    path = url.removeprefix(live_server.url[:-1])

    login_as(page, "coordinator")
    # What needs attention in the whole school: the demo school has an overdue goal and
    # trajectories where nothing was written for weeks.
    expect(page.locator(".attention.overdue a[href*='/goals/']").first).to_be_visible()
    expect(page.locator(".attention.quiet a[href^='/t/']").first).to_be_visible()
    assert axe(page) == []
    shoot(page, "coordinator-overview")

    # Every trajectory of the school, also those she is not on the team of, by phase.
    page.locator("main a[href='/t/']").first.click()
    row = page.locator("main tr", has_text=name)
    expect(row).to_have_count(1)
    page.goto("t/?phase=intake")
    expect(page.locator("main tr", has_text=name)).to_have_count(1)
    page.goto("t/?phase=closed")
    expect(page.locator("main tr", has_text=name)).to_have_count(0)
    assert axe(page) == []

    page.goto("t/?phase=intake")
    page.locator(f"main a[href='{path}']").click()
    expect(page).to_have_url(url)
    expect(page.locator("main")).to_contain_text("Voorspelbaarheid: weten wat er komt")

    # The overdue goal leads to the goal itself.
    page.goto("")
    goal = page.locator(".attention.overdue a[href*='/goals/']").first
    goal_text = goal.inner_text().rstrip(".…")
    goal.click()
    expect(page).to_have_url(re.compile(r"/t/[\w-]+/goals/[\w-]+$"))
    expect(page.locator("main")).to_contain_text(goal_text)
