"""The network library: school A publishes the reviewed, anonymised example to its centre;
school B browses it from its own journal and adopts it through its practice service."""

from __future__ import annotations

import pytest

from journal.federation import links
from journal.plugins.testing import TEST_PASSWORD
from journal.plugins.testing import make_test_app
from journal.storage import get_store
from tests.security.corpus import elements
from tests.support.federation import admin
from tests.support.federation import make_user
from tests.support.federation import pair
from tests.support.federation import serving


@pytest.fixture
def network(app, users, school_url, centre_app, centre_url, tmp_path):
    school_b = make_test_app(tmp_path / "b", JOURNAL_SCHOOL_NAME="Sint-Jozef")
    make_user(school_b, "zorg.b", ["coordinator"])
    with serving(school_b) as url_b:
        link_a = pair(app, school_url, centre_app, centre_url, shares=("library",))
        link_b = pair(school_b, url_b, centre_app, centre_url, shares=("library",))
        yield {"school_b": school_b, "link_a": link_a, "link_b": link_b}


def _form(html: str, action: str) -> dict:
    """The fields of the form posting to ``action`` on a page (hidden ones included)."""
    data, inside = {}, False
    for tag, attrs in elements(html):
        if tag == "form":
            inside = (attrs.get("action") or "").endswith(action)
        elif inside and tag == "input" and attrs.get("name") and attrs.get("type") == "hidden":
            data.setdefault(attrs["name"], []).append(attrs.get("value") or "")
    return data


def _publish(client, entry, link_id):
    review = client.post("/practice/new", data={
        "entry_id": entry["id"], "title": "Time-outkaart voor Ella",
        "learned": "Werkt als Ella zelf kiest wanneer.", "text": "Time-outkaart op de bank.",
        "kind": "adaptation", "terms": "", "category": "", "status": ""})
    assert review.status_code == 200, review.get_data(as_text=True)
    page = review.get_data(as_text=True)
    assert "Publish to Leersteuncentrum De Brug" in page
    data = _form(page, "/practice/export")
    data["centre"] = link_id
    return client.post("/practice/export", data=data)


def test_published_at_a_adopted_at_b(app, users, login, make_trajectory, make_entry,
                                     make_pupil, network, centre_app):
    pupil = make_pupil(display_name="Ella Janssens")
    trajectory = make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                                 focus_areas=["ass"])
    entry = make_entry(trajectory, users["support"], "agreement")
    client = login(app.test_client(), "support")
    done = _publish(client, entry, network["link_a"])
    assert done.status_code == 302 and done.headers["Location"].endswith("/practice/network/")
    with centre_app.app_context():
        (kept,) = get_store().network_examples.all()
    assert "Ella" not in repr(kept["content"])  # the names were removed before it left
    assert kept["content"]["example"]["title"].startswith("Time-outkaart voor ")
    shared = get_store().practice_examples.find(status="shared")
    assert len(shared) == 1
    assert any(r["action"] == "export" and r["detail"] == f"centre:{network['link_a']}"
               for r in get_store().audit.all())

    school_b = network["school_b"]
    b = school_b.test_client()
    b.post("/login", data={"username": "zorg.b", "password": TEST_PASSWORD})
    listing = b.get("/practice/network/").get_data(as_text=True)
    assert kept["content"]["example"]["title"] in listing and "Basisschool De Linde" in listing
    adopted = b.post(f"/practice/network/{network['link_b']}/{kept['id']}/adopt")
    assert adopted.status_code == 302
    with school_b.app_context():
        (example,) = get_store().practice_examples.all()
        assert example["status"] == "adopted" and example["origin"] == "imported"
        records = {(r["action"], r["object_type"]) for r in get_store().audit.all()}
    assert ("create", "practice_example") in records and ("update", "practice_example") in records
    page = b.get(adopted.headers["Location"]).get_data(as_text=True)
    assert kept["content"]["example"]["title"] in page
    # School A sees its own example as its own, and can take it back.
    own = client.get("/practice/network/").get_data(as_text=True)
    assert "published by our school" in own
    client.post(f"/practice/network/{network['link_a']}/{kept['id']}/withdraw")
    with centre_app.app_context():
        assert get_store().network_examples.all() == []


def test_a_school_that_does_not_share_the_library_neither_publishes_nor_browses(
        app, users, network, centre_app, login):
    link = get_store().federation_links.get(network["link_a"])
    links.set_shares(admin("a"), link["id"], links.clean_shares(["caseload"]))
    client = login(app.test_client(), "support")
    assert b"Network library" not in client.get("/practice/").data
    page = client.get("/practice/network/").get_data(as_text=True)
    assert "shares no network library" in page
    with centre_app.app_context():
        from journal.federation import library

        assert library.offered() == []


def test_ending_a_link_takes_its_examples_out_of_the_centre(app, network, centre_app):
    with centre_app.app_context():
        get_store().network_examples.create({
            "link_id": network["link_a"], "school": "A", "content": {}, "title": "t",
            "kind": "adaptation", "focus_areas": [], "digest": "d", "published_on": ""})
        link = get_store().federation_links.get(network["link_a"])
        with centre_app.test_request_context():
            links.revoke(admin("centre-admin"), link["id"])
        assert get_store().network_examples.all() == []
    assert get_store().federation_links.get(network["link_a"])["status"] == "revoked"


def test_hostile_content_is_refused_by_the_centre(app, network, centre_app):
    from journal.federation.client import Unreachable
    from tests.security.corpus import all_hostile
    from tests.security.corpus import sample

    link = get_store().federation_links.get(network["link_a"])
    for text in sample(all_hostile(), 30):
        for content in ({"format": text}, {"format": "journal.practice_example",
                                           "format_version": 1, "example": {"title": text}}):
            with pytest.raises(Unreachable) as caught:
                links.ask_peer(link, "POST", "/federation/v1/library", {"content": content})
            assert caught.value.status == 400
    with centre_app.app_context():
        assert get_store().network_examples.all() == []


def test_hostile_listing_items_are_cleaned():
    from journal.federation.library import clean_summary
    from tests.security.corpus import all_hostile
    from tests.security.corpus import sample

    for text in sample(all_hostile(), 80):
        item = clean_summary({"id": text, "title": text, "kind": text, "school": text,
                              "focus_areas": [{"label": text}], "own": text})
        assert item["own"] is False and item["kind"] == ""
        assert item["id"] == "" or item["id"] == text
        assert len(item["title"]) <= 120 and len(item["school"]) <= 120


def test_only_an_active_link_that_shares_the_library_takes_examples_in_or_out(app, users, login):
    from journal.errors import Forbidden
    from journal.errors import NotFound
    from journal.federation import library

    def link(status, library_shared):
        return get_store().federation_links.create({
            "side": "school", "peer_name": "Leersteuncentrum", "peer_url": "https://centre.invalid",
            "status": status, "shares": {"library": library_shared, "caseload": True}})["id"]

    not_shared, revoked, shared = link("active", False), link("revoked", True), link("active", True)
    refused = [(not_shared, "ex-1"), (revoked, "ex-1"), ("no-such-link", "ex-1"), (shared, "x" * 65)]
    client = login(app.test_client(), "support")
    for link_id, example_id in refused:
        for action in ("adopt", "withdraw"):
            response = client.post(f"/practice/network/{link_id}/{example_id}/{action}")
            assert response.status_code == 404, (link_id, example_id, action)
        with pytest.raises(NotFound):
            library.adopt_from_centre(users["support"], link_id, example_id)
    with pytest.raises(Forbidden):  # the service itself refuses a teacher, not only the page
        library.withdraw_from_centre(users["teacher"], shared, "ex-1")
    assert get_store().practice_examples.all() == []


def test_the_adopted_example_carries_the_confirmed_picture_only(
        app, users, login, make_trajectory, make_entry, make_pupil, network, centre_app):
    from io import BytesIO

    from PIL import Image

    from journal.process import attachments
    from tests.test_attachments import jpeg

    pupil = make_pupil(display_name="Ella Janssens")
    trajectory = make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"])
    entry = make_entry(trajectory, users["support"], "agreement")
    step_card, class_photo = (attachments.add(
        users["support"], trajectory["id"], "entry", entry["id"],
        [(f"{name}.jpg", jpeg((900, 600), color=color), name)])[0]
        for name, color in (("Stappenkaart", "yellow"), ("Ella in de klas", "red")))
    client = login(app.test_client(), "support")
    review = client.post("/practice/new", data={
        "entry_id": entry["id"], "title": "Stappenkaart", "learned": "Werkt.",
        "text": "Een stappenkaart op de bank.", "kind": "adaptation",
        "pictures": [step_card["id"], class_photo["id"]]})
    data = _form(review.get_data(as_text=True), "/practice/export")
    data.update(centre=network["link_a"], confirmed=[step_card["id"]])
    assert client.post("/practice/export", data=data).status_code == 302
    with centre_app.app_context():
        (kept,) = get_store().network_examples.all()
    (shared,) = kept["content"]["example"]["pictures"]
    assert shared["caption"] == "Stappenkaart" and "Ella" not in repr(kept["content"])

    school_b = network["school_b"]
    b = school_b.test_client()
    b.post("/login", data={"username": "zorg.b", "password": TEST_PASSWORD})
    adopted = b.post(f"/practice/network/{network['link_b']}/{kept['id']}/adopt")
    assert adopted.status_code == 302
    with school_b.app_context():
        (example,) = get_store().practice_examples.all()
        (picture,) = attachments.of_owner("practice", example["id"])
        pixel = Image.open(BytesIO(attachments.read(picture))).convert("RGB").getpixel((10, 10))
    assert pixel[0] > 200 and pixel[1] > 200 and pixel[2] < 80  # the yellow step card, not red
    page = b.get(adopted.headers["Location"]).get_data(as_text=True)
    assert f"/practice/files/{picture['id']}/thumb" in page
    assert b.get(f"/practice/files/{picture['id']}").status_code == 200
    # School B never learns the ids of school A's own files.
    assert b.get(f"/practice/files/{class_photo['id']}").status_code == 404
