"""Comments on entries: added by the team, rendered safely, counted on the timeline card."""

from __future__ import annotations

import pytest

from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def entry(client, login, users, make_trajectory):
    trajectory = make_trajectory(users["teacher"], users["support"])
    login(client, "teacher")
    client.post(f"/t/{trajectory['id']}/entries/new?kind=observation",
                data={"date": "2025-03-10", "seen": "Hij start pas na de buur.", "action": "publish"})
    (doc,) = get_store().entries.find(trajectory_id=trajectory["id"])
    return doc


def comment_url(entry):
    return f"/t/{entry['trajectory_id']}/entries/{entry['id']}/comments"


def show_url(entry):
    return f"/t/{entry['trajectory_id']}/entries/{entry['id']}"


def test_member_comments_and_everyone_on_the_team_sees_it(app, client, login, users, entry):
    support = login(app.test_client(), "support")
    response = support.post(comment_url(entry), data={"body": "Goed gezien, **probeer** een timer."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#comments")
    (comment,) = get_store().comments.find(entry_id=entry["id"])
    assert comment["author_id"] == users["support"]["id"]
    assert comment["trajectory_id"] == entry["trajectory_id"]
    assert "<strong>probeer</strong>" in comment["html"]
    page = client.get(show_url(entry), headers=EN)
    assert b"<strong>probeer</strong> een timer." in page.data
    assert b"Support" in page.data


def test_comment_author_cannot_be_forged(app, client, login, users, entry):
    client.post(comment_url(entry), data={"body": "Van mij", "author_id": users["support"]["id"],
                                          "entry_id": "other", "trajectory_id": "other"})
    (comment,) = get_store().comments.find(entry_id=entry["id"])
    assert comment["author_id"] == users["teacher"]["id"]
    assert comment["trajectory_id"] == entry["trajectory_id"]


def test_empty_comment_is_refused_and_long_one_keeps_the_text(app, client, login, entry):
    response = client.post(comment_url(entry), data={"body": "   "}, headers=EN)
    assert response.status_code == 400
    assert b'id="body-error"' in response.data
    long_text = "woord " * 1000
    response = client.post(comment_url(entry), data={"body": long_text}, headers=EN)
    assert response.status_code == 400
    assert b"woord woord woord" in response.data
    assert get_store().comments.find(entry_id=entry["id"]) == []


def test_hostile_comment_is_sanitised(client, entry):
    client.post(comment_url(entry), data={"body": "[x](javascript:alert(1)) <script>alert(2)</script>"})
    (comment,) = get_store().comments.find(entry_id=entry["id"])
    assert "<script" not in comment["html"] and 'href="javascript' not in comment["html"]


def test_comment_count_shows_on_the_timeline_card(app, client, login, users, entry):
    client.post(comment_url(entry), data={"body": "Een"})
    client.post(comment_url(entry), data={"body": "Twee"})
    from flask import render_template

    from journal.process.trajectories import people_for

    trajectory = get_store().trajectories.require(entry["trajectory_id"])
    with app.test_request_context(headers=EN):
        html = render_template("entries/_entry.html", entry=get_store().entries.require(entry["id"]),
                               trajectory=trajectory, people=people_for(trajectory))
    assert "2 comments" in html
    assert "Hij start pas na de buur." in html
    assert "Teacher" in html


def test_outsiders_and_read_only_coordinator_cannot_comment(app, login, entry):
    outsider = login(app.test_client(), "outsider_support")
    assert outsider.post(comment_url(entry), data={"body": "Hallo"}).status_code == 404
    coordinator = login(app.test_client(), "coordinator")
    assert coordinator.post(comment_url(entry), data={"body": "Hallo"}).status_code == 403
    assert b"Your comment" not in coordinator.get(show_url(entry), headers=EN).data
    assert get_store().comments.find(entry_id=entry["id"]) == []


def test_comments_on_a_draft_stay_with_its_authors(app, client, login, users, make_trajectory):
    trajectory = make_trajectory(users["teacher"], users["support"])
    login(client, "teacher")
    client.post(f"/t/{trajectory['id']}/entries/new?kind=observation",
                data={"date": "2025-03-10", "seen": "Concept", "action": "draft"})
    (draft,) = get_store().entries.find(trajectory_id=trajectory["id"])
    support = login(app.test_client(), "support")
    assert support.post(comment_url(draft), data={"body": "Hallo"}).status_code == 404
    assert client.post(comment_url(draft), data={"body": "Notitie voor mezelf"}).status_code == 302


def test_comment_is_audited_without_its_text(client, entry):
    client.post(comment_url(entry), data={"body": "Vertrouwelijk"})
    records = [r for r in get_store().audit.all() if r["object_type"] == "comment"]
    assert [r["action"] for r in records] == ["create"]
    assert "Vertrouwelijk" not in repr(get_store().audit.all())


def test_comment_preview_without_javascript_saves_nothing(client, entry):
    response = client.post(comment_url(entry), data={"body": "Een *idee*", "action": "preview"})
    assert response.status_code == 200
    assert b'id="body-preview"' in response.data and b"<em>idee</em>" in response.data
    assert b"Een *idee*</textarea>" in response.data
    assert get_store().comments.find(entry_id=entry["id"]) == []
