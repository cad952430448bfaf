"""Every main page, for the roles that use it: axe-core finds no serious or critical problem,
every field is labelled, the page is Dutch; screenshots at desktop and phone width are saved.

The pages are found in the demo school the way a user would: from a trajectory the
ondersteuner is on, its first entry and its first goal.
"""

from __future__ import annotations

import pytest

from playwright.sync_api import expect


@pytest.fixture(scope="module")
def demo_paths(browser, live_server):
    """Paths of a demo trajectory of the ondersteuner, with one of its entries and goals."""
    context = browser.new_context(base_url=live_server.url, locale="nl-BE")
    page = context.new_page()
    support = live_server.user_with_role("support")
    page.goto("login")
    page.locator("[name=username]").fill(support)
    page.locator("[name=password]").fill(live_server.password(support))
    page.locator("form:has([name=password]) [type=submit]").click()
    page.goto("t/")
    found = {}
    hrefs = [link.get_attribute("href") for link in page.locator("main a[href^='/t/']").all()]
    for href in hrefs:
        if href.count("/") != 2 or href == "/t/new":
            continue
        page.goto(href)
        entry = page.locator("#timeline a[href*='/entries/']").first
        goal = page.locator("#goals a[href*='/goals/']:not([href$='/evaluate']):not([href$='/edit'])"
                            ).first
        if entry.count() and goal.count():
            found = {"trajectory": href, "entry": entry.get_attribute("href").split("#")[0],
                     "goal": goal.get_attribute("href").split("#")[0],
                     "trajectory_id": href.rsplit("/", 1)[1]}
            break
    else:
        page.goto("t/")
    where = f"{page.url}: {page.locator('main').inner_text()[:2000]}"
    context.close()
    assert found, f"no demo trajectory of {support} has entries and goals; {where}"
    return found


#: role -> pages (name, path); "{trajectory}", "{entry}" and "{goal}" come from ``demo_paths``.
PAGES = {
    "teacher": [
        ("start-teacher", ""),
        ("account", "account/"),
        ("second-factor", "account/totp"),
        ("account-reminders", "account/reminders"),
    ],
    "support": [
        ("start-support", ""),
        ("trajectories", "t/"),
        ("trajectory", "{trajectory}"),
        ("trajectory-edit", "{trajectory}/edit"),
        ("trajectory-phase", "{trajectory}/phase"),
        ("trajectory-history", "{trajectory}/history"),
        ("entry-choose", "{trajectory}/entries/new"),
        ("entry-new-observation", "{trajectory}/entries/new?kind=observation"),
        ("entry-new-agreement", "{trajectory}/entries/new?kind=agreement"),
        ("entry-new-one-to-one", "{trajectory}/entries/new?kind=one_to_one"),
        ("entry", "{entry}"),
        ("entry-edit", "{entry}/edit"),
        ("entry-history", "{entry}/history"),
        ("goal-show", "{goal}"),
        ("goal-edit", "{goal}/edit"),
        ("goal-history", "{goal}/history"),
        ("visit-new", "{trajectory}/visits/new"),
        ("print-demo", "{trajectory}/print?all=1"),
        ("adaptations", "{trajectory}/adaptations"),
        ("handover", "{trajectory}/handover"),
        ("handover-edit", "{trajectory}/handover/edit"),
        ("synthesis", "{trajectory}/synthesis"),
        ("restricted", "{trajectory}/restricted/"),
        ("school-agreements", "adaptations/school"),
        ("practice-examples", "practice/"),
        ("pupils", "pupils/"),
        ("search", "search?q=overgang"),
        # a bundled plugin's page, in the plugin layout (plugin_page.html), sanitised
        ("plugin-page", "p/tos_instruction/trajectories/{trajectory_id}/feasibility"),
    ],
    "coordinator": [
        ("start-coordinator", ""),
        ("trajectories-all", "t/?closed=1"),
        ("patterns", "patterns/"),
        ("privacy", "privacy/"),
        ("audit", "audit/"),
    ],
    "admin": [
        ("start-admin", ""),
        ("admin-accounts", "admin/accounts/"),
        ("admin-account-new", "admin/accounts/new"),
        ("admin-security", "admin/security"),
        ("admin-mail", "admin/mail/"),
    ],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_are_accessible(role, page, live_server, login_as, demo_paths, axe,
                                   unlabelled_fields, shoot):
    login_as(page, role)
    problems = {}
    for name, path in PAGES[role]:
        response = page.goto(path.format(**demo_paths).lstrip("/"))
        found = []
        if response.status != 200:
            found.append(f"status {response.status}")
        else:
            expect(page.locator("main")).to_be_visible()
            if page.evaluate("document.documentElement.lang") != "nl":
                found.append("the page is not marked as Dutch")
            found += [f"unlabelled field {f}" for f in unlabelled_fields(page)]
            found += axe(page)
            shoot(page, name)
        if found:
            problems[f"{name} (/{path.format(**demo_paths).lstrip('/')})"] = found
    assert problems == {}
