"""Hooks are called through pluggy: name order, tryfirst/trylast, wrappers, isolation, types."""

from __future__ import annotations

import pytest

from journal import hookimpl
from journal.plugins.host import PluginError


class Areas:
    """Adds one focus area named after the plugin."""

    def __init__(self, name: str):
        self.name = name

    @hookimpl
    def journal_focus_areas(self):
        return [{"id": self.name, "label": self.name.title()}]


class First(Areas):
    @hookimpl(tryfirst=True)
    def journal_focus_areas(self):
        return [{"id": self.name, "label": self.name.title()}]


class Last(Areas):
    @hookimpl(trylast=True)
    def journal_focus_areas(self):
        return [{"id": self.name, "label": self.name.title()}]


def plugin_area_ids(host) -> list[str]:
    return [a["id"] for a in host.focus_areas() if a["plugin"] != "core"]


def test_implementations_run_in_plugin_name_order_whatever_the_registration_order(
        register_plugin, plugin_host):
    for name in ("zeta", "alpha", "mu"):
        register_plugin(Areas(name), name)
    assert plugin_area_ids(plugin_host) == ["alpha", "mu", "zeta"]


def test_tryfirst_and_trylast_move_an_implementation(register_plugin, plugin_host):
    register_plugin(Areas("alpha"), "alpha")
    register_plugin(Last("beta"), "beta")
    register_plugin(First("zeta"), "zeta")
    register_plugin(Areas("mu"), "mu")
    assert plugin_area_ids(plugin_host) == ["zeta", "alpha", "mu", "beta"]
    # the core areas still come first and keep their labels
    assert plugin_host.focus_areas()[0] == {"id": "ass", "label": "ASS (autisme)", "plugin": "core"}


class HidesType2:
    """A school's policy plugin: wraps the other implementations and hides one area."""

    def __init__(self):
        self.seen = None

    @hookimpl(wrapper=True)
    def journal_focus_areas(self):
        results = yield
        self.seen = results
        return [[a for a in found if a["id"] != "type2"] for found in results]


def test_a_hook_wrapper_sees_the_checked_results_and_changes_them(register_plugin, plugin_host):
    register_plugin(Areas("alpha"), "alpha")
    policy = HidesType2()
    register_plugin(policy, "policy")
    ids = [a["id"] for a in plugin_host.focus_areas()]
    assert "type2" not in ids and "ass" in ids and "alpha" in ids
    assert {a["plugin"] for found in policy.seen for a in found} == {"core", "alpha"}
    plugin_host.disable("policy")  # a disabled plugin's wrapper does not run
    assert "type2" in [a["id"] for a in plugin_host.focus_areas()]


class BrokenWrapper:
    def __init__(self, returns=None, raises=False):
        self.returns = returns
        self.raises = raises

    @hookimpl(wrapper=True)
    def journal_focus_areas(self):
        results = yield
        if self.raises:
            raise RuntimeError("the wrapper broke")
        return self.returns


@pytest.mark.parametrize("wrapper", [BrokenWrapper(raises=True), BrokenWrapper(returns="garbage"),
                                     BrokenWrapper(returns=[[{"id": "Not An Id"}]])],
                         ids=["raises", "returns-no-list", "returns-bad-items"])
def test_a_failing_wrapper_passes_the_results_through_and_is_recorded(
        register_plugin, plugin_host, lenient_plugins, wrapper):
    register_plugin(Areas("alpha"), "alpha")
    register_plugin(wrapper, "wrapper")
    ids = [a["id"] for a in plugin_host.focus_areas()]
    assert "alpha" in ids and "type2" in ids
    assert plugin_host.records["wrapper"].failures == 1
    assert "journal_focus_areas" in plugin_host.records["wrapper"].error


def test_a_failing_wrapper_raises_in_strict_mode(register_plugin, plugin_host):
    register_plugin(BrokenWrapper(raises=True), "wrapper")
    with pytest.raises(RuntimeError, match="the wrapper broke"):
        plugin_host.focus_areas()


class Raises(Areas):
    @hookimpl
    def journal_focus_areas(self):
        raise RuntimeError(f"{self.name} broke")


def test_a_failing_plugin_does_not_stop_the_next_one(app, users, login, register_plugin,
                                                      plugin_host, lenient_plugins):
    register_plugin(Raises("alpha"), "alpha")  # called before zeta
    register_plugin(Areas("zeta"), "zeta")
    assert plugin_area_ids(plugin_host) == ["zeta"]
    assert plugin_host.records["alpha"].failures == 1
    admin = login(app.test_client(), "admin")
    page = admin.get("/admin/plugins/").get_data(as_text=True)
    assert "RuntimeError: alpha broke" in page


def test_results_are_checked_against_the_declared_types(register_plugin, plugin_host,
                                                          lenient_plugins):
    class Sloppy:
        @hookimpl
        def journal_focus_areas(self):
            return [{"id": "sensorisch", "label": "Prikkels", "colour": "red", "plugin": "core"},
                    {"id": "Geen Id", "label": "Fout"},
                    {"id": "zonder_label"}]

    register_plugin(Sloppy(), "sloppy")
    added = [a for a in plugin_host.focus_areas() if a["plugin"] != "core"]
    # unknown keys are dropped and the plugin cannot claim to be the core
    assert added == [{"id": "sensorisch", "label": "Prikkels", "plugin": "sloppy"}]
    record = plugin_host.records["sloppy"]
    assert record.failures == 2
    assert "'label' is missing" in record.error


def test_an_old_style_hookwrapper_is_refused_at_load(register_plugin, plugin_host,
                                                      lenient_plugins):
    class OldStyle:
        @hookimpl(hookwrapper=True)
        def journal_focus_areas(self):
            yield

    record = register_plugin(OldStyle(), "oldstyle")
    assert record.status == "failed" and "wrapper=True" in record.error
    assert not plugin_host.pm.has_plugin("oldstyle")


def test_hooks_of_a_disabled_plugin_do_not_run(register_plugin, plugin_host):
    register_plugin(Areas("alpha"), "alpha", enabled=False)
    assert plugin_area_ids(plugin_host) == []
    # a single plugin can still be asked, enabled or not (e.g. for its settings)
    assert plugin_host.call_plugin("alpha", "journal_focus_areas") == [
        {"id": "alpha", "label": "Alpha", "plugin": "alpha"}]


def test_the_core_vocabularies_are_a_builtin_plugin(app, users, login, plugin_host, runner):
    record = plugin_host.records["core"]
    assert (record.source, record.status, record.builtin) == ("builtin", "loaded", True)
    assert "core" not in plugin_host.enabled_names()  # nothing enabled, and yet it runs
    assert [m["id"] for m in plugin_host.reflection_models()] == ["korthagen"]
    assert [v["id"] for v in plugin_host.tag_vocabularies()] == ["sticordi"]
    with pytest.raises(PluginError, match="cannot be disabled"):
        plugin_host.disable("core")

    admin = login(app.test_client(), "admin")
    page = admin.get("/admin/plugins/").get_data(as_text=True)
    assert 'id="plugin-core"' in page and "built into the journal" in page
    assert "/admin/plugins/core/disable" not in page
    refused = admin.post("/admin/plugins/core/disable")
    assert refused.status_code == 303
    assert [m["id"] for m in plugin_host.reflection_models()] == ["korthagen"]
    assert admin.post("/admin/plugins/core/enable").status_code == 404

    assert "core" not in runner.invoke(args=["plugins", "list"]).output
    assert "core" in runner.invoke(args=["plugins", "list", "--all"]).output
    result = runner.invoke(args=["plugins", "disable", "core"])
    assert result.exit_code != 0 and "cannot be disabled" in result.output


def test_refusing_to_disable_the_core_is_audited(app, users, login):
    from journal.storage import get_store

    login(app.test_client(), "admin").post("/admin/plugins/core/disable")
    (record,) = [r for r in get_store().audit.all() if r["object_type"] == "plugin"]
    assert (record["object_id"], record["outcome"], record["detail"]) == (
        "core", "refused", "disable")
