"""Opening a data folder: create or import, load the snapshot (or its cache), replay the log, migrate.

It is one part of :class:`~journal.storage.durable.DurableStorage` (a mixin): it
works on the state ``DurableStorage.__init__`` sets up and calls the other parts'
methods through ``self``.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import secrets
import sys
from pathlib import Path

from .cache import CACHE
from .cache import cache_key
from .cache import read_cache
from .cache import write_cache
from .errors import CorruptionError
from .errors import SchemaError
from .errors import StorageWriteError
from .errors import write_reason
from .fsutil import make_private_dir
from .fsutil import sync_dir
from .layout import LEGACY
from .layout import LOCKFILE
from .layout import LOG_NAME
from .layout import log_name
from .layout import stat_key
from .layout import utc_now
from .layout import utc_stamp
from .locking import ProcessLock
from .log import LogFile
from .log import scan
from .memory import intern_keys
from .shared_strings import share_strings
from .snapshot import read_header
from .snapshot import read_snapshot
from .snapshot import write_snapshot

logger = logging.getLogger(__name__)

_intern = sys.intern


class Opening:
    """Bring a data folder into memory on open, checking every byte it reads."""

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
                  "created_at": utc_now()}
        LogFile.create(self.path / log_name(1), self._log_header(header)).close()
        write_snapshot(self.snapshot_path, header, tables, next_ids)
        legacy = self.path / LEGACY
        if legacy.exists():
            # Keep the old file as the backup taken before the upgrade.
            target = self._backup_folder() / f"legacy-journal-{utc_stamp()}.json"
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
        tables = {_intern(name): {str(k): intern_keys(v) for k, v in docs.items()}
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
                share_strings(tables)
                if not self.read_only:
                    self._write_cache(key, tables)
            else:
                # Still prove the snapshot intact (checksum only): damage is reported.
                read_snapshot(self.snapshot_path, keep=False, parse=False)
        finally:
            if collecting:
                gc.enable()
        # Equal strings are already one object each (share_strings, kept by the cache).
        self.tables = {_intern(name): docs for name, docs in tables.items()}
        del tables
        self.next_ids = {name: int(n) for name, n in header.get("next_ids", {}).items()}
        self.gen = int(header["gen"])
        self.seq = int(header["seq"])
        self.origin = header["origin"]
        self.schema = int(header["schema"])
        self._indexes.clear()
        self._snap_key = stat_key(st)
        self._snap_size = st.st_size
        self._open_log(header)

    def _open_log(self, header: dict) -> None:
        path = self.log_path
        if not path.exists():
            if self.read_only:
                self._log = None
                self._log_end = 0
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
                self._log_end = found.used
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
        self._apply_frames(found, path, start=0, skip_first=True)

    def _apply_frames(self, found, path, *, start: int, skip_first=False) -> None:
        if found.damaged:
            raise CorruptionError(
                path, f"a change record at byte {start + found.bad_at} is damaged "
                "and later records follow it"
            )
        frames = found.frames[1:] if skip_first else found.frames
        for end, record in frames:
            self._replay(record, path)
            self._log_end = start + end
        if found.bad_at is not None and self._log is not None and not self.read_only:
            # A torn or checksum-failing last record was never acknowledged.
            # Zero it (and any stale bytes after it), so only zeros follow the
            # end and a shorter next record leaves nothing of it behind.
            logger.warning("discarding an incomplete last change record in %s", path)
            self._log.zero(self._log_end, start + found.used)

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
                self._put(_intern(name), doc_id, intern_keys(doc) if doc is not None else None)
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
            f"before-schema-{self.schema}-to-{self.schema_version}-{utc_stamp()}.jbak")
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
