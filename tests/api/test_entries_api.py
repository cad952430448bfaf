"""Entries through the API: drafts stay private, stale revisions change nothing."""

from __future__ import annotations

import pytest

from journal.process.reflection import model_by_id
from journal.storage import get_store

OBSERVATION = {
    "kind": "observation", "date": "2025-02-03", "tags": ["Groepswerk", "start"],
    "fields": {"class_group": "3B", "lesson": "Wiskunde", "seen": "Z wacht **lang** voor hij start."},
}


def _create(client, headers, trajectory, **changes):
    body = dict(OBSERVATION, **changes)
    response = client.post(f"/api/v1/trajectories/{trajectory['id']}/entries", headers=headers,
                           json=body)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def draft(client, bearer, trajectory):
    return _create(client, bearer("teacher"), trajectory)


@pytest.fixture
def published(client, bearer, trajectory):
    return _create(client, bearer("teacher"), trajectory, publish=True)


class TestWriting:
    def test_a_member_writes_a_draft(self, client, bearer, trajectory, users, draft):
        assert draft["status"] == "draft"
        assert draft["authors"] == [users["teacher"]["id"]]
        assert draft["tags"] == ["groepswerk", "start"]
        assert draft["fields"]["seen"] == "Z wacht **lang** voor hij start."
        assert draft["html"]["seen"] == "<p>Z wacht <strong>lang</strong> voor hij start.</p>"
        stored = get_store().entries.get(draft["id"])
        assert (stored["trajectory_id"], stored["pupil_id"]) == (trajectory["id"],
                                                                 trajectory["pupil_id"])

    def test_required_fields_are_named_as_in_the_json(self, client, bearer, trajectory):
        response = client.post(f"/api/v1/trajectories/{trajectory['id']}/entries",
                               headers=bearer("teacher"),
                               json={"kind": "agreement", "date": "2025-02-03",
                                     "fields": {"what": "Time Timer op de bank",
                                                "from_date": "2025-02-10",
                                                "review_date": "2025-02-01"}})
        assert response.status_code == 400
        fields = response.json["error"]["fields"]
        assert set(fields) == {"fields.applied_by", "fields.review_date"}
        assert get_store().entries.all() == []

    def test_unknown_kind_and_foreign_fields_are_refused(self, client, bearer, trajectory):
        url = f"/api/v1/trajectories/{trajectory['id']}/entries"
        bad_kind = client.post(url, headers=bearer("teacher"), json={"kind": "diary"})
        assert bad_kind.status_code == 400
        assert list(bad_kind.json["error"]["fields"]) == ["kind"]
        foreign = client.post(url, headers=bearer("teacher"),
                              json=dict(OBSERVATION, fields={"seen": "x", "what": "y"},
                                        authors=["someone"]))
        assert foreign.status_code == 400
        assert set(foreign.json["error"]["fields"]) == {"fields.what", "authors"}

    def test_goal_links_must_be_goals_of_the_trajectory(self, client, bearer, trajectory,
                                                        make_goal, make_trajectory, users):
        goal = make_goal(trajectory)
        elsewhere = make_goal(make_trajectory(users["teacher"]))
        response = client.post(f"/api/v1/trajectories/{trajectory['id']}/entries",
                               headers=bearer("teacher"),
                               json=dict(OBSERVATION, goal_ids=[goal["id"], elsewhere["id"]]))
        assert response.status_code == 400
        assert list(response.json["error"]["fields"]) == ["goal_ids"]

    def test_the_coordinator_off_the_team_may_read_but_not_write(self, client, bearer,
                                                                 trajectory, published):
        headers = bearer("coordinator")
        assert client.get(f"/api/v1/entries/{published['id']}", headers=headers).status_code == 200
        response = client.post(f"/api/v1/trajectories/{trajectory['id']}/entries",
                               headers=headers, json=OBSERVATION)
        assert response.status_code == 403
        response = client.patch(f"/api/v1/entries/{published['id']}", headers=headers,
                                json={"rev": 1, "tags": ["x"]})
        assert response.status_code == 403
        assert get_store().entries.get(published["id"])["tags"] == ["groepswerk", "start"]

    @pytest.mark.parametrize("name", ["outsider_teacher", "outsider_support", "admin"])
    def test_outsiders_get_404(self, client, bearer, trajectory, published, name):
        headers = bearer(name)
        assert client.get(f"/api/v1/entries/{published['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/trajectories/{trajectory['id']}/entries",
                          headers=headers).status_code == 404
        assert client.post(f"/api/v1/trajectories/{trajectory['id']}/entries", headers=headers,
                           json=OBSERVATION).status_code == 404


class TestReadAudit:
    def test_reading_an_entry_is_audited_by_id_only(self, client, bearer, published, users,
                                                    trajectory):
        client.get(f"/api/v1/entries/{published['id']}", headers=bearer("support"))
        reads = [r for r in get_store().audit.all() if r["action"] == "view"]
        assert [(r["user_id"], r["object_type"], r["object_id"], r["pupil_id"]) for r in reads] == [
            (users["support"]["id"], "entry", published["id"], trajectory["pupil_id"])]
        assert "lang" not in repr(reads)  # the entry's words never reach the log

    def test_listing_entries_and_comments_is_audited(self, client, bearer, published, users,
                                                     trajectory):
        client.get(f"/api/v1/trajectories/{trajectory['id']}/entries", headers=bearer("support"))
        client.get(f"/api/v1/entries/{published['id']}/comments", headers=bearer("support"))
        reads = [r for r in get_store().audit.all() if r["action"] == "view"]
        assert [(r["object_id"], r["pupil_id"]) for r in reads] == [
            (trajectory["id"], trajectory["pupil_id"]), (published["id"], trajectory["pupil_id"])]


class TestDrafts:
    def test_a_draft_is_invisible_to_the_rest_of_the_team(self, client, bearer, trajectory,
                                                          draft):
        for name in ("support", "coordinator"):
            headers = bearer(name)
            listed = client.get(f"/api/v1/trajectories/{trajectory['id']}/entries",
                                headers=headers)
            assert listed.json["items"] == [], name
            assert client.get(f"/api/v1/entries/{draft['id']}", headers=headers).status_code == 404
            assert client.get(f"/api/v1/entries/{draft['id']}/comments",
                              headers=headers).status_code == 404
            assert client.patch(f"/api/v1/entries/{draft['id']}", headers=headers,
                                json={"rev": 1, "tags": []}).status_code == 404
        mine = client.get(f"/api/v1/trajectories/{trajectory['id']}/entries",
                          headers=bearer("teacher"))
        assert [e["id"] for e in mine.json["items"]] == [draft["id"]]

    def test_publishing_shows_it_to_the_team(self, client, bearer, trajectory, draft):
        response = client.post(f"/api/v1/entries/{draft['id']}/publish", headers=bearer("teacher"))
        assert response.status_code == 200
        assert response.json["status"] == "published"
        listed = client.get(f"/api/v1/trajectories/{trajectory['id']}/entries",
                            headers=bearer("support"))
        assert [e["id"] for e in listed.json["items"]] == [draft["id"]]

    def test_a_co_author_sees_the_draft(self, client, bearer, trajectory, users):
        entry = _create(client, bearer("teacher"), trajectory,
                        co_author_ids=[users["support"]["id"], users["outsider_support"]["id"]])
        assert entry["authors"] == [users["teacher"]["id"], users["support"]["id"]]
        assert client.get(f"/api/v1/entries/{entry['id']}", headers=bearer("support")).status_code == 200


class TestUpdating:
    def test_an_update_from_the_current_revision_saves(self, client, bearer, published, users):
        response = client.patch(f"/api/v1/entries/{published['id']}", headers=bearer("support"),
                                json={"rev": 1, "fields": {"quick_wins": "Een *stappenplan*"}})
        assert response.status_code == 200
        body = response.json
        assert body["rev"] == 2
        assert body["fields"]["quick_wins"] == "Een *stappenplan*"
        assert body["html"]["quick_wins"] == "<p>Een <em>stappenplan</em></p>"
        assert body["fields"]["seen"] == OBSERVATION["fields"]["seen"]  # left out, kept
        assert body["authors"] == [users["teacher"]["id"], users["support"]["id"]]

    def test_a_stale_revision_is_409_and_nothing_changes(self, client, bearer, published):
        first = client.patch(f"/api/v1/entries/{published['id']}", headers=bearer("support"),
                             json={"rev": 1, "fields": {"lesson": "Frans"}})
        assert first.status_code == 200
        # The teacher still holds revision 1 and changes another field: no silent merge.
        stale = client.patch(f"/api/v1/entries/{published['id']}", headers=bearer("teacher"),
                             json={"rev": 1, "tags": ["wachten"]})
        assert stale.status_code == 409
        assert stale.json["error"]["status"] == 409
        assert stale.json["current"]["rev"] == 2
        assert stale.json["current"]["fields"]["lesson"] == "Frans"
        stored = get_store().entries.get(published["id"])
        assert (stored["rev"], stored["tags"]) == (2, ["groepswerk", "start"])

    def test_an_invalid_update_changes_nothing(self, client, bearer, published):
        response = client.patch(f"/api/v1/entries/{published['id']}", headers=bearer("teacher"),
                                json={"rev": 1, "date": "gisteren", "fields": {"seen": ""}})
        assert response.status_code == 400
        assert set(response.json["error"]["fields"]) == {"date", "fields.seen"}
        assert get_store().entries.get(published["id"])["rev"] == 1

    def test_status_and_authors_cannot_be_patched(self, client, bearer, draft):
        response = client.patch(f"/api/v1/entries/{draft['id']}", headers=bearer("teacher"),
                                json={"rev": 1, "status": "published", "authors": []})
        assert response.status_code == 400
        assert get_store().entries.get(draft["id"])["status"] == "draft"


class TestReflections:
    def test_a_reflection_is_co_written_and_published_with_conclusions(self, client, bearer,
                                                                       trajectory, users):
        phases = [p["key"] for p in model_by_id("korthagen")["phases"]]
        created = client.post(f"/api/v1/trajectories/{trajectory['id']}/entries",
                              headers=bearer("support"), json={
                                  "kind": "reflection", "date": "2025-03-01", "publish": True,
                                  "contributions": [{"phase": phases[0], "text": "We wilden X."}],
                                  "fields": {"conclusions": "Werkt.", "next_steps": "Verder."}})
        assert created.status_code == 201, created.json
        entry = created.json
        assert entry["fields"]["model"] == "korthagen"
        added = client.post(f"/api/v1/entries/{entry['id']}/contributions",
                            headers=bearer("teacher"),
                            json={"phase": phases[1], "text": "Ik zag Y."})
        assert added.status_code == 201
        contributions = added.json["fields"]["contributions"]
        assert [(c["author_id"], c["phase"]) for c in contributions] == [
            (users["support"]["id"], phases[0]), (users["teacher"]["id"], phases[1])]

    def test_an_unknown_phase_is_a_field_error(self, client, bearer, trajectory):
        response = client.post(f"/api/v1/trajectories/{trajectory['id']}/entries",
                               headers=bearer("support"), json={
                                   "kind": "reflection", "date": "2025-03-01",
                                   "contributions": [{"phase": "nope", "text": "X"}]})
        assert response.status_code == 400
        assert list(response.json["error"]["fields"]) == ["contributions"]

    def test_publishing_a_reflection_needs_conclusions(self, client, bearer, trajectory):
        response = client.post(f"/api/v1/trajectories/{trajectory['id']}/entries",
                               headers=bearer("support"),
                               json={"kind": "reflection", "date": "2025-03-01", "publish": True})
        assert response.status_code == 400
        assert set(response.json["error"]["fields"]) == {"fields.conclusions",
                                                         "fields.next_steps"}
        assert get_store().entries.all() == []


class TestComments:
    def test_members_comment_and_everyone_who_reads_sees_it(self, client, bearer, published,
                                                            users):
        response = client.post(f"/api/v1/entries/{published['id']}/comments",
                               headers=bearer("support"), json={"body": "Goed *gezien*"})
        assert response.status_code == 201
        assert response.json["html"] == "<p>Goed <em>gezien</em></p>"
        listed = client.get(f"/api/v1/entries/{published['id']}/comments",
                            headers=bearer("coordinator"))
        assert [(c["author_id"], c["body"]) for c in listed.json["items"]] == [
            (users["support"]["id"], "Goed *gezien*")]
        entry = client.get(f"/api/v1/entries/{published['id']}", headers=bearer("teacher")).json
        assert entry["comment_count"] == 1

    def test_an_empty_comment_is_a_field_error(self, client, bearer, published):
        response = client.post(f"/api/v1/entries/{published['id']}/comments",
                               headers=bearer("teacher"), json={"body": "  "})
        assert response.status_code == 400
        assert list(response.json["error"]["fields"]) == ["body"]

    def test_the_coordinator_off_the_team_may_not_comment(self, client, bearer, published):
        response = client.post(f"/api/v1/entries/{published['id']}/comments",
                               headers=bearer("coordinator"), json={"body": "Hallo"})
        assert response.status_code == 403
        assert get_store().comments.all() == []
