"""Per-plugin settings (declared defaults, validation) and the ``journal plugins`` commands."""

from __future__ import annotations

import json

import pytest

from journal.storage import get_store

from .conftest import SamplePlugin


def test_hook_journal_default_settings_are_the_starting_values(sample, plugin_host):
    assert plugin_host.plugin_settings("sample") == {
        "show_tips": True, "max_items": 5, "school_code": "", "api_token": ""}




def test_hook_journal_validate_settings_refuses_bad_values(sample, plugin_host):
    assert plugin_host.save_settings("sample", {"max_items": 50}) == {
        "": ["max_items must be between 1 and 20"]}
    assert plugin_host.save_settings("sample", {"nope": 1}) == {"nope": ["not a setting of this plugin"]}
    assert plugin_host.save_settings("sample", {"max_items": "veel"}) == {"max_items": ["wrong type"]}
    assert plugin_host.save_settings("sample", {"max_items": 3}) == {}
    assert plugin_host.plugin_settings("sample")["max_items"] == 3


class TestConfiguredSettings:
    """Settings from the instance config (``JOURNAL_PLUGIN_SETTINGS``) and the environment."""

    @pytest.fixture
    def app_config(self):
        return {"JOURNAL_PLUGIN_SETTINGS": {"sample": {
            "max_items": 7, "api_token": {"$env": "SAMPLE_TOKEN"}, "undeclared": 1}}}

    def test_instance_config_and_env_override_defaults(self, sample, plugin_host, monkeypatch):
        monkeypatch.setenv("SAMPLE_TOKEN", "s3cret")
        settings = plugin_host.plugin_settings("sample")
        assert settings["max_items"] == 7 and settings["api_token"] == "s3cret"
        assert "undeclared" not in settings

    def test_cli_check_reports_undeclared_configured_keys(self, sample, runner):
        result = runner.invoke(args=["plugins", "check"])
        assert result.exit_code == 1
        assert "JOURNAL_PLUGIN_SETTINGS has undeclared keys: undeclared" in result.output

    def test_admin_settings_form(self, app, sample, users, login, plugin_host, monkeypatch):
        monkeypatch.setenv("SAMPLE_TOKEN", "s3cret")
        admin = login(app.test_client(), "admin")
        page = admin.get("/admin/plugins/sample/settings").get_data(as_text=True)
        assert 'for="s_max_items"' in page and 'value="7"' in page
        assert "s3cret" not in page  # secrets are never shown
        response = admin.post("/admin/plugins/sample/settings",
                              data={"s_max_items": "99", "s_school_code": "ABC"})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "max_items must be between 1 and 20" in page and 'value="99"' in page
        response = admin.post("/admin/plugins/sample/settings",
                              data={"s_max_items": "veel", "s_show_tips": "1"})
        assert response.status_code == 400 and "Enter a whole number." in response.get_data(as_text=True)
        response = admin.post("/admin/plugins/sample/settings",
                              data={"s_max_items": "4", "s_school_code": "ABC"})
        assert response.status_code == 302
        settings = plugin_host.plugin_settings("sample")
        assert settings["max_items"] == 4 and settings["school_code"] == "ABC"
        assert settings["show_tips"] is False  # an unticked box
        assert settings["api_token"] == "s3cret"  # an empty secret field keeps the value


def test_only_admins_reach_the_plugin_pages(app, sample, users, login):
    teacher = login(app.test_client(), "teacher")
    assert teacher.get("/admin/plugins/").status_code == 403
    assert teacher.post("/admin/plugins/sample/disable").status_code == 403
    assert teacher.get("/admin/plugins/sample/settings").status_code == 403
    assert app.test_client().get("/admin/plugins/").status_code == 302


def test_enabling_and_disabling_in_the_admin_is_audited(app, sample, users, login, plugin_host):
    admin = login(app.test_client(), "admin")
    admin.post("/admin/plugins/sample/disable")
    assert not plugin_host.is_active("sample")
    admin.post("/admin/plugins/sample/enable")
    assert plugin_host.is_active("sample")
    details = [r["detail"] for r in get_store().audit.all() if r["object_type"] == "plugin"]
    assert details == ["disable", "enable"]
    assert admin.post("/admin/plugins/unknown/enable").status_code == 404


def test_cli_list_enable_disable(runner, register_plugin, plugin_host):
    register_plugin(SamplePlugin(), "sample", enabled=False)
    result = runner.invoke(args=["plugins", "list"])
    assert result.exit_code == 0 and "sample" in result.output and "disabled" in result.output
    result = runner.invoke(args=["plugins", "enable", "sample"])
    assert result.exit_code == 0 and plugin_host.is_active("sample")
    (described,) = json.loads(runner.invoke(args=["plugins", "list", "--json"]).output)
    assert described["enabled"] is True and described["status"] == "loaded"
    assert described["title"] == "Sample plugin" and "journal_entry_templates" in described["hooks"]
    assert runner.invoke(args=["plugins", "disable", "sample"]).exit_code == 0
    assert not plugin_host.is_active("sample")
    result = runner.invoke(args=["plugins", "enable", "nope"])
    assert result.exit_code != 0 and "No installed plugin 'nope'" in result.output


def test_cli_list_json_shows_the_last_error(runner, register_plugin, plugin_host, lenient_plugins):
    register_plugin(SamplePlugin(fail_in={"journal_plugin_info"}), "sample")
    (described,) = json.loads(runner.invoke(args=["plugins", "list", "--json"]).output)
    assert described["status"] == "failed"
    assert "RuntimeError: sample plugin broke in journal_plugin_info" in described["error"]


def test_cli_check_passes_good_plugins_and_fails_broken_ones(runner, register_plugin,
                                                             lenient_plugins):
    register_plugin(SamplePlugin(), "sample")
    result = runner.invoke(args=["plugins", "check"])
    assert result.exit_code == 0, result.output
    assert "sample: ok" in result.output
    register_plugin(SamplePlugin("broken", fail_in={"journal_entry_templates"}), "broken")
    result = runner.invoke(args=["plugins", "check"])
    assert result.exit_code == 1
    assert "broken: breaks the plugin contract" in result.output


def test_cli_names_a_plugin_that_still_uses_a_renamed_hook(runner, register_plugin):
    from .test_host_templates import OldNamePlugin

    with pytest.warns(DeprecationWarning):
        register_plugin(OldNamePlugin(), "oldname")
    note = "uses the deprecated hook journal_templates: rename it journal_entry_templates"
    assert note in runner.invoke(args=["plugins", "list"]).output
    with pytest.warns(DeprecationWarning):  # the check registers it again on a throwaway app
        result = runner.invoke(args=["plugins", "check"])
    assert result.exit_code == 0, result.output
    assert "oldname: ok" in result.output and f"oldname: {note}" in result.output


def test_the_admin_page_asks_for_a_plugin_version_without_the_old_hook_name(
        app, login, register_plugin):
    from .test_host_templates import OldNamePlugin

    with pytest.warns(DeprecationWarning):
        register_plugin(OldNamePlugin(), "oldname")
    register_plugin(SamplePlugin(), "sample")
    admin = login(app.test_client(), "admin")
    page = admin.get("/admin/plugins/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count("still uses the old hook name") == 1
    assert "old hook name journal_templates" in page and "uses journal_entry_templates" in page


def test_hook_journal_cli_commands_run_only_while_enabled(runner, register_plugin, plugin_host):
    register_plugin(SamplePlugin(), "sample")
    result = runner.invoke(args=["sample", "hello"])
    assert result.exit_code == 0 and "hello from the sample plugin" in result.output
    plugin_host.disable("sample")
    result = runner.invoke(args=["sample", "hello"])
    assert result.exit_code != 0 and "not enabled" in result.output
