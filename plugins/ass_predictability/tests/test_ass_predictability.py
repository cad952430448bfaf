"""Tests of the ASS predictability plugin: its templates, suggestions and loading."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

import journal_ass_predictability as plugin
from journal.template_specs import STICORDI
from journal.template_specs import spec_hash
from journal.template_specs import validate_spec

NAME = "ass_predictability"

#: The content hash of every published template version. A change to a spec without
#: a version bump would alter entries already written with it: bump the version instead,
#: keep the old version in TEMPLATES if entries may still use it, and add its hash here.
PUBLISHED = {
    ("ass_predictability.observation", 1):
        "sha256:b6d7a287d9010e4c784959c20739a989cd534bae13f16fc4dce521208bed5924",
    ("ass_predictability.adaptations", 1):
        "sha256:226f86b07e90320c856ab27b823cb9df74ea6e7c1dd9d1adec065b0d6161cb91",
}


def by_id(template_id):
    return next(s for s in plugin.journal_templates() if s.id == template_id)


def labels(spec):
    """Every piece of text staff read in ``spec``, lower-cased."""
    out = [spec.title, spec.description]
    for section in spec.sections:
        out += [section.title, section.help]
        for f in section.fields:
            out += [f.label, f.help] + [o.label for o in f.options] + [i.label for i in f.items]
    return " ".join(out).lower()


@pytest.mark.parametrize("spec", plugin.journal_templates(), ids=lambda s: s.id)
def test_every_template_is_valid_and_namespaced(spec):
    assert validate_spec(spec, NAME) == []
    assert spec.id.startswith(NAME + ".")
    assert spec.focus_areas == ("ass",)


@pytest.mark.parametrize("spec", plugin.journal_templates(), ids=lambda s: s.id)
def test_published_templates_do_not_change_without_a_version_bump(spec):
    assert spec_hash(spec) == PUBLISHED[(spec.id, spec.version)]


def test_template_ids_are_unique():
    ids = [(s.id, s.version) for s in plugin.journal_templates()]
    assert len(ids) == len(set(ids))
    assert {s.kind for s in plugin.journal_templates()} == {"observation", "agreement"}


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


def test_suggests_both_templates_for_an_autism_trajectory_only():
    assert set(plugin.journal_suggest_templates({"focus_areas": ["tos", "ass"]})) == {
        "ass_predictability.observation",
        "ass_predictability.adaptations",
    }
    assert plugin.journal_suggest_templates({"focus_areas": ["tos"]}) == []
    assert plugin.journal_suggest_templates({"focus_areas": []}) == []
    assert plugin.journal_suggest_templates({}) == []


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


def test_host_calls_the_plugin_only_while_enabled(app):
    from journal.storage import get_store

    host = app.extensions["journal.plugins"]
    host.register(plugin, NAME)
    try:
        trajectory = {"focus_areas": ["ass"]}
        assert host.call_all("journal_suggest_templates", trajectory=trajectory) == []
        get_store().settings.set("enabled_plugins", [NAME])
        (name, suggested), = host.call_all("journal_suggest_templates", trajectory=trajectory)
        assert name == NAME
        assert "ass_predictability.adaptations" in suggested
        (_, specs), = host.call_all("journal_templates")
        assert [validate_spec(s, NAME) for s in specs] == [[], []]
    finally:
        host.unregister(NAME)
