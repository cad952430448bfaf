"""One ondersteuner, two schools, one centre: the federation story in Chromium.

Two school journals and a centre's journal run as separate ``journal serve`` processes,
each on a loopback address of its own, with the test OpenID provider as a process too
(tests.support.federation_world); both schools are linked to the centre through the
admins' pages. The tests run in file order and share the world: the last one ends a link.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import DESKTOP
from tests.support.federation_world import PEOPLE
from tests.support.federation_world import running_world

SCHOOL_A, SCHOOL_B = "Basisschool De Linde", "Basisschool Sint-Jozef"
#: Milliseconds a page or an expectation may take: a page here may wait for other journals
#: (each call bounded by the world's 15-second federation timeout) on a busy machine.
WAIT = 45_000


@pytest.fixture(scope="module", autouse=True)
def patient_expectations():
    """Give this module's ``expect`` the time the pages may take; back to the default after."""
    expect.set_options(timeout=WAIT)
    yield
    expect.set_options(timeout=None)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with running_world(tmp_path_factory.mktemp("e2e-federation"), ARTIFACTS / "e2e") as running:
        yield running


@pytest.fixture(scope="module")
def contexts(browser):
    """``contexts()`` makes a Flemish desktop browser context; all are closed at the end."""
    made = []

    def make():
        context = browser.new_context(locale="nl-BE", viewport=DESKTOP,
                                      timezone_id="Europe/Brussels")
        context.set_default_timeout(WAIT)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def through_the_provider(page, journal, person: str) -> None:
    """On ``journal``'s sign-in page, choose the provider and sign in there as ``person``."""
    page.locator("a[href*='/login/provider/test-idp']").click()
    expect(page.locator("#username")).to_be_visible()
    page.locator("#username").fill(person)
    page.locator("#password").fill(next(p["password"] for p in PEOPLE
                                        if p["username"] == person))
    page.get_by_role("button", name="Sign in at the test provider").click()
    expect(page).to_have_url(re.compile("^" + re.escape(journal.url)))
    assert "/login" not in page.url, page.locator("main").inner_text()


def with_password(page, journal, username: str) -> None:
    """Sign in at ``journal`` with a demo account's password."""
    page.goto(journal.url + "login")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(journal.password(username))
    page.locator("form:has([name=password]) [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def school_part(page, name: str):
    """The caseload's section of one school."""
    return page.locator("section.caseload-school").filter(
        has=page.get_by_role("heading", name=name, exact=True))


@pytest.fixture(scope="module")
def jonas(world, contexts):
    """Jonas's browser, signed in at the centre through the provider."""
    page = contexts().new_page()
    page.goto(world.centre.url + "login")
    through_the_provider(page, world.centre, "jonas")
    return page


def test_her_caseload_from_both_schools_leads_into_school_a_signed_in_by_the_provider(
        world, jonas, axe):
    jonas.goto(world.centre.url + "centre/caseload")
    a, b = school_part(jonas, SCHOOL_A), school_part(jonas, SCHOOL_B)
    into_a = a.locator(f"a[href^='{world.school_a.url}t/']")
    expect(into_a.first).to_be_visible()
    expect(b.locator(f"a[href^='{world.school_b.url}t/']").first).to_be_visible()
    assert a.locator(f"a[href^='{world.school_b.url}']").count() == 0
    assert b.locator(f"a[href^='{world.school_a.url}']").count() == 0
    # The demo plans her class visit three days ahead, 10:25 to 11:15, in each school.
    for part in (a, b):
        expect(part.locator("li", has=jonas.locator(".badge.visit"))).to_contain_text(
            "10:25-11:15")
    expect(a.locator(".badge.visit")).to_have_text("Klasbezoek")
    assert axe(jonas) == []

    # Into school A: it asks who she is; the same provider answers, and she lands where
    # the link pointed, as her own account there.
    target = into_a.first.get_attribute("href").split("#")[0]
    title = into_a.first.inner_text().strip()
    into_a.first.click()
    expect(jonas).to_have_url(re.compile("^" + re.escape(world.school_a.url) + "login"))
    through_the_provider(jonas, world.school_a, "jonas")
    expect(jonas).to_have_url(re.compile("^" + re.escape(target) + "(#.*)?$"))
    expect(jonas.locator("main h1")).to_contain_text(title.split(" (")[0])
    jonas.goto(world.school_a.url + "account/")
    expect(jonas.locator("main")).to_contain_text("(ondersteuner)")

    # Each journal has its own host, so she is still signed in at the centre.
    jonas.goto(world.centre.url + "centre/caseload")
    expect(school_part(jonas, SCHOOL_A).locator("a").first).to_be_visible()


def test_a_colleague_not_on_school_bs_teams_never_sees_its_pupils(world, contexts):
    page = contexts().new_page()
    page.goto(world.centre.url + "login")
    through_the_provider(page, world.centre, "lien")
    page.goto(world.centre.url + "centre/caseload")
    b = school_part(page, SCHOOL_B)
    expect(b).to_be_visible()
    assert b.locator("a[href*='/t/']").count() == 0
    assert school_part(page, SCHOOL_A).locator("a[href*='/t/']").count() == 0
    shown = page.locator("main").inner_text()
    pupils = [p["display_name"] for p in world.school_b.read("pupils", world.env)]
    assert pupils and not [name for name in pupils if name in shown]


@pytest.mark.parametrize("who, path", [
    ("directeur", "centre/patterns"),
    ("directeur", "centre/library"),
    ("beheer", "centre/admin/schools"),
    ("ondersteuner", "account/reminders"),  # her one calendar feed over the linked schools
])
def test_the_centres_pages_pass_axe(world, contexts, axe, who, path):
    page = contexts().new_page()
    with_password(page, world.centre, who)
    response = page.goto(world.centre.url + path)
    assert response.status == 200
    assert axe(page) == []


def test_the_schools_centres_page_passes_axe(world, contexts, axe):
    page = contexts().new_page()
    with_password(page, world.school_b, "beheer")
    page.goto(world.school_b.url + "admin/centres/")
    expect(page.locator("main")).to_contain_text("Leersteuncentrum De Brug")
    assert axe(page) == []


def test_the_school_admin_ends_the_link_and_its_items_leave_the_caseload_at_once(
        world, contexts, jonas):
    jonas.goto(world.centre.url + "centre/caseload")
    expect(school_part(jonas, SCHOOL_A)).to_be_visible()

    admin = contexts().new_page()
    with_password(admin, world.school_a, "beheer")
    admin.goto(world.school_a.url + "admin/centres/")
    admin.locator(f"form[action$='/admin/centres/{world.link_a}/revoke'] [type=submit]").click()
    expect(admin.locator(".flash").first).to_be_visible()

    jonas.reload()  # no "ask again": what the centre had in memory is gone too
    expect(school_part(jonas, SCHOOL_B)).to_be_visible()
    assert school_part(jonas, SCHOOL_A).count() == 0
    assert jonas.locator(f"a[href^='{world.school_a.url}']").count() == 0
