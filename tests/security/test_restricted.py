"""The restricted section: only team members with a school-chosen role see it."""

from __future__ import annotations

import pytest

from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def trajectory(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"])


def _url(trajectory):
    return f"/t/{trajectory['id']}/restricted/"


def _add(client, trajectory, **fields):
    data = {"category": "diagnosis", "title": "Attest ASS", "text": "Verslag CLB **2024**"}
    data.update(fields)
    return client.post(_url(trajectory), data=data, headers=EN)


def test_support_member_adds_and_sees_a_note(app, users, login, trajectory):
    client = login(app.test_client(), "support")
    assert _add(client, trajectory).status_code == 302
    page = client.get(_url(trajectory), headers=EN)
    assert page.status_code == 200
    assert b"Attest ASS" in page.data and b"<strong>2024</strong>" in page.data


def test_a_teacher_on_the_team_is_kept_out_by_default(app, users, login, trajectory):
    client = login(app.test_client(), "teacher")
    assert client.get(_url(trajectory)).status_code == 403
    assert _add(client, trajectory).status_code == 403
    assert get_store().restricted_notes.all() == []
    denied = [r for r in get_store().audit.all() if r["action"] == "denied"]
    assert denied and denied[-1]["object_type"] == "restricted"


def test_the_school_can_let_teachers_in(app, users, login, trajectory):
    get_store().settings.set("restricted_roles", ["teacher", "support", "coordinator"])
    client = login(app.test_client(), "teacher")
    assert client.get(_url(trajectory)).status_code == 200


def test_the_coordinator_sees_every_restricted_section(app, users, login, trajectory):
    assert login(app.test_client(), "coordinator").get(_url(trajectory)).status_code == 200


@pytest.mark.parametrize("who", ["outsider_support", "outsider_teacher", "admin"])
def test_people_outside_the_team_get_not_found(app, users, login, trajectory, who):
    client = login(app.test_client(), who)
    assert client.get(_url(trajectory)).status_code == 404
    assert _add(client, trajectory).status_code == 404


def test_a_note_of_another_trajectory_cannot_be_deleted_through_this_one(
        app, users, login, trajectory, make_trajectory):
    other = make_trajectory(users["outsider_support"])
    outsider = login(app.test_client(), "outsider_support")
    _add(outsider, other)
    note = get_store().restricted_notes.all()[0]
    client = login(app.test_client(), "support")
    assert client.post(f"{_url(trajectory)}{note['id']}/delete").status_code == 404
    assert get_store().restricted_notes.get(note["id"])


def test_delete_removes_the_note_and_its_history(app, users, login, trajectory):
    client = login(app.test_client(), "support")
    _add(client, trajectory)
    note = get_store().restricted_notes.all()[0]
    assert client.post(f"{_url(trajectory)}{note['id']}/delete").status_code == 302
    assert get_store().restricted_notes.all() == []


def test_bad_input_is_refused_next_to_the_field_and_kept(app, users, login, trajectory):
    client = login(app.test_client(), "support")
    page = _add(client, trajectory, category="gossip", title="", text="- " * 500 + "x")
    assert page.status_code == 400
    assert b"Choose a kind" in page.data and b"Fill in a title" in page.data
    assert b"too deeply nested" in page.data
    assert b"- - - -" in page.data  # what was typed is kept


def test_viewing_is_audited_with_ids_only(app, users, login, trajectory):
    client = login(app.test_client(), "support")
    _add(client, trajectory)
    client.get(_url(trajectory))
    views = [r for r in get_store().audit.all()
             if r["action"] == "view" and r["object_type"] == "restricted"]
    assert views[-1]["pupil_id"] == trajectory["pupil_id"]
    assert "Attest" not in str(get_store().audit.all())


def test_the_trajectory_page_links_the_restricted_section_only_for_allowed_roles(
        app, users, login, make_trajectory):
    trajectory = make_trajectory(users["teacher"], (users["support"], "support"))
    link = f"/t/{trajectory['id']}/restricted/".encode()
    assert link in login(app.test_client(), "support").get(f"/t/{trajectory['id']}").data
    assert link not in login(app.test_client(), "teacher").get(f"/t/{trajectory['id']}").data
