"""What a plugin author tripped over (issue 12), each fixed and kept fixed."""

from __future__ import annotations

import json

import pytest
from flask import Blueprint
from flask import jsonify
from flask import render_template_string

from journal import hookimpl
from journal.storage import get_store

from .conftest import SamplePlugin

EN = {"Accept-Language": "en"}


def test_a_plugin_registered_after_signing_in_has_its_pages(app, login, register_plugin):
    teacher = login(app.test_client(), "teacher")  # the app has served requests now
    register_plugin(SamplePlugin(), "sample")
    assert teacher.get("/p/sample/hello").get_data(as_text=True) == "hello from the sample plugin"


def test_login_needs_no_other_fixture(app, login):
    teacher = login(app.test_client(), "teacher")
    assert teacher.get("/").status_code == 200


class Slots(SamplePlugin):
    """Says where it is, in every slot."""

    @hookimpl
    def journal_page_fragment(self, slot, context):
        if slot == "entry_footer":
            return f"<p>voet van {context['entry']['id']}</p>"
        if slot == "entry_form":
            entry = context.get("entry")
            return f"<p>formulier {context['kind']} {entry['id'] if entry else 'nieuw'}</p>"
        return None


def test_the_entry_footer_and_entry_form_slots_are_rendered(app, users, login, make_trajectory,
                                                             make_entry, register_plugin):
    register_plugin(Slots(), "sample")
    trajectory = make_trajectory(users["teacher"], users["support"])
    entry = make_entry(trajectory, users["teacher"])
    teacher = login(app.test_client(), "teacher")
    base = f"/t/{trajectory['id']}"
    assert f"<p>voet van {entry['id']}</p>" in teacher.get(base).get_data(as_text=True)
    assert f"<p>voet van {entry['id']}</p>" in teacher.get(
        f"{base}/entries/{entry['id']}").get_data(as_text=True)
    assert "<p>formulier observation nieuw</p>" in teacher.get(
        f"{base}/entries/new?kind=observation").get_data(as_text=True)
    assert f"<p>formulier observation {entry['id']}</p>" in teacher.get(
        f"{base}/entries/{entry['id']}/edit").get_data(as_text=True)


PAGE = """{% extends "plugin_page.html" %}
{% block title %}Overzicht{% endblock %}
{% block page %}<h1 onclick="steal()">Overzicht</h1><script>steal()</script>
<p style="color:red">{{ note|safe }}</p>
<form method="post" action="javascript:steal()"><input type="hidden" name="csrf_token" value="x">
<button type="submit">Bewaren</button></form>{% endblock %}"""


class Pages(SamplePlugin):
    def __init__(self, name="sample", **kwargs):
        super().__init__(name, **kwargs)
        self.pages = Blueprint(f"{name}_more", __name__)

        @self.pages.route("/layout")
        def layout():
            return render_template_string(PAGE, note='<img src=x onerror="steal()">Let op')

        @self.pages.route("/bare")
        def bare():
            return '<p>kaal</p><script>steal()</script><a href="javascript:steal()">x</a>'

        @self.pages.route("/data")
        def data():
            return jsonify({"html": "<script>blijft data</script>"})

        @self.pages.route("/broken")
        def broken():
            raise ZeroDivisionError("the plugin page broke")

    @hookimpl
    def journal_blueprints(self):
        return [self.bp, self.pages]


def test_plugin_pages_pass_the_sanitiser_and_keep_the_journal_layout(app, login,
                                                                      register_plugin):
    register_plugin(Pages(), "sample")
    teacher = login(app.test_client(), "teacher")
    page = teacher.get("/p/sample/layout").get_data(as_text=True)
    assert 'class="skip-link"' in page and "<title>Overzicht" in page  # the journal's layout
    main = page.split('<main', 1)[1].split("</main>", 1)[0]
    assert "<h1>Overzicht</h1>" in main and "<button" in main and 'name="csrf_token"' in main
    for hostile in ("steal()", "onclick", "onerror", "<script", "style="):
        assert hostile not in main, hostile

    bare = teacher.get("/p/sample/bare").get_data(as_text=True)
    assert "<p>kaal</p>" in bare and "steal()" not in bare
    data = teacher.get("/p/sample/data")
    assert json.loads(data.get_data(as_text=True)) == {"html": "<script>blijft data</script>"}


@pytest.fixture
def app_config():
    return {"PROPAGATE_EXCEPTIONS": False}


def test_a_plugin_page_that_raises_is_recorded_on_the_admin_page(app, login, register_plugin,
                                                                 plugin_host, lenient_plugins):
    register_plugin(Pages(), "sample")
    teacher = login(app.test_client(), "teacher")
    assert teacher.get("/p/sample/broken").status_code == 500
    record = plugin_host.records["sample"]
    assert record.failures == 1 and "page sample_more.broken" in record.error
    admin = login(app.test_client(), "admin")
    assert "ZeroDivisionError: the plugin page broke" in admin.get(
        "/admin/plugins/").get_data(as_text=True)


class BadValidator(SamplePlugin):
    def __init__(self, answer):
        super().__init__()
        self.answer = answer

    @hookimpl
    def journal_validate_settings(self, settings):
        if self.answer == "raise":
            raise KeyError("remind_after_days")
        return self.answer


@pytest.mark.parametrize("answer", ["raise", "not a list"])
def test_a_settings_validator_that_fails_refuses_the_change(app, login, register_plugin,
                                                            plugin_host, lenient_plugins, answer):
    register_plugin(BadValidator(answer), "sample")
    admin = login(app.test_client(), "admin")
    response = admin.post("/admin/plugins/sample/settings", headers=EN,
                          data={"s_max_items": "7", "s_school_code": "LINDE"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "could not check these settings, so nothing was saved" in page
    assert 'value="LINDE"' in page  # what the admin typed is kept
    assert plugin_host.plugin_settings("sample")["max_items"] == 5
    assert plugin_host.records["sample"].failures == 1


def test_reflection_models_and_focus_area_labels_outlive_their_plugin(
        app, users, login, make_trajectory, register_plugin, plugin_host):
    register_plugin(SamplePlugin(), "sample")
    trajectory = make_trajectory(users["teacher"], users["support"], focus_areas=["sensorisch"])
    teacher = login(app.test_client(), "teacher")
    base = f"/t/{trajectory['id']}"
    assert "Sensorische prikkels" in teacher.get(base).get_data(as_text=True)
    response = teacher.post(f"{base}/entries/new?kind=reflection", data={
        "date": "2025-03-12", "model": "gibbs", "phase_gevoelens": "Ik twijfelde.",
        "action": "draft"})
    assert response.status_code == 302
    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])

    plugin_host.unregister("sample")  # as after `pip uninstall`
    trajectory_page = teacher.get(base).get_data(as_text=True)
    assert "Sensorische prikkels" in trajectory_page and ">sensorisch<" not in trajectory_page
    entry_page = teacher.get(f"{base}/entries/{entry['id']}").get_data(as_text=True)
    assert "Gibbs" in entry_page
    assert "Gevoelens" in entry_page and "Wat dacht en voelde ik?" in entry_page
    assert "Beschrijving" in entry_page  # a phase without contributions still shows
    # a removed model is not offered for new reflections
    assert "gibbs" not in [m["id"] for m in plugin_host.reflection_models()]


def test_an_enabled_plugin_that_is_no_longer_installed_is_listed_as_missing(
        app, users, login, runner, plugin_host):
    get_store().settings.set("enabled_plugins", ["gone"])
    listed = runner.invoke(args=["plugins", "list"]).output
    assert "gone" in listed and "missing" in listed
    (described,) = json.loads(runner.invoke(args=["plugins", "list", "--json"]).output)
    assert (described["name"], described["status"], described["enabled"]) == (
        "gone", "missing", True)
    admin = login(app.test_client(), "admin")
    page = admin.get("/admin/plugins/", headers=EN).get_data(as_text=True)
    assert 'id="plugin-gone"' in page and "no longer installed" in page
    assert admin.post("/admin/plugins/gone/disable").status_code == 302
    assert "gone" not in runner.invoke(args=["plugins", "list"]).output
