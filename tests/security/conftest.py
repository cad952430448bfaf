"""Helpers for the security tests."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from journal.security.sessions import create_token
from journal.storage import get_store

from .world import attachments


def shift(iso: str, **delta) -> str:
    """Return the ISO time ``iso`` moved back by ``delta`` (``minutes=31``, ``hours=9``)."""
    return (datetime.fromisoformat(iso) - timedelta(**delta)).isoformat()


def ago(**delta) -> str:
    """Return the ISO time ``delta`` before now (UTC)."""
    return (datetime.now(timezone.utc) - timedelta(**delta)).isoformat()


@pytest.fixture
def sessions_of(app):
    """``sessions_of(user)`` returns the server-side session records of that user."""

    def find(user: dict) -> list[dict]:
        return get_store().sessions.find(user_id=user["id"])

    return find


def audit_actions(**match) -> list[dict]:
    """Return the audit records whose fields equal ``match``."""
    return [r for r in get_store().audit.all() if all(r.get(k) == v for k, v in match.items())]


@pytest.fixture
def world(app, users, make_pupil, make_trajectory, make_goal, make_entry, make_comment):
    """Team A (teacher, support) and team B (the outsiders) with one trajectory each;
    everything of team B carries :data:`MARKER`."""
    store = get_store()
    host = app.extensions["journal.plugins"]
    store.settings.set("enabled_plugins", sorted(host.records))
    mine = make_trajectory(users["teacher"], users["support"], title="Traject Alfa")
    pupil = make_pupil(display_name="Zorgleerling Zeta", class_group="Zeta-klas")
    theirs = make_trajectory(users["outsider_teacher"], users["outsider_support"],
                             pupil_id=pupil["id"], title="Traject Zeta",
                             learning_question="Zeta-leervraag")
    goal = make_goal(theirs, text="Zeta-doel")
    entry = make_entry(theirs, users["outsider_teacher"], seen="Zeta-observatie omega")
    comment = make_comment(entry, users["outsider_support"], "Zeta-reactie")
    note = store.restricted_notes.create({
        "trajectory_id": theirs["id"], "pupil_id": pupil["id"], "category": "diagnosis",
        "title": "Zeta-attest", "text": "Zeta", "html": {"text": "<p>Zeta</p>"},
        "created_by": users["outsider_support"]["id"]})
    token, _ = create_token(users["outsider_support"], "Zeta-sleutel")
    attachment, picture = attachments(theirs, users["outsider_support"])
    from journal.process import family_links

    link, _secret = family_links.create_link(users["outsider_support"], theirs["id"],
                                             {"audience": "parent", "name": "Zeta-mama"})
    visit = store.visits.create({
        "trajectory_id": theirs["id"], "pupil_id": pupil["id"], "date": "2099-03-02",
        "start_time": None, "end_time": None, "visitor_ids": [users["outsider_support"]["id"]],
        "purpose": "Zeta-bezoek", "status": "planned",
        "created_by": users["outsider_support"]["id"]})
    # Admin routes act on this account, so the matrix never locks out an insider.
    bystander = store.users.create({"username": "bystander", "display_name": "Bystander",
                                    "roles": ["teacher"], "password_hash": "x", "active": True})
    return {"mine": mine, "theirs": theirs, "pupil": pupil, "goal": goal, "entry": entry,
            "comment": comment, "note": note, "token": token, "bystander": bystander,
            "attachment": attachment, "picture": picture, "link": link,
            "visit": visit}
