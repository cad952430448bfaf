"""Change stamps: tokens that change whenever a document with a given value (or any document
of a table) changes, by any path. Values derived from documents are reused only while their
stamps are equal (journal.storage.derived), so a stamp that failed to change would show a
coordinator stale numbers."""

from __future__ import annotations

import pytest
from tinydb import where

from journal.storage.derived import Derived


def stamps(table, *values):
    return table.change_stamps("trajectory_id", values)


def test_a_value_s_stamp_changes_with_its_documents_and_only_with_them(any_db):
    t = any_db.table("entries")
    t.insert({"id": "a", "trajectory_id": "t1"})
    t.insert({"id": "b", "trajectory_id": "t2"})
    before = stamps(t, "t1", "t2", "t3")
    table_before = t.change_stamp()
    t.update({"text": "anders"}, where("id") == "a")
    after = stamps(t, "t1", "t2", "t3")
    assert after["t1"] != before["t1"]
    assert after["t2"] == before["t2"] and after["t3"] == before["t3"]
    assert t.change_stamp() != table_before
    # Moving a document changes the stamps of the value it left and the one it joined.
    t.update({"trajectory_id": "t3"}, where("id") == "a")
    moved = stamps(t, "t1", "t2", "t3")
    assert moved["t1"] != after["t1"] and moved["t3"] != after["t3"]
    assert moved["t2"] == after["t2"]
    t.remove(where("id") == "b")
    assert stamps(t, "t2")["t2"] != moved["t2"]
    # A table's stamp is its own: another table's change leaves it alone.
    quiet = t.change_stamp()
    any_db.table("pupils").insert({"id": "p"})
    assert t.change_stamp() == quiet


def test_a_rolled_back_change_still_changes_the_stamp(any_db):
    t = any_db.table("entries")
    t.insert({"id": "a", "trajectory_id": "t1"})
    before = stamps(t, "t1")["t1"]
    with pytest.raises(RuntimeError):
        with any_db.transaction():
            t.update({"text": "half"}, where("id") == "a")
            raise RuntimeError("stop")
    assert stamps(t, "t1")["t1"] != before  # never equal to a stamp seen during the change
    assert t.all()[0].get("text") is None


def test_another_process_s_commit_and_a_compaction_change_the_stamps(open_db):
    writer, reader = open_db(), open_db()
    reader.table("entries").all()
    before = stamps(reader.table("entries"), "t1")["t1"]
    writer.table("entries").insert({"id": "a", "trajectory_id": "t1"})
    seen = stamps(reader.table("entries"), "t1")["t1"]
    assert seen != before
    writer.compact()
    writer.table("entries").update({"text": "na compactie"}, where("id") == "a")
    assert stamps(reader.table("entries"), "t1")["t1"] != seen


def test_derived_values_are_computed_again_only_for_changed_stamps():
    derived, computed = Derived(), []

    def compute(keys):
        computed.append(sorted(keys))
        return {k: f"{k}@{len(computed)}" for k in keys}

    assert derived.get_many({"a": 1, "b": 1}, compute) == {"a": "a@1", "b": "b@1"}
    assert derived.get_many({"a": 1, "b": 2}, compute) == {"a": "a@1", "b": "b@2"}
    assert computed == [["a", "b"], ["b"]]
    derived.forget()
    assert derived.get_many({"a": 1}, compute) == {"a": "a@3"}


def test_derived_values_per_view_keep_only_the_newest():
    derived = Derived(limit=2)
    for view in ("a", "b", "c"):
        derived.get(view, 1, lambda view=view: view.upper())
    computed = []
    assert derived.get("c", 1, lambda: computed.append("c")) == "C"
    assert derived.get("a", 1, lambda: computed.append("a") or "A again") == "A again"
    assert computed == ["a"]  # "a" was the oldest and had gone


def test_only_the_values_someone_asked_the_stamp_of_are_kept(any_db):
    """A worker runs for months: every session or token it saw must not leave a stamp."""
    t = any_db.table("sessions")
    t.insert({"id": "keep", "user_id": "u0"})
    watched = t.change_stamps("user_id", ["u0"])["u0"]
    for n in range(1, 200):
        t.insert({"id": f"s{n}", "user_id": f"u{n}"})
        t.remove(where("id") == f"s{n}")
    assert len(any_db.storage._indexes._tables["sessions"]["user_id"].stamps) == 1
    assert t.change_stamps("user_id", ["u0"])["u0"] == watched
    # A value asked for the first time gets a stamp never handed out before, then follows it.
    fresh = t.change_stamps("user_id", ["u7"])["u7"]
    assert fresh != watched
    t.insert({"id": "late", "user_id": "u7"})
    assert t.change_stamps("user_id", ["u7"])["u7"] != fresh
