"""Upgrading an entry to a newer template version is an explicit action, offered only when possible."""

from __future__ import annotations

from journal.storage import get_store

from .conftest import SamplePlugin
from .test_host_templates import entry_with


def _stored_entry(plugin_host, trajectory, author):
    doc = entry_with(plugin_host, version=1)
    doc.pop("id")
    doc.update({"trajectory_id": trajectory["id"], "pupil_id": trajectory.get("pupil_id"),
                "status": "published", "date": "2026-11-02", "authors": [author["id"]],
                "created_by": author["id"], "fields": {"seen": "x"}, "html": {}, "tags": [],
                "goal_ids": []})
    return get_store().entries.create(doc)


def _url(trajectory, entry, suffix=""):
    return f"/t/{trajectory['id']}/entries/{entry['id']}{suffix}"


def test_the_upgrade_is_offered_and_done_only_on_request(
        app, users, login, register_plugin, plugin_host, make_trajectory):
    plugin = SamplePlugin(versions=(1,))
    register_plugin(plugin, "sample")
    trajectory = make_trajectory(users["teacher"])
    entry = _stored_entry(plugin_host, trajectory, users["teacher"])
    client = login(app.test_client(), "teacher")
    assert b"/upgrade" not in client.get(_url(trajectory, entry)).data

    plugin.versions = (1, 2)  # the plugin ships version 2 with an upgrade
    page = client.get(_url(trajectory, entry))
    assert b"/upgrade" in page.data
    assert get_store().entries.get(entry["id"])["template"]["version"] == 1, "viewing changes nothing"

    response = client.post(_url(trajectory, entry, "/upgrade"), data={"rev": entry["rev"]})
    assert response.status_code == 302
    stored = get_store().entries.get(entry["id"])
    assert stored["template"]["version"] == 2
    assert stored["answers"]["adaptations"]["timer"]["note"] == "nieuw"
    assert get_store().entries.history(entry["id"])[-1]["document"]["template"]["version"] == 1


def test_a_stale_upgrade_changes_nothing_and_outsiders_cannot(
        app, users, login, register_plugin, plugin_host, make_trajectory):
    register_plugin(SamplePlugin(versions=(1, 2)), "sample")
    trajectory = make_trajectory(users["teacher"])
    entry = _stored_entry(plugin_host, trajectory, users["teacher"])
    get_store().entries.update(entry["id"], {"tags": ["later"]})
    client = login(app.test_client(), "teacher")
    client.post(_url(trajectory, entry, "/upgrade"), data={"rev": entry["rev"]})
    assert get_store().entries.get(entry["id"])["template"]["version"] == 1

    outsider = login(app.test_client(), "outsider_teacher")
    assert outsider.post(_url(trajectory, entry, "/upgrade"), data={"rev": 2}).status_code == 404
    assert get_store().entries.get(entry["id"])["template"]["version"] == 1
