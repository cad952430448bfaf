"""Templates from plugins: versions, validation, suggestions, snapshots, upgrades."""

from __future__ import annotations

import dataclasses

import pytest

from journal import hookimpl
from journal.plugins.host import PluginError
from journal.storage import get_store
from journal.plugins.entry_templates.specs import spec_hash
from journal.plugins.entry_templates.registry import UpgradeNotAvailable
from journal.plugins.entry_templates import registry

from .conftest import SamplePlugin
from .conftest import checklist_spec


def test_hook_journal_entry_templates_offers_the_latest_version_with_its_plugin(register_plugin, plugin_host):
    register_plugin(SamplePlugin(versions=(1, 2)), "sample")
    (spec,) = registry.latest(plugin_host)
    assert (spec.id, spec.version, spec.plugin) == ("sample.checklist", 2, "sample")
    assert registry.find(plugin_host, "sample.checklist", 1).version == 1
    assert registry.find(plugin_host, "sample.checklist").version == 2
    assert registry.find(plugin_host, "sample.nope") is None
    assert registry.latest(plugin_host, kind="reflection") == []
    assert [s.id for s in registry.latest(plugin_host, kind="observation")] == ["sample.checklist"]


class OldNamePlugin:
    """A plugin written before the rename: it offers its templates from ``journal_templates``."""

    @hookimpl
    def journal_plugin_info(self):
        return {"title": "Old name", "description": "Written before the rename.", "api_version": 1}

    @hookimpl
    def journal_templates(self):
        return [checklist_spec(plugin="oldname")]


def test_hook_journal_templates_still_offers_templates_for_one_release_with_a_warning(
        register_plugin, plugin_host):
    with pytest.warns(DeprecationWarning,
                      match="journal_templates is deprecated.*rename it journal_entry_templates"):
        record = register_plugin(OldNamePlugin(), "oldname")
    assert record.status == "loaded" and record.deprecated_hooks == ["journal_templates"]
    # Registering another plugin re-orders them all: no second warning (filterwarnings=error).
    register_plugin(SamplePlugin(), "sample")
    assert plugin_host.records["sample"].deprecated_hooks == []
    offered = sorted((s.id, s.plugin) for s in registry.latest(plugin_host))
    assert offered == [("oldname.checklist", "oldname"), ("sample.checklist", "sample")]


def test_old_hook_name_templates_follow_enablement_like_new_ones(register_plugin, plugin_host):
    with pytest.warns(DeprecationWarning):
        register_plugin(OldNamePlugin(), "oldname", enabled=False)
    assert registry.latest(plugin_host) == []
    assert [s.id for s in registry.latest(plugin_host, include_inactive=True)] == ["oldname.checklist"]


def test_disabled_plugins_templates_only_with_include_inactive(register_plugin, plugin_host):
    register_plugin(SamplePlugin(), "sample", enabled=False)
    assert registry.latest(plugin_host) == []
    assert [s.id for s in registry.latest(plugin_host, include_inactive=True)] == ["sample.checklist"]


class BadTemplates(SamplePlugin):
    @hookimpl
    def journal_entry_templates(self):
        good = checklist_spec(plugin=self.name)
        wrong_prefix = dataclasses.replace(checklist_spec(plugin="other"), title="Elders")
        return [good, wrong_prefix, "not a spec"]


def test_invalid_templates_are_skipped_and_recorded(register_plugin, plugin_host, lenient_plugins):
    register_plugin(BadTemplates(), "sample")
    assert [s.id for s in registry.latest(plugin_host)] == ["sample.checklist"]
    record = plugin_host.records["sample"]
    assert record.failures >= 1
    assert "journal_entry_templates" in record.error


def test_invalid_templates_raise_in_strict_mode(register_plugin, plugin_host):
    register_plugin(BadTemplates(), "sample")
    with pytest.raises(PluginError):
        registry.latest(plugin_host)


def test_hook_journal_suggest_templates_and_focus_areas_drive_suggestions(sample, plugin_host):
    assert registry.suggested(plugin_host, {"focus_areas": ["tos"]}) == []
    by_focus = registry.suggested(plugin_host, {"focus_areas": ["ass"]})
    by_hook = registry.suggested(plugin_host, {"focus_areas": ["sensorisch"]})
    assert [s.id for s in by_focus] == [s.id for s in by_hook] == ["sample.checklist"]


def test_snapshot_is_stored_once_and_the_ref_names_it(sample, plugin_host):
    spec = registry.find(plugin_host, "sample.checklist")
    ref = registry.snapshot_for_entry(plugin_host, spec)
    assert ref == {"id": "sample.checklist", "version": 1, "plugin": "sample",
                   "spec_hash": spec_hash(spec)}
    registry.snapshot_for_entry(plugin_host, spec)
    stored = get_store().template_snapshots.all()
    assert [s["id"] for s in stored] == ["sample.checklist@1"]
    assert stored[0]["snapshot"]["title"] == "Voorspelbaarheid"


def test_a_spec_changed_without_a_version_bump_gets_its_own_snapshot(
        sample, plugin_host, lenient_plugins):
    first = registry.snapshot_for_entry(plugin_host, registry.find(plugin_host, "sample.checklist"))
    changed = dataclasses.replace(checklist_spec(title="Andere titel"), plugin="sample")
    second = registry.snapshot_for_entry(plugin_host, changed)
    ids = sorted(s["id"] for s in get_store().template_snapshots.all())
    assert len(ids) == 2 and ids[0] == "sample.checklist@1" and ids[1].startswith("sample.checklist@1~")
    assert first["spec_hash"] != second["spec_hash"]
    assert "changed without a version bump" in plugin_host.records["sample"].error
    original = registry.spec_for_entry(plugin_host, {"template": first})
    assert original.spec.title == "Voorspelbaarheid"
    assert registry.spec_for_entry(plugin_host, {"template": second}).spec.title == "Andere titel"


def entry_with(plugin_host, version=1, answers=None):
    spec = registry.find(plugin_host, "sample.checklist", version)
    return {"id": "e1", "kind": "observation", "template": registry.snapshot_for_entry(plugin_host, spec),
            "answers": answers or {"adaptations": {"pictos": {"status": "werkt", "note": ""}},
                                   "mood": "goed"}}


def test_spec_for_entry_is_live_while_the_plugin_offers_that_version(sample, plugin_host):
    entry = entry_with(plugin_host)
    found = registry.spec_for_entry(plugin_host, entry)
    assert found.live and found.reason == "" and found.label == ""
    assert registry.spec_for_entry(plugin_host, {"template": None}) is None


def test_spec_for_entry_falls_back_to_the_snapshot_when_disabled(sample, plugin_host):
    entry = entry_with(plugin_host)
    plugin_host.disable("sample")
    found = registry.spec_for_entry(plugin_host, entry)
    assert not found.live and found.reason == "disabled"
    assert found.spec.title == "Voorspelbaarheid"
    assert "plugin disabled" in found.label and "v1" in found.label


def test_spec_for_entry_after_the_plugin_is_removed(register_plugin, plugin_host):
    register_plugin(SamplePlugin(), "sample")
    entry = entry_with(plugin_host)
    plugin_host.unregister("sample")
    found = registry.spec_for_entry(plugin_host, entry)
    assert found.reason == "removed" and found.spec.fields()[0].key == "adaptations"


def test_spec_for_entry_after_the_plugin_moved_on(register_plugin, plugin_host):
    plugin = SamplePlugin(versions=(1,))
    register_plugin(plugin, "sample")
    entry = entry_with(plugin_host)
    plugin.versions = (2,)
    found = registry.spec_for_entry(plugin_host, entry)
    assert found.reason == "updated" and found.spec.version == 1


def test_hook_journal_upgrade_entry_data_is_offered_only_when_the_plugin_converts(
        register_plugin, plugin_host):
    plugin = SamplePlugin(versions=(1, 2))
    register_plugin(plugin, "sample")
    entry = entry_with(plugin_host, version=1)
    offer = registry.upgrade_offer(plugin_host, entry)
    assert (offer["from_version"], offer["to_version"]) == (1, 2)
    upgraded = registry.upgrade_entry_data(plugin_host, entry, 2)
    assert upgraded["template"]["version"] == 2
    assert upgraded["answers"]["adaptations"]["timer"] == {"status": "", "note": "nieuw"}
    assert upgraded["answers"]["adaptations"]["pictos"]["status"] == "werkt"
    assert entry["answers"]["adaptations"].keys() == {"pictos"}, "the entry itself is untouched"
    latest = entry_with(plugin_host, version=2)
    assert registry.upgrade_offer(plugin_host, latest) is None
    plugin.upgrades = False
    assert registry.upgrade_offer(plugin_host, entry) is None
    with pytest.raises(UpgradeNotAvailable):
        registry.upgrade_entry_data(plugin_host, entry, 2)


def test_no_upgrade_while_the_plugin_is_disabled(register_plugin, plugin_host):
    register_plugin(SamplePlugin(versions=(1, 2)), "sample")
    entry = entry_with(plugin_host, version=1)
    plugin_host.disable("sample")
    assert registry.upgrade_offer(plugin_host, entry) is None
    with pytest.raises(UpgradeNotAvailable):
        registry.upgrade_entry_data(plugin_host, entry, 2)


def test_an_upgrade_returning_bad_answers_is_refused(register_plugin, plugin_host, lenient_plugins):
    class Garbage(SamplePlugin):
        @hookimpl
        def journal_upgrade_entry_data(self, template_id, from_version, to_version, data):
            return {"mood": "kwaad"}

    register_plugin(Garbage(versions=(1, 2)), "sample")
    entry = entry_with(plugin_host, version=1)
    with pytest.raises(UpgradeNotAvailable):
        registry.upgrade_entry_data(plugin_host, entry, 2)
    assert "journal_upgrade_entry_data" in plugin_host.records["sample"].error
