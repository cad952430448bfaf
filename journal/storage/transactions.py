"""The durable engine's transactions: locks, savepoints, commit hooks, one flushed record per commit.

It is one part of :class:`~journal.storage.durable.DurableStorage` (a mixin): it
works on the state ``DurableStorage.__init__`` sets up and calls the other parts'
methods through ``self``.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager

from .errors import StorageError
from .errors import StorageWriteError
from .errors import write_reason
from .log import frame

logger = logging.getLogger(__name__)

#: Compact when the log is larger than this share of the snapshot …
COMPACT_RATIO = 0.25
#: … and at least this many bytes.
COMPACT_MIN_BYTES = 4 << 20


class Transactions:
    """All-or-nothing changes: the outermost block writes one record and flushes it."""

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
        self._undo.clear()
        self._ops.clear()
        requested, self._compact_requested = self._compact_requested, False
        if requested or self._log_end > max(COMPACT_MIN_BYTES, self._snap_size * COMPACT_RATIO):
            try:
                self._compact()
            except OSError as error:
                # The commit is durable; compaction is retried after the next one.
                logger.warning("compacting %s failed: %s", self.path, write_reason(error))
