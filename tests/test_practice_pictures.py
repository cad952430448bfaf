"""Pictures in shared practice examples: picked by the author, each confirmed by the reviewer
("no person can be recognised"), re-encoded and without names; unconfirmed ones never leave."""

from __future__ import annotations

import base64
import io
import json
from html import unescape

import pytest
from PIL import Image

from journal.errors import StaleRevision
from journal.errors import ValidationError
from journal.process import attachments
from journal.process import practice
from journal.process import practice_pictures
from journal.storage import get_store

from tests.test_attachments import gif_js_polyglot
from tests.test_attachments import jpeg
from tests.test_attachments import jpeg_with_metadata
from tests.test_practice import EN
from tests.test_practice import export_form
from tests.test_practice import other  # noqa: F401 (fixture)
from tests.test_practice import pre_content
from tests.test_practice import review
from tests.test_practice import sign_in
from tests.test_practice import upload
from tests.test_practice import world  # noqa: F401 (fixture)


def add_picture(world, users, body=None, caption="Amira's stappenplan op de bank"):
    (doc,) = attachments.add(users["teacher"], world["trajectory"]["id"], "entry",
                             world["free"]["id"], [("Amira-stappenplan.jpg",
                                                    body or jpeg((1600, 1200)), caption)])
    return doc


def reviewed(client, world, **form):
    return review(client, {"entry_id": world["free"]["id"]}, text="Een time-outkaart.", **form)


def confirmed_form(html: str, *ids: str):
    form = export_form(html)
    for picture_id in ids:
        form.add("confirmed", picture_id)
    return form


def audit_details(object_id: str) -> list[str]:
    return [r["detail"] for r in get_store().audit.all() if r.get("object_id") == object_id]


# -- the service -----------------------------------------------------------------------------

def values(**extra):
    return practice.clean_form({"title": "Stappenplan", "learned": "Het helpt.",
                                "text": "Een stappenplan.", **extra})


def test_only_confirmed_pictures_enter_the_file_and_each_decision_is_audited(world, users):
    shown = add_picture(world, users)
    hidden = add_picture(world, users, caption="De klas")
    teacher = users["teacher"]
    source = practice.load_source(teacher, {"entry_id": world["free"]["id"]})
    draft = practice.draft(teacher, source, values(pictures=[shown["id"], hidden["id"]]))
    assert [d["id"] for d in draft.pictures] == [shown["id"], hidden["id"]]
    assert draft.captions[0] == "[name removed]'s stappenplan op de bank"
    assert "pictures" not in draft.content["example"]  # the text reviewed has no pictures
    content = practice.finish(teacher, draft, draft.digest, [shown["id"]], destination="file")
    (picture,) = content["example"]["pictures"]
    assert picture["caption"] == "[name removed]'s stappenplan op de bank"
    image = Image.open(io.BytesIO(base64.b64decode(picture["content_base64"])))
    assert image.format == "JPEG" and max(image.size) == practice_pictures.PICTURE_SIDE
    assert audit_details(shown["id"])[-1] == "practice:no_person_confirmed:file"
    assert audit_details(hidden["id"])[-1] == "practice:left_out:file"


def test_a_change_after_the_review_needs_a_new_review(world, users):
    picture = add_picture(world, users)
    teacher = users["teacher"]
    source = practice.load_source(teacher, {"entry_id": world["free"]["id"]})
    seen = practice.draft(teacher, source, values(pictures=[picture["id"]])).digest
    # Another picture picked, the caption changed, or the text changed: each is a new review.
    other_picture = add_picture(world, users, caption="Kaart")
    for changed in (values(pictures=[picture["id"], other_picture["id"]]),
                    values(pictures=[picture["id"]], text="Een ander stappenplan.")):
        with pytest.raises(StaleRevision):
            practice.finish(teacher, practice.draft(teacher, source, changed), seen, [picture["id"]],
                            destination="file")
    get_store().attachments.update(picture["id"], lambda d: d.update(caption="Bij Amira thuis"),
                                   actor_id=teacher["id"])
    with pytest.raises(StaleRevision):
        practice.finish(teacher, practice.draft(teacher, source, values(pictures=[picture["id"]])),
                        seen, [picture["id"]], destination="file")


def test_only_the_sources_pictures_the_author_may_see_can_be_picked(
        world, users, make_trajectory, make_entry):
    elsewhere = make_trajectory(users["outsider_teacher"])
    foreign_entry = make_entry(elsewhere, users["outsider_teacher"], "agreement")
    (foreign,) = attachments.add(users["outsider_teacher"], elsewhere["id"], "entry",
                                 foreign_entry["id"], [("x.jpg", jpeg(), "")])
    teacher = users["teacher"]
    source = practice.load_source(teacher, {"entry_id": world["free"]["id"]})
    draft = practice.draft(teacher, source, values(pictures=[foreign["id"]]))
    assert draft.pictures == []
    content = practice.finish(teacher, draft, draft.digest, [foreign["id"]], destination="file")
    assert "pictures" not in content["example"]


def test_a_pdf_is_no_picture_for_an_example(world, users):
    source = practice.load_source(users["teacher"], {"entry_id": world["free"]["id"]})
    with pytest.raises(ValidationError) as refused:
        practice_pictures.add(users["teacher"], source, [("plan.pdf", b"%PDF-1.4 x", "")])
    assert "Only pictures" in str(refused.value)
    assert attachments.of_owner("entry", world["free"]["id"]) == []


def test_more_pictures_than_allowed_are_refused_with_the_text_kept(client, login, world, users):
    ids = [add_picture(world, users)["id"] for _ in range(practice_pictures.MAX_PICTURES + 1)]
    login(client, "teacher")
    page = reviewed(client, world, pictures=ids, learned="Wat we leerden blijft staan.")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Choose at most 3 pictures" in html and "Wat we leerden blijft staan." in html


# -- the pages ---------------------------------------------------------------------------------

def test_the_author_picks_and_the_reviewer_confirms_per_picture(client, login, world, users):
    picture = add_picture(world, users)
    login(client, "teacher")
    form = client.get(f"/practice/new?entry_id={world['free']['id']}", headers=EN)
    assert f'name="pictures" value="{picture["id"]}"' in form.get_data(as_text=True)
    html = reviewed(client, world, pictures=picture["id"]).get_data(as_text=True)
    assert "No person can be recognised in this picture" in html
    assert f'name="confirmed" value="{picture["id"]}"' in html
    thumb = f"/t/{world['trajectory']['id']}/files/{picture['id']}/thumb"
    assert thumb in html  # the reviewer sees the picture beside the text
    # Not confirmed: the download has no picture, and the library keeps none.
    response = client.post("/practice/export", data=export_form(html), headers=EN)
    assert response.status_code == 200 and "pictures" not in json.loads(response.data)["example"]
    (example,) = get_store().practice_examples.all()
    assert attachments.of_owner("practice", example["id"]) == []


def test_a_confirmed_picture_is_shared_scaled_down_and_without_names(client, login, world, users):
    picture = add_picture(world, users)
    login(client, "teacher")
    html = reviewed(client, world, pictures=picture["id"]).get_data(as_text=True)
    reviewed_text = pre_content(html)
    response = client.post("/practice/export", data=confirmed_form(html, picture["id"]),
                           headers=EN)
    text = response.get_data(as_text=True)
    content = json.loads(text)
    (shared,) = content["example"].pop("pictures")
    assert practice.dumps(content) == reviewed_text  # the text is what was reviewed
    assert "Amira" not in text and "stappenplan.jpg" not in text
    data = base64.b64decode(shared["content_base64"])
    assert b"Exif" not in data and max(Image.open(io.BytesIO(data)).size) == 1024
    (example,) = get_store().practice_examples.all()
    (kept,) = attachments.of_owner("practice", example["id"])
    page = client.get(f"/practice/{example['id']}", headers=EN).get_data(as_text=True)
    assert f"/practice/files/{kept['id']}/thumb" in page
    assert 'alt="[name removed]&#39;s stappenplan op de bank"' in page
    served = client.get(f"/practice/files/{kept['id']}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "no-store"


def test_a_picture_changed_after_the_review_sends_the_reviewer_back(client, login, world, users):
    picture = add_picture(world, users)
    login(client, "teacher")
    html = reviewed(client, world, pictures=picture["id"]).get_data(as_text=True)
    attachments.delete(users["teacher"], world["trajectory"]["id"], picture["id"])
    replacement = add_picture(world, users)
    form = confirmed_form(html, picture["id"])
    form.add("pictures", replacement["id"])
    response = client.post("/practice/export", data=form, headers=EN)
    assert response.status_code == 409
    assert "Check it again" in response.get_data(as_text=True)
    assert get_store().practice_examples.all() == []


def test_the_author_uploads_a_picture_and_keeps_what_was_typed(client, login, world, users):
    login(client, "teacher")
    data = {"entry_id": world["free"]["id"], "title": "Stappenplan", "learned": "Getypt.",
            "text": "Een kaart.", "action": "upload", "caption": "Kaart op de bank",
            "attachments": (io.BytesIO(jpeg_with_metadata()), "Amira.jpg")}
    page = client.post("/practice/new", data=data, headers=EN,
                       content_type="multipart/form-data")
    assert page.status_code == 200
    (kept,) = attachments.of_owner("entry", world["free"]["id"])  # kept with the agreement
    html = page.get_data(as_text=True)
    assert f'name="pictures" value="{kept["id"]}" checked' in html and "Getypt." in html
    assert b"CameraMaker" not in attachments.read(kept)
    data.update(attachments=(io.BytesIO(b"<svg onload=alert(1)>"), "x.svg"))
    refused = client.post("/practice/new", data=data, headers=EN,
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "Only photos and scans" in unescape(refused.get_data(as_text=True))
    assert "Getypt." in refused.get_data(as_text=True)


# -- files from elsewhere ------------------------------------------------------------------------

def _file_with(pictures) -> bytes:
    return json.dumps({"format": "journal.practice_example", "format_version": 1,
                       "journal_version": "0.1.0", "exported_on": "2025-03-01",
                       "example": {"title": "Stappenplan", "learned": "Het helpt.",
                                   "kind": "adaptation", "focus_areas": [],
                                   "adaptation": {"text": "Een stappenplan.", "category": "",
                                                  "status": ""},
                                   "template": None, "pictures": pictures}}).encode()


def test_an_imported_picture_is_re_encoded_and_kept(other):  # noqa: F811
    body = base64.b64encode(jpeg_with_metadata()).decode()
    coordinator = sign_in(other, "coordinator")
    response = upload(coordinator, _file_with([{"caption": "Kaart", "content_base64": body}]))
    assert response.status_code == 302
    with other.app_context():
        (example,) = get_store().practice_examples.all()
        (kept,) = attachments.of_owner("practice", example["id"])
        stored = attachments.read(kept)
    assert b"<script>" not in stored and b"CameraMaker" not in stored
    page = coordinator.get(f"/practice/{example['id']}", headers=EN).get_data(as_text=True)
    assert f"/practice/files/{kept['id']}/thumb" in page and 'alt="Kaart"' in page


@pytest.mark.parametrize("pictures, message", [
    ([{"content_base64": base64.b64encode(b"<svg onload='alert(1)'/>").decode()}],
     "Only photos and scans"),
    ([{"content_base64": "not base64!"}], "empty or damaged"),
    ([{"content_base64": base64.b64encode(b"%PDF-1.4").decode()}], "not a picture"),
    ([{"content_base64": base64.b64encode(jpeg()).decode()}] * 4, "more than 3 pictures"),
    ("a picture", "more than 3 pictures"),
])
def test_hostile_pictures_in_a_file_are_refused(other, pictures, message):  # noqa: F811
    coordinator = sign_in(other, "coordinator")
    response = upload(coordinator, _file_with(pictures))
    assert response.status_code == 400 and message in unescape(response.get_data(as_text=True))
    with other.app_context():
        assert get_store().practice_examples.all() == []
        assert get_store().attachments.all() == []


def test_a_polyglot_picture_in_a_file_is_neutralised(other):  # noqa: F811
    coordinator = sign_in(other, "coordinator")
    polyglot = base64.b64encode(gif_js_polyglot()).decode()
    assert upload(coordinator, _file_with([{"content_base64": polyglot}])).status_code == 302
    with other.app_context():
        (example,) = get_store().practice_examples.all()
        (kept,) = attachments.of_owner("practice", example["id"])
        assert b"alert" not in attachments.read(kept)


def test_removing_an_example_removes_its_pictures(app, client, login, world, users):
    picture = add_picture(world, users)
    login(client, "teacher")
    html = reviewed(client, world, pictures=picture["id"]).get_data(as_text=True)
    client.post("/practice/export", data=confirmed_form(html, picture["id"]), headers=EN)
    (example,) = get_store().practice_examples.all()
    (kept,) = attachments.of_owner("practice", example["id"])
    coordinator = login(app.test_client(), "coordinator")
    assert coordinator.post(f"/practice/{example['id']}/delete").status_code == 302
    assert get_store().attachments.get(kept["id"]) is None
    assert not (attachments.file_store().folder / kept["file"]["name"]).exists()
    assert coordinator.get(f"/practice/files/{kept['id']}").status_code == 404
    # The agreement keeps its own picture.
    assert get_store().attachments.get(picture["id"]) is not None
