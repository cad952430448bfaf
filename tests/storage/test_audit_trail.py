"""The audit trail in its own file: committed with the change it records, kept out of memory,
paged and filtered by SQLite, carried by backups and never rolled back by a restore."""

from __future__ import annotations

import pytest

from journal.plugins.testing import make_test_app
from journal.storage.audit_trail import FILENAME
from journal.storage.check import check_folder
from journal.storage.engine import Database
from journal.storage.store import Store


def actions(store: Store) -> list[str]:
    return [r["action"] for r in store.audit.all()]


@pytest.fixture(params=["disk", "memory"])
def store(request, data_dir):
    opened = Store(Database(data_dir if request.param == "disk" else None))
    yield opened
    opened.close()


def test_a_record_inside_a_transaction_is_kept_only_if_the_change_is(store):
    store.audit.append({"action": "login"})
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.pupils.create({"display_name": "Lotte"})
            store.audit.append({"action": "create", "object_type": "pupil"})
            raise RuntimeError("the request failed half-way")
    with store.transaction():
        store.pupils.create({"display_name": "Milan"})
        with pytest.raises(ValueError):
            with store.transaction():  # a nested block that fails takes only its own record
                store.audit.append({"action": "update"})
                raise ValueError
        store.audit.append({"action": "create", "object_type": "pupil"})
    assert actions(store) == ["login", "create"]
    assert [p["display_name"] for p in store.pupils.all()] == ["Milan"]


def test_records_are_paged_and_filtered_newest_first(store):
    for n in range(250):
        store.audit.append({"action": "view" if n % 5 else "denied", "user_id": f"u{n % 2}",
                            "object_id": f"o{n}"})
    page, total = store.audit.trail.page({}, offset=0, limit=100)
    assert total == 250 and len(page) == 100 and page[0]["object_id"] == "o249"
    last, _ = store.audit.trail.page({}, offset=200, limit=100)
    assert [r["object_id"] for r in last][-1] == "o0" and len(last) == 50
    denied, total = store.audit.trail.page({"action": "denied", "user_id": "u1"}, limit=100)
    assert total == 25 and all(r["action"] == "denied" and r["user_id"] == "u1" for r in denied)
    assert [r["object_id"] for r in store.audit.trail.matching({"action": "denied"})][:2] == \
        ["o245", "o240"]


def test_the_trail_is_a_private_file_outside_the_documents(data_dir):
    store = Store(Database(data_dir))
    store.audit.append({"action": "view", "pupil_id": "P1"})
    store.close()
    assert (data_dir / FILENAME).stat().st_mode & 0o077 == 0
    again = Database(data_dir)
    assert "audit" not in again.tables()  # never loaded into every worker's memory
    again.close()


def test_an_older_journals_audit_table_moves_into_the_trail_once(data_dir):
    old = Database(data_dir)
    old.table("audit").insert_multiple([
        {"id": "r1", "at": "2024-01-01T08:00:00+00:00", "action": "login", "user_id": "u1"},
        {"id": "r2", "at": "2024-01-01T09:00:00+00:00", "action": "view", "user_id": "u1"}])
    old.close()
    store = Store(Database(data_dir))
    assert actions(store) == ["login", "view"]
    assert "audit" not in store.db.tables()
    assert b'"r1"' not in (data_dir / "journal.snap").read_bytes()
    store.close()
    again = Store(Database(data_dir))
    assert actions(again) == ["login", "view"]  # not moved twice
    again.close()


def test_backup_carries_the_trail_and_restore_never_removes_records(tmp_path):
    app = make_test_app(tmp_path, JOURNAL_IN_MEMORY=False)
    runner = app.test_cli_runner()
    with app.app_context():
        from journal.storage import get_store

        get_store().audit.append({"action": "login", "object_id": "before-backup"})
    made = runner.invoke(args=["backup", str(tmp_path / "journal-1.jbak")])
    assert made.exit_code == 0, made.output
    assert "Audit log: 1 records" in made.output
    assert runner.invoke(args=["check", "--file", str(tmp_path / "journal-1.jbak")]).exit_code == 0
    with app.app_context():
        get_store().audit.append({"action": "view", "object_id": "after-backup"})
    data = tmp_path / "instance" / "data"
    (data / FILENAME).unlink()  # the disk lost the trail; the backup still has its copy
    for name in ("audit.sqlite3-wal", "audit.sqlite3-shm"):
        (data / name).unlink(missing_ok=True)
    done = runner.invoke(args=["restore", str(tmp_path / "journal-1.jbak"), "--yes"])
    assert done.exit_code == 0, done.output
    fresh = make_test_app(tmp_path, JOURNAL_IN_MEMORY=False)
    with fresh.app_context():
        from journal.storage import get_store

        kept = [r["object_id"] for r in get_store().audit.all()]
        get_store().close()
    assert kept == ["before-backup"]


def test_restore_keeps_records_written_after_the_backup(tmp_path):
    app = make_test_app(tmp_path, JOURNAL_IN_MEMORY=False)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "journal-1.jbak")]).exit_code == 0
    with app.app_context():
        from journal.storage import get_store

        get_store().audit.append({"action": "view", "object_id": "after-backup"})
    assert runner.invoke(args=["restore", str(tmp_path / "journal-1.jbak"), "--yes"]).exit_code == 0
    with app.app_context():
        assert "after-backup" in [r["object_id"] for r in get_store().audit.all()]


def test_check_reports_a_damaged_trail(data_dir):
    store = Store(Database(data_dir))
    for n in range(50):
        store.audit.append({"action": "view", "object_id": f"o{n}"})
    store.close()
    assert check_folder(data_dir).facts["audit_records"] == 50
    raw = bytearray((data_dir / FILENAME).read_bytes())
    raw[:16] = b"not a database!!"
    (data_dir / FILENAME).write_bytes(bytes(raw))
    report = check_folder(data_dir)
    assert not report.ok and any("audit log is damaged" in e for e in report.errors)


def test_the_audit_page_stops_counting_at_its_limit_and_still_pages_on(
        app, users, login, monkeypatch):
    from journal.storage import get_store
    from journal.web import audit as audit_page

    monkeypatch.setattr(audit_page, "COUNT_LIMIT", 5)
    monkeypatch.setattr(audit_page, "PAGE_SIZE", 4)
    for n in range(12):
        get_store().audit.append({"action": "view", "object_id": f"obj-{n:02d}"})
    client = login(app.test_client(), "coordinator")
    first = client.get("/audit/?action=view", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "More than 5 records" in first and "Page 1" in first and "Older" in first
    assert "obj-11" in first and "obj-07" not in first
    third = client.get("/audit/?action=view&page=3", headers={"Accept-Language": "en"})
    assert "obj-03" in third.get_data(as_text=True)
