"""The durable TinyDB storage: snapshot + change log + in-memory copy + lock.

Files in the data folder (all mode 0600, folder 0700)::

    journal.snap        the last compacted state (see :mod:`.snapshot`)
    journal.<gen>.log   the changes since that snapshot (see :mod:`.log`)
    journal.lock        the cross-process lock (see :mod:`.locking`)

Every process keeps the whole database in memory as plain dicts with lazily
built index dicts, and before each read checks (two ``stat`` calls) whether
another process committed or compacted since; if so it reads just the new
log frames under the lock. A transaction holds the thread lock and the file
lock from start to end, applies changes to memory as they are made (so the
transaction reads its own writes), remembers how to undo them, and on exit
writes them as one checksummed log frame, flushed with ``fdatasync`` before
returning. If the block raises, or the write fails, memory is rolled back and
nothing reaches the disk.

When the log grows past a quarter of the snapshot (at least 4 MiB) the
database is compacted: a new log generation and a new snapshot are written
and the old log is removed, so erased text leaves the live files.
"""

from __future__ import annotations

import errno
import gc
import json
import logging
import os
import re
import secrets
import sys
import threading
from contextlib import contextmanager
from datetime import datetime
from datetime import timezone
from pathlib import Path

from tinydb.storages import Storage

from .cache import CACHE
from .cache import cache_key
from .cache import read_cache
from .cache import write_cache
from .errors import CorruptionError
from .errors import SchemaError
from .errors import StorageError
from .errors import StorageWriteError
from .fsutil import make_private_dir
from .fsutil import sync_dir
from .indexes import SCALARS  # noqa: F401 (engine imports it from here)
from .indexes import Indexes
from .locking import ProcessLock
from .log import LogFile
from .log import encode
from .log import encode_str
from .log import frame
from .log import scan
from .snapshot import read_header
from .snapshot import read_snapshot
from .snapshot import write_snapshot

logger = logging.getLogger(__name__)

SNAPSHOT = "journal.snap"
LOCKFILE = "journal.lock"
LEGACY = "journal.json"
LOG_NAME = re.compile(r"^journal\.(\d+)\.log$")

#: Compact when the log is larger than this share of the snapshot …
COMPACT_RATIO = 0.25
#: … and at least this many bytes.
COMPACT_MIN_BYTES = 4 << 20

_intern = sys.intern


def log_name(gen: int) -> str:
    """Return the file name of the log of generation ``gen``."""
    return f"journal.{gen}.log"


def write_reason(error: OSError) -> str:
    """Explain an OS error during a write in words an administrator understands."""
    code = getattr(error, "errno", None)
    if code == errno.ENOSPC:
        return "the disk is full"
    if code == getattr(errno, "EDQUOT", -1):
        return "the disk quota of the service user is used up"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the data folder is read-only"
    if code == errno.EFBIG:
        return "the file is larger than the file system or a limit allows"
    return f"an input/output error ({error.strerror or error})"


def _intern_keys(doc: dict) -> dict:
    # Shared key objects make dict lookups take the identity fast path and
    # save memory: every entry repeats the same dozen field names.
    return {_intern(k): v for k, v in doc.items()}


class DurableStorage(Storage):
    """A TinyDB storage that keeps every acknowledged write. See the module docstring.

    :param path: the data folder, or ``None`` for a fast in-memory database
        with the same transaction semantics (tests).
    :param schema_version: the document schema this code expects.
    :param migrations: ``{version: function(tables)}`` run on open to reach it.
    :param backup_dir: where the backup taken before a migration goes.
    """

    def __init__(self, path=None, *, schema_version: int = 1, migrations: dict | None = None,
                 backup_dir=None):
        super().__init__()
        self.path = Path(path) if path is not None else None
        self.schema_version = schema_version
        self.migrations = migrations or {}
        self.backup_dir = Path(backup_dir) if backup_dir is not None else None
        self.tables: dict[str, dict[str, dict]] = {}
        self.next_ids: dict[str, int] = {}
        self.seq = 0
        self.gen = 0
        self.origin = ""
        self.schema = schema_version
        self.read_only = False
        self._indexes = Indexes()
        self._mutex = threading.RLock()
        self._pid = os.getpid()
        self._depth = 0
        self._undo: list[tuple] = []
        self._ops: list[str] = []
        self._savepoints: list[tuple[int, int]] = []
        self._hooks: list = []  # run when the outermost transaction commits (see before_commit)
        self._owner: int | None = None  # the thread inside the transaction
        self._failed: str | None = None
        self._compact_requested = False
        self._closed = False
        self._log: LogFile | None = None
        self._log_end = 0
        self._log_seen = 0
        self._snap_key = None
        self._snap_size = 0
        if self.path is not None:
            self._open()

    # -- paths -----------------------------------------------------------------

    @property
    def snapshot_path(self) -> Path:
        """The snapshot file."""
        return self.path / SNAPSHOT

    @property
    def log_path(self) -> Path:
        """The current generation's log file."""
        return self.path / log_name(self.gen)

    # -- opening and loading ---------------------------------------------------

    def _open(self) -> None:
        make_private_dir(self.path)
        self._lock = ProcessLock(self.path / LOCKFILE)
        self._lock.acquire()
        try:
            self.read_only = self._lock.read_only or not os.access(self.path, os.W_OK)
            if not self.read_only:
                self._remove_temporary_files()
            if not self.snapshot_path.exists():
                self._create()
            self._load()
            if not self.read_only:
                self._remove_stale_logs()
            self._migrate()
        except BaseException:
            self._lock.release()
            self.close()
            raise
        self._lock.release()

    def _remove_temporary_files(self) -> None:
        for name in os.listdir(self.path):
            if name.endswith(".tmp") and name.startswith("journal."):
                os.unlink(self.path / name)

    def _create(self) -> None:
        """Start a new database (importing a legacy ``journal.json`` if there is one)."""
        logs = [n for n in os.listdir(self.path) if LOG_NAME.match(n)]
        if logs:
            raise CorruptionError(
                self.snapshot_path, f"the snapshot is missing while change logs exist ({logs[0]})"
            )
        if self.read_only:
            raise StorageWriteError(self.path, "the data folder is read-only and holds no journal")
        tables, next_ids = self._legacy_tables()
        header = {"gen": 1, "seq": 0, "origin": secrets.token_hex(8),
                  "schema": self.schema_version if not tables else 1,
                  "created_at": _now()}
        LogFile.create(self.path / log_name(1), self._log_header(header)).close()
        write_snapshot(self.snapshot_path, header, tables, next_ids)
        legacy = self.path / LEGACY
        if legacy.exists():
            # Keep the old file as the backup taken before the upgrade.
            target = self._backup_folder() / f"legacy-journal-{_stamp()}.json"
            os.replace(legacy, target)
            sync_dir(self.path)

    def _legacy_tables(self):
        legacy = self.path / LEGACY
        if not legacy.exists() or legacy.stat().st_size == 0:
            return {}, {}
        try:
            data = json.loads(legacy.read_bytes())
        except ValueError:
            raise CorruptionError(legacy, "the old TinyDB file cannot be read") from None
        tables = {_intern(name): {str(k): _intern_keys(v) for k, v in docs.items()}
                  for name, docs in (data or {}).items()}
        next_ids = {name: max((int(k) for k in docs), default=0) + 1
                    for name, docs in tables.items()}
        return tables, next_ids

    def _write_cache(self, key: dict, tables: dict) -> None:
        try:
            write_cache(self.path / CACHE, key, tables)
        except OSError as error:
            # Only start-up speed depends on it; the snapshot is what counts.
            logger.warning("cannot write the load cache in %s: %s", self.path, write_reason(error))

    def _log_header(self, header: dict) -> dict:
        return {"log": header["gen"], "base": header["seq"], "origin": header["origin"]}

    def _load(self) -> None:
        """Load the snapshot and replay its log (file lock held)."""
        if self._log is not None:
            self._log.close()
            self._log = None
        st = os.stat(self.snapshot_path)
        header = read_header(self.snapshot_path)
        for key in ("gen", "seq", "origin", "schema"):
            if key not in header:
                raise CorruptionError(self.snapshot_path, f"the header lacks {key!r}")
        key = cache_key(header, st.st_size)
        # Loading creates millions of objects, none in cycles: the cyclic
        # garbage collector would only rescan them again and again.
        collecting = gc.isenabled()
        gc.disable()
        try:
            tables = read_cache(self.path / CACHE, key)
            if tables is None:
                header, tables, _count = read_snapshot(self.snapshot_path)
                if not self.read_only:
                    self._write_cache(key, tables)
            else:
                # Still prove the snapshot intact (checksum only): damage is reported.
                read_snapshot(self.snapshot_path, keep=False, parse=False)
        finally:
            if collecting:
                gc.enable()
        # Field names are already shared objects: the snapshot reader parses
        # documents in batches, and json shares repeated keys within a call.
        self.tables = {_intern(name): docs for name, docs in tables.items()}
        del tables
        self.next_ids = {name: int(n) for name, n in header.get("next_ids", {}).items()}
        self.gen = int(header["gen"])
        self.seq = int(header["seq"])
        self.origin = header["origin"]
        self.schema = int(header["schema"])
        self._indexes.clear()
        self._snap_key = _stat_key(st)
        self._snap_size = st.st_size
        self._open_log(header)

    def _open_log(self, header: dict) -> None:
        path = self.log_path
        if not path.exists():
            if self.read_only:
                self._log = None
                self._log_end = self._log_seen = 0
                return
            self._log = LogFile.create(path, self._log_header(header))
            sync_dir(self.path)
        else:
            self._log = LogFile(path, writable=not self.read_only)
        data = self._log.read_from(0)
        found = scan(data)
        if not found.frames:
            if found.damaged:
                raise CorruptionError(path, "the log's first line is damaged")
            # The header itself was torn: the log never held a change.
            if self.read_only:
                self._log_end = self._log_seen = len(data)
                return
            self._log.close()
            self._log = LogFile.create(path, self._log_header(header))
            data = self._log.read_from(0)
            found = scan(data)
        first_end, first = found.frames[0]
        if (first.get("log") != self.gen or first.get("base") != self.seq
                or first.get("origin") != self.origin):
            raise CorruptionError(path, "the log does not belong to the snapshot next to it")
        self._log_end = first_end
        self._apply_frames(found, path, data_len=len(data), start=0, skip_first=True)

    def _apply_frames(self, found, path, *, data_len: int, start: int, skip_first=False) -> None:
        if found.damaged:
            raise CorruptionError(
                path, f"a change record at byte {start + found.bad_at} is damaged "
                "and later records follow it"
            )
        frames = found.frames[1:] if skip_first else found.frames
        for end, record in frames:
            self._replay(record, path)
            self._log_end = start + end
        self._log_seen = start + data_len
        if found.bad_at is not None and self._log is not None and not self.read_only:
            # A torn or checksum-failing last record was never acknowledged.
            logger.warning("discarding an incomplete last change record in %s", path)
            self._log.truncate(self._log_end)
            self._log_seen = self._log_end

    def _replay(self, record: dict, path) -> None:
        seq = record.get("s")
        if seq != self.seq + 1:
            raise CorruptionError(
                path, f"change record {seq} follows record {self.seq} (records are missing)"
            )
        for name, doc_id, doc in record["o"]:
            if doc_id is None:
                self._table_op(_intern(name), doc)
            else:
                self._put(_intern(name), doc_id, _intern_keys(doc) if doc is not None else None)
        self.seq = seq

    def _remove_stale_logs(self) -> None:
        for name in os.listdir(self.path):
            match = LOG_NAME.match(name)
            if match and int(match.group(1)) != self.gen:
                try:
                    os.unlink(self.path / name)
                except OSError:
                    pass  # Windows: another process still has it open; removed later

    # -- migrations ------------------------------------------------------------

    def _migrate(self) -> None:
        if self.schema == self.schema_version:
            return
        if self.schema > self.schema_version:
            raise SchemaError(
                f"The data in {self.path} has schema version {self.schema}, newer than this "
                f"journal understands ({self.schema_version}). Upgrade the journal; nothing "
                "was changed."
            )
        if self.read_only:
            raise SchemaError(
                f"The data in {self.path} needs an upgrade (schema {self.schema} to "
                f"{self.schema_version}) but the folder is read-only; nothing was changed."
            )
        from .migrations import run_migrations

        backup = self._backup_folder() / (
            f"before-schema-{self.schema}-to-{self.schema_version}-{_stamp()}.jbak")
        self._write_backup(backup)
        old = self.schema
        try:
            run_migrations(self.tables, old, self.schema_version, self.migrations)
        except Exception as error:
            self._load()
            raise SchemaError(
                f"Upgrading the data in {self.path} from schema {old} failed "
                f"({type(error).__name__}); nothing was changed. A backup is in {backup}."
            ) from error
        self._indexes.clear()
        self.schema = self.schema_version
        self._compact(new_origin=True)
        logger.info("migrated %s from schema %s to %s (backup %s)", self.path, old,
                    self.schema, backup)

    def _backup_folder(self) -> Path:
        folder = self.backup_dir or (self.path.parent / "backups")
        make_private_dir(folder)
        return folder

    # -- fork safety -----------------------------------------------------------

    def _check_process(self) -> None:
        if self._pid == os.getpid():
            return
        # A forked child: never touch the parent's lock; reopen what we need.
        self._mutex = threading.RLock()
        self._pid = os.getpid()
        self._depth = 0
        self._undo.clear()
        self._ops.clear()
        self._savepoints.clear()
        self._hooks.clear()
        self._owner = None
        if self.path is not None:
            self._lock.forget_after_fork()
            if self._log is not None:
                self._log.close()
                self._log = LogFile(self.log_path, writable=not self.read_only)

    # -- reading ---------------------------------------------------------------

    @contextmanager
    def reading(self):
        """Hold the thread lock for a read, after catching up with other processes."""
        self._check_process()
        with self._mutex:
            if self._closed:
                raise StorageError("The database is closed.")
            if self._depth == 0 and self.path is not None and self._changed():
                self._lock.acquire()
                try:
                    self._catch_up()
                finally:
                    self._lock.release()
            yield self

    def _changed(self) -> bool:
        try:
            key = _stat_key(os.stat(self.snapshot_path))
        except FileNotFoundError:
            raise CorruptionError(self.snapshot_path, "the snapshot file disappeared") from None
        if key != self._snap_key:
            return True
        return self._log is not None and self._log.size() != self._log_seen

    def _catch_up(self) -> None:
        """Apply what other processes committed (file lock held)."""
        st = os.stat(self.snapshot_path)
        if _stat_key(st) != self._snap_key:
            self._read_tail()
            header = read_header(self.snapshot_path)
            if (header.get("origin") == self.origin and header.get("seq") == self.seq
                    and header.get("schema") == self.schema and self._log is not None):
                # Another process compacted exactly what we hold: switch files.
                self._log.close()
                self._log = None
                self.gen = int(header["gen"])
                self._snap_key = _stat_key(st)
                self._snap_size = st.st_size
                self._open_log(header)
            else:
                self._load()
            return
        self._read_tail()

    def _read_tail(self) -> None:
        if self._log is None:
            return
        size = self._log.size()
        if size == self._log_seen and size == self._log_end:
            return
        if size < self._log_end:
            self._load()  # cut back under us (a failed write's cleanup): start over
            return
        data = self._log.read_from(self._log_end, size - self._log_end)
        self._apply_frames(scan(data), self._log.path, data_len=len(data), start=self._log_end)

    def read(self):
        """TinyDB's whole-database read: a shallow ``{table: documents}`` view."""
        with self.reading():
            return dict(self.tables)

    def write(self, data) -> None:
        """TinyDB's whole-database write (``drop_table(s)``): stage the difference."""
        with self.transaction():
            for name in list(self.tables):
                if name not in data:
                    self.stage_table(name, None)
            for name, docs in data.items():
                if docs is self.tables.get(name):
                    continue
                self.stage_table(name, {})
                for doc_id, doc in docs.items():
                    self.stage(name, str(doc_id), dict(doc))

    # -- indexes ---------------------------------------------------------------

    def lookup(self, table: str, field: str, value) -> set | None:
        """Return the ids of ``table``'s documents whose ``field`` equals (or, for a path
        with ``[]``, reaches) ``value``; see :mod:`.indexes`.

        The index is built on first use and kept exact on every change.
        Call with the thread lock held (inside :meth:`reading`).
        """
        return self._indexes.lookup(self.tables.get(table, {}), table, field, value)

    # -- changing memory -------------------------------------------------------

    def _put(self, name: str, doc_id: str, doc: dict | None):
        """Set (or with ``None`` delete) one document in memory; return the old one."""
        table = self.tables.get(name)
        if table is None:
            table = self.tables[name] = {}
        old = table.get(doc_id)
        if doc is None:
            if old is not None:
                del table[doc_id]
        else:
            table[doc_id] = doc
            n = int(doc_id) + 1
            if n > self.next_ids.get(name, 1):
                self.next_ids[name] = n
        self._indexes.changed(name, doc_id, old, doc)
        return old

    def _table_op(self, name: str, docs: dict | None):
        """Drop a table (``None``) or make it exist and empty (``{}``); return the old one."""
        old = self.tables.pop(name, None)
        if docs is not None:
            self.tables[name] = {}
        self._indexes.drop(name)
        return old

    def allocate_id(self, name: str) -> int:
        """Return a fresh document id for ``name`` (inside a transaction)."""
        self._require_transaction()
        table = self.tables.get(name, {})
        n = self.next_ids.get(name, 1)
        while str(n) in table:
            n += 1
        self.next_ids[name] = n + 1
        return n

    def stage(self, name: str, doc_id: str, doc: dict | None) -> None:
        """Make one change inside the current transaction.

        The document is encoded first, so a value JSON cannot hold raises
        here and changes nothing. Memory then holds exactly what a reload
        from disk would give.
        """
        self._require_transaction()
        if doc is not None:
            text = encode_str(doc)
            op = f"[{encode_str(name)},{encode_str(doc_id)},{text}]"
            doc = _intern_keys(json.loads(text))
        else:
            op = f"[{encode_str(name)},{encode_str(doc_id)},null]"
        created = name not in self.tables
        old = self._put(name, doc_id, doc)
        self._undo.append((name, doc_id, old, created))
        self._ops.append(op)

    def stage_table(self, name: str, docs: dict | None) -> None:
        """Drop table ``name`` (``None``) or empty it (``{}``) inside the transaction."""
        self._require_transaction()
        op = f"[{encode_str(name)},null,{'null' if docs is None else '{}'}]"
        created = name not in self.tables
        old = self._table_op(name, docs)
        self._undo.append((name, None, old, created))
        self._ops.append(op)

    def _rollback_to(self, savepoint: int) -> None:
        while len(self._undo) > savepoint:
            name, doc_id, old, created = self._undo.pop()
            self._ops.pop()
            if doc_id is None:
                self._indexes.drop(name)
                if old is None:
                    self.tables.pop(name, None)
                else:
                    self.tables[name] = old
                continue
            self._put(name, doc_id, old)
            if created and not self.tables.get(name):
                self.tables.pop(name, None)

    def _require_transaction(self) -> None:
        if self._depth == 0 or self._pid != os.getpid():
            raise RuntimeError("changes must be made inside a transaction")

    def in_transaction(self) -> bool:
        """Return whether the calling thread is inside a transaction of this storage."""
        return (self._depth > 0 and self._owner == threading.get_ident()
                and self._pid == os.getpid())

    def before_commit(self, action) -> None:
        """Run ``action()`` when the current transaction commits, just before its record
        is written; never when the transaction (or the nested block around it) fails.

        If ``action`` raises, the transaction is rolled back and the error raised:
        the audit trail uses this, so no change is saved without its audit record.
        """
        self._require_transaction()
        self._hooks.append(action)

    # -- transactions ----------------------------------------------------------

    @contextmanager
    def transaction(self):
        """Hold the thread and process locks; commit durably on exit, roll back on error.

        Reentrant: only the outermost transaction writes (one log record, one
        ``fdatasync``). A nested block that raises rolls back its own changes.
        """
        self._enter()
        try:
            yield self
        except BaseException:
            self._exit(ok=False)
            raise
        self._exit(ok=True)

    def _enter(self) -> None:
        self._check_process()
        self._mutex.acquire()
        if self._closed:
            self._mutex.release()
            raise StorageError("The database is closed.")
        if self._depth == 0 and self.path is not None:
            try:
                self._lock.acquire()
                try:
                    self._catch_up()
                except BaseException:
                    self._lock.release()
                    raise
            except BaseException:
                self._mutex.release()
                raise
        self._depth += 1
        self._owner = threading.get_ident()
        self._savepoints.append((len(self._undo), len(self._hooks)))

    def _exit(self, *, ok: bool) -> None:
        savepoint, hooks = self._savepoints.pop()
        try:
            if not ok:
                self._rollback_to(savepoint)
                del self._hooks[hooks:]
            elif self._depth == 1:
                self._commit()
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._hooks.clear()
                if self.path is not None:
                    self._lock.release()
            self._mutex.release()

    def _run_hooks(self) -> None:
        hooks, self._hooks = self._hooks, []
        try:
            for action in hooks:
                action()
        except BaseException:
            self._rollback_to(0)
            raise

    def _commit(self) -> None:
        if not self._ops:
            self._run_hooks()
            return
        if self.path is None:
            self._run_hooks()
            self.seq += 1  # in memory: nothing to write, but readers still see a new version
            self._undo.clear()
            self._ops.clear()
            return
        if self._failed or self.read_only or self._log is None:
            reason = self._failed or "the data folder is read-only"
            self._rollback_to(0)
            raise StorageWriteError(self.path, reason)
        self._run_hooks()
        seq = self.seq + 1
        body = f'{{"s":{seq},"o":[{",".join(self._ops)}]}}'.encode("ascii")
        data = frame(body)
        try:
            self._log.append(data, self._log_end)
        except OSError as error:
            reason = write_reason(error)
            if getattr(error, "cleanup_failed", False):
                # Fail-stop: the file may hold a partial record we could not
                # remove; only a restart (which discards it) is safe.
                self._failed = reason + "; restart the journal"
            self._rollback_to(0)
            logger.error("a write to %s failed: %s", self._log.path, reason)
            raise StorageWriteError(self.path, reason) from error
        self.seq = seq
        self._log_end += len(data)
        self._log_seen = self._log_end
        self._undo.clear()
        self._ops.clear()
        requested, self._compact_requested = self._compact_requested, False
        if requested or self._log_end > max(COMPACT_MIN_BYTES, self._snap_size * COMPACT_RATIO):
            try:
                self._compact()
            except OSError as error:
                # The commit is durable; compaction is retried after the next one.
                logger.warning("compacting %s failed: %s", self.path, write_reason(error))

    # -- compaction, backup ----------------------------------------------------

    def compact(self) -> None:
        """Rewrite the snapshot now and drop the log (used after an erasure)."""
        if self.path is None:
            return
        with self.transaction():
            if self._ops:
                # Called inside a transaction with pending changes: compact
                # right after they are committed, never before.
                self._compact_requested = True
                return
            if self.read_only or self._failed:
                raise StorageWriteError(self.path, self._failed or "the data folder is read-only")
            try:
                self._compact()
            except OSError as error:
                raise StorageWriteError(self.path, write_reason(error)) from error

    def _compact(self, *, new_origin: bool = False) -> None:
        """Write generation ``gen + 1`` (file lock held, nothing staged)."""
        gen = self.gen + 1
        origin = secrets.token_hex(8) if new_origin else self.origin
        header = {"gen": gen, "seq": self.seq, "origin": origin, "schema": self.schema,
                  "created_at": _now()}
        new_log_path = self.path / log_name(gen)
        new_log = LogFile.create(new_log_path, self._log_header(header))
        try:
            size = write_snapshot(self.snapshot_path, header, self.tables, self.next_ids)
        except BaseException:
            new_log.close()
            os.unlink(new_log_path)
            raise
        old_log = self._log
        old_path = self.log_path
        self.gen = gen
        self.origin = origin
        self._log = new_log
        self._log_end = self._log_seen = new_log.size()
        st = os.stat(self.snapshot_path)
        self._snap_key = _stat_key(st)
        self._snap_size = size
        self._write_cache(cache_key(header, st.st_size), self.tables)
        if old_log is not None:
            old_log.close()
        try:
            os.unlink(old_path)
        except OSError:
            pass  # Windows: another process has it open; removed at a later compaction
        sync_dir(self.path)

    def backup_to(self, target) -> dict:
        """Write a consistent copy of the database to the file ``target``.

        Other processes keep reading meanwhile; writers wait for the copy.
        :return: ``{"path", "documents", "bytes", "seq"}``.
        """
        with self.transaction():
            if self._ops:
                raise RuntimeError("a backup cannot include uncommitted changes")
            return self._write_backup(Path(target))

    def _write_backup(self, target: Path) -> dict:
        header = {"kind": "backup", "seq": self.seq, "schema": self.schema,
                  "created_at": _now(), "source": str(self.path) if self.path else None}
        make_private_dir(target.parent)
        size = write_snapshot(target, header, self.tables, self.next_ids)
        count = sum(len(docs) for docs in self.tables.values())
        return {"path": str(target), "documents": count, "bytes": size, "seq": self.seq}

    # -- closing ---------------------------------------------------------------

    def close(self) -> None:
        """Close the files; the database cannot be used afterwards."""
        self._closed = True
        if self.path is None:
            return
        if self._log is not None and self._pid == os.getpid():
            self._log.close()
        self._log = None
        lock = getattr(self, "_lock", None)
        if lock is not None:
            lock.close()


def _stat_key(st) -> tuple:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_dev)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


__all__ = ["DurableStorage", "encode"]
