"""The change log's zeros: records overwrite space written ahead of them, so a commit's flush
writes data only; the end is the first byte that is not a record, for every process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from journal.storage.backup import restore
from journal.storage.check import check_folder
from journal.storage.errors import CorruptionError
from journal.storage.errors import StorageWriteError
from journal.storage.log import CHUNK_MIN
from journal.storage.log import used_length
from journal.storage.migrations import SCHEMA_VERSION


def _fill(db, n=3):
    for k in range(n):
        db.table("entries").insert({"id": f"e{k}", "text": f"observatie {k} " * 20})


def _log(data_dir, gen=1):
    return data_dir / f"journal.{gen}.log"


def _split(log):
    """Return the log's records (header included) and what follows them."""
    data = log.read_bytes()
    used = used_length(data)
    return data[:used], data[used:]


def _three_records(open_db, data_dir):
    """Write three entries and close; return the log file and its records (header included)."""
    db = open_db()
    _fill(db)
    db.close()
    log = _log(data_dir)
    return log, _split(log)[0]


def _crash_while_writing(log, torn: bytes):
    """Write ``torn`` over the zeros after the records, as a writer that died leaves it;
    return the records and the zeros as they were."""
    records, zeros = _split(log)
    log.write_bytes(records + torn + zeros[len(torn):])
    return records, zeros


#: The start of a fourth record that was never finished.
TORN = b'%08x {"s":4,"o":[["entries","4",{"id":"e3","text":"half' % 0x1234


def _ids(db):
    return [d["id"] for d in db.table("entries").all()]


def test_commits_overwrite_the_zeros_and_the_file_keeps_its_size(open_db, data_dir):
    db = open_db()
    log = _log(data_dir)
    assert os.path.getsize(log) == CHUNK_MIN  # written (and flushed) once, when created
    _fill(db, 10)
    assert os.path.getsize(log) == CHUNK_MIN
    records, rest = _split(log)
    assert records.count(b"\n") == 11 and rest == bytes(len(rest))
    # Past the zeros the file grows by a chunk of zeros, written with that record.
    db.table("entries").insert({"id": "big", "text": "lang verslag " * 6000})
    assert os.path.getsize(log) > CHUNK_MIN
    records, rest = _split(log)
    assert records.count(b"\n") == 12 and len(rest) > 0 and rest == bytes(len(rest))
    assert check_folder(data_dir).facts["log_bytes"] == len(records)


def test_a_new_generation_and_a_restored_log_start_with_zeros(open_db, data_dir, tmp_path):
    db = open_db()
    _fill(db)
    db.compact()
    db.table("entries").insert({"id": "after"})
    assert os.path.getsize(_log(data_dir, 2)) == CHUNK_MIN
    backup = db.backup_to(tmp_path / "b.jbak")["path"]
    db.close()
    restore(data_dir, backup, tmp_path / "kept", schema_version=SCHEMA_VERSION)
    restored = [n for n in os.listdir(data_dir) if n.endswith(".log")]
    assert restored == ["journal.3.log"] and os.path.getsize(_log(data_dir, 3)) == CHUNK_MIN
    db = open_db()
    db.table("entries").insert({"id": "restored"})
    assert _ids(db) == ["e0", "e1", "e2", "after", "restored"]
    assert os.path.getsize(_log(data_dir, 3)) == CHUNK_MIN


WRITE_IN_ANOTHER_PROCESS = """
import sys
from journal.storage.engine import Database
db = Database(sys.argv[1])
db.table("entries").insert({"id": sys.argv[2], "text": "van een ander proces"})
db.close()
"""


def test_another_process_notices_a_commit_although_the_file_size_stays(open_db, data_dir):
    db = open_db()
    _fill(db)
    log = _log(data_dir)
    size = os.path.getsize(log)
    assert _ids(db) == ["e0", "e1", "e2"]
    for name in ("x1", "x2"):
        subprocess.run([sys.executable, "-c", WRITE_IN_ANOTHER_PROCESS, str(data_dir), name],
                       check=True, timeout=60)
    assert os.path.getsize(log) == size  # only the byte at the known end tells
    assert _ids(db) == ["e0", "e1", "e2", "x1", "x2"]
    db.table("entries").insert({"id": "e3"})  # goes after the other process's records
    assert _ids(open_db()) == ["e0", "e1", "e2", "x1", "x2", "e3"]


def test_a_torn_record_over_the_zeros_is_discarded_and_zeroed(open_db, data_dir):
    log, _records = _three_records(open_db, data_dir)
    # A crash while writing a fourth record: part of it, then the zeros it did not reach.
    records, zeros = _crash_while_writing(log, TORN)
    assert any("incomplete" in w for w in check_folder(data_dir).warnings)

    db = open_db()
    assert _ids(db) == ["e0", "e1", "e2"]
    assert log.read_bytes() == records + zeros  # nothing of it left
    db.table("entries").insert({"id": "e3"})
    assert _split(log)[0].startswith(records)  # the next record follows the last good one
    db.close()
    assert _ids(open_db()) == ["e0", "e1", "e2", "e3"]
    report = check_folder(data_dir)
    assert report.ok and report.warnings == []


def test_a_running_process_zeroes_a_crashed_writers_torn_record(open_db, data_dir):
    db = open_db()
    _fill(db)
    log = _log(data_dir)
    records, _zeros = _crash_while_writing(log, TORN)  # another process died while writing
    db.table("entries").insert({"id": "e3", "text": "kort"})
    assert _ids(db) == ["e0", "e1", "e2", "e3"]
    db.close()
    records_after, rest = _split(log)
    assert records_after.startswith(records) and rest == bytes(len(rest))
    assert check_folder(data_dir).warnings == []


def test_stale_bytes_after_a_short_rewrite_are_never_left_behind(open_db, data_dir):
    db = open_db()
    _fill(db)
    db.close()
    log = _log(data_dir)
    # A long record that never completed (a crash), ...
    _crash_while_writing(log, TORN + b"lang " * 2000)
    db = open_db()
    # ... then a much shorter one written where it began.
    db.table("entries").insert({"id": "e3", "text": "kort"})
    db.close()
    records_after, rest = _split(log)
    assert b"lang" not in records_after and rest == bytes(len(rest))
    report = check_folder(data_dir)
    assert report.ok and report.warnings == []  # no "incomplete record" after the short one
    assert _ids(open_db()) == ["e0", "e1", "e2", "e3"]


def test_a_failed_long_write_leaves_zeros_for_the_shorter_one_after_it(open_db, data_dir,
                                                                        request):
    db = open_db()
    _fill(db)
    request.getfixturevalue("first_flush_fails")  # the long record is written, its flush fails
    with pytest.raises(StorageWriteError, match="not saved"):
        db.table("entries").insert({"id": "long", "text": "lang " * 2000})
    db.table("entries").insert({"id": "short"})
    db.close()
    records, rest = _split(_log(data_dir))
    assert b"lang" not in records and rest == bytes(len(rest))
    assert _ids(open_db()) == ["e0", "e1", "e2", "short"]
    assert check_folder(data_dir).warnings == []


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_zero_byte_inside_a_middle_record_is_damage_not_the_end(open_db, data_dir):
    reader = open_db()
    assert _ids(reader) == []
    db = open_db()
    _fill(db, 5)
    db.close()
    log = _log(data_dir)
    records, zeros = _split(log)
    second = records.index(b"\n", records.index(b"\n") + 1) + 1  # the second record
    damaged = bytearray(records)
    damaged[second + 30] = 0
    log.write_bytes(bytes(damaged) + zeros)
    before = _digest(log)
    # A running process that catches up must not take the zero for the end and wipe
    # the records after it.
    with pytest.raises(CorruptionError, match="damaged"):
        reader.table("entries").all()
    with pytest.raises(CorruptionError, match="damaged"):
        open_db()
    assert _digest(log) == before
    assert not check_folder(data_dir).ok


def test_an_old_log_without_zeros_opens_and_gets_them_at_its_next_commit(open_db, data_dir):
    log, records = _three_records(open_db, data_dir)
    log.write_bytes(records)  # as every journal wrote its logs before: the last record ends it
    report = check_folder(data_dir)
    assert report.ok and report.warnings == [] and report.facts["log_records"] == 3

    reader = open_db()
    db = open_db()
    assert _ids(db) == ["e0", "e1", "e2"]
    assert log.read_bytes() == records  # opening changes nothing
    db.table("entries").insert({"id": "e3"})
    grown, rest = _split(log)
    assert grown.startswith(records) and len(rest) > 0 and rest == bytes(len(rest))
    assert _ids(reader) == ["e0", "e1", "e2", "e3"]  # noticed by the byte, not the size
    reader.table("entries").insert({"id": "e4"})
    assert _ids(db) == ["e0", "e1", "e2", "e3", "e4"]
    db.close()
    reader.close()
    assert check_folder(data_dir).ok
    assert _ids(open_db()) == ["e0", "e1", "e2", "e3", "e4"]


def test_an_old_log_with_a_torn_last_record_is_repaired(open_db, data_dir):
    log, records = _three_records(open_db, data_dir)
    log.write_bytes(records + b'%08x {"s":4,"o":[["entries","4",{"id":"e3"' % 0x99)
    db = open_db()
    assert _ids(db) == ["e0", "e1", "e2"]
    db.table("entries").insert({"id": "e3"})
    db.close()
    assert _ids(open_db()) == ["e0", "e1", "e2", "e3"]
    assert check_folder(data_dir).warnings == []
