"""Tests of the TOS plugin: its templates, suggestions, reflection lens and loading."""

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

import journal_tos_instruction as plugin
from journal_tos_instruction.feasibility import adaptation_items
from journal.plugins.entry_templates import registry

NAME = "tos_instruction"

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
    assert spec.focus_areas == ("tos",)


def test_signals_are_asked_as_how_often_seen():
    spec = by_id("tos_instruction.signals")
    signals = next(s for s in spec.sections if s.title == "Signalen").fields
    assert len(signals) == 7
    assert all([o.label for o in f.options] == ["vaak", "soms", "niet gezien"] for f in signals)
    labels = " ".join(f.label for f in signals)
    assert "'weet ik niet'" in labels
    assert "groepsgesprek" in labels
    social = next(f for f in spec.fields() if f.key == "social_emotional")
    assert "geen onwil" in social.help


def test_adaptations_cover_instruction_tasks_feedback_and_self_reliance():
    spec = by_id("tos_instruction.adaptations")
    assert [s.title for s in spec.sections] == [
        "Instructie", "Opdrachten", "Feedback", "Zelfredzaamheid"]
    keys = [item.key for _, item in adaptation_items()]
    assert len(keys) == len(set(keys)), "row keys of the feasibility page must be unique"
    for key in ("single_step", "state_goal", "visualise", "same_words", "split_and_project",
                "speaking_pace", "wait_time", "pre_teach", "check_by_doing", "schema",
                "text_to_speech"):
        assert key in keys
    assert all(item.category in STICORDI for _, item in adaptation_items())
    assert "haalbaarheid per leraar" in spec.description


def test_suggests_templates_only_for_a_tos_trajectory(register_plugin, plugin_host):
    register_plugin(plugin, NAME)

    def suggested(*focus_areas):
        return {s.id for s in registry.suggested(plugin_host, {"focus_areas": focus_areas})}

    assert suggested("tos") == {"tos_instruction.signals", "tos_instruction.adaptations"}
    assert suggested("ass") == set()


def test_adds_the_loopt_leeft_lukt_lens():
    (model,) = plugin.journal_reflection_models()
    assert model["id"] == "loopt_leeft_lukt"
    assert [p["title"] for p in model["phases"]] == ["Loopt 't?", "Leeft 't?", "Lukt 't?"]


def test_plugin_info_and_focus_area():
    info = plugin.journal_plugin_info()
    assert info["api_version"] == 1
    assert info["bundled"] is True
    assert plugin.journal_focus_areas()[0]["id"] == "tos"


def test_installed_entry_point_loads_this_module():
    (ep,) = [ep for ep in entry_points(group="journal.plugins") if ep.name == NAME]
    assert ep.load() is plugin
    assert ep.dist.name == "journal-tos-instruction"


def test_keeps_the_plugin_contract():
    found = assert_plugin_contract(plugin, NAME)
    assert sorted(s.id for s in found["templates"]) == [
        "tos_instruction.adaptations", "tos_instruction.signals"]


def test_published_versions_are_unchanged_and_old_entries_render_without_the_plugin():
    assert assert_old_entries_render(plugin, ENTRIES, NAME) == 2


def test_a_signals_observation_is_saved_and_read_back(
        client, login, users, register_plugin, make_trajectory):
    from journal.storage import get_store

    register_plugin(plugin, NAME)
    trajectory = make_trajectory(users["teacher"], users["support"], focus_areas=["tos"])
    spec = by_id("tos_instruction.signals")
    answers = {"situation": "Instructie wiskunde", "short_answers": "often",
               "no_group_talk": "sometimes", "what_helped": "De stappen op het bord."}
    login(client, users["support"])
    response = post_template_entry(
        client, trajectory, spec, answers,
        date="2025-01-13", seen="Zit stil bij de instructie.", action="publish")
    assert response.status_code == 302, response.get_data(as_text=True)

    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    assert entry["answers"] == answers
    client.post("/logout")
    login(client, users["teacher"])
    text = client.get(response.location).get_data(as_text=True)
    assert "Doet niet mee aan het groepsgesprek" in text
    assert "De stappen op het bord." in text
