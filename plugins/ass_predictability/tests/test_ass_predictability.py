"""Tests of the ASS predictability plugin: its templates, suggestions and loading."""

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

import journal_ass_predictability as plugin
from journal.plugins.entry_templates import registry

NAME = "ass_predictability"

#: The plugin\'s entry templates, loaded from its TOML files.
TEMPLATES = load_templates(plugin.journal_entry_templates(), NAME)

#: One example entry per published template version (journal.plugins.testing.save_entry_fixtures).
ENTRIES = Path(__file__).parent / "entries"


def by_id(template_id):
    return next(s for s in TEMPLATES if s.id == template_id)


def labels(spec):
    """Every piece of text staff read in ``spec``, lower-cased."""
    out = [spec.title, spec.description]
    for section in spec.sections:
        out += [section.title, section.help]
        for f in section.fields:
            out += [f.label, f.help] + [o.label for o in f.options] + [i.label for i in f.items]
    return " ".join(out).lower()


@pytest.mark.parametrize("spec", TEMPLATES, ids=lambda s: s.id)
def test_every_template_is_valid_and_namespaced(spec):
    assert validate_spec(spec, NAME) == []
    assert spec.id.startswith(NAME + ".")
    assert spec.focus_areas == ("ass",)


def test_template_ids_are_unique():
    ids = [(s.id, s.version) for s in TEMPLATES]
    assert len(ids) == len(set(ids))
    assert {s.kind for s in TEMPLATES} == {"observation", "agreement"}


def test_observation_asks_what_came_before_what_changed_and_what_helped():
    spec = by_id("ass_predictability.observation")
    text = labels(spec)
    assert "vlak vóór het moment van stress" in text
    assert "niet aangekondigd" in text
    assert "wat hielp" in text
    change = next(f for f in spec.fields() if f.key == "unannounced_change")
    assert {"person", "place", "activity", "time", "unexpected"} <= {o.key for o in change.options}
    assert next(f for f in spec.fields() if f.key == "just_before").required


def test_checklist_covers_the_predictability_domains():
    spec = by_id("ass_predictability.adaptations")
    titles = " ".join(s.title for s in spec.sections)
    for domain in ("Personen", "Locaties", "Activiteiten", "Tijd", "Onverwachte situaties",
                   "Prikkels en communicatie"):
        assert domain in titles
    text = labels(spec)
    assert "groepswerk vooraf aankondigen" in text
    assert "wissel van plaats" in text
    assert "toetsinhoud" in text


def test_checklist_stays_short_and_every_item_has_a_sticordi_category():
    spec = by_id("ass_predictability.adaptations")
    checklists = [f for f in spec.fields() if f.type == "checklist"]
    assert all(2 <= len(f.items) <= 6 for f in checklists)
    items = [i for f in checklists for i in f.items]
    assert all(i.category in STICORDI for i in items)


def test_suggests_both_templates_for_an_autism_trajectory_only(register_plugin, plugin_host):
    register_plugin(plugin, NAME)

    def suggested(trajectory):
        return {s.id for s in registry.suggested(plugin_host, trajectory)}

    assert suggested({"focus_areas": ["tos", "ass"]}) == {
        "ass_predictability.observation",
        "ass_predictability.adaptations",
    }
    assert suggested({"focus_areas": ["tos"]}) == set()
    assert suggested({"focus_areas": []}) == set()
    assert suggested({}) == set()


def test_plugin_info_and_focus_area():
    info = plugin.journal_plugin_info()
    assert info["api_version"] == 1
    assert info["bundled"] is True
    assert info["title"].startswith("ASS")
    assert plugin.journal_focus_areas() == [{"id": "ass", "label": "ASS (autisme)"}]


def test_installed_entry_point_loads_this_module():
    (ep,) = [ep for ep in entry_points(group="journal.plugins") if ep.name == NAME]
    assert ep.load() is plugin
    assert ep.dist.name == "journal-ass-predictability"


def test_host_calls_the_plugin_only_while_enabled(register_plugin, plugin_host):
    register_plugin(plugin, NAME, enabled=False)
    trajectory = {"focus_areas": ["ass"]}
    assert registry.suggested(plugin_host, trajectory) == []
    plugin_host.enable(NAME)
    suggested = [s.id for s in registry.suggested(plugin_host, trajectory)]
    assert "ass_predictability.adaptations" in suggested
    (returned,) = plugin_host.call("journal_entry_templates")
    assert [validate_spec(s, NAME) for s in load_templates(returned, NAME)] == [[], []]


def test_keeps_the_plugin_contract():
    found = assert_plugin_contract(plugin, NAME)
    assert sorted(s.id for s in found["templates"]) == [
        "ass_predictability.adaptations", "ass_predictability.observation"]


def test_published_versions_are_unchanged_and_old_entries_render_without_the_plugin():
    assert assert_old_entries_render(plugin, ENTRIES, NAME) == 2


def test_a_teacher_fills_the_checklist_and_the_team_reads_it_back(
        client, login, users, register_plugin, make_trajectory):
    from journal.storage import get_store

    register_plugin(plugin, NAME)
    trajectory = make_trajectory(users["teacher"], users["support"], focus_areas=["ass"])
    spec = by_id("ass_predictability.adaptations")
    answers = {
        "activities": {"group_work_announced": {"status": "ga_ik_proberen",
                                                "note": "Bij Frans en wiskunde, vanaf maandag"}},
        "time": {"timer": {"status": "werkt", "note": "Time-timer op de bank"}},
    }
    login(client, users["teacher"])
    response = post_template_entry(
        client, trajectory, spec, answers, date="2025-03-03",
        what="Groepswerk en overgangen aankondigen", applied_by="alle leraren van 2A",
        from_date="2025-03-03", review_date="2025-04-28", action="publish")
    assert response.status_code == 302, response.get_data(as_text=True)

    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    assert entry["answers"] == answers
    assert (entry["template"]["id"], entry["template"]["version"]) == (spec.id, 1)
    client.post("/logout")
    login(client, users["support"])
    text = client.get(response.location).get_data(as_text=True)
    assert "Groepswerk vooraf aankondigen: met wie, welke taak, hoe lang" in text
    assert "Bij Frans en wiskunde, vanaf maandag" in text
    assert "Time-timer op de bank" in text
