"""Tests of the sensory breaks plugin, with the fixtures the journal ships."""

from pathlib import Path

import journal_sensory_breaks as plugin
from journal.plugins.entry_templates import registry
from journal.plugins.testing import assert_old_entries_render
from journal.plugins.testing import assert_plugin_contract
from journal.plugins.testing import post_template_entry

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


def test_a_teacher_fills_it_in_and_finds_it_on_the_page(app, users, login, make_trajectory,
                                                        register_plugin):
    register_plugin(plugin, "sensory_breaks")
    trajectory = make_trajectory(users["teacher"], users["support"], focus_areas=["ass"])
    teacher = login(app.test_client(), "teacher")
    answers = {"breaks": {"koptelefoon": {"status": "werkt", "note": "bij dictees"}}}
    saved = post_template_entry(teacher, trajectory, plugin.breaks_v1(), answers,
                                date="2025-03-03", what="Koptelefoon bij zelfstandig werk.",
                                applied_by="klasleraar", from_date="2025-03-03",
                                review_date="2025-04-28", action="publish")
    assert saved.status_code == 302
    page = teacher.get(f"/p/sensory_breaks/t/{trajectory['id']}").get_data(as_text=True)
    assert "Koptelefoon tegen geluid" in page and "bij dictees" in page
