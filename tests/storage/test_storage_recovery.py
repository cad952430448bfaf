"""Recovery on open: a torn last record is dropped; any other damage stops the journal."""

from __future__ import annotations

import hashlib
import os

import pytest

from journal.storage.check import check_folder
from journal.storage.errors import CorruptionError
from journal.storage.log import used_length
from journal.plugins.testing import make_test_app


def _fill(open_db, n=5):
    db = open_db()
    for k in range(n):
        db.table("entries").insert({"id": f"e{k}", "text": f"observatie {k} " * 20})
    db.close()
    return db


def _records(log):
    """Return the log's frames (header and records) and the zeros after them."""
    data = log.read_bytes()
    used = used_length(data)
    return data[:used], data[used:]


def _flip_in_the_middle(log, bit=0x20):
    """Flip a bit in the middle of the log's records (not in the zeros after them)."""
    records, zeros = _records(log)
    data = bytearray(records)
    data[len(data) // 2] ^= bit
    log.write_bytes(bytes(data) + zeros)


def _fingerprint(folder):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in sorted(os.listdir(folder)) if name != "journal.lock"}


def test_a_torn_last_record_is_discarded_and_earlier_ones_kept(open_db, data_dir):
    _fill(open_db)
    log = data_dir / "journal.1.log"
    good, zeros = _records(log)
    # A crash in the middle of writing a sixth record: half a line, no newline.
    torn = b'%08x {"s":6,"o":[["entries","6",{"id":"e5","text":"half' % 0x1234
    log.write_bytes(good + torn + zeros[len(torn):])
    assert any("incomplete" in w for w in check_folder(data_dir).warnings)

    db = open_db()
    assert [d["id"] for d in db.table("entries").all()] == [f"e{k}" for k in range(5)]
    assert log.read_bytes() == good + zeros  # zeroed, so the next record follows a good one
    db.table("entries").insert({"id": "e5"})
    db.close()
    assert len(open_db().table("entries")) == 6


def test_a_complete_last_record_failing_its_checksum_is_discarded(open_db, data_dir):
    _fill(open_db)
    log = data_dir / "journal.1.log"
    records, zeros = _records(log)
    data = bytearray(records)
    last_line = data.rindex(b"\n", 0, len(data) - 1) + 1
    data[last_line + 20] ^= 0x01
    log.write_bytes(bytes(data) + zeros)
    db = open_db()
    assert [d["id"] for d in db.table("entries").all()] == [f"e{k}" for k in range(4)]


def test_a_damaged_record_in_the_middle_stops_the_journal_and_changes_nothing(open_db, data_dir):
    _fill(open_db)
    log = data_dir / "journal.1.log"
    _flip_in_the_middle(log)
    before = _fingerprint(data_dir)

    with pytest.raises(CorruptionError) as caught:
        open_db()
    message = str(caught.value)
    assert "journal.1.log" in message and "journal restore" in message
    assert "observatie" not in message  # never the contents
    assert _fingerprint(data_dir) == before
    report = check_folder(data_dir)
    assert not report.ok and "damaged" in report.errors[0]
    assert _fingerprint(data_dir) == before


def test_a_damaged_snapshot_stops_the_journal(open_db, data_dir):
    db = _fill(open_db)
    db = open_db()
    db.compact()
    db.close()
    snap = data_dir / "journal.snap"
    data = bytearray(snap.read_bytes())
    data[len(data) // 2] ^= 0x01
    snap.write_bytes(bytes(data))
    with pytest.raises(CorruptionError, match="checksum|not a valid document"):
        open_db()
    # A truncated snapshot (its trailer missing) too.
    snap.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(CorruptionError):
        open_db()
    assert not check_folder(data_dir).ok


def test_missing_records_are_detected(open_db, data_dir):
    _fill(open_db)
    log = data_dir / "journal.1.log"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:2] + lines[3:]))  # record 2 cut out, all checksums fine
    with pytest.raises(CorruptionError, match="missing"):
        open_db()


def test_a_missing_snapshot_next_to_logs_is_refused_not_recreated(open_db, data_dir):
    _fill(open_db)
    os.unlink(data_dir / "journal.snap")
    with pytest.raises(CorruptionError, match="snapshot is missing"):
        open_db()
    assert not (data_dir / "journal.snap").exists()


def test_damage_while_running_is_noticed_by_the_next_reader(open_db, data_dir):
    reader = open_db()
    assert reader.table("entries").all() == []
    _fill(open_db)
    log = data_dir / "journal.1.log"
    _flip_in_the_middle(log)
    with pytest.raises(CorruptionError):
        reader.table("entries").all()


def test_the_app_refuses_damaged_data_but_the_check_command_runs(tmp_path, open_db):
    data_dir = tmp_path / "instance" / "data"
    _fill(lambda: open_db(data_dir))
    log = data_dir / "journal.1.log"
    _flip_in_the_middle(log)

    app = make_test_app(tmp_path, JOURNAL_IN_MEMORY=False)
    assert "journal.store" not in app.extensions
    page = app.test_client().get("/login")
    assert page.status_code == 503
    assert b"journal check" in page.data  # the page points the administrator to the check
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "DAMAGED" in result.output and "journal.1.log" in result.output


def test_the_load_cache_is_used_only_when_it_matches_and_is_intact(open_db, data_dir):
    import pickle

    from journal.storage.cache import CACHE
    from journal.storage.cache import read_cache

    db = open_db()
    db.table("entries").insert({"id": "a", "text": "echt"})
    db.compact()
    db.close()
    cache = data_dir / CACHE
    assert cache.exists()
    head, body = cache.read_bytes().split(b"\n", 1)

    # A damaged cache is ignored (and rewritten), never trusted.
    cache.write_bytes(head + b"\n" + body[:-3] + b"xyz")
    assert [d["text"] for d in open_db().table("entries").all()] == ["echt"]
    assert cache.read_bytes() == head + b"\n" + body

    # A cache that would make the unpickler import anything is refused.
    evil = pickle.dumps({"entries": {"1": {"x": os.getcwd}}})
    assert read_cache(_write_raw(cache, head, evil), _key_of(head)) is None

    # A cache of another generation is ignored.
    db = open_db()
    db.table("entries").insert({"id": "b"})
    db.compact()
    db.close()
    cache.write_bytes(head + b"\n" + body)  # the old generation's cache
    assert [d["id"] for d in open_db().table("entries").all()] == ["a", "b"]


def _write_raw(cache, head, data):
    import json
    import zlib

    fields = json.loads(head)
    fields.update(crc=zlib.crc32(data), bytes=len(data))
    cache.write_bytes(json.dumps(fields).encode() + b"\n" + data)
    return cache


def _key_of(head):
    import json

    fields = json.loads(head)
    return {k: fields[k] for k in ("gen", "seq", "origin", "schema", "snapshot_bytes")}


# -- damage that leaves valid JSON behind ------------------------------------------
# Flipped bits usually break the JSON too, and then the parser alone would notice. These
# change one digit inside a document, so only the checksums can tell.

def _change_one_digit(data: bytes, needle: bytes) -> bytes:
    """Return ``data`` with the digit after the first ``needle`` changed (same length)."""
    at = data.index(needle) + len(needle)
    digit = data[at:at + 1]
    assert digit.isdigit()
    return data[:at] + (b"7" if digit != b"7" else b"8") + data[at + 1:]


def test_a_changed_value_in_a_middle_record_is_damage_even_with_valid_json(open_db, data_dir):
    _fill(open_db)
    log = data_dir / "journal.1.log"
    log.write_bytes(_change_one_digit(log.read_bytes(), b'"text":"observatie '))
    before = _fingerprint(data_dir)
    with pytest.raises(CorruptionError, match="damaged"):
        open_db()
    assert _fingerprint(data_dir) == before
    assert not check_folder(data_dir).ok


def test_a_changed_value_in_the_last_record_is_not_trusted(open_db, data_dir):
    _fill(open_db)
    log = data_dir / "journal.1.log"
    data, zeros = _records(log)
    last = data.rindex(b"\n", 0, len(data) - 1) + 1
    log.write_bytes(data[:last] + _change_one_digit(data[last:], b'"text":"observatie ') + zeros)
    texts = [d["text"] for d in open_db().table("entries").all()]
    assert texts == [f"observatie {k} " * 20 for k in range(4)]  # the unacknowledged tail dropped


def test_a_changed_value_in_the_snapshot_stops_the_journal(open_db, data_dir):
    db = _fill(open_db)
    db = open_db()
    db.compact()
    db.close()
    snap = data_dir / "journal.snap"
    snap.write_bytes(_change_one_digit(snap.read_bytes(), b'"text":"observatie '))
    from journal.storage.cache import CACHE

    os.unlink(data_dir / CACHE)  # no load cache to read instead of the snapshot
    with pytest.raises(CorruptionError, match="checksum"):
        open_db()
