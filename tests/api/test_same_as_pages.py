"""The API shows what the web pages show, to the same people, and nothing more."""

from __future__ import annotations

import pytest

SEEN = "Z kijkt naar **buren** voor hij start."


@pytest.fixture
def entries(client, bearer, trajectory):
    """A published observation by the teacher and a draft by the support specialist."""
    url = f"/api/v1/trajectories/{trajectory['id']}/entries"
    published = client.post(url, headers=bearer("teacher"), json={
        "kind": "observation", "date": "2025-02-03", "publish": True, "fields": {"seen": SEEN}})
    draft = client.post(url, headers=bearer("support"), json={
        "kind": "observation", "date": "2025-02-04", "fields": {"seen": "Nog niet klaar."}})
    assert published.status_code == draft.status_code == 201
    return published.json, draft.json


def test_the_trajectory_page_and_the_api_list_the_same_entries(app, client, bearer, login,
                                                               trajectory, entries):
    published, draft = entries
    for name, expected in (("teacher", [published]), ("support", [draft, published]),
                           ("coordinator", [published])):
        page = login(app.test_client(), name).get(f"/t/{trajectory['id']}")
        assert page.status_code == 200
        api = client.get(f"/api/v1/trajectories/{trajectory['id']}/entries", headers=bearer(name))
        assert [e["id"] for e in api.json["items"]] == [e["id"] for e in expected], name
        for entry in (published, draft):
            link = f"/t/{trajectory['id']}/entries/{entry['id']}"
            assert (link.encode() in page.data) == (entry in expected), (name, entry["status"])


def test_an_entry_page_and_the_api_agree_on_content_and_on_who_may_see_it(
        app, client, bearer, login, trajectory, entries):
    published, draft = entries
    for name in ("teacher", "support", "coordinator", "outsider_teacher", "admin"):
        browser = login(app.test_client(), name)
        for entry in (published, draft):
            page = browser.get(f"/t/{trajectory['id']}/entries/{entry['id']}")
            api = client.get(f"/api/v1/entries/{entry['id']}", headers=bearer(name))
            assert page.status_code == api.status_code, (name, entry["status"])
            if api.status_code == 200:
                assert api.json["html"]["seen"].encode() in page.data


def test_the_goal_page_and_the_api_show_the_same_goal(app, client, bearer, login, trajectory,
                                                      make_goal):
    goal = make_goal(trajectory, text="Vraagt **zelf** hulp")
    for name in ("teacher", "coordinator", "outsider_support"):
        page = login(app.test_client(), name).get(f"/t/{trajectory['id']}/goals/{goal['id']}")
        api = client.get(f"/api/v1/goals/{goal['id']}", headers=bearer(name))
        assert page.status_code == api.status_code, name
        if api.status_code == 200:
            assert api.json["html"]["text"].encode() in page.data
