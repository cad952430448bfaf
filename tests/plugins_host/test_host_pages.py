"""Through the web: plugins change what staff see at once, and a failing plugin breaks no page."""

from __future__ import annotations

import pytest

from journal import hookimpl
from journal.plugins.hookspecs import PLUGIN_API_VERSION
from journal.storage import get_store
from journal.plugins.testing import form_data
from journal.process.entry_forms import TEMPLATE_PREFIX
from journal.plugins.entry_templates import registry

from .conftest import SamplePlugin

ALL_HOOKS = [
    "journal_plugin_info", "journal_entry_templates", "journal_focus_areas", "journal_tag_vocabularies",
    "journal_reflection_models", "journal_suggest_templates", "journal_validate_entry",
    "journal_entry_saved", "journal_page_fragment", "journal_blueprints", "journal_cli_commands",
    "journal_export_formats", "journal_default_settings", "journal_validate_settings",
    "journal_upgrade_entry_data",
]


@pytest.fixture
def team(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"], focus_areas=["ass"])


def write_entry(client, trajectory, spec_answers, template="sample.checklist"):
    data = {"date": "2025-02-03", "seen": "Rustiger na het dagschema.", "action": "publish",
            **spec_answers}
    return client.post(f"/t/{trajectory['id']}/entries/new?kind=observation&template={template}",
                       data=data)


def test_enabling_offers_the_templates_at_once_and_disabling_keeps_old_entries(
        app, users, login, team, register_plugin, plugin_host):
    register_plugin(SamplePlugin(), "sample", enabled=False)
    admin = login(app.test_client(), "admin")
    teacher = login(app.test_client(), "teacher")
    choose = f"/t/{team['id']}/entries/new"
    assert "Voorspelbaarheid" not in teacher.get(choose).get_data(as_text=True)

    assert admin.post("/admin/plugins/sample/enable").status_code == 302
    assert "Voorspelbaarheid" in teacher.get(choose).get_data(as_text=True)
    spec = registry.find(plugin_host, "sample.checklist")
    answers = {"adaptations": {"pictos": {"status": "werkt", "note": "helpt echt"}}, "mood": "goed"}
    response = write_entry(teacher, team, form_data(spec, answers, TEMPLATE_PREFIX))
    assert response.status_code == 302, response.get_data(as_text=True)
    (entry,) = get_store().entries.find(trajectory_id=team["id"])
    assert entry["answers"] == answers
    assert entry["template"]["id"] == "sample.checklist" and entry["template"]["version"] == 1

    assert admin.post("/admin/plugins/sample/disable").status_code == 302
    assert "Voorspelbaarheid" not in teacher.get(choose).get_data(as_text=True)
    page = teacher.get(f"/t/{team['id']}/entries/{entry['id']}").get_data(as_text=True)
    assert "Dagschema met pictogrammen" in page and "helpt echt" in page
    assert "plugin disabled" in page


def test_the_templates_answers_are_checked_on_save(app, users, login, team, sample):
    teacher = login(app.test_client(), "teacher")
    response = write_entry(teacher, team, {TEMPLATE_PREFIX + "mood": "boos"})
    assert response.status_code == 400
    assert get_store().entries.all() == []


class Failing(SamplePlugin):
    """Fails in one hook; also contributes a fragment so slots get exercised."""


def pages_of(trajectory, entry_id):
    t = trajectory["id"]
    return ["/", f"/t/{t}", f"/t/{t}/entries/new",
            f"/t/{t}/entries/new?kind=observation&template=sample.checklist",
            f"/t/{t}/entries/new?kind=reflection", f"/t/{t}/entries/{entry_id}", f"/t/{t}/print"]


@pytest.mark.parametrize("hook", ALL_HOOKS)
def test_a_plugin_failing_in_any_hook_breaks_no_page(app, users, login, team, register_plugin,
                                                     plugin_host, lenient_plugins, hook):
    healthy = SamplePlugin()
    register_plugin(healthy, "sample")
    spec = registry.find(plugin_host, "sample.checklist")
    entry = get_store().entries.create({
        "trajectory_id": team["id"], "pupil_id": team["pupil_id"], "kind": "observation",
        "status": "published", "date": "2025-02-03", "authors": [users["teacher"]["id"]],
        "created_by": users["teacher"]["id"], "tags": [], "goal_ids": [],
        "fields": {"seen": "Rustig."}, "html": {}, "internal": False, "breach_of_rules": False,
        "template": registry.snapshot_for_entry(plugin_host, spec),
        "answers": {"adaptations": {"pictos": {"status": "werkt", "note": ""}}, "mood": "goed"},
    })
    register_plugin(Failing("broken", fail_in={hook}), "broken")

    teacher = login(app.test_client(), "teacher")
    for url in pages_of(team, entry["id"]):
        assert teacher.get(url).status_code == 200, (hook, url)
    trajectory_page = teacher.get(f"/t/{team['id']}").get_data(as_text=True)
    assert "<b>vet</b>" in trajectory_page  # the healthy plugin's fragment still shows
    if hook == "journal_page_fragment":
        assert 'class="plugin-error"' in trajectory_page
    answers = {"adaptations": {"pictos": {"status": "werkt", "note": ""}}, "mood": "goed"}
    response = write_entry(teacher, team, form_data(spec, answers, TEMPLATE_PREFIX))
    assert response.status_code == 302, (hook, response.get_data(as_text=True)[:2000])
    assert teacher.get("/p/sample/hello").status_code == 200

    record = plugin_host.records["broken"]
    if hook in ("journal_plugin_info", "journal_default_settings", "journal_blueprints",
                "journal_cli_commands"):  # called when the plugin is loaded and wired
        assert record.failures >= 1
    if record.failures:
        admin = login(app.test_client(), "admin")
        page = admin.get("/admin/plugins/").get_data(as_text=True)
        assert "sample plugin broke in " + hook in page
        assert "Traceback" in page


def test_a_plugin_that_failed_to_load_is_listed_with_its_error(app, users, login, plugin_host,
                                                             lenient_plugins, register_plugin):
    register_plugin(Failing("broken", fail_in={"journal_plugin_info"}), "broken")
    admin = login(app.test_client(), "admin")
    page = admin.get("/admin/plugins/").get_data(as_text=True)
    assert plugin_host.records["broken"].status == "failed"
    assert "failed to load" in page and "RuntimeError: sample plugin broke in journal_plugin_info" in page


def test_hook_journal_blueprints_pages_live_under_p_name_and_404_while_disabled(
        app, users, login, register_plugin, plugin_host):
    register_plugin(SamplePlugin(), "sample")
    anonymous = app.test_client()
    assert anonymous.get("/p/sample/hello").status_code == 302  # login required by default
    teacher = login(app.test_client(), "teacher")
    assert teacher.get("/p/sample/hello").get_data(as_text=True) == "hello from the sample plugin"
    plugin_host.disable("sample")
    assert teacher.get("/p/sample/hello").status_code == 404
    plugin_host.enable("sample")
    assert teacher.get("/p/sample/hello").status_code == 200


def test_a_plugin_blueprint_cannot_take_a_core_name(app, register_plugin, plugin_host,
                                                    lenient_plugins):
    from flask import Blueprint

    class Squatter(SamplePlugin):
        @hookimpl
        def journal_blueprints(self):
            return [Blueprint("admin", __name__)]

    register_plugin(Squatter("squatter"), "squatter")
    assert "journal_blueprints" in plugin_host.records["squatter"].error
    assert app.blueprints["admin"].import_name == "journal.web.admin"


class Minimal:
    @hookimpl
    def journal_plugin_info(self):
        return {"title": "Minimal", "api_version": PLUGIN_API_VERSION}


def test_a_minimal_plugin_with_one_hook_is_fine(app, users, login, register_plugin, plugin_host):
    register_plugin(Minimal(), "minimal", source="entrypoint")
    assert plugin_host.records["minimal"].status == "loaded"
    admin = login(app.test_client(), "admin")
    assert "Minimal" in admin.get("/admin/plugins/").get_data(as_text=True)
