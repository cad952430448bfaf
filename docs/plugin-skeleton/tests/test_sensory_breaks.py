"""Tests of the sensory breaks plugin.

The journal ships the fixtures (``app``, ``client``, ``users``, ``login``,
``register_plugin`` …) and contract checks through its pytest plugin, so
``pip install journal`` (or ``pip install -e path/to/journal``) is all it takes.
"""

from __future__ import annotations

from pathlib import Path

import journal_sensory_breaks as plugin
from journal.plugins.testing import assert_old_entries_render
from journal.plugins.testing import assert_plugin_contract
from journal.plugins.entry_templates import registry

#: One example entry per published template version, written once with
#: journal.plugins.testing.save_entry_fixtures(plugin, FIXTURES) and committed.
FIXTURES = Path(__file__).parent / "entry_fixtures"


def test_the_plugin_keeps_the_contract():
    checked = assert_plugin_contract(plugin, "sensory_breaks")
    assert [t.id for t in checked["templates"]] == ["sensory_breaks.agreement"]


def test_old_entries_still_render():
    assert assert_old_entries_render(plugin, FIXTURES, "sensory_breaks") >= 1


def test_the_template_is_suggested_for_sensory_trajectories(plugin_host, register_plugin):
    register_plugin(plugin, "sensory_breaks")
    suggested = registry.suggested(plugin_host, {"focus_areas": ["sensorisch"]})
    assert [t.id for t in suggested] == ["sensory_breaks.agreement"]


def test_teachers_can_fill_it_in(app, users, login, make_trajectory, register_plugin):
    register_plugin(plugin, "sensory_breaks")
    trajectory = make_trajectory(users["teacher"], users["support"], focus_areas=["ass"])
    teacher = login(app.test_client(), "teacher")
    page = teacher.get(f"/t/{trajectory['id']}/entries/new?kind=agreement"
                       f"&template=sensory_breaks.agreement")
    assert page.status_code == 200
    assert "Koptelefoon tegen geluid" in page.get_data(as_text=True)
