"""The database engine: TinyDB's API over a storage that must never lose a word.

This module is the only place that knows how documents reach the disk. The
rest of the journal talks to :class:`Database` (tables with TinyDB's API, a
``by()`` lookup and :meth:`Database.transaction`) through the repositories in
:mod:`journal.storage.store`.

Interface contract (what the repositories rely on):

* ``Database(path)`` opens or creates the database in folder ``path``;
  ``Database(None)`` keeps everything in memory (tests).
* ``db.table(name)`` returns a TinyDB :class:`~tinydb.table.Table` with an
  extra ``by(field, value)`` returning the documents whose ``field`` equals
  ``value``.
* ``with db.transaction():`` holds an exclusive, reentrant lock across threads
  and processes; reads inside see every committed write; every write inside is
  durable when the call that made it returns.
* ``db.close()`` releases files and locks.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from tinydb import TinyDB
from tinydb import where
from tinydb.storages import MemoryStorage
from tinydb.table import Table


class JournalTable(Table):
    """A TinyDB table with an equality lookup used by the repositories."""

    def by(self, field: str, value) -> list:
        """Return the documents whose ``field`` equals ``value``."""
        return self.search(where(field) == value)


class Database:
    """A TinyDB database with transactions. See the module docstring."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path is not None else None
        self._lock = threading.RLock()
        if self.path is None:
            self._db = TinyDB(storage=MemoryStorage)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._db = TinyDB(self.path / "journal.json")
        self._db.table_class = JournalTable

    def table(self, name: str) -> JournalTable:
        """Return the table called ``name`` (created on first write)."""
        return self._db.table(name, cache_size=0)

    @contextmanager
    def transaction(self):
        """Hold the write lock for a read-modify-write spanning several calls."""
        with self._lock:
            yield self

    def close(self) -> None:
        """Close the underlying storage."""
        self._db.close()
