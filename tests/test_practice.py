"""The learning network: practice examples exported without names after a review,
imported into another journal as suggestions, browsed, adopted and used."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

import journal_ass_predictability as ass_plugin
from journal.plugins.entry_templates import registry
from journal.process import practice_file
from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD
from journal.plugins.testing import make_test_app

EN = {"Accept-Language": "en"}
PUPIL = "Amira Zonneveld"


@pytest.fixture
def world(app, users, register_plugin, make_pupil, make_trajectory, make_entry):
    """A trajectory with an ASS checklist (the visual steps work) and a free agreement."""
    from journal.plugins.host import get_plugins

    register_plugin(ass_plugin, "ass_predictability")
    pupil = make_pupil(PUPIL, "3A")
    make_pupil("Bodhi Verhaegen", "3B")
    trajectory = make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                                 focus_areas=["ass"], phase="implementation")
    spec = registry.find(get_plugins(), "ass_predictability.adaptations")
    checklist = make_entry(
        trajectory, users["teacher"], "agreement", template=spec,
        answers={"activities": {"visual_steps": {"status": "werkt", "note": "Amira in 3A"}},
                 "time": {"day_schedule": {"status": "ga_ik_proberen", "note": ""}}},
        date="2025-03-03", what="Voorspelbaarheid", applied_by="klasleraar",
        from_date="2025-03-03", review_date="2025-06-30")
    free = make_entry(trajectory, users["teacher"], "agreement",
                      what="Amira krijgt een time-outkaart, net als haar broer Jonas.\n\n"
                           "Bodhi helpt haar als buddy.", tags="compenseren")
    observation = make_entry(trajectory, users["teacher"], "observation", seen="Kijkt rond.")
    return {"trajectory": trajectory, "checklist": checklist, "free": free,
            "observation": observation, "pupil": pupil}


def pre_content(html: str) -> str:
    match = re.search(r'<pre class="version-text" id="file-content"[^>]*>(.*?)</pre>', html, re.S)
    assert match, "the review shows the file"
    return unescape(match.group(1))


def export_form(html: str) -> MultiDict:
    """The hidden fields of the review page's download form, as a browser would send them."""
    start = html.index('action="/practice/export"')
    form = html[start:html.index("</form>", start)]
    return MultiDict([(unescape(n), unescape(v))
                      for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form)])


def review(client, params: dict, **form):
    data = {"title": "Tijdsblok voor groepswerk", "learned": "Werkt het best als **iedereen** "
            "het stappenplan gebruikt.", "action": "review", **params, **form}
    return client.post("/practice/new", data=data, headers=EN)


def test_the_form_starts_from_the_chosen_adaptation(client, login, world):
    login(client, "teacher")
    page = client.get(f"/practice/new?entry_id={world['checklist']['id']}"
                      "&item=activities.visual_steps", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "visueel stappenplan" in html
    assert '<option value="compenseren" selected>' in html
    assert 'name="focus_areas" value="ass" checked' in html


def test_the_review_shows_exactly_the_file_without_names(client, login, world, users):
    login(client, "teacher")
    page = review(client, {"entry_id": world["free"]["id"]},
                  text=world["free"]["fields"]["what"], terms="Jonas", category="compenseren",
                  focus_areas="ass")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = pre_content(html)
    content = json.loads(text)
    assert content["format"] == "journal.practice_example" and content["format_version"] == 1
    assert content["journal_version"] == "0.1.0"
    shared = content["example"]["adaptation"]["text"]
    assert shared.startswith("[name removed] krijgt een time-outkaart, net als haar broer "
                             "[name removed].")
    assert "[name removed] helpt haar" in shared
    for word in ("Amira", "Zonneveld", "Bodhi", "Jonas", "3A", users["teacher"]["display_name"]):
        assert word not in text
    # The list of what was removed, for the reviewer.
    removed = html[html.index('id="removed-title"'):html.index('id="file-title"')]
    assert "Amira" in removed and "Jonas" in removed and "Bodhi" in removed
    assert content["example"]["adaptation"]["category"] == "compenseren"
    assert content["example"]["focus_areas"] == [{"id": "ass", "label": "ASS (autisme)"}]
    # No ids, dates of the pupil's record or authors travel along.
    assert world["trajectory"]["id"] not in text and world["pupil"]["id"] not in text
    assert "author" not in text and "pupil" not in text


def test_the_download_is_the_reviewed_file_and_is_kept_as_shared(client, login, world):
    login(client, "teacher")
    params = {"entry_id": world["checklist"]["id"], "item": "activities.visual_steps"}
    page = review(client, params, text="Een visueel stappenplan op de bank.", status="werkt",
                  focus_areas="ass")
    html = page.get_data(as_text=True)
    shown = pre_content(html)
    response = client.post("/practice/export", data=export_form(html), headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="praktijkvoorbeeld-tijdsblok-voor-groepswerk.json"'
    assert response.get_data(as_text=True) == shown
    example = json.loads(shown)["example"]
    assert example["adaptation"]["status"] == "werkt"
    (kept,) = get_store().practice_examples.all()
    assert kept["status"] == "shared" and kept["title"] == "Tijdsblok voor groepswerk"
    assert ("export", "practice_example") in [(r["action"], r["object_type"])
                                              for r in get_store().audit.all()]


def test_a_file_that_changed_since_the_review_is_shown_again(client, login, world, make_pupil):
    login(client, "teacher")
    html = review(client, {"entry_id": world["free"]["id"]},
                  text="Een time-outkaart voor Noor.").get_data(as_text=True)
    assert "Noor" in pre_content(html)
    make_pupil("Noor Peeters", "2B")  # a new pupil's name must not leave the school
    response = client.post("/practice/export", data=export_form(html), headers=EN)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "The file changed since you reviewed it" in html
    assert "Noor" not in pre_content(html)
    assert get_store().practice_examples.all() == []


def test_a_template_usage_shares_its_checklist_statuses_but_not_the_notes(client, login, world):
    login(client, "support")
    page = client.get(f"/practice/new?entry_id={world['checklist']['id']}", headers=EN)
    assert 'name="kind" value="template"' in page.get_data(as_text=True)
    html = review(client, {"entry_id": world["checklist"]["id"]}, kind="template").get_data(
        as_text=True)
    example = json.loads(pre_content(html))["example"]
    assert example["kind"] == "template"
    assert example["template"]["id"] == "ass_predictability.adaptations"
    statuses = {i["label"][:20]: i["status"] for i in example["template"]["items"]}
    assert "werkt" in statuses.values() and "ga_ik_proberen" in statuses.values()
    assert "Amira in 3A" not in pre_content(html) and "note" not in pre_content(html)


def test_what_was_typed_stays_when_something_is_missing(client, login, world):
    login(client, "teacher")
    response = review(client, {"entry_id": world["free"]["id"]}, learned="",
                      title="Mijn titel blijft", text="Iets")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="learned-error"' in html and 'value="Mijn titel blijft"' in html


def test_only_shareable_entries_of_readable_trajectories(client, login, world, make_entry, users):
    login(client, "outsider_teacher")
    assert client.get(f"/practice/new?entry_id={world['free']['id']}").status_code == 404
    assert review(client, {"entry_id": world["free"]["id"]}).status_code == 404
    client.post("/logout")
    login(client, "teacher")
    assert client.get(f"/practice/new?entry_id={world['observation']['id']}").status_code == 404
    draft = make_entry(world["trajectory"], users["teacher"], "agreement", publish=False)
    assert client.get(f"/practice/new?entry_id={draft['id']}").status_code == 404
    assert client.get(f"/practice/new?entry_id={world['checklist']['id']}"
                      "&item=activities.nope").status_code == 404
    client.post("/logout")
    login(client, "admin")
    assert client.get(f"/practice/new?entry_id={world['free']['id']}").status_code == 403
    assert client.get("/practice/").status_code == 403


# -- importing into another journal -----------------------------------------------------

def exported_file(client, login, world) -> bytes:
    login(client, "teacher")
    html = review(client, {"entry_id": world["free"]["id"]},
                  text="Een time-outkaart op de bank.",
                  learned="Kort aankondigen helpt.\n\n<script>alert(1)</script>"
                  ).get_data(as_text=True)
    return pre_content(html).encode("utf-8")


@pytest.fixture
def other(tmp_path, test_password_hash):
    """A second journal (another school), with its own coordinator and teacher."""
    second = make_test_app(tmp_path / "other")
    with second.app_context():
        for name, roles in (("coordinator", ["coordinator"]), ("teacher", ["teacher"])):
            get_store().users.create({"username": name, "display_name": f"Other {name}",
                                      "roles": roles, "password_hash": test_password_hash,
                                      "active": True, "locale": "en"})
    return second


def sign_in(app, name):
    client = app.test_client()
    response = client.post("/login", data={"username": name, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def upload(client, data: bytes, name="voorbeeld.json"):
    # Encoded in memory: the test client spools a large body to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return client.post("/practice/import", data=body, headers=EN,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_another_journal_imports_the_file_as_a_suggestion(client, login, world, other):
    data = exported_file(client, login, world)
    coordinator = sign_in(other, "coordinator")
    response = upload(coordinator, data)
    assert response.status_code == 302
    page = coordinator.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Tijdsblok voor groepswerk" in page and "Suggestion from another school" in page
    assert "Kort aankondigen helpt." in page and "<script>alert" not in page
    with other.app_context():
        (example,) = get_store().practice_examples.all()
        assert example["status"] == "suggestion" and example["origin"] == "imported"
        assert "<script" not in example["html"]["learned"]
    library = coordinator.get("/practice/", headers=EN).get_data(as_text=True)
    suggestions = library[library.index("Suggestions from other schools"):
                          library.index("Adopted in our school")]
    assert "Tijdsblok voor groepswerk" in suggestions
    # The same file again is not added twice.
    assert upload(coordinator, data).status_code == 302
    with other.app_context():
        assert len(get_store().practice_examples.all()) == 1


@pytest.mark.parametrize("data, message", [
    (b"", "Choose a practice example file"),
    (b"not json", "cannot be read as JSON"),
    (b"\xff\xfe", "cannot be read as JSON"),
    (b"[1, 2]", "not a practice example file from a journal"),
    (json.dumps({"format": "something.else"}).encode(), "not a practice example file"),
    (json.dumps({"format": "journal.practice_example", "format_version": 7,
                 "example": {}}).encode(), "made by a newer journal"),
    (json.dumps({"format": "journal.practice_example", "format_version": "1"}).encode(),
     "which format version"),
    (json.dumps({"format": "journal.practice_example", "format_version": 1,
                 "example": {"title": "", "learned": 5, "kind": "spell"}}).encode(),
     "cannot be imported"),
    (b"{" + b" " * (practice_file.MAX_FILE_BYTES + 1) + b"}", "too large"),
])
def test_the_import_refuses_what_is_not_a_valid_practice_example(other, data, message):
    coordinator = sign_in(other, "coordinator")
    response = upload(coordinator, data)
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    with other.app_context():
        assert get_store().practice_examples.all() == []


def test_oversized_fields_are_refused(other):
    example = {"format": "journal.practice_example", "format_version": 1,
               "example": {"title": "x" * 500, "learned": "ok", "kind": "adaptation",
                           "adaptation": {"text": "y"}}}
    response = upload(sign_in(other, "coordinator"), json.dumps(example).encode())
    assert response.status_code == 400 and "title: longer than" in response.get_data(as_text=True)


def test_a_teacher_browses_adopts_and_starts_an_agreement_from_an_example(
        client, login, world, users):
    data = exported_file(client, login, world)
    client.post("/logout")
    login(client, "coordinator")
    assert upload(client, data).status_code == 302
    example = next(e for e in get_store().practice_examples.all() if e["status"] == "suggestion")
    client.post("/logout")
    login(client, "teacher")
    assert upload(client, data).status_code == 403  # teachers browse; importing is for coordination
    page = client.get(f"/practice/{example['id']}", headers=EN).get_data(as_text=True)
    assert "Start an agreement from this example" in page
    assert client.post(f"/practice/{example['id']}/adopt").status_code == 302
    assert get_store().practice_examples.get(example["id"])["status"] == "adopted"
    response = client.post(f"/practice/{example['id']}/adopt",
                           data={"trajectory_id": world["trajectory"]["id"]})
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
    entry_id = response.headers["Location"].rstrip("/").split("/")[-2]
    draft = get_store().entries.get(entry_id)
    assert draft["status"] == "draft" and draft["kind"] == "agreement"
    assert "time-outkaart" in draft["fields"]["what"]
    assert "praktijkvoorbeeld" in draft["tags"]
    # Someone outside the trajectory cannot write into it through an example.
    client.post("/logout")
    login(client, "outsider_teacher")
    assert client.post(f"/practice/{example['id']}/adopt",
                       data={"trajectory_id": world["trajectory"]["id"]}).status_code == 404
    # Only the coordinator removes an example.
    assert client.post(f"/practice/{example['id']}/delete").status_code == 403
    client.post("/logout")
    login(client, "coordinator")
    assert client.post(f"/practice/{example['id']}/delete").status_code == 302
    assert get_store().practice_examples.get(example["id"]) is None
