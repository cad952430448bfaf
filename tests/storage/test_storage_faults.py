"""Disk full, failing flushes, read-only folders: the write fails clearly, nothing is lost."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest
from tinydb import where

from journal.storage.check import check_folder
from journal.storage.errors import StorageWriteError


def _fill(db, n=3):
    for k in range(n):
        db.table("entries").insert({"id": f"e{k}", "text": "acht woorden over de leerling " * 5})


@pytest.fixture
def full_disk(monkeypatch):
    """Make writes to one descriptor that would grow its file fail with ENOSPC, after
    writing what still fits and a few bytes more (as a full disk leaves it).

    Overwriting space the file already has needs no free space: that still works."""
    real_pwrite = os.pwrite
    state = {"fd": None, "failures": 0}

    def pwrite(fd, data, offset):
        size = os.fstat(fd).st_size
        if fd == state["fd"] and offset + len(data) > size:
            state["failures"] += 1
            real_pwrite(fd, bytes(data[: max(0, size - offset) + 7]), offset)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", pwrite)
    return state


#: Larger than the zeros a new log keeps ahead of its records, so saving it must grow the file.
TOO_BIG_FOR_THE_ZEROS = "niet bewaard " * 6000


def test_a_full_disk_fails_the_write_clearly_and_keeps_everything_earlier(open_db, data_dir,
                                                                          full_disk):
    db = open_db()
    _fill(db)
    full_disk["fd"] = db.storage._log.fd
    # The log's zeros were written and flushed before the disk filled: records still fit.
    db.table("entries").insert({"id": "e3", "text": "past nog"})
    assert full_disk["failures"] == 0
    log_before = (data_dir / "journal.1.log").read_bytes()

    with pytest.raises(StorageWriteError) as caught:
        db.table("entries").insert({"id": "new", "text": TOO_BIG_FOR_THE_ZEROS})
    assert full_disk["failures"] == 1
    assert "disk is full" in str(caught.value)
    assert "not saved" in str(caught.value)
    # Memory was rolled back, reads keep working, the partial bytes were zeroed and cut off.
    assert [d["id"] for d in db.table("entries").all()] == ["e0", "e1", "e2", "e3"]
    assert db.table("entries").by("id", "new") == []
    assert (data_dir / "journal.1.log").read_bytes() == log_before

    full_disk["fd"] = None  # space freed: the next write works
    db.table("entries").insert({"id": "later", "text": TOO_BIG_FOR_THE_ZEROS})
    db.close()
    assert check_folder(data_dir).ok
    assert [d["id"] for d in open_db().table("entries").all()] == ["e0", "e1", "e2", "e3",
                                                                    "later"]


def test_a_failing_flush_is_not_acknowledged(open_db, data_dir, request):
    db = open_db()
    _fill(db)
    request.getfixturevalue("first_flush_fails")
    with pytest.raises(StorageWriteError, match="input/output error"):
        db.table("entries").update({"text": "nieuw"}, where("id") == "e0")
    assert db.table("entries").by("id", "e0")[0]["text"].startswith("acht")
    db.close()
    assert open_db().table("entries").by("id", "e0")[0]["text"].startswith("acht")


def test_when_even_the_cleanup_fails_the_process_stops_writing(open_db, data_dir, monkeypatch,
                                                               full_disk):
    db = open_db()
    _fill(db)
    full_disk["fd"] = db.storage._log.fd

    def no_truncate(fd, length):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "ftruncate", no_truncate)
    with pytest.raises(StorageWriteError):
        db.table("entries").insert({"id": "x", "text": TOO_BIG_FOR_THE_ZEROS})
    monkeypatch.undo()
    # Fail-stop: even with the disk back, this process refuses until restarted.
    with pytest.raises(StorageWriteError, match="restart"):
        db.table("entries").insert({"id": "y"})
    assert len(db.table("entries")) == 3
    db.close()
    # A restart discards the partial record and works normally.
    again = open_db()
    assert [d["id"] for d in again.table("entries").all()] == ["e0", "e1", "e2"]
    again.table("entries").insert({"id": "z"})
    assert len(again.table("entries")) == 4


CHILD = textwrap.dedent("""
    import json, os, resource, signal, sys
    from journal.storage.engine import Database
    from journal.storage.errors import StorageWriteError
    path, mode = sys.argv[1], sys.argv[2]
    out = {}
    db = Database(path)
    if mode == "fsize":
        # A real partial write: the kernel stops the file at this size (EFBIG).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = os.path.getsize(db.storage.log_path) + 100
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    out["before"] = len(db.table("entries"))
    try:
        db.table("entries").insert({"id": "big", "text": "x" * 100_000})  # grows the log
        out["write"] = "ok"
    except StorageWriteError as error:
        out["write"] = str(error)
    out["after"] = sorted(d["id"] for d in db.table("entries").all())
    print(json.dumps(out))
""")


def _child(path, mode, **kwargs):
    result = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], capture_output=True,
                            text=True, timeout=60, **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX resource limits")
def test_a_real_partial_write_from_the_kernel_is_cut_back(open_db, data_dir):
    db = open_db()
    _fill(db)
    db.close()
    out = _child(data_dir, "fsize")
    assert out["write"] != "ok" and "not saved" in out["write"]
    assert out["after"] == ["e0", "e1", "e2"]
    assert check_folder(data_dir).ok
    assert [d["id"] for d in open_db().table("entries").all()] == ["e0", "e1", "e2"]


def _in_child_as(user: int | None, path) -> dict:
    """Fork; in the child drop to ``user`` (if given), read and try a write; return what it saw."""
    from journal.storage.engine import Database

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        out = {}
        try:
            os.close(read_end)
            if user is not None:
                os.setgid(user)
                os.setuid(user)
            db = Database(path)
            out["before"] = len(db.table("entries"))
            try:
                db.table("entries").insert({"id": "new"})
                out["write"] = "ok"
            except StorageWriteError as error:
                out["write"] = str(error)
            out["after"] = sorted(d["id"] for d in db.table("entries").all())
        except BaseException as error:
            import traceback
            out["crash"] = traceback.format_exc()
        os.write(write_end, json.dumps(out).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX permissions")
def test_a_read_only_folder_reads_fine_and_refuses_writes_clearly(open_db):
    # Root ignores permissions, so as root the check runs as the unprivileged "nobody",
    # in a folder "nobody" can reach.
    base = None
    if os.geteuid() == 0:
        base = next((b for b in ("/var/tmp", "/dev/shm", tempfile.gettempdir())
                     if os.path.isdir(b) and os.stat(b).st_mode & 0o001), None)
        if base is None:
            pytest.skip("no folder the unprivileged user can reach")
    folder = tempfile.mkdtemp(prefix="journal-ro-", dir=base)
    data = os.path.join(folder, "data")
    try:
        db = open_db(data)
        _fill(db)
        db.close()
        user = None
        if os.geteuid() == 0:
            user = 65534
            os.chmod(folder, 0o755)
            for name in os.listdir(data):
                os.chmod(os.path.join(data, name), 0o644)
        os.chmod(data, 0o555)
        out = _in_child_as(user, data)
        assert "crash" not in out, out
        assert out["before"] == 3
        assert "read-only" in out["write"] and "not saved" in out["write"]
        assert out["after"] == ["e0", "e1", "e2"]
    finally:
        os.chmod(data, 0o700)
        shutil.rmtree(folder)
