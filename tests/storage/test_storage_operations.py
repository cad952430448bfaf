"""Operations: migrations with a backup first, backup and restore, check, erasure hygiene."""

from __future__ import annotations

import json
import os
import stat

import pytest
from tinydb import where

from journal.storage.backup import restore
from journal.storage.check import check_backup
from journal.storage.check import check_folder
from journal.storage.engine import Database
from journal.storage.errors import CorruptionError
from journal.storage.errors import SchemaError
from journal.storage.store import Store
from journal.plugins.testing import make_test_app


def _add_goal_status(tables):
    for goal in tables.get("goals", {}).values():
        goal.setdefault("status", "ongoing")


def test_migrations_run_on_open_after_a_backup(open_db, data_dir):
    db = open_db()
    db.table("goals").insert({"id": "g1", "text": "Zelfstandig starten"})
    db.close()

    other = open_db()  # another process still running the old code
    db = open_db(schema_version=2, migrations={2: _add_goal_status})
    assert db.table("goals").all() == [{"id": "g1", "text": "Zelfstandig starten",
                                        "status": "ongoing"}]
    assert db.storage.schema == 2
    backups = list((data_dir.parent / "backups").glob("before-schema-1-to-2-*.jbak"))
    assert len(backups) == 1
    assert check_backup(backups[0]).facts["schema"] == 1
    # The other handle reloads the migrated data rather than mixing old and new.
    assert other.table("goals").all()[0]["status"] == "ongoing"
    db.close()
    assert open_db(schema_version=2, migrations={2: _add_goal_status}).storage.schema == 2


def test_a_failing_migration_changes_nothing(open_db, data_dir):
    db = open_db()
    db.table("goals").insert({"id": "g1"})
    db.close()
    snapshot = (data_dir / "journal.snap").read_bytes()

    def broken(tables):
        tables["goals"]["1"]["half"] = True
        raise KeyError("a bug in the migration")

    with pytest.raises(SchemaError, match="nothing was changed"):
        open_db(schema_version=2, migrations={2: broken})
    assert (data_dir / "journal.snap").read_bytes() == snapshot
    assert open_db().table("goals").all() == [{"id": "g1"}]


def test_data_from_a_newer_journal_is_refused(open_db, data_dir):
    open_db(schema_version=3, migrations={2: _add_goal_status, 3: _add_goal_status}).close()
    with pytest.raises(SchemaError, match="newer"):
        open_db()


def test_a_legacy_tinydb_file_is_imported_and_kept_as_a_backup(data_dir, open_db):
    data_dir.mkdir(parents=True)
    legacy = {"users": {"1": {"id": "u1", "username": "juf"}, "3": {"id": "u3"}}}
    (data_dir / "journal.json").write_text(json.dumps(legacy))
    db = open_db()
    assert [d["id"] for d in db.table("users").all()] == ["u1", "u3"]
    assert db.table("users").insert({"id": "u4"}) == 4
    assert not (data_dir / "journal.json").exists()
    assert list((data_dir.parent / "backups").glob("legacy-journal-*.json"))


def test_backup_while_serving_and_restore_with_a_copy_of_what_it_replaces(open_db, data_dir,
                                                                          tmp_path):
    serving = open_db()
    store = Store(serving)
    entry = store.entries.create({"trajectory_id": "t", "text": "voor de back-up"})
    info = serving.backup_to(tmp_path / "nightly.jbak")
    assert info["documents"] == 1
    assert stat.S_IMODE(os.stat(tmp_path / "nightly.jbak").st_mode) == 0o600
    store.entries.update(entry["id"], {"text": "na de back-up"})
    assert check_backup(tmp_path / "nightly.jbak").ok

    result = restore(data_dir, tmp_path / "nightly.jbak", tmp_path / "backups", schema_version=1)
    assert result["documents"] == 1
    kept = result["kept"]
    # The running handle switches to the restored data on its next read.
    assert store.entries.require(entry["id"])["text"] == "voor de back-up"
    # What was replaced is kept and is itself a usable data folder.
    assert Store(open_db(kept)).entries.require(entry["id"])["text"] == "na de back-up"
    # Writing continues normally after a restore.
    store.entries.update(entry["id"], {"text": "daarna"})
    assert Store(open_db()).entries.require(entry["id"])["text"] == "daarna"
    assert check_folder(data_dir).ok


def test_a_damaged_backup_is_refused_before_anything_changes(open_db, data_dir, tmp_path):
    db = open_db()
    db.table("entries").insert({"id": "a"})
    db.backup_to(tmp_path / "b.jbak")
    raw = bytearray((tmp_path / "b.jbak").read_bytes())
    raw[-30] ^= 0x01
    (tmp_path / "b.jbak").write_bytes(bytes(raw))
    before = (data_dir / "journal.snap").read_bytes()
    with pytest.raises(CorruptionError):
        restore(data_dir, tmp_path / "b.jbak", tmp_path / "backups", schema_version=1)
    assert (data_dir / "journal.snap").read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_backup_check_and_restore_commands(tmp_path):
    app = make_test_app(tmp_path, JOURNAL_IN_MEMORY=False)
    runner = app.test_cli_runner()
    with app.app_context():
        from journal.storage import get_store

        get_store().pupils.create({"display_name": "Leerling A"})
    backup_dir = tmp_path / "usb"
    backup_dir.mkdir()
    result = runner.invoke(args=["backup", str(backup_dir)])
    assert result.exit_code == 0, result.output
    (made,) = backup_dir.glob("journal-*.jbak")
    assert "1 documents" in result.output or "documents" in result.output

    assert runner.invoke(args=["check"]).exit_code == 0
    checked = runner.invoke(args=["check", "--file", str(made)])
    assert checked.exit_code == 0 and "pupils" in checked.output

    with app.app_context():
        get_store().pupils.create({"display_name": "Leerling B"})
    refused = runner.invoke(args=["restore", str(made)], input="n\n")
    assert refused.exit_code != 0
    with app.app_context():
        assert len(get_store().pupils.all()) == 2
    done = runner.invoke(args=["restore", str(made)], input="y\n")
    assert done.exit_code == 0, done.output
    assert "kept in" in done.output
    with app.app_context():
        assert [p["display_name"] for p in get_store().pupils.all()] == ["Leerling A"]
    assert list((tmp_path / "instance" / "backups").glob("before-restore-*/journal.snap"))


def test_erased_text_is_gone_from_the_files_after_compaction(open_db, data_dir):
    db = open_db()
    store = Store(db)
    secret = "Diagnose-XYZ-vertrouwelijk"
    entry = store.entries.create({"trajectory_id": "t", "text": secret})
    store.entries.update(entry["id"], {"text": secret + " aangevuld"})
    store.entries.create({"trajectory_id": "t", "text": "blijft"})

    def on_disk() -> bytes:
        return b"".join((data_dir / n).read_bytes() for n in os.listdir(data_dir))

    assert secret.encode() in on_disk()
    with store.transaction():
        store.entries.delete(entry["id"])
        store.compact()  # inside the transaction: runs right after the commit
    assert secret.encode() not in on_disk()
    assert b"blijft" in on_disk()
    assert [e["text"] for e in store.entries.all()] == ["blijft"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_files_are_readable_by_the_service_user_only(open_db, data_dir):
    previous = os.umask(0o022)  # a common default that would leave files world-readable
    try:
        db = open_db()
        db.table("entries").insert({"id": "a"})
        db.compact()
        db.table("entries").update({"x": 1}, where("id") == "a")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    for name in os.listdir(data_dir):
        assert stat.S_IMODE(os.stat(data_dir / name).st_mode) == 0o600, name
    assert check_folder(data_dir).warnings == []
