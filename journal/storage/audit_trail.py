"""The audit trail on disk: an append-only SQLite file next to the data, never held in memory.

A school writes about two million audit records a year: every page a person
opens with pupil data is one. The documents live in memory in every worker
(:mod:`journal.storage.durable`); two million records there would take
gigabytes per worker, slow every start and make every compaction rewrite them.
So the trail has its own file, ``audit.sqlite3`` in the data folder (mode
0600). SQLite, from Python's standard library, appends a record durably (WAL,
``synchronous=FULL``: one flush, as the change log) and finds what a filter
asks for through its indexes, one page at a time, whatever the size.

* Records are never changed: there is no update, and :meth:`AuditTrail.purge_before`
  (retention) is the only removal.
* Every thread has its own connection, reopened after a fork; several
  processes append and read at once (SQLite's own locks).
* A record written inside a transaction of the document store is appended
  when that transaction commits, and not at all if it fails (see
  :meth:`journal.storage.store.AuditLog.append`).
* A damaged file raises :class:`CorruptionError` (``journal check`` says so);
  a full disk or a read-only folder raises :class:`StorageWriteError`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import CorruptionError
from .errors import StorageWriteError

FILENAME = "audit.sqlite3"
#: A backup's copy of the trail is the file next to the backup with this suffix.
BACKUP_SUFFIX = ".audit"

#: The columns of a record, in order; other keys a caller passes are kept in ``more`` (JSON).
COLUMNS = ("id", "at", "user_id", "address", "action", "object_type", "object_id", "pupil_id",
           "outcome", "detail")
#: Columns a filter may test for equality (each has an index or is cheap to test).
FILTERABLE = ("user_id", "address", "action", "object_type", "object_id", "pupil_id", "outcome")

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    user_id TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL DEFAULT '',
    object_type TEXT NOT NULL DEFAULT '',
    object_id TEXT NOT NULL DEFAULT '',
    pupil_id TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    more TEXT
);
CREATE INDEX IF NOT EXISTS audit_user ON audit (user_id, action);
CREATE INDEX IF NOT EXISTS audit_pupil ON audit (pupil_id, action);
CREATE INDEX IF NOT EXISTS audit_object ON audit (object_id);
CREATE INDEX IF NOT EXISTS audit_action ON audit (action);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
"""
_SELECT = "SELECT " + ", ".join(COLUMNS) + ", more FROM audit"


class AuditTrail:
    """The append-only audit records of one instance.

    :param folder: the data folder, or ``None`` to keep the records in memory (tests).
    """

    def __init__(self, folder: str | Path | None):
        self.path = Path(folder) / FILENAME if folder is not None else None
        self._local = threading.local()
        self._pid = os.getpid()
        self._memory: sqlite3.Connection | None = None
        self._memory_lock = threading.Lock()
        self._ready = False

    # -- connections ----------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """Yield this thread's connection, translating SQLite's errors into storage errors."""
        try:
            if self.path is None:
                with self._memory_lock:
                    if self._memory is None:
                        self._memory = sqlite3.connect(":memory:", check_same_thread=False,
                                                       isolation_level=None)
                        self._memory.executescript(SCHEMA)
                    yield self._memory
                return
            yield self._file_connection()
        except sqlite3.Error as error:
            raise self._translate(error) from error

    def _file_connection(self) -> sqlite3.Connection:
        if self._pid != os.getpid():  # a forked worker: never use the parent's connections
            self._local = threading.local()
            self._pid = os.getpid()
            self._ready = False
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if not self.path.exists():
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            if not self._ready:
                connection.executescript(SCHEMA)
                self._ready = True
            self._local.connection = connection
        return connection

    def _translate(self, error: sqlite3.Error) -> Exception:
        text = str(error).lower()
        where = self.path or "memory"
        if isinstance(error, sqlite3.OperationalError):
            if "full" in text:
                return StorageWriteError(where, "the disk is full")
            if "readonly" in text or "read-only" in text or "unable to open" in text:
                return StorageWriteError(where, "the data folder is read-only")
            if "locked" in text or "busy" in text:
                return StorageWriteError(where, "the audit log stayed locked by another process")
            return StorageWriteError(where, f"an input/output error ({error})")
        return CorruptionError(where, f"the audit log cannot be read ({error})")

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._pid == os.getpid():
            connection.close()
        self._local = threading.local()

    # -- writing ------------------------------------------------------------------------------

    def append(self, record: dict) -> None:
        """Append one record (``id`` and ``at`` set by the caller), durably."""
        self.append_many([record])

    def append_many(self, records: Iterable[dict], *, ignore_known: bool = False) -> int:
        """Append records in one durable commit; return how many were new.

        :param ignore_known: skip records whose ``id`` is already there (merging
            a backup's or an older journal's records) instead of failing.
        """
        verb = "INSERT OR IGNORE" if ignore_known else "INSERT"
        sql = (f"{verb} INTO audit ({', '.join(COLUMNS)}, more) "
               f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))})")
        rows = [_row(r) for r in records]
        with self._connection() as db:
            before = db.total_changes
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(sql, rows)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return db.total_changes - before

    def purge_before(self, day: str) -> int:
        """Remove the records older than ``day`` (ISO date); return how many (retention)."""
        with self._connection() as db:
            return db.execute("DELETE FROM audit WHERE at < ?", (day,)).rowcount

    # -- reading ------------------------------------------------------------------------------

    def page(self, filters: dict[str, str], *, since: str = "", before: str = "",
             offset: int = 0, limit: int = 100,
             count_limit: int | None = None) -> tuple[list[dict], int]:
        """Return one page of the records matching ``filters``, newest first, and their number.

        :param filters: exact values for :data:`FILTERABLE` columns.
        :param since: ISO time or date; records at or after it.
        :param before: ISO time or date; records before it.
        :param count_limit: count at most this many plus one (a year holds millions:
            counting them all would cost the reader seconds for a number).
        """
        where, params = _where(filters, since, before)
        with self._connection() as db:
            rows = db.execute(f"{_SELECT}{where} ORDER BY n DESC LIMIT ? OFFSET ?",
                              params + [int(limit), max(0, int(offset))]).fetchall()
            if count_limit is None:
                total = db.execute(f"SELECT count(*) FROM audit{where}", params).fetchone()[0]
            else:
                total = db.execute(f"SELECT count(*) FROM (SELECT 1 FROM audit{where} LIMIT ?)",
                                   params + [int(count_limit) + 1]).fetchone()[0]
        return [_record(r) for r in rows], total

    def matching(self, filters: dict[str, str], *, since: str = "", before: str = "",
                 newest_first: bool = True, batch: int = 5000) -> Iterator[dict]:
        """Yield every record matching ``filters`` (see :meth:`page`), a batch at a time."""
        where, params = _where(filters, since, before)
        order = "DESC" if newest_first else "ASC"
        last = None
        while True:
            bound = ""
            if last is not None:
                bound = (" AND " if where else " WHERE ") + f"n {'<' if newest_first else '>'} ?"
            with self._connection() as db:
                rows = db.execute(f"SELECT n, {', '.join(COLUMNS)}, more FROM audit{where}{bound}"
                                  f" ORDER BY n {order} LIMIT ?",
                                  params + ([last] if last is not None else []) + [batch]
                                  ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _record(row[1:])
            last = rows[-1][0]

    def all(self) -> list[dict]:
        """Return every record, oldest first (small instances and tests)."""
        return list(self.matching({}, newest_first=False))

    def count(self) -> int:
        """Return the number of records."""
        with self._connection() as db:
            return db.execute("SELECT count(*) FROM audit").fetchone()[0]

    # -- looking after the file -------------------------------------------------------------------

    @staticmethod
    def check_file(file: str | Path) -> list[str]:
        """Return SQLite's problems with a trail file (empty when it is intact); never writes."""
        try:
            connection = sqlite3.connect(f"file:{Path(file)}?mode=ro", uri=True)
            try:
                found = [r[0] for r in connection.execute("PRAGMA quick_check").fetchall()]
            finally:
                connection.close()
        except sqlite3.Error as error:
            return [f"{file}: {error}"]
        return [] if found == ["ok"] else [f"{file}: {p}" for p in found]

    @staticmethod
    def count_file(file: str | Path) -> int:
        """Return the number of records in a trail file (read only)."""
        connection = sqlite3.connect(f"file:{Path(file)}?mode=ro", uri=True)
        try:
            return connection.execute("SELECT count(*) FROM audit").fetchone()[0]
        finally:
            connection.close()

    def backup_to(self, target: str | Path) -> int:
        """Write a consistent copy of the trail to the file ``target``; return its records."""
        target = Path(target)
        if target.exists():
            target.unlink()
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
        copy = sqlite3.connect(target)
        try:
            with self._connection() as db:
                db.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return copy.execute("SELECT count(*) FROM audit").fetchone()[0]
        except sqlite3.Error as error:
            raise self._translate(error) from error
        finally:
            copy.close()

    def merge_from(self, source: str | Path) -> int:
        """Add the records of another trail file (a backup's) that are not here yet."""
        try:
            other = sqlite3.connect(f"file:{Path(source)}?mode=ro", uri=True)
        except sqlite3.Error as error:
            raise CorruptionError(source, f"the audit log cannot be read ({error})") from error
        try:
            cursor = other.execute(f"{_SELECT} ORDER BY n")
            added = 0
            while rows := cursor.fetchmany(5000):
                added += self.append_many([_record(r) for r in rows], ignore_known=True)
            return added
        except sqlite3.DatabaseError as error:
            raise CorruptionError(source, f"the audit log cannot be read ({error})") from error
        finally:
            other.close()

def _row(record: dict) -> tuple:
    more = {k: v for k, v in record.items() if k not in COLUMNS}
    values = [record.get("id"), record.get("at")]
    values += ["" if record.get(c) is None else str(record.get(c)) for c in COLUMNS[2:]]
    return tuple(values) + (json.dumps(more, ensure_ascii=False) if more else None,)


def _record(row: tuple) -> dict:
    record = dict(zip(COLUMNS, row[:len(COLUMNS)]))
    if row[len(COLUMNS)]:
        record.update(json.loads(row[len(COLUMNS)]))
    return record


def _where(filters: dict[str, str], since: str, before: str) -> tuple[str, list]:
    clauses, params = [], []
    for column in FILTERABLE:
        value = filters.get(column)
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if since:
        clauses.append("at >= ?")
        params.append(since)
    if before:
        clauses.append("at < ?")
        params.append(before)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
