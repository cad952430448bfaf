"""Tests of the executive-functions plugin: its templates, suggestions, tags and loading."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

from journal.plugins.entry_templates.specs import STICORDI
from journal.plugins.entry_templates.files import load_templates
from journal.plugins.entry_templates.specs import validate_spec
from journal.plugins.testing import assert_old_entries_render
from journal.plugins.testing import assert_plugin_contract
from journal.plugins.testing import post_template_entry

import journal_executive_functions as plugin
from journal.plugins.entry_templates import registry

NAME = "executive_functions"

#: The plugin\'s entry templates, loaded from its TOML files.
TEMPLATES = load_templates(plugin.journal_entry_templates(), NAME)

#: One example entry per published template version (journal.plugins.testing.save_entry_fixtures).
ENTRIES = Path(__file__).parent / "entries"

#: The functions the plugin must cover, by their Dutch names.
EXPECTED_FUNCTIONS = {
    "Planning", "Organisatie", "Werkgeheugen", "Timemanagement", "Inhibitie",
    "Volgehouden aandacht", "Taakinitiatie", "Flexibiliteit", "Emotieregulatie",
    "Doelgericht gedrag", "Metacognitie",
}


def by_id(template_id):
    return next(s for s in TEMPLATES if s.id == template_id)


@pytest.mark.parametrize("spec", TEMPLATES, ids=lambda s: s.id)
def test_every_template_is_valid_and_namespaced(spec):
    assert validate_spec(spec, NAME) == []
    assert spec.id.startswith(NAME + ".")
    assert spec.focus_areas == ("executieve_functies",)


@pytest.mark.parametrize("spec", TEMPLATES, ids=lambda s: s.id)
def test_every_template_asks_whether_it_is_for_one_pupil_or_the_class(spec):
    scope = next(f for f in spec.fields() if f.key == "scope")
    assert scope.type == "choice"
    assert scope.required
    assert [o.label for o in scope.options] == ["voor één leerling", "voor de hele klas"]


def test_observation_has_one_question_per_function():
    spec = by_id("executive_functions.observation")
    questions = [f for f in spec.fields() if f.key in {fn.key for fn in plugin.FUNCTIONS}]
    assert {q.label.split(":")[0] for q in questions} == EXPECTED_FUNCTIONS
    assert all(q.label.endswith("?") for q in questions)
    assert all("niet geobserveerd" in [o.label for o in q.options] for q in questions)


def test_scaffolds_have_a_section_per_function_with_a_few_categorised_items():
    spec = by_id("executive_functions.scaffolds")
    assert {s.title for s in spec.sections} == EXPECTED_FUNCTIONS | {"Voor wie?"}
    checklists = [f for f in spec.fields() if f.type == "checklist"]
    assert len(checklists) == 11
    assert all(2 <= len(f.items) <= 4 for f in checklists)
    assert all(i.category in STICORDI for f in checklists for i in f.items)
    planning = next(s for s in spec.sections if s.title == "Planning")
    assert planning.help == "Kan de leerling een taak in stappen opdelen en de volgorde bepalen?"
    assert "Stappenplan bij de taak" in [i.label for i in planning.fields[0].items]


def test_suggests_templates_only_for_an_executive_functions_trajectory(
        register_plugin, plugin_host):
    register_plugin(plugin, NAME)

    def suggested(trajectory):
        return {s.id for s in registry.suggested(plugin_host, trajectory)}

    assert suggested({"focus_areas": ["executieve_functies"]}) == {
        "executive_functions.observation",
        "executive_functions.scaffolds",
    }
    assert suggested({"focus_areas": ["ass", "gedrag"]}) == set()
    assert suggested({"focus_areas": None}) == set()


def test_offers_the_functions_as_a_tag_vocabulary():
    (vocabulary,) = plugin.journal_tag_vocabularies()
    assert vocabulary["id"] == "executive_functions"
    assert set(vocabulary["tags"]) == EXPECTED_FUNCTIONS


def test_plugin_info_and_focus_area():
    info = plugin.journal_plugin_info()
    assert info["api_version"] == 1
    assert info["bundled"] is True
    assert plugin.journal_focus_areas() == [{"id": "executieve_functies", "label": "Executieve functies"}]


def test_installed_entry_point_loads_this_module():
    (ep,) = [ep for ep in entry_points(group="journal.plugins") if ep.name == NAME]
    assert ep.load() is plugin
    assert ep.dist.name == "journal-executive-functions"


def test_host_calls_the_plugin_only_while_enabled(register_plugin, plugin_host):
    register_plugin(plugin, NAME, enabled=False)
    trajectory = {"focus_areas": ["executieve_functies"]}
    assert registry.suggested(plugin_host, trajectory) == []
    plugin_host.enable(NAME)
    suggested = [s.id for s in registry.suggested(plugin_host, trajectory)]
    assert "executive_functions.scaffolds" in suggested


def test_keeps_the_plugin_contract():
    found = assert_plugin_contract(plugin, NAME)
    assert sorted(s.id for s in found["templates"]) == [
        "executive_functions.observation", "executive_functions.scaffolds"]


def test_published_versions_are_unchanged_and_old_entries_render_without_the_plugin():
    assert assert_old_entries_render(plugin, ENTRIES, NAME) == 2


def test_scaffolds_for_the_whole_class_are_saved_and_read_back(
        client, login, users, register_plugin, make_trajectory):
    from journal.storage import get_store

    register_plugin(plugin, NAME)
    trajectory = make_trajectory(users["support"], users["teacher"], target="team",
                                 pupil_id=None, focus_areas=["executieve_functies"])
    spec = by_id("executive_functions.scaffolds")
    answers = {
        "scope": "class",
        "task_initiation_scaffolds": {"start_signal": {"status": "werkt",
                                                       "note": "Startkaart op elke bank"}},
        "planning_scaffolds": {"split_deadlines": {"status": "ga_ik_proberen",
                                                   "note": "Eerst bij het project geschiedenis"}},
    }
    login(client, users["support"])
    response = post_template_entry(
        client, trajectory, spec, answers, date="2025-02-10",
        what="Startsignaal en tussenstappen voor de klas", applied_by="klasleraar 4B",
        from_date="2025-02-10", review_date="2025-03-24", action="publish")
    assert response.status_code == 302, response.get_data(as_text=True)

    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    assert entry["answers"] == answers
    text = client.get(response.location).get_data(as_text=True)
    assert "voor de hele klas" in text
    assert "Afgesproken startsignaal of startkaart" in text
    assert "Startkaart op elke bank" in text


def test_the_scope_is_required(client, login, users, register_plugin, make_trajectory):
    from journal.storage import get_store

    register_plugin(plugin, NAME)
    trajectory = make_trajectory(users["teacher"], focus_areas=["executieve_functies"])
    spec = by_id("executive_functions.observation")
    login(client, users["teacher"])
    response = post_template_entry(
        client, trajectory, spec, {"planning": "with_help"},
        date="2025-02-10", seen="Begint pas na tien minuten aan de taak.", action="publish")
    assert response.status_code == 400
    assert get_store().entries.find(trajectory_id=trajectory["id"]) == []
    text = response.get_data(as_text=True)
    assert "Begint pas na tien minuten" in text
    assert "This field is required." in text
