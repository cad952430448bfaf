"""Fixtures for the storage engine's tests: databases on disk and in memory."""

from __future__ import annotations

import errno
import os

import pytest

from journal.storage.engine import Database


@pytest.fixture
def data_dir(tmp_path):
    """A data folder inside a temporary instance folder."""
    return tmp_path / "instance" / "data"


@pytest.fixture
def open_db(data_dir):
    """Open databases on ``data_dir`` (or another folder); all are closed afterwards."""
    opened = []

    def opener(path=None, **kwargs):
        db = Database(path or data_dir, **kwargs)
        opened.append(db)
        return db

    yield opener
    for db in opened:
        try:
            db.close()
        except Exception:
            pass


@pytest.fixture(params=["disk", "memory"])
def any_db(request, open_db):
    """The same tests on a database on disk and on the in-memory one tests use."""
    if request.param == "memory":
        db = Database(None)
        yield db
        db.close()
    else:
        yield open_db()


@pytest.fixture
def first_flush_fails(monkeypatch):
    """Make the next ``fdatasync`` fail with an I/O error (the data was written, its
    flush failed); later ones work."""
    real = os.fdatasync
    calls = {"n": 0}

    def fdatasync(fd):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(errno.EIO, "Input/output error")
        return real(fd)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    return calls
