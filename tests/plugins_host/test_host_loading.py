"""Discovery: one entry point at a time, block list, safe mode, API version, strict mode."""

from __future__ import annotations

import types

import pytest

from journal import hookimpl
from journal.plugins import host as plugin_host
from journal.plugins.host import PluginError
from journal.plugins.testing import make_test_app
from journal.plugins.entry_templates import registry

from .conftest import SamplePlugin


class FakeDist:
    def __init__(self, name: str, version: str = "1.2.3"):
        self.metadata = {"Name": name}
        self.version = version


class FakeEntryPoint:
    """Stands in for importlib.metadata.EntryPoint; counts imports."""

    def __init__(self, name, plugin=None, *, dist="journal-sample", error=None):
        self.name = name
        self.value = f"module_{name}"
        self.dist = FakeDist(dist)
        self.plugin = plugin
        self.error = error
        self.loads = 0

    def load(self):
        self.loads += 1
        if self.error:
            raise self.error
        return self.plugin


@pytest.fixture
def installed(monkeypatch):
    """``installed(*entry_points)`` makes them the installed ``journal.plugins`` group."""

    def install(*eps):
        monkeypatch.setattr(plugin_host, "entry_points",
                            lambda group: list(eps) if group == "journal.plugins" else [])
        return eps

    return install


def build(tmp_path, **config):
    settings = {"JOURNAL_LOAD_ENTRYPOINTS": True, "JOURNAL_STRICT_PLUGINS": False}
    settings.update(config)
    return make_test_app(tmp_path, **settings)


def test_a_plugin_that_fails_to_import_does_not_stop_the_others(tmp_path, installed):
    installed(FakeEntryPoint("broken", error=ImportError("No module named 'gone'")),
              FakeEntryPoint("sample", SamplePlugin()))
    app = build(tmp_path)
    host = app.extensions["journal.plugins"]
    assert host.records["broken"].status == "failed"
    assert "No module named 'gone'" in host.records["broken"].error
    assert "Traceback" in host.records["broken"].error
    assert host.records["sample"].status == "loaded"
    assert host.records["sample"].version == "1.2.3"


def test_blocked_plugins_are_never_imported(tmp_path, installed):
    (ep,) = installed(FakeEntryPoint("sample", SamplePlugin()))
    app = build(tmp_path, JOURNAL_BLOCKED_PLUGINS=["sample"])
    assert ep.loads == 0
    assert app.extensions["journal.plugins"].records["sample"].status == "blocked"


def test_safe_mode_loads_only_bundled_plugins(tmp_path, installed):
    bundled = FakeEntryPoint("tos_instruction", SamplePlugin("tos_instruction"),
                             dist="journal_tos_instruction")
    third = FakeEntryPoint("sample", SamplePlugin())
    installed(bundled, third)
    host = build(tmp_path, JOURNAL_SAFE_MODE=True).extensions["journal.plugins"]
    assert third.loads == 0
    assert host.records["sample"].status == "skipped"
    assert host.records["tos_instruction"].status == "loaded"
    assert host.records["tos_instruction"].source == "bundled"


def test_a_third_party_package_cannot_claim_a_bundled_name(tmp_path, installed):
    (ep,) = installed(FakeEntryPoint("tos_instruction", SamplePlugin("tos_instruction"),
                                     dist="evil-tos"))
    host = build(tmp_path, JOURNAL_SAFE_MODE=True).extensions["journal.plugins"]
    assert ep.loads == 0
    assert host.records["tos_instruction"].status == "skipped"
    host = build(tmp_path / "b").extensions["journal.plugins"]
    assert host.records["tos_instruction"].status == "failed"
    assert "claims the name" in host.records["tos_instruction"].error


def test_two_packages_with_the_same_plugin_name_keep_the_first(tmp_path, installed):
    installed(FakeEntryPoint("sample", SamplePlugin(), dist="first"),
              FakeEntryPoint("sample", SamplePlugin(), dist="second"))
    host = build(tmp_path).extensions["journal.plugins"]
    assert host.records["sample"].dist == "first"
    assert host.records["sample (second)"].status == "failed"


def test_hook_journal_plugin_info_declares_a_supported_api_version(tmp_path, installed):
    class Future(SamplePlugin):
        @hookimpl
        def journal_plugin_info(self):
            return {"title": "From the future", "api_version": 99}

    installed(FakeEntryPoint("future", Future("future")),
              FakeEntryPoint("silent", types.SimpleNamespace()),
              FakeEntryPoint("sample", SamplePlugin()))
    host = build(tmp_path).extensions["journal.plugins"]
    assert host.records["future"].status == "incompatible"
    assert "99" in host.records["future"].error
    assert host.records["silent"].status == "incompatible"
    assert host.records["sample"].title == "Sample plugin"
    assert host.records["sample"].api_version == 1
    with host.app.app_context():
        host.enable("future")
        assert host.active_names() == set()


def test_an_unknown_hook_is_a_load_failure(tmp_path, installed):
    class Typo(SamplePlugin):
        @hookimpl
        def journal_templatez(self):
            return []

    installed(FakeEntryPoint("typo", Typo("typo")))
    host = build(tmp_path).extensions["journal.plugins"]
    assert host.records["typo"].status == "failed"
    assert "journal_templatez" in host.records["typo"].error
    assert not host.pm.has_plugin("typo")


def test_strict_mode_reraises_load_errors(tmp_path, installed):
    installed(FakeEntryPoint("broken", error=ImportError("boom")))
    with pytest.raises(ImportError):
        build(tmp_path, JOURNAL_STRICT_PLUGINS=True)


def test_strict_register_refuses_an_incompatible_plugin(plugin_host):
    class Old(SamplePlugin):
        @hookimpl
        def journal_plugin_info(self):
            return {"title": "Old", "api_version": 0}

    with pytest.raises(PluginError):
        plugin_host.register(Old("old"), "old")
    assert not plugin_host.pm.has_plugin("old")


def test_installed_is_not_enabled(app, register_plugin, plugin_host):
    register_plugin(SamplePlugin(), "sample", enabled=False)
    assert plugin_host.records["sample"].status == "loaded"
    assert registry.latest(plugin_host) == []
    plugin_host.enable("sample")
    assert [s.id for s in registry.latest(plugin_host)] == ["sample.checklist"]
    plugin_host.disable("sample")
    assert registry.latest(plugin_host) == []


def test_enable_refuses_a_plugin_that_is_not_installed(app, plugin_host):
    with pytest.raises(KeyError):
        plugin_host.enable("nope")


def test_enable_bundled_enables_only_bundled_plugins(tmp_path, installed):
    installed(FakeEntryPoint("tos_instruction", SamplePlugin("tos_instruction"),
                             dist="journal-tos-instruction"),
              FakeEntryPoint("sample", SamplePlugin()))
    app = build(tmp_path)
    with app.app_context():
        host = app.extensions["journal.plugins"]
        assert host.enable_bundled() == ["tos_instruction"]
        assert host.active_names() == {"tos_instruction"}


def test_register_plugin_fixture_removes_the_plugin_afterwards(app, plugin_host, register_plugin):
    register_plugin(SamplePlugin(), "sample")
    assert plugin_host.pm.has_plugin("sample")


def test_no_plugin_leaks_from_the_previous_test(plugin_host):
    assert not plugin_host.pm.has_plugin("sample")
    assert {n for n, r in plugin_host.records.items() if not r.builtin} == set()


def test_the_block_list_can_be_a_comma_separated_environment_value(tmp_path, installed,
                                                                     monkeypatch):
    (ep,) = installed(FakeEntryPoint("sample", SamplePlugin()))
    monkeypatch.setenv("JOURNAL_BLOCKED_PLUGINS", "other, sample")
    host = build(tmp_path).extensions["journal.plugins"]
    assert ep.loads == 0 and host.records["sample"].status == "blocked"


def test_the_bundled_plugins_load_and_init_enables_them(tmp_path):
    from journal.plugins.host import BUNDLED_PLUGINS

    app = build(tmp_path, JOURNAL_STRICT_PLUGINS=True)
    host = app.extensions["journal.plugins"]
    for name in BUNDLED_PLUGINS:
        assert (host.records[name].status, host.records[name].source) == ("loaded", "bundled")
    with app.app_context():
        assert set(host.enable_bundled()) >= set(BUNDLED_PLUGINS)
        assert host.active_names() >= set(BUNDLED_PLUGINS)
        assert {t.plugin for t in registry.latest(host)} >= set(BUNDLED_PLUGINS)
