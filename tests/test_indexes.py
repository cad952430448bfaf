"""The storage's indexes stay exact whatever path a change takes: pages, the API, the command
line (accounts, compaction, restore), an erasure, and another process writing to the same data.

Each check compares every index lookup the journal relies on (a trajectory's team members,
an entry's authors, documents by trajectory and pupil) with a plain scan of the documents,
and what the coordinator's patterns keep per trajectory (derived values reused while the
storage's change stamps are equal) with the same values derived from scratch.
The indexes are built before the changes, so what is tested is how they are kept up to date.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict

import pytest

from flask import current_app

from journal.process.pattern_adaptations import trajectory_facts
from journal.storage import get_store
from journal.storage.store import AUTHOR
from journal.storage.store import TEAM_MEMBER

EN = {"Accept-Language": "en"}

#: (table, index path, how a plain scan finds the values of one document)
LOOKUPS = (
    ("trajectories", TEAM_MEMBER, lambda d: [m.get("user_id") for m in d.get("members", ())]),
    ("trajectories", "pupil_id", lambda d: [d.get("pupil_id")]),
    ("entries", AUTHOR, lambda d: list(d.get("authors", ()))),
    ("entries", "trajectory_id", lambda d: [d.get("trajectory_id")]),
    ("goals", "trajectory_id", lambda d: [d.get("trajectory_id")]),
    ("comments", "entry_id", lambda d: [d.get("entry_id")]),
    ("users", "username", lambda d: [d.get("username")]),
    ("users", "active", lambda d: [d.get("active")]),
)


@pytest.fixture
def app_config():
    return {"JOURNAL_IN_MEMORY": False}  # on disk: another process and a restore take part


def assert_exact(seen_values: set) -> None:
    """Every lookup answers what a scan of the documents answers."""
    db = get_store().db
    for table, path, values_of in LOOKUPS:
        expected = defaultdict(set)
        for doc in db.table(table).all():
            for value in values_of(doc):
                expected[value].add(doc["id"])
        for value in set(expected) | seen_values:
            found = {d["id"] for d in db.table(table).by(path, value)}
            assert found == expected.get(value, set()), (table, path, value)
        seen_values.update(expected)
    assert_patterns_exact()


def assert_patterns_exact() -> dict:
    """What the patterns kept per trajectory equals what they derive from scratch now;
    return it (trajectory id -> facts)."""
    with current_app.test_request_context():
        store = get_store()
        trajectories = store.trajectories.all_readonly()
        kept = trajectory_facts(trajectories)
        store.derived("patterns").forget()
        assert kept == trajectory_facts(trajectories)
        return kept


def tags_of(trajectory_id: str) -> set[str]:
    """The tags the patterns count for a trajectory."""
    facts = assert_patterns_exact().get(trajectory_id)
    return set(facts.tag_dates) if facts else set()


@pytest.fixture
def school(app, users, make_trajectory, make_entry, make_goal):
    team = make_trajectory(users["teacher"], (users["support"], "support"))
    other = make_trajectory(users["outsider_teacher"])
    make_entry(team, users["teacher"], seen="Begint zelfstandig.")
    make_entry(team, users["support"], "agreement", what="Stappenplan op de bank.",
               tags="werkt")
    make_goal(team, text="Zelfstandig starten")
    seen: set = set()
    assert_exact(seen)  # builds every index and the patterns' facts before anything changes
    facts = trajectory_facts([get_store().trajectories.require(team["id"])])[team["id"]]
    assert [a.label for a in facts.adaptations] == ["Stappenplan op de bank."]
    assert [a.working for a in facts.adaptations] == [True]
    return {"team": team, "other": other, "seen": seen}


def test_changes_through_pages_keep_the_indexes_exact(app, users, login, school):
    team = school["team"]
    client = login(app.test_client(), "support")
    new = client.post(f"/t/{team['id']}/entries/new?kind=observation", headers=EN, data={
        "date": "2025-03-03", "seen": "Werkt met de timer.", "action": "publish",
        "co_authors": users["teacher"]["id"], "tags": "timer"})
    assert new.status_code == 302
    assert "timer" in tags_of(team["id"])
    entry_id = new.headers["Location"].rstrip("/").split("/")[-1]
    assert client.post(f"/t/{team['id']}/entries/{entry_id}/comments",
                       data={"body": "Goed idee."}, headers=EN).status_code == 302
    edit = client.get(f"/t/{team['id']}/edit", headers=EN)
    assert edit.status_code == 200
    form = {"target": team["target"], "pupil_id": team.get("pupil_id") or "",
            "title": team.get("title") or "", "start_date": team.get("start_date") or "2025-01-01",
            "educational_need": "", "learning_question": "", "rev": str(team["rev"]),
            f"member-{users['support']['id']}": "support",
            f"member-{users['outsider_support']['id']}": "support"}  # the teacher leaves the team
    saved = client.post(f"/t/{team['id']}/edit", data=form, headers=EN)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    members = {m["user_id"] for m in get_store().trajectories.require(team["id"])["members"]}
    assert users["teacher"]["id"] not in members
    assert_exact(school["seen"])
    assert team["id"] not in {t["id"] for t in get_store().trajectories.find_in(
        TEAM_MEMBER, [users["teacher"]["id"]])}


def test_changes_through_the_api_keep_the_indexes_exact(app, users, school):
    from journal.security.sessions import create_token

    with app.app_context():
        _record, secret = create_token(users["teacher"], "test")
    response = app.test_client().post(
        f"/api/v1/trajectories/{school['team']['id']}/entries",
        json={"kind": "observation", "date": "2025-04-01", "fields": {"seen": "Via de API."},
              "tags": ["via-api"], "publish": True},
        headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201, response.get_json()
    assert "via-api" in tags_of(school["team"]["id"])
    assert_exact(school["seen"])


def test_account_changes_from_the_command_line_keep_the_indexes_exact(app, users, school):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["user", "add", "nieuwe.collega", "--role", "teacher",
                                "--password-stdin"], input="een lang wachtwoord 123\n")
    assert added.exit_code == 0, added.output
    off = runner.invoke(args=["user", "deactivate", users["support"]["username"]])
    assert off.exit_code == 0, off.output
    assert_exact(school["seen"])
    assert [u["username"] for u in get_store().users.find(username="nieuwe.collega")] == \
        ["nieuwe.collega"]
    assert users["support"]["id"] in {u["id"] for u in get_store().users.find(active=False)}


def test_erasure_keeps_the_indexes_exact(app, users, school):
    from journal.privacy.erasure import erase_pupil

    erase_pupil(school["team"]["pupil_id"], actor_id=users["coordinator"]["id"])
    assert get_store().entries.find_in(AUTHOR, [users["teacher"]["id"]]) == []
    assert_exact(school["seen"])
    assert tags_of(school["team"]["id"]) == set()  # nothing of the pupil is counted any more


def test_another_process_and_a_restore_from_the_command_line_keep_them_exact(
        app, users, school, tmp_path):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", str(tmp_path / "journal-1.jbak")])
    assert made.exit_code == 0, made.output
    data_dir = app.config["JOURNAL_DATA_DIR"]
    # Another process (a second worker) moves the outsider onto the team and writes an entry.
    script = (
        "import sys\n"
        "from journal.storage.engine import Database\n"
        "from journal.storage.store import Store\n"
        "store = Store(Database(sys.argv[1]))\n"
        "t = store.trajectories.require(sys.argv[2])\n"
        "store.trajectories.update(t['id'], {'members': t['members'] + "
        "[{'user_id': sys.argv[3], 'role': 'teacher'}]})\n"
        "store.entries.create({'trajectory_id': t['id'], 'authors': [sys.argv[3]], "
        "'status': 'published', 'kind': 'observation', 'date': '2025-05-05', "
        "'tags': ['ander-proces']})\n"
        "store.close()\n")
    subprocess.run([sys.executable, "-c", script, data_dir, school["team"]["id"],
                    users["outsider_teacher"]["id"]], check=True)
    outsider = users["outsider_teacher"]["id"]
    assert school["team"]["id"] in {t["id"] for t in get_store().trajectories.find_in(
        TEAM_MEMBER, [outsider])}
    assert_exact(school["seen"])
    assert "ander-proces" in tags_of(school["team"]["id"])
    # Compacting and restoring from the command line: this process reloads, indexes follow.
    assert runner.invoke(args=["compact"]).exit_code == 0
    assert_exact(school["seen"])
    restored = runner.invoke(args=["restore", str(tmp_path / "journal-1.jbak"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert school["team"]["id"] not in {t["id"] for t in get_store().trajectories.find_in(
        TEAM_MEMBER, [outsider])}
    assert_exact(school["seen"])
    assert tags_of(school["team"]["id"]) == {"werkt"}
