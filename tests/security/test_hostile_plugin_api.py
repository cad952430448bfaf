"""Hostile text through the plugin API (journal.plugins.api.create_entry): refused with a
field error or stored inert, never a crash and never markup on the entry page."""

from __future__ import annotations

import pytest

from journal.plugins import api
from journal.storage import get_store

from .corpus import all_hostile
from .corpus import sample
from .test_hostile_input import assert_no_injected_markup

FIELDS = ("seen", "quick_wins", "class_group", "lesson", "tags", "date")


def test_hostile_text_written_by_a_plugin_is_refused_or_inert(app, users, login, make_trajectory):
    trajectory = make_trajectory(users["teacher"], users["support"])
    hostile = sample(all_hostile(), 60)
    refused = 0
    for n, text in enumerate(hostile):
        field = FIELDS[n % len(FIELDS)]
        data = {"date": "2025-03-10", "seen": "Gezien.", field: text}
        try:
            api.create_entry(users["teacher"], trajectory["id"], "observation", data, publish=True)
        except api.ValidationError as exc:
            assert exc.errors and all(exc.errors.values())
            refused += 1
    stored = get_store().entries.find(trajectory_id=trajectory["id"])
    assert len(stored) + refused == len(hostile) and len(stored) > len(hostile) // 2
    audits = [r for r in get_store().audit.all() if r["action"] == "create"]
    assert len(audits) == len(stored)
    assert not any(text in repr(audits) for text in hostile if len(text) > 8)
    client = login(app.test_client(), "support")
    for entry in stored:
        page = client.get(f"/t/{trajectory['id']}/entries/{entry['id']}")
        assert page.status_code == 200
        assert_no_injected_markup(page.get_data(as_text=True), f"entry {entry['id']}")


@pytest.mark.parametrize("trajectory_id", ["", "../x", "<script>", "a" * 5000, None])
def test_a_hostile_trajectory_id_is_not_found(app, users, trajectory_id):
    with pytest.raises(api.NotFound):
        api.create_entry(users["teacher"], trajectory_id, "observation",
                         {"date": "2025-03-10", "seen": "x"})
