"""The durable TinyDB storage: snapshot + change log + in-memory copy + lock.

Files in the data folder (all mode 0600, folder 0700)::

    journal.snap        the last compacted state (see :mod:`.snapshot`)
    journal.<gen>.log   the changes since that snapshot (see :mod:`.log`)
    journal.lock        the cross-process lock (see :mod:`.locking`)

Every process keeps the whole database in memory as plain dicts with lazily
built index dicts, and before each read checks (a ``stat`` of the snapshot
and a one-byte read at the end of the log it knows) whether another process
committed or compacted since; if so it reads just the new log frames under
the lock. A transaction holds the thread lock and the file
lock from start to end, applies changes to memory as they are made (so the
transaction reads its own writes), remembers how to undo them, and on exit
writes them as one checksummed log frame, flushed with ``fdatasync`` before
returning. If the block raises, or the write fails, memory is rolled back and
nothing reaches the disk.

When the log grows past a quarter of the snapshot (at least 4 MiB) the
database is compacted: a new log generation and a new snapshot are written
and the old log is removed, so erased text leaves the live files.

The class is composed of parts with one job each: :mod:`.opening` (create,
load, replay, migrate), :mod:`.memory` (the in-memory copy and its undo
entries), :mod:`.transactions` (locks and the durable commit) and
:mod:`.compaction` (new generations, backups); this module holds the state,
fork safety, catching up with other processes, and TinyDB's read and write.
The data folder's file names are in :mod:`.layout`.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

from tinydb.storages import Storage

from .compaction import Compaction
from .errors import CorruptionError
from .errors import StorageError
from .errors import write_reason  # noqa: F401 (imported from here before the split)
from .indexes import SCALARS  # noqa: F401 (engine imports it from here)
from .indexes import Indexes
# The data folder's names: backup, check and the benchmark import them from here.
from .layout import LEGACY  # noqa: F401
from .layout import LOCKFILE  # noqa: F401
from .layout import LOG_NAME  # noqa: F401
from .layout import SNAPSHOT
from .layout import log_name
from .layout import stat_key
from .log import LogFile
from .log import encode
from .log import scan
from .memory import Memory
from .opening import Opening
from .snapshot import read_header
from .transactions import Transactions


#: What the log holds at its end: zeros, or (a log from before they were kept) nothing.
_END = (b"\0", b"")


class DurableStorage(Opening, Memory, Transactions, Compaction, Storage):
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
        self._log_end = 0  # where the next frame goes: the first byte after the good ones
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
            key = stat_key(os.stat(self.snapshot_path))
        except FileNotFoundError:
            raise CorruptionError(self.snapshot_path, "the snapshot file disappeared") from None
        if key != self._snap_key:
            return True
        return self._log is not None and self._log.mark_at(self._log_end) not in _END

    def _catch_up(self) -> None:
        """Apply what other processes committed (file lock held)."""
        st = os.stat(self.snapshot_path)
        if stat_key(st) != self._snap_key:
            self._read_tail()
            header = read_header(self.snapshot_path)
            if (header.get("origin") == self.origin and header.get("seq") == self.seq
                    and header.get("schema") == self.schema and self._log is not None):
                # Another process compacted exactly what we hold: switch files.
                self._log.close()
                self._log = None
                self.gen = int(header["gen"])
                self._snap_key = stat_key(st)
                self._snap_size = st.st_size
                self._open_log(header)
            else:
                self._load()
            return
        self._read_tail()

    def _read_tail(self) -> None:
        if self._log is None:
            return
        mark = self._log.mark_at(self._log_end)
        if mark in _END:
            if not mark and self._log.size() < self._log_end:
                self._load()  # cut back under us: start over
            return
        data = self._log.read_frames_from(self._log_end)
        found = scan(data)
        if found.bad_at is not None:
            # A torn record, or damage (a zero byte inside a record looks like
            # the end): read everything after the end, as opening does.
            found = scan(self._log.read_from(self._log_end))
        self._apply_frames(found, self._log.path, start=self._log_end)

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


__all__ = ["DurableStorage", "encode"]
