"""Plugin export formats: offered on the print view, downloaded with the same access rules."""

from __future__ import annotations

from journal import hookimpl
from journal.storage import get_store


class MeetingSummary:
    """A plugin with one export format: a plain-text meeting summary."""

    @hookimpl
    def journal_plugin_info(self):
        return {"title": "Vergaderverslag", "description": "", "api_version": 1}

    @hookimpl
    def journal_export_formats(self):
        def render(trajectory, entries, goals):
            lines = [trajectory["title"]] + [e["fields"].get("seen", "") for e in entries]
            return "\n".join(lines + [g["text"] for g in goals])

        return [{"id": "summary", "label": "vergaderverslag", "mimetype": "text/plain",
                 "extension": "txt", "render": render}]


def test_an_export_has_only_what_the_user_may_read(
        app, users, login, register_plugin, make_trajectory, make_entry, make_goal):
    register_plugin(MeetingSummary(), "meeting")
    trajectory = make_trajectory(users["teacher"], (users["support"], "support"))
    make_entry(trajectory, users["teacher"], seen="Gedeelde observatie")
    make_entry(trajectory, users["teacher"], seen="Interne notitie", internal=True)
    make_entry(trajectory, users["support"], seen="Concept van de ondersteuner", publish=False)
    make_goal(trajectory, text="Zelfstandig starten")
    client = login(app.test_client(), "teacher")
    page = client.get(f"/t/{trajectory['id']}/print")
    url = f"/t/{trajectory['id']}/export/meeting.summary"
    assert url.encode() in page.data
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "Gedeelde observatie" in text and "Zelfstandig starten" in text
    assert "Interne notitie" not in text and "Concept van de ondersteuner" not in text
    assert any(r["action"] == "export" and r["object_id"] == trajectory["id"]
               for r in get_store().audit.all())


def test_outsiders_and_disabled_formats_get_nothing(
        app, users, login, register_plugin, plugin_host, make_trajectory):
    register_plugin(MeetingSummary(), "meeting")
    trajectory = make_trajectory(users["teacher"])
    url = f"/t/{trajectory['id']}/export/meeting.summary"
    assert login(app.test_client(), "outsider_teacher").get(url).status_code == 404
    plugin_host.disable("meeting")
    assert login(app.test_client(), "teacher").get(url).status_code == 404
