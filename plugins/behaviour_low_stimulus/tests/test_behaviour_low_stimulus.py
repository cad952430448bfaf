"""Tests of the behaviour plugin: ABC template, low-stimulus corner, STARR, loading."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

import journal_behaviour_low_stimulus as plugin
from journal.template_specs import STICORDI
from journal.template_specs import spec_hash
from journal.template_specs import validate_spec

NAME = "behaviour_low_stimulus"

#: The content hash of every published template version (see the ASS plugin's tests).
PUBLISHED = {
    ("behaviour_low_stimulus.abc", 1):
        "sha256:40d6d4406b17c08f5c933df8aa5f7110e5ca328d50cfa8e8630105f380bc2eaa",
    ("behaviour_low_stimulus.quiet_corner", 1):
        "sha256:26a59a9654a1e2550e839ff2158e1973333851054d89aa9135cf6b48f30081ed",
}


def by_id(template_id):
    return next(s for s in plugin.journal_templates() if s.id == template_id)


@pytest.mark.parametrize("spec", plugin.journal_templates(), ids=lambda s: s.id)
def test_every_template_is_valid_and_namespaced(spec):
    assert validate_spec(spec, NAME) == []
    assert spec.id.startswith(NAME + ".")
    assert "gedrag" in spec.focus_areas


@pytest.mark.parametrize("spec", plugin.journal_templates(), ids=lambda s: s.id)
def test_published_templates_do_not_change_without_a_version_bump(spec):
    assert spec_hash(spec) == PUBLISHED[(spec.id, spec.version)]


def test_abc_starts_with_the_behaviour_then_antecedent_consequence_and_function():
    spec = by_id("behaviour_low_stimulus.abc")
    assert [s.title[:3] for s in spec.sections[:3]] == ["B –", "A –", "C –"]
    assert "Cameramethode" in spec.sections[0].help
    first = spec.sections[0].fields[0]
    assert (first.key, first.required) == ("behaviour", True)
    keys = [f.key for f in spec.fields()]
    assert {"just_before", "not_occurring", "consequence", "gains_losses", "function"} <= set(keys)
    function = next(f for f in spec.fields() if f.key == "function")
    assert [o.key for o in function.options] == ["obtain", "avoid", "unclear"]


def test_quiet_corner_checklist_covers_place_contents_rules_and_follow_up():
    spec = by_id("behaviour_low_stimulus.quiet_corner")
    assert spec.kind == "agreement"
    assert [s.title for s in spec.sections] == [
        "De plek", "Wat ligt er klaar?", "Afspraken", "Opvolging"]
    labels = " ".join(i.label for f in spec.fields() for i in f.items).lower()
    for expected in ("niet de gang", "koptelefoon", "time-timer", "kalmeerkaart",
                     "terug naar werkplek", "geen straf", "aanleiding, duur"):
        assert expected in labels
    checklists = [f for f in spec.fields() if f.type == "checklist"]
    assert all(len(f.items) <= 6 for f in checklists)
    assert all(i.category in STICORDI for f in checklists for i in f.items if i.category)


def test_suggestions_follow_the_focus_areas():
    assert plugin.journal_suggest_templates({"focus_areas": ["gedrag"]}) == [
        "behaviour_low_stimulus.abc", "behaviour_low_stimulus.quiet_corner"]
    # a low-stimulus corner also helps many pupils with autism
    assert plugin.journal_suggest_templates({"focus_areas": ["ass"]}) == [
        "behaviour_low_stimulus.quiet_corner"]
    assert plugin.journal_suggest_templates({"focus_areas": ["tos", "type2"]}) == []


def test_adds_the_starr_reflection_model():
    (model,) = plugin.journal_reflection_models()
    assert model["id"] == "starr"
    assert [p["title"] for p in model["phases"]] == [
        "Situatie", "Taak", "Activiteiten", "Resultaat", "Reflectie"]
    assert all(p["prompt"].endswith("?") for p in model["phases"])
    assert len({p["key"] for p in model["phases"]}) == 5


def test_plugin_info_and_focus_area():
    info = plugin.journal_plugin_info()
    assert info["api_version"] == 1
    assert info["bundled"] is True
    assert plugin.journal_focus_areas() == [{"id": "gedrag", "label": "Gedrag"}]


def test_installed_entry_point_loads_this_module():
    (ep,) = [ep for ep in entry_points(group="journal.plugins") if ep.name == NAME]
    assert ep.load() is plugin
    assert ep.dist.name == "journal-behaviour-low-stimulus"


def test_host_calls_the_plugin_only_while_enabled(app):
    from journal.storage import get_store

    host = app.extensions["journal.plugins"]
    host.register(plugin, NAME)
    try:
        assert host.call_all("journal_reflection_models") == []
        get_store().settings.set("enabled_plugins", [NAME])
        (name, models), = host.call_all("journal_reflection_models")
        assert name == NAME
        assert models[0]["id"] == "starr"
    finally:
        host.unregister(NAME)
