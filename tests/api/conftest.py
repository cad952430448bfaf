"""Fixtures for the API tests: tokens and a small school with one trajectory."""

from __future__ import annotations

import pytest

from journal.security.sessions import create_token
from journal.storage import get_store


@pytest.fixture
def bearer(users):
    """``bearer(name)`` returns request headers carrying a fresh token of that test user."""

    def headers(name: str) -> dict:
        _, secret = create_token(users[name], "tests")
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def pupil(app):
    """A pupil document."""
    return get_store().pupils.create({"display_name": "Pupil A", "class_group": "3B", "left_on": None})


@pytest.fixture
def trajectory(users, pupil):
    """A pupil trajectory whose team is the test teacher and support specialist."""
    return get_store().trajectories.create(
        {
            "target": "pupil", "pupil_id": pupil["id"], "title": "Reading", "phase": "observation",
            "educational_need": "", "learning_question": "", "focus_areas": [],
            "members": [{"user_id": users["teacher"]["id"], "role": "teacher"},
                        {"user_id": users["support"]["id"], "role": "support"}],
            "start_date": "2025-09-01", "planned_end_date": None, "closed_on": None,
            "created_by": users["support"]["id"], "html": {},
        }
    )
