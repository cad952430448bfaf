"""A photo of a pictogram schedule in Chromium: the teacher adds it to an agreement on a
phone-width page, the ondersteuner sees it, a teacher outside the team gets 404 for the file,
and after the coordinator erases the pupil the file is gone from disk and from the next backup."""

from __future__ import annotations

import io
import os
import secrets
from datetime import date
from datetime import timedelta

from PIL import Image
from PIL import ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import JOURNAL_COMMAND
from tests.e2e.conftest import PHONE
from tests.e2e.conftest import _run


def _pictogram_schedule() -> bytes:
    """A small 'photo' of a day schedule: coloured cards in a row."""
    image = Image.new("RGB", (640, 240), "white")
    draw = ImageDraw.Draw(image)
    for n, colour in enumerate(("red", "orange", "green", "blue")):
        draw.rectangle((20 + n * 155, 40, 150 + n * 155, 200), fill=colour, outline="black")
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def _files(instance) -> set[str]:
    folder = instance / "files"
    return set(os.listdir(folder)) if folder.is_dir() else set()


def test_a_photo_on_an_agreement_is_seen_by_the_team_only_and_leaves_with_the_pupil(
        new_context, live_server, login_as, open_trajectory, tmp_path):
    support = new_context().new_page()
    login_as(support, "ondersteuner")
    pupil = f"Lien {secrets.token_hex(2)}"
    trajectory_url = open_trajectory(support, pupil=pupil, teacher="leraar")
    before = _files(live_server.instance)

    teacher = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login_as(teacher, "leraar")
    teacher.goto(trajectory_url + "/entries/new?kind=agreement")
    teacher.locator("[name=what]").fill("Een pictogrammenrooster van de dag op haar bank.")
    teacher.locator("[name=applied_by]").fill("alle leraren van 3B")
    teacher.locator("[name=from_date]").fill(date.today().isoformat())
    teacher.locator("[name=review_date]").fill((date.today() + timedelta(days=30)).isoformat())
    teacher.locator("[name=attachments]").set_input_files(
        {"name": "dagrooster.jpg", "mimeType": "image/jpeg", "buffer": _pictogram_schedule()})
    teacher.locator("[name=caption]").fill("Het dagrooster met pictogrammen")
    teacher.locator("button[name=action][value=publish]").click()
    teacher.wait_for_load_state()
    assert "/entries/new" not in teacher.url, teacher.locator("main").inner_text()
    entry_url = teacher.url.split("#")[0]
    added = _files(live_server.instance) - before
    assert len(added) == 2  # the picture and its thumbnail, under random names

    # The ondersteuner sees the picture on the agreement.
    support.goto(entry_url)
    picture = support.get_by_role("img", name="Het dagrooster met pictogrammen")
    expect(picture).to_be_visible()
    file_url = support.locator("a:has(img)").first.get_attribute("href")
    served = support.request.get(file_url)
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == "no-store"

    # A teacher outside the team: 404 for the file itself.
    outsider = new_context().new_page()
    login_as(outsider, "leraar2")
    assert outsider.request.get(file_url).status == 404

    # The coordinator erases the pupil: the files leave the disk and the next backup.
    coordinator = new_context().new_page()
    login_as(coordinator, "zorg")
    coordinator.goto("privacy/")
    coordinator.locator("tr", has_text=pupil).locator("a[href$='/erase']").click()
    coordinator.locator("[name=confirm]").fill(pupil)
    coordinator.get_by_role("button", name="Definitief wissen").click()
    expect(coordinator.locator(".flash-success")).to_be_visible()
    assert not (added & _files(live_server.instance))
    assert support.request.get(file_url).status == 404
    usb = tmp_path / "usb"
    usb.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    _run([JOURNAL_COMMAND, "--instance", str(live_server.instance), "backup", str(usb)], env,
         live_server.instance.parent)
    (made,) = usb.glob("journal-*.jbak")
    kept = set(os.listdir(usb / (made.name + ".files"))) if (usb / (made.name + ".files")).is_dir() \
        else set()
    assert not (added & kept)
    data = made.read_bytes()
    assert not any(name.encode() in data for name in added)

