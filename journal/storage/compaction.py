"""The durable engine's compaction (a new snapshot and log generation) and backups.

It is one part of :class:`~journal.storage.durable.DurableStorage` (a mixin): it
works on the state ``DurableStorage.__init__`` sets up and calls the other parts'
methods through ``self``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .cache import cache_key
from .errors import StorageWriteError
from .errors import write_reason
from .fsutil import make_private_dir
from .fsutil import sync_dir
from .layout import log_name
from .layout import stat_key
from .layout import utc_now
from .log import LogFile
from .snapshot import write_snapshot


class Compaction:
    """Rewrite the snapshot so the log (and erased text in it) goes; write backups."""

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
                  "created_at": utc_now()}
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
        self._log_end = new_log.header_end
        st = os.stat(self.snapshot_path)
        self._snap_key = stat_key(st)
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
                  "created_at": utc_now(), "source": str(self.path) if self.path else None}
        make_private_dir(target.parent)
        size = write_snapshot(target, header, self.tables, self.next_ids)
        count = sum(len(docs) for docs in self.tables.values())
        return {"path": str(target), "documents": count, "bytes": size, "seq": self.seq}
