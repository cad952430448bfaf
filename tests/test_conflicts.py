"""Two people editing one entry: the later save never silently overwrites the earlier one."""

from __future__ import annotations

import pytest

from journal.process import entries as entry_service
from journal.process import entry_forms
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def entry(client, login, users, make_trajectory):
    trajectory = make_trajectory(users["teacher"], users["support"])
    login(client, "teacher")
    client.post(f"/t/{trajectory['id']}/entries/new?kind=observation", data={
        "date": "2025-03-10", "lesson": "Wiskunde", "seen": "Regel een\nRegel twee\nRegel drie",
        "quick_wins": "Bord gebruiken", "tags": "instructie", "action": "publish"})
    (doc,) = get_store().entries.find(trajectory_id=trajectory["id"])
    return doc


def form_of(entry, **changes):
    data = entry_forms.form_of(entry["kind"], entry_forms.values_of(entry))
    data = {k: v for k, v in data.items() if v not in (False, None)}
    data.update(rev=entry["rev"], action="save")
    data.update(changes)
    return data


def edit_url(entry):
    return f"/t/{entry['trajectory_id']}/entries/{entry['id']}/edit"


def test_second_save_of_the_same_field_gets_409_with_both_versions(app, client, login, entry):
    teacher = client
    support = login(app.test_client(), "support")
    # Both open the edit form at the same revision.
    assert b'name="rev" value="1"' in teacher.get(edit_url(entry)).data
    assert b'name="rev" value="1"' in support.get(edit_url(entry)).data

    first = support.post(edit_url(entry), data=form_of(entry, seen="Regel een\nRegel TWEE van support\nRegel drie"))
    assert first.status_code == 302
    second = teacher.post(edit_url(entry), headers=EN,
                          data=form_of(entry, seen="Regel een\nRegel twee\nRegel drie\nRegel vier van leraar"))
    assert second.status_code == 409
    page = second.data.decode()
    assert "Your version" in page and "The version saved by Support" in page
    assert "Regel TWEE van support" in page
    assert "Regel vier van leraar" in page
    # The merge form starts from the teacher's text and the current revision.
    assert 'name="rev" value="2"' in page
    assert ">Regel een\nRegel twee\nRegel drie\nRegel vier van leraar</textarea>" in page
    # The line diff marks what differs.
    assert 'diff-add' in page and 'diff-del' in page
    # Nothing was overwritten.
    stored = get_store().entries.require(entry["id"])
    assert stored["rev"] == 2 and "Regel TWEE van support" in stored["fields"]["seen"]


def test_merge_save_against_the_current_revision_succeeds(app, client, login, users, entry):
    support = login(app.test_client(), "support")
    support.post(edit_url(entry), data=form_of(entry, seen="Versie support"))
    assert client.post(edit_url(entry), data=form_of(entry, seen="Versie leraar")).status_code == 409
    merged = client.post(edit_url(entry), data=form_of(entry, rev=2, seen="Versie support\n\nVersie leraar"))
    assert merged.status_code == 302
    stored = get_store().entries.require(entry["id"])
    assert stored["fields"]["seen"] == "Versie support\n\nVersie leraar"
    assert stored["rev"] == 3
    assert set(stored["authors"]) == {users["teacher"]["id"], users["support"]["id"]}
    # Every version is kept: the teacher's rejected attempt lost nothing stored.
    old = [r["document"]["fields"]["seen"] for r in get_store().entries.history(entry["id"])]
    assert old == ["Regel een\nRegel twee\nRegel drie", "Versie support"]


def test_edits_of_different_fields_are_both_kept(app, client, login, entry):
    support = login(app.test_client(), "support")
    assert support.post(edit_url(entry), data=form_of(entry, quick_wins="Pictogrammen")).status_code == 302
    response = client.post(edit_url(entry), data=form_of(entry, seen="Nieuwe observatie", tags="instructie, rust"))
    assert response.status_code == 302
    stored = get_store().entries.require(entry["id"])
    assert stored["fields"]["quick_wins"] == "Pictogrammen"
    assert stored["fields"]["seen"] == "Nieuwe observatie"
    assert stored["tags"] == ["instructie", "rust"]
    assert stored["rev"] == 3


def test_the_merge_form_keeps_the_other_persons_changes_to_untouched_fields(app, client, login, entry):
    support = login(app.test_client(), "support")
    support.post(edit_url(entry), data=form_of(entry, seen="Support zag dit", quick_wins="Pictogrammen"))
    conflict = client.post(edit_url(entry), data=form_of(entry, seen="Leraar zag dat"))
    assert conflict.status_code == 409
    page = conflict.data.decode()
    # Quick wins changed only on the other side: the merge form holds their value, so
    # saving the merge form does not undo it.
    assert ">Pictogrammen</textarea>" in page
    assert ">Leraar zag dat</textarea>" in page


def test_same_change_on_both_sides_is_no_conflict(app, client, login, entry):
    support = login(app.test_client(), "support")
    support.post(edit_url(entry), data=form_of(entry, lesson="Frans"))
    assert client.post(edit_url(entry), data=form_of(entry, lesson="Frans")).status_code == 302


def test_service_raises_edit_conflict_and_writes_nothing(app, users, entry):
    data = entry_forms.form_of(entry["kind"], entry_forms.values_of(entry))
    entry_service.edit_entry(users["support"], entry["id"], dict(data, seen="A"), expected_rev=1)
    with pytest.raises(entry_service.EditConflict) as caught:
        entry_service.edit_entry(users["teacher"], entry["id"], dict(data, seen="B"), expected_rev=1)
    assert caught.value.keys == ["fields.seen"]
    assert caught.value.current["fields"]["seen"] == "A"
    assert caught.value.mine["fields.seen"] == "B"
    assert get_store().entries.require(entry["id"])["rev"] == 2


def test_saving_without_changes_makes_no_new_revision(client, entry):
    assert client.post(edit_url(entry), data=form_of(entry)).status_code == 302
    assert get_store().entries.require(entry["id"])["rev"] == 1


def test_a_missing_or_bad_revision_is_refused(client, entry):
    data = form_of(entry)
    del data["rev"]
    assert client.post(edit_url(entry), data=data).status_code == 400
    assert client.post(edit_url(entry), data=form_of(entry, rev="x")).status_code == 400


def test_parallel_saves_lose_no_update(app, users, entry):
    """Threads saving at once from the same revision: every change is kept or refused, none lost."""
    import threading

    data = entry_forms.form_of(entry["kind"], entry_forms.values_of(entry))
    outcomes = {}

    def save(name, user, key, text):
        with app.app_context():
            try:
                entry_service.edit_entry(user, entry["id"], dict(data, **{key: text}), expected_rev=1)
                outcomes[name] = "saved"
            except entry_service.EditConflict:
                outcomes[name] = "conflict"

    jobs = [
        threading.Thread(target=save, args=("a", users["teacher"], "lesson", "Frans")),
        threading.Thread(target=save, args=("b", users["support"], "moment", "Maandag")),
        threading.Thread(target=save, args=("c", users["support"], "seen", "C")),
        threading.Thread(target=save, args=("d", users["teacher"], "seen", "D")),
    ]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    stored = get_store().entries.require(entry["id"])
    assert outcomes["a"] == outcomes["b"] == "saved"
    assert stored["fields"]["lesson"] == "Frans" and stored["fields"]["moment"] == "Maandag"
    # Of the two edits of the same field exactly one wins; the other is told, not overwritten.
    assert sorted([outcomes["c"], outcomes["d"]]) == ["conflict", "saved"]
    winner = "C" if outcomes["c"] == "saved" else "D"
    assert stored["fields"]["seen"] == winner
    assert stored["rev"] == 4
