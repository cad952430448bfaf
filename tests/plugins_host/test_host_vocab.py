"""Vocabularies, fragments, entry validation, saved-entry events and exports from plugins."""

from __future__ import annotations

import pytest
from flask import render_template_string

from journal import hookimpl
from journal.plugins.host import PluginError
from journal.plugins.entry_templates import registry

from .conftest import SamplePlugin


def test_hook_journal_focus_areas_adds_to_the_core_list(sample, plugin_host):
    areas = plugin_host.focus_areas()
    ids = [a["id"] for a in areas]
    assert ids[:5] == ["ass", "tos", "executieve_functies", "gedrag", "type2"]
    assert {"id": "sensorisch", "label": "Sensorische prikkels", "plugin": "sample"} in areas
    plugin_host.disable("sample")
    assert "sensorisch" not in [a["id"] for a in plugin_host.focus_areas()]


def test_a_plugin_cannot_relabel_a_core_focus_area(register_plugin, plugin_host):
    class Relabel(SamplePlugin):
        @hookimpl
        def journal_focus_areas(self):
            return [{"id": "ass", "label": "Iets anders"}]

    register_plugin(Relabel(), "sample")
    labels = [a["label"] for a in plugin_host.focus_areas() if a["id"] == "ass"]
    assert labels == ["ASS (autisme)"]


def test_hook_journal_reflection_models_adds_to_korthagen(sample, plugin_host):
    models = plugin_host.reflection_models()
    korthagen = models[0]
    assert korthagen["id"] == "korthagen"
    assert [p["key"] for p in korthagen["phases"]] == [
        "handelen", "terugblikken", "bewustwording", "alternatieven", "uitproberen"]
    assert "wilde, dacht, voelde en deed ik" in korthagen["phases"][1]["prompt"]
    gibbs = models[1]
    assert gibbs["id"] == "gibbs" and gibbs["plugin"] == "sample"
    assert gibbs["phases"][0] == {"key": "beschrijving", "title": "Beschrijving",
                                  "prompt": "Wat gebeurde er?"}


def test_an_invalid_reflection_model_is_left_out(register_plugin, plugin_host, lenient_plugins):
    class NoPhases(SamplePlugin):
        @hookimpl
        def journal_reflection_models(self):
            return [{"id": "leeg", "title": "Leeg", "phases": []}]

    register_plugin(NoPhases(), "sample")
    assert [m["id"] for m in plugin_host.reflection_models()] == ["korthagen"]
    assert "no phases" in plugin_host.records["sample"].error


def test_hook_journal_tag_vocabularies(sample, plugin_host):
    vocabularies = {v["id"]: v for v in plugin_host.tag_vocabularies()}
    assert "compenseren" in vocabularies["sticordi"]["tags"]
    assert vocabularies["momenten"] == {"id": "momenten", "label": "Momenten",
                                        "tags": ["overgang", "speeltijd"], "plugin": "sample"}


def test_hook_journal_page_fragment_is_sanitised(sample, plugin_host):
    (html,) = plugin_host.fragments("trajectory_sidebar", {"trajectory": {"id": "t"}})
    assert "<script" not in html and "<b>vet</b>" in html and "Tip" in html
    assert plugin_host.fragments("home_panel") == []


def test_fragments_in_a_page_template(app, sample):
    with app.test_request_context():
        page = render_template_string(
            "{% for html in plugin_fragments('trajectory_sidebar', trajectory=t) %}{{ html }}{% endfor %}",
            t={"id": "t"})
    assert "<b>vet</b>" in page and "&lt;b&gt;" not in page


def test_a_failing_fragment_shows_an_inline_notice(register_plugin, plugin_host, lenient_plugins):
    register_plugin(SamplePlugin(fail_in={"journal_page_fragment"}), "sample")

    class Other(SamplePlugin):
        @hookimpl
        def journal_page_fragment(self, slot, context):
            return {"html": "<p>andere</p>", "priority": 1}

    register_plugin(Other("other"), "other")
    first, second = plugin_host.fragments("trajectory_sidebar", {})
    assert str(first) == "<p>andere</p>"
    assert 'class="plugin-error"' in second and "Sample plugin" in second
    assert "journal_page_fragment" in plugin_host.records["sample"].error


def test_hook_journal_validate_entry_collects_problems(sample, plugin_host):
    spec = registry.find(plugin_host, "sample.checklist")
    assert plugin_host.validate_entry({"answers": {}}, spec) == ["Kies minstens één aanpassing."]
    assert plugin_host.validate_entry({"answers": {}}, None) == []


def test_hook_journal_entry_saved_is_told_after_a_save(sample, plugin_host):
    plugin_host.entry_saved({"id": "e1"}, {"id": "t1"}, True)
    assert sample.saved == [("e1", "t1", True)]
    plugin_host.disable("sample")
    plugin_host.entry_saved({"id": "e2"}, {"id": "t1"}, False)
    assert sample.saved == [("e1", "t1", True)]


def test_hook_journal_export_formats_are_namespaced_and_run_isolated(sample, plugin_host):
    (fmt,) = plugin_host.export_formats()
    assert (fmt["id"], fmt["plugin"], fmt["extension"]) == ("sample.summary", "sample", "txt")
    found, output = plugin_host.run_export("sample.summary", {"id": "t"}, [{}, {}], [])
    assert output == "2 notities" and found["label"] == "Samenvatting"
    assert plugin_host.run_export("sample.nope", {}, [], []) is None


def test_a_failing_export_returns_none_and_is_recorded(register_plugin, plugin_host, lenient_plugins):
    class Broken(SamplePlugin):
        @hookimpl
        def journal_export_formats(self):
            return [{"id": "kapot", "label": "Kapot", "mimetype": "text/plain", "extension": "txt",
                     "render": lambda trajectory, entries, goals: 1 / 0}]

    register_plugin(Broken(), "sample")
    assert plugin_host.run_export("sample.kapot", {}, [], []) is None
    assert "ZeroDivisionError" in plugin_host.records["sample"].error


def test_a_wrong_return_type_is_a_contract_breach(register_plugin, plugin_host):
    class Wrong(SamplePlugin):
        @hookimpl
        def journal_tag_vocabularies(self):
            return "overgang"

    register_plugin(Wrong(), "sample")
    with pytest.raises(PluginError):
        plugin_host.tag_vocabularies()
