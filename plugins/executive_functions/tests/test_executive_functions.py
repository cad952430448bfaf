"""Tests of the executive-functions plugin: its templates, suggestions, tags and loading."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

import journal_executive_functions as plugin
from journal.template_specs import STICORDI
from journal.template_specs import spec_hash
from journal.template_specs import validate_spec

NAME = "executive_functions"

#: The content hash of every published template version (see the ASS plugin's tests).
PUBLISHED = {
    ("executive_functions.observation", 1):
        "sha256:de2b5a9165c228f669552d8ce2cdc50e06a7468024b222c9bf7fcaf2fba958d5",
    ("executive_functions.scaffolds", 1):
        "sha256:b0eb5b97f712fac4472d5c401f532138e4b3ad891243d58d57898fea58b1342d",
}

#: The functions the plugin must cover, by their Dutch names.
EXPECTED_FUNCTIONS = {
    "Planning", "Organisatie", "Werkgeheugen", "Timemanagement", "Inhibitie",
    "Volgehouden aandacht", "Taakinitiatie", "Flexibiliteit", "Emotieregulatie",
    "Doelgericht gedrag", "Metacognitie",
}


def by_id(template_id):
    return next(s for s in plugin.journal_templates() if s.id == template_id)


@pytest.mark.parametrize("spec", plugin.journal_templates(), ids=lambda s: s.id)
def test_every_template_is_valid_and_namespaced(spec):
    assert validate_spec(spec, NAME) == []
    assert spec.id.startswith(NAME + ".")
    assert spec.focus_areas == ("executieve_functies",)


@pytest.mark.parametrize("spec", plugin.journal_templates(), ids=lambda s: s.id)
def test_published_templates_do_not_change_without_a_version_bump(spec):
    assert spec_hash(spec) == PUBLISHED[(spec.id, spec.version)]


@pytest.mark.parametrize("spec", plugin.journal_templates(), ids=lambda s: s.id)
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


def test_suggests_templates_only_for_an_executive_functions_trajectory():
    assert set(plugin.journal_suggest_templates({"focus_areas": ["executieve_functies"]})) == {
        "executive_functions.observation",
        "executive_functions.scaffolds",
    }
    assert plugin.journal_suggest_templates({"focus_areas": ["ass", "gedrag"]}) == []
    assert plugin.journal_suggest_templates({"focus_areas": None}) == []


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


def test_host_calls_the_plugin_only_while_enabled(app):
    from journal.storage import get_store

    host = app.extensions["journal.plugins"]
    host.register(plugin, NAME)
    try:
        trajectory = {"focus_areas": ["executieve_functies"]}
        assert host.call_all("journal_suggest_templates", trajectory=trajectory) == []
        get_store().settings.set("enabled_plugins", [NAME])
        (name, suggested), = host.call_all("journal_suggest_templates", trajectory=trajectory)
        assert name == NAME
        assert "executive_functions.scaffolds" in suggested
    finally:
        host.unregister(NAME)
