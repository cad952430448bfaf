"""The pages of issue #6 in Chromium, for the roles that use them: the adaptations register,
the school-wide agreements, the handover sheet, the synthesis, the patterns and the practice
examples. axe-core finds no serious or critical problem, every field is labelled, the page is
Dutch and nothing is wider than a phone's screen; screenshots are saved at both widths.

A module fixture writes what the pages need through the pages themselves: a TOS trajectory
with a goal, a checklist agreement whose adaptation works, and a saved handover sheet.
"""

from __future__ import annotations

import io
import re
import secrets
from datetime import date
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

#: Is anything wider than the window (so a phone user has to scroll sideways)?
OVERFLOW_JS = "() => document.documentElement.scrollWidth > window.innerWidth + 1"


def _sign_in(page, live_server, username: str) -> None:
    page.goto("login")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(live_server.password(username))
    page.locator("form:has([name=password]) [type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"signing in as {username} failed"


@pytest.fixture(scope="module")
def process_paths(browser, live_server):
    """Paths of a trajectory the ondersteuner opened with the teacher ``leraar``: the
    trajectory, its register, the row of an adaptation that works, its agreement entry."""
    context = browser.new_context(base_url=live_server.url, locale="nl-BE", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    _sign_in(page, live_server, "ondersteuner")
    today = date.today()
    page.goto("t/new")
    page.locator("[name=target][value=pupil]").check()
    page.locator("[name=pupil_id]").select_option("new")
    page.locator("[name=new_pupil_name]").fill(f"Noor {secrets.token_hex(2)}")
    page.locator("[name=new_pupil_class]").fill("5A")
    page.locator("[name=educational_need]").fill("Begrijpt lange instructies niet meteen.")
    page.locator("[name=learning_question]").fill("Hoe geef ik instructie in stappen?")
    page.locator("[name=focus_areas][value=tos]").check()
    page.locator(f"[name='member-{live_server.user_id('leraar')}']").select_option("teacher")
    page.locator("form:has([name=new_pupil_name]) [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/t/new$"))
    trajectory = page.url.removeprefix(live_server.url[:-1])

    page.goto(trajectory.lstrip("/") + "/goals/new")
    page.locator("[name=text]").fill("Start zelfstandig na een instructie in stappen.")
    page.locator("[name=owner_id]").select_option(live_server.user_id("leraar"))
    page.locator("[name=review_date]").fill((today + timedelta(days=30)).isoformat())
    page.locator("form:has([name=owner_id]) [type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()

    page.goto(trajectory.lstrip("/")
              + "/entries/new?kind=agreement&template=tos_instruction.adaptations")
    page.locator("[name=date]").fill(today.isoformat())
    page.locator("[name=what]").fill("Visualiseren bij elke instructie")
    page.locator("[name=applied_by]").fill("alle leraren van 5A")
    page.locator("[name=from_date]").fill(today.isoformat())
    page.locator("[name=review_date]").fill((today + timedelta(days=30)).isoformat())
    page.locator("[name='tpl_instruction-visualise-status']").select_option("werkt")
    page.locator("button[name=action][value=publish]").click()
    expect(page).to_have_url(re.compile(r"/entries/[\w-]+$"))
    entry = page.url.removeprefix(live_server.url[:-1])

    page.goto(trajectory.lstrip("/") + "/adaptations")
    item = page.locator("table.register a[href$='.instruction.visualise']").get_attribute("href")

    page.goto(trajectory.lstrip("/") + "/handover/edit")
    page.locator("button[name=action][value=save]").click()
    expect(page).to_have_url(re.compile(r"/handover$"))
    context.close()
    return {"trajectory": trajectory, "item": item, "entry": entry,
            "entry_id": entry.rsplit("/", 1)[1]}


#: role -> pages (name, path); "{…}" from ``process_paths``.
PAGES = {
    "support": [
        ("adaptations-register", "{trajectory}/adaptations"),
        ("adaptation", "{item}"),
        ("handover", "{trajectory}/handover"),
        ("handover-edit", "{trajectory}/handover/edit"),
        ("handover-print", "{trajectory}/handover/print"),
        ("synthesis", "{trajectory}/synthesis"),
        ("practice-new", "practice/new?entry_id={entry_id}&item=instruction.visualise"),
        ("practice-import", "practice/import"),
    ],
    "teacher": [
        ("adaptation-teacher", "{item}"),
        ("agreements-for-everyone", "adaptations/school"),
        ("practice", "practice/"),
    ],
    "coordinator": [
        ("patterns", "patterns/"),
        ("patterns-tos", "patterns/?focus_area=tos"),
        ("practice-coordinator", "practice/"),
    ],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_process_pages_are_accessible(role, page, login_as, process_paths, axe,
                                      unlabelled_fields, shoot):
    login_as(page, "leraar" if role == "teacher" else role)
    problems = {}
    for name, template in PAGES[role]:
        path = template.format(**process_paths).lstrip("/")
        response = page.goto(path)
        found = []
        if response.status != 200:
            found.append(f"status {response.status}")
        else:
            expect(page.locator("main")).to_be_visible()
            if page.evaluate("document.documentElement.lang") != "nl":
                found.append("the page is not marked as Dutch")
            found += [f"unlabelled field {f}" for f in unlabelled_fields(page)]
            found += axe(page)
            page.set_viewport_size(PHONE)
            if page.evaluate(OVERFLOW_JS):
                found.append("wider than a phone screen")
            page.set_viewport_size(DESKTOP)
            shoot(page, name)
        if found:
            problems[f"{name} (/{path})"] = found
    assert problems == {}


def test_practice_review_and_example_pages_are_accessible(page, login_as, process_paths, axe,
                                                          unlabelled_fields, shoot):
    """The review of the file before it is downloaded (with a picture confirmed as showing no
    one), and the example in the library with its picture."""
    login_as(page, "support")
    page.goto(f"practice/new?entry_id={process_paths['entry_id']}&item=instruction.visualise")
    title = f"Visualiseren bij instructie {secrets.token_hex(3)}"
    page.locator("[name=title]").fill(title)
    page.locator("[name=learned]").fill("Prenten op het bord helpen de hele klas.")
    # A photo of the step card, added here: the typed text stays, the picture is ticked.
    card = io.BytesIO()
    Image.new("RGB", (400, 300), "orange").save(card, "JPEG")
    page.locator("[name=attachments]").set_input_files(
        {"name": "stappenkaart.jpg", "mimeType": "image/jpeg", "buffer": card.getvalue()})
    page.locator("[name=caption]").fill("De stappenkaart op het bord")
    page.locator("button[name=action][value=upload]").click()
    expect(page.locator("[name=title]")).to_have_value(title)
    expect(page.locator("input[name=pictures]:checked")).to_have_count(1)
    assert axe(page) == []
    page.locator("button[name=action][value=review]").click()
    expect(page.locator("#file-content")).to_contain_text(title)
    expect(page.get_by_role("img", name="De stappenkaart op het bord")).to_be_visible()
    assert axe(page) == []
    shoot(page, "practice-review")
    page.locator("input[name=confirmed]").check()
    with page.expect_download() as download:
        page.locator("form[action$='/practice/export'] [type=submit]").first.click()
    with open(download.value.path(), encoding="utf-8") as downloaded:
        assert '"content_base64"' in downloaded.read()

    # What was downloaded is in the library as shared by our school.
    page.goto("practice/")
    page.locator("section[aria-labelledby=section-shared] a", has_text=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("img", name="De stappenkaart op het bord")).to_be_visible()
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    shoot(page, "practice-example")


def test_rating_an_adaptation_works_without_javascript(new_context, live_server, process_paths):
    """The per-teacher answer is a plain form: it works with JavaScript switched off."""
    page = new_context(java_script_enabled=False).new_page()
    _sign_in(page, live_server, "leraar")
    page.goto(process_paths["item"].lstrip("/"))
    form = page.locator("form#rate")
    form.locator("[name=feasible]").select_option("yes")
    form.locator("[name=works]").select_option("no")
    form.locator("[name=note]").fill("In de les LO lukt dit niet.")
    form.locator("[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    row = page.locator("section[aria-labelledby=ratings-title] tbody tr",
                       has_text=live_server.users["leraar"]["display_name"])
    expect(row).to_contain_text("In de les LO lukt dit niet.")
    expect(page.locator("form#rate [name=works]")).to_have_value("no")
