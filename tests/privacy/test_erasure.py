"""Erasing a pupil with everything that refers to them."""

from __future__ import annotations

import pytest

from journal.privacy import erasure
from journal.storage import get_store

EN = {"Accept-Language": "en"}


def _remaining(school) -> dict:
    store = get_store()
    lotte = school["lotte"]["id"]
    tids = {school["reading"]["id"], school["older"]["id"]}
    everything = [(name, d) for name in ("pupils", "trajectories", "goals", "entries", "comments",
                                         "restricted_notes", "privacy_requests", "voices",
                                         "family_pages", "family_links")
                  for d in getattr(store, name).all()]
    everything += [("plugin", dict(d)) for d in store.db.table("plugin:tos_instruction").all()]
    everything += [("revisions", dict(d)) for d in store.db.table("revisions").all()]
    return [name for name, d in everything
            if d.get("id") == lotte or d.get("pupil_id") == lotte or d.get("trajectory_id") in tids
            or d.get("object_id") in {school["plain"]["id"], *tids}
            or (d.get("document") or {}).get("pupil_id") == lotte]


def test_erasure_removes_everything_that_refers_to_the_pupil(app, users, school):
    assert _remaining(school)
    gone = erasure.erase_pupil(school["lotte"]["id"], actor_id=users["coordinator"]["id"])
    assert gone >= 10
    assert _remaining(school) == []
    # Jonas and his data stay.
    store = get_store()
    assert store.pupils.get(school["jonas"]["id"])
    assert store.entries.get(school["jonas_entry"]["id"])


def test_erasure_leaves_a_content_free_audit_record(app, users, school):
    erasure.erase_pupil(school["lotte"]["id"], actor_id=users["coordinator"]["id"])
    record = [r for r in get_store().audit.all() if r["action"] == "erase"][-1]
    assert record["object_id"] == school["lotte"]["id"]
    assert record["user_id"] == users["coordinator"]["id"]
    assert "Lotte" not in str(get_store().audit.all())


def test_erased_text_is_gone_from_the_files_on_disk(tmp_path, make_pupil):
    from journal.security.passwords import hash_password  # noqa: F401 (the app needs no users here)
    from journal.plugins.testing import make_test_app

    disk = make_test_app(tmp_path / "disk", JOURNAL_IN_MEMORY=False,
                         JOURNAL_DATA_DIR=str(tmp_path / "disk-data"))
    with disk.app_context():
        store = get_store()
        pupil = store.pupils.create({"display_name": "Uniekenaam Xyzzy", "class_group": "1A"})
        trajectory = store.trajectories.create({"pupil_id": pupil["id"], "title": "Plugh-traject",
                                                "members": []})
        entry = store.entries.create({"trajectory_id": trajectory["id"], "pupil_id": pupil["id"],
                                      "fields": {"seen": "Geheimwoord Quuxly"}})
        store.entries.update(entry["id"], {"fields": {"seen": "Geheimwoord Quuxly bis"}})
        erasure.erase_pupil(pupil["id"])
        data = b"".join(p.read_bytes() for p in (tmp_path / "disk-data").rglob("*") if p.is_file())
        for word in (b"Xyzzy", b"Plugh", b"Quuxly"):
            assert word not in data
        store.close()


def test_erasure_drops_the_words_from_the_search_index(app, users, login, school):
    client = login(app.test_client(), "coordinator")
    assert b"Lezen" in client.get("/search?q=samen").data
    erasure.erase_pupil(school["lotte"]["id"])
    assert b"Lezen" not in client.get("/search?q=samen").data


@pytest.fixture
def coordinator(app, users, login):
    return login(app.test_client(), "coordinator")


def test_the_page_asks_to_type_the_name(coordinator, school):
    url = f"/privacy/pupils/{school['lotte']['id']}/erase"
    page = coordinator.get(url, headers=EN)
    assert b"cannot be undone" in page.data and b"Entries: 4" in page.data
    wrong = coordinator.post(url, data={"confirm": "Lotte"}, headers=EN)
    assert wrong.status_code == 400 and b"Type the pupil" in wrong.data
    assert get_store().pupils.get(school["lotte"]["id"])
    done = coordinator.post(url, data={"confirm": "  lotte   peeters "})
    assert done.status_code == 302
    assert get_store().pupils.get(school["lotte"]["id"]) is None


@pytest.mark.parametrize("who", ["teacher", "support", "admin"])
def test_only_the_coordinator_erases(app, users, login, school, who):
    client = login(app.test_client(), who)
    url = f"/privacy/pupils/{school['lotte']['id']}/erase"
    assert client.post(url, data={"confirm": "Lotte Peeters"}).status_code == 403
    assert get_store().pupils.get(school["lotte"]["id"])
