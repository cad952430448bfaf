"""Revision history of entries: who changed what, when, and the old text."""

from __future__ import annotations

import pytest

from journal.process import entry_forms
from journal.process import entry_history
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def entry(client, login, users, make_trajectory):
    trajectory = make_trajectory(users["teacher"], users["support"])
    login(client, "teacher")
    client.post(f"/t/{trajectory['id']}/entries/new?kind=agreement", data={
        "date": "2025-03-10", "what": "Instructie in stappen op het bord.", "applied_by": "Leraar wiskunde",
        "from_date": "2025-03-11", "review_date": "2025-04-30", "action": "publish"})
    (doc,) = get_store().entries.find(trajectory_id=trajectory["id"])
    return doc


def edit(test_client, entry, **changes):
    data = entry_forms.form_of(entry["kind"], entry_forms.values_of(entry))
    data = {k: v for k, v in data.items() if v not in (False, None)}
    data.update(rev=get_store().entries.require(entry["id"])["rev"], action="save", **changes)
    return test_client.post(f"/t/{entry['trajectory_id']}/entries/{entry['id']}/edit", data=data)


def history_url(entry):
    return f"/t/{entry['trajectory_id']}/entries/{entry['id']}/history"


def test_history_shows_who_changed_what_and_the_old_text(app, client, login, users, entry):
    support = login(app.test_client(), "support")
    assert edit(support, entry, what="Instructie in stappen op het bord en op papier.",
                applied_by="Alle leraren van 3B").status_code == 302
    page = client.get(history_url(entry), headers=EN)
    assert page.status_code == 200
    text = page.data.decode()
    assert "Version 2: Support" in text
    assert "Instructie in stappen op het bord." in text          # the old text
    assert "Instructie in stappen op het bord en op papier." in text  # the new text
    assert "Leraar wiskunde" in text and "Alle leraren van 3B" in text
    assert "What we agree" in text and "Who applies it" in text


def test_history_service_lists_changes_newest_first(app, client, login, users, entry):
    edit(client, entry, review_date="2025-05-15")
    support = login(app.test_client(), "support")
    edit(support, entry, tags="visueel")
    current = get_store().entries.require(entry["id"])
    changes = entry_history.history(current)
    assert [c["rev"] for c in changes] == [3, 2]
    assert [c["by"] for c in changes] == [users["support"]["id"], users["teacher"]["id"]]
    (review,) = changes[1]["changes"]
    assert review["key"] == "fields.review_date"
    assert (review["old"], review["new"]) == ("2025-04-30", "2025-05-15")
    assert changes[1]["old"]["fields"]["review_date"] == "2025-04-30"


def test_publishing_and_contributions_appear_in_history(app, client, login, users, make_trajectory):
    trajectory = make_trajectory(users["teacher"], users["support"])
    login(client, "teacher")
    client.post(f"/t/{trajectory['id']}/entries/new?kind=reflection",
                data={"date": "2025-03-12", "model": "korthagen", "action": "draft",
                      "conclusions": "C", "next_steps": "N"})
    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    client.post(f"/t/{trajectory['id']}/entries/{entry['id']}/publish")
    client.post(f"/t/{trajectory['id']}/entries/{entry['id']}/contributions",
                data={"phase": "handelen", "text": "Nieuwe bijdrage"})
    page = client.get(history_url(entry), headers=EN).data.decode()
    assert "Contributions" in page and "Nieuwe bijdrage" in page
    assert "Status" in page and "published" in page


def test_history_of_an_unchanged_entry_says_so(client, entry):
    page = client.get(history_url(entry), headers=EN)
    assert b"has not been changed" in page.data


def test_history_follows_entry_access(app, login, entry):
    outsider = login(app.test_client(), "outsider_teacher")
    assert outsider.get(history_url(entry)).status_code == 404
    coordinator = login(app.test_client(), "coordinator")
    assert coordinator.get(history_url(entry)).status_code == 200


def test_line_diff_marks_removed_and_added_lines():
    diff = entry_history.line_diff("een\ntwee\ndrie", "een\nTWEE\ndrie\nvier")
    assert diff == [(" ", "een"), ("-", "twee"), ("+", "TWEE"), (" ", "drie"), ("+", "vier")]
