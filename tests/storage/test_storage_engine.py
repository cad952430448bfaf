"""The engine keeps TinyDB's API: what goes in comes back, after a reopen too."""

from __future__ import annotations

import os
import threading

import pytest
from tinydb import where

from journal.storage.check import check_folder
from journal.storage.engine import Database
from journal.storage.store import Store


def test_documents_survive_closing_and_reopening(open_db, data_dir):
    db = open_db()
    entries = db.table("entries")
    first = entries.insert({"id": "a", "trajectory_id": "t1", "fields": {"seen": "Leest traag"}})
    entries.insert({"id": "b", "trajectory_id": "t1", "tags": ["lezen"]})
    entries.update({"status": "published"}, where("id") == "a")
    entries.remove(where("id") == "b")
    db.close()

    again = open_db()
    assert again.table("entries").all() == [
        {"id": "a", "trajectory_id": "t1", "fields": {"seen": "Leest traag"}, "status": "published"}
    ]
    assert again.table("entries").get(doc_id=first)["id"] == "a"
    assert again.tables() == {"entries"}


def test_by_finds_documents_through_indexes_kept_up_to_date(any_db):
    t = any_db.table("entries")
    t.insert({"id": "a", "trajectory_id": "t1"})
    t.insert({"id": "b", "trajectory_id": "t1"})
    t.insert({"id": "c", "trajectory_id": "t2"})
    assert [d["id"] for d in t.by("trajectory_id", "t1")] == ["a", "b"]
    # Changing the indexed field moves the document to its new value.
    t.update({"trajectory_id": "t2"}, where("id") == "a")
    assert [d["id"] for d in t.by("trajectory_id", "t1")] == ["b"]
    assert [d["id"] for d in t.by("trajectory_id", "t2")] == ["a", "c"]
    t.remove(where("id") == "c")
    assert [d["id"] for d in t.by("trajectory_id", "t2")] == ["a"]
    assert t.by("trajectory_id", "nope") == []
    assert t.by("missing_field", "x") == []
    # Non-scalar values are compared directly.
    t.insert({"id": "d", "tags": ["x", "y"]})
    assert [d["id"] for d in t.by("tags", ["x", "y"])] == ["d"]


def test_path_indexes_find_documents_by_every_value_a_list_holds(any_db):
    t = any_db.table("trajectories")
    t.insert({"id": "a", "members": [{"user_id": "u1"}, {"user_id": "u2"}], "authors": ["u1"]})
    t.insert({"id": "b", "members": [{"user_id": "u2"}], "template": {"id": "ass.x"}})
    t.insert({"id": "c", "members": "not a list", "authors": [["nested"], {"x": 1}]})
    assert [d["id"] for d in t.by("members[].user_id", "u2")] == ["a", "b"]
    assert [d["id"] for d in t.by("authors[]", "u1")] == ["a"]
    assert [d["id"] for d in t.by("template.id", "ass.x")] == ["b"]
    # A change moves the document, a removal forgets it, a failed transaction changes nothing.
    t.update({"members": [{"user_id": "u3"}]}, where("id") == "a")
    assert [d["id"] for d in t.by("members[].user_id", "u2")] == ["b"]
    assert [d["id"] for d in t.by("members[].user_id", "u3")] == ["a"]
    with pytest.raises(RuntimeError):
        with any_db.transaction():
            t.remove(where("id") == "b")
            t.update({"members": [{"user_id": "u2"}]}, where("id") == "a")
            assert [d["id"] for d in t.by("members[].user_id", "u2")] == ["a"]
            raise RuntimeError("given up")
    assert [d["id"] for d in t.by("members[].user_id", "u2")] == ["b"]
    assert [d["id"] for d in t.by("members[].user_id", "u3")] == ["a"]
    with pytest.raises(TypeError):
        t.by("members[].user_id", ["u2"])


def test_path_indexes_follow_another_process_and_a_restore(open_db, data_dir, tmp_path):
    from journal.storage.backup import restore

    mine, theirs = open_db(), open_db()
    mine.table("entries").insert({"id": "e1", "authors": ["u1"]})
    assert [d["id"] for d in mine.table("entries").by("authors[]", "u1")] == ["e1"]
    theirs.table("entries").update({"authors": ["u1", "u2"]}, where("id") == "e1")
    theirs.table("entries").insert({"id": "e2", "authors": ["u2"]})
    assert [d["id"] for d in mine.table("entries").by("authors[]", "u2")] == ["e1", "e2"]
    backup = theirs.backup_to(tmp_path / "before.jbak")["path"]
    theirs.table("entries").remove(where("id") == "e2")
    assert [d["id"] for d in mine.table("entries").by("authors[]", "u2")] == ["e1"]
    restore(data_dir, backup, tmp_path / "kept", schema_version=1)
    assert [d["id"] for d in mine.table("entries").by("authors[]", "u2")] == ["e1", "e2"]


def test_queries_use_the_same_answers_as_tinydb(any_db):
    t = any_db.table("revisions")
    for n in range(10):
        t.insert({"object_id": f"o{n % 3}", "collection": "entries" if n % 2 else "goals", "rev": n})
    both = (where("object_id") == "o1") & (where("collection") == "entries")
    assert [d["rev"] for d in t.search(both)] == [1, 7]
    assert t.count(where("object_id") == "o0") == 4
    assert t.get(where("rev") == 5)["object_id"] == "o2"
    assert t.contains(where("rev") == 9)
    assert [d["rev"] for d in t.search(where("rev") > 7)] == [8, 9]
    assert t.remove(both) == [2, 8]
    assert t.search(both) == []


def test_a_transaction_commits_everything_or_nothing(any_db):
    t = any_db.table("entries")
    t.insert({"id": "keep"})
    with pytest.raises(RuntimeError):
        with any_db.transaction():
            t.insert({"id": "new"})
            t.update({"changed": True}, where("id") == "keep")
            t.remove(where("id") == "keep")
            raise RuntimeError("the user's request failed half-way")
    assert t.all() == [{"id": "keep"}]
    assert t.by("id", "new") == []
    assert [d["id"] for d in t.by("id", "keep")] == ["keep"]


def test_a_nested_block_that_fails_undoes_only_its_own_changes(any_db):
    t = any_db.table("entries")
    with any_db.transaction():
        t.insert({"id": "outer"})
        try:
            with any_db.transaction():
                t.insert({"id": "inner"})
                raise ValueError
        except ValueError:
            pass
        t.insert({"id": "after"})
    assert [d["id"] for d in t.all()] == ["outer", "after"]


def test_a_value_json_cannot_hold_is_refused_and_changes_nothing(any_db):
    t = any_db.table("entries")
    t.insert({"id": "a", "n": 1})
    with pytest.raises(TypeError):
        t.insert({"id": "b", "when": object()})
    with pytest.raises(ValueError):
        t.update({"n": float("nan")}, where("id") == "a")
    assert t.all() == [{"id": "a", "n": 1}]


def test_stored_documents_are_not_shared_with_the_caller(any_db):
    t = any_db.table("entries")
    doc = {"id": "a", "tags": ["x"]}
    t.insert(doc)
    doc["tags"].append("changed by the caller")
    assert t.all()[0]["tags"] == ["x"]
    # Tuples come back as lists, exactly as after a reopen.
    t.insert({"id": "b", "pair": (1, 2)})
    assert t.by("id", "b")[0]["pair"] == [1, 2]


def test_an_updater_that_fails_half_way_leaves_the_table_untouched(any_db):
    t = any_db.table("entries")
    t.insert({"id": "a", "n": 1})
    t.insert({"id": "b", "n": 2})

    def breaks(doc):
        doc["n"] += 100
        if doc["id"] == "b":
            raise KeyError("boom")

    with pytest.raises(KeyError):
        t.update(breaks)
    assert [d["n"] for d in t.all()] == [1, 2]


def test_truncate_and_drop_tables(any_db):
    t = any_db.table("sessions")
    t.insert({"id": "s1"})
    ids_before = t.insert({"id": "s2"})
    t.truncate()
    assert t.all() == []
    # Ids are never reused, even after a truncate.
    assert t.insert({"id": "s3"}) > ids_before
    any_db.table("other").insert({"x": 1})
    any_db.drop_table("other")
    assert any_db.tables() == {"sessions"}
    any_db.drop_tables()
    assert any_db.tables() == set()


def test_two_handles_on_one_folder_see_each_others_commits(open_db):
    writer, reader = open_db(), open_db()
    reader_table = reader.table("entries")
    assert reader_table.all() == []
    writer.table("entries").insert({"id": "a", "trajectory_id": "t"})
    assert [d["id"] for d in reader_table.by("trajectory_id", "t")] == ["a"]
    writer.table("entries").update({"trajectory_id": "u"}, where("id") == "a")
    assert reader_table.by("trajectory_id", "t") == []
    # Ids are handed out under the shared lock: no two documents get the same one.
    a = writer.table("entries").insert({"id": "from-writer"})
    b = reader_table.insert({"id": "from-reader"})
    assert a != b
    assert {d["id"] for d in writer.table("entries").all()} == {"a", "from-writer", "from-reader"}


def test_a_compaction_elsewhere_is_picked_up_without_losing_anything(open_db, data_dir):
    one, two = open_db(), open_db()
    one.table("entries").insert({"id": "a"})
    assert len(two.table("entries")) == 1
    one.table("entries").insert({"id": "b"})
    one.compact()
    one.table("entries").insert({"id": "c"})
    assert [d["id"] for d in two.table("entries").all()] == ["a", "b", "c"]
    two.table("entries").insert({"id": "d"})
    assert [d["id"] for d in one.table("entries").all()] == ["a", "b", "c", "d"]
    names = sorted(os.listdir(data_dir))
    assert names == ["journal.2.log", "journal.lock", "journal.snap", "journal.snap.cache"]


def test_the_log_is_compacted_when_it_outgrows_the_snapshot(open_db, data_dir, monkeypatch):
    from journal.storage import transactions

    monkeypatch.setattr(transactions, "COMPACT_MIN_BYTES", 20_000)
    db = open_db()
    for n in range(60):
        db.table("entries").insert({"id": f"e{n}", "text": "woorden " * 60})
    assert not (data_dir / "journal.1.log").exists()
    assert db.storage.gen > 1
    assert check_folder(data_dir).facts["log_bytes"] < 20_000  # its records, not its zeros
    db.close()
    assert len(open_db().table("entries")) == 60


def test_threads_in_one_process_lose_no_updates(open_db):
    store = Store(open_db())
    store.settings.set("counter", 0)
    counter = store.users.create({"username": "c", "n": 0})
    errors = []

    def work():
        try:
            for _ in range(25):
                store.users.update(counter["id"], lambda d: d.__setitem__("n", d["n"] + 1))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert store.users.require(counter["id"])["n"] == 100
    assert store.users.require(counter["id"])["rev"] == 101


def test_repository_update_keeps_history_in_one_commit(open_db):
    db = open_db()
    store = Store(db)
    entry = store.entries.create({"trajectory_id": "t", "fields": {"seen": "eerste versie"}})
    seq = db.storage.seq
    store.entries.update(entry["id"], {"fields": {"seen": "tweede versie"}}, expected_rev=1)
    # One durable record (one fdatasync) for the new version and the kept old one.
    assert db.storage.seq == seq + 1
    assert [r["document"]["fields"]["seen"] for r in store.entries.history(entry["id"])] == [
        "eerste versie"]
    assert store.entries.find_in("trajectory_id", ["t"], predicate=lambda d: d["rev"] == 2)[0][
        "fields"]["seen"] == "tweede versie"


def test_memory_database_keeps_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = Database(None)
    db.table("entries").insert({"id": "a"})
    db.compact()
    assert os.listdir(tmp_path) == []
    assert db.table("entries").all() == [{"id": "a"}]
