"""Tests of the behaviour plugin: ABC template, low-stimulus corner, STARR, loading."""

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

import journal_behaviour_low_stimulus as plugin
from journal.plugins.entry_templates import registry

NAME = "behaviour_low_stimulus"

#: The plugin\'s entry templates, loaded from its TOML files.
TEMPLATES = load_templates(plugin.journal_entry_templates(), NAME)

#: One example entry per published template version (journal.plugins.testing.save_entry_fixtures).
ENTRIES = Path(__file__).parent / "entries"


def by_id(template_id):
    return next(s for s in TEMPLATES if s.id == template_id)


@pytest.mark.parametrize("spec", TEMPLATES, ids=lambda s: s.id)
def test_every_template_is_valid_and_namespaced(spec):
    assert validate_spec(spec, NAME) == []
    assert spec.id.startswith(NAME + ".")
    assert "gedrag" in spec.focus_areas


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


def test_suggestions_follow_the_focus_areas(register_plugin, plugin_host):
    register_plugin(plugin, NAME)

    def suggested(*focus_areas):
        return {s.id for s in registry.suggested(plugin_host, {"focus_areas": focus_areas})}

    assert suggested("gedrag") == {
        "behaviour_low_stimulus.abc", "behaviour_low_stimulus.quiet_corner"}
    # a low-stimulus corner also helps many pupils with autism
    assert suggested("ass") == {"behaviour_low_stimulus.quiet_corner"}
    assert suggested("tos", "type2") == set()


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


def test_host_calls_the_plugin_only_while_enabled(register_plugin, plugin_host):
    register_plugin(plugin, NAME, enabled=False)
    assert [m["id"] for m in plugin_host.reflection_models()] == ["korthagen"]
    plugin_host.enable(NAME)
    (model,) = [m for m in plugin_host.reflection_models() if m["plugin"] == NAME]
    assert model["id"] == "starr"


def test_keeps_the_plugin_contract():
    found = assert_plugin_contract(plugin, NAME)
    assert sorted(s.id for s in found["templates"]) == [
        "behaviour_low_stimulus.abc", "behaviour_low_stimulus.quiet_corner"]


def test_published_versions_are_unchanged_and_old_entries_render_without_the_plugin():
    assert assert_old_entries_render(plugin, ENTRIES, NAME) == 2


def test_an_abc_observation_is_saved_and_read_back(
        client, login, users, register_plugin, make_trajectory):
    from journal.storage import get_store

    register_plugin(plugin, NAME)
    trajectory = make_trajectory(users["teacher"], users["support"], focus_areas=["gedrag"])
    spec = by_id("behaviour_low_stimulus.abc")
    answers = {
        "behaviour": "Schuift de stoel achteruit en loopt naar de deur.",
        "frequency_duration": "2 keer, telkens 3 minuten",
        "just_before": "De opdracht werd uitgedeeld zonder uitleg.",
        "function": "avoid",
    }
    login(client, users["teacher"])
    response = post_template_entry(client, trajectory, spec, answers,
                                   date="2025-01-20", seen="Zie ABC hieronder.", action="publish")
    assert response.status_code == 302, response.get_data(as_text=True)

    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    assert entry["answers"] == answers
    client.post("/logout")
    login(client, users["support"])
    text = client.get(response.location).get_data(as_text=True)
    assert "Schuift de stoel achteruit en loopt naar de deur." in text
    assert "Iets vermijden (een taak, een prikkel, een persoon)" in text


def test_the_behaviour_itself_is_required(client, login, users, register_plugin, make_trajectory):
    from journal.storage import get_store

    register_plugin(plugin, NAME)
    trajectory = make_trajectory(users["teacher"], focus_areas=["gedrag"])
    spec = by_id("behaviour_low_stimulus.abc")
    login(client, users["teacher"])
    response = post_template_entry(
        client, trajectory, spec, {"just_before": "Overgang na de speeltijd."},
        date="2025-01-20", seen="Onrust na de speeltijd.", action="publish")
    assert response.status_code == 400
    assert get_store().entries.find(trajectory_id=trajectory["id"]) == []
    text = response.get_data(as_text=True)
    assert "Overgang na de speeltijd." in text
    assert "This field is required." in text
