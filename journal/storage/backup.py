"""``journal backup`` and ``journal restore``.

A backup is one file in the snapshot format (checksummed, one document per
line) written from a consistent state while the journal keeps serving:
the writer holds the database lock for the time of the copy, so writes wait
a moment and reads go on.

A restore verifies the backup first, then, under the lock, copies the files
it replaces into ``<instance>/backups/before-restore-<time>/`` and installs
the backup as a new generation. Running journal processes notice the new
snapshot on their next request and reload it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import datetime
from datetime import timezone
from pathlib import Path

from .cache import CACHE
from .cache import remove_cache
from .durable import LOCKFILE
from .durable import LOG_NAME
from .durable import SNAPSHOT
from .durable import log_name
from .errors import CorruptionError
from .errors import SchemaError
from .fsutil import make_private_dir
from .fsutil import sync_dir
from .locking import ProcessLock
from .log import LogFile
from .snapshot import read_header
from .snapshot import read_snapshot
from .snapshot import write_snapshot


def default_backup_name() -> str:
    """Return a file name for a backup taken now, e.g. ``journal-20250101T020000Z.jbak``."""
    return f"journal-{_stamp()}.jbak"


def backup(db, target) -> dict:
    """Write a consistent backup of ``db`` to ``target`` (a file, or a folder to put one in)."""
    target = Path(target)
    if target.is_dir():
        target = target / default_backup_name()
    return db.backup_to(target)


def read_backup(file) -> tuple[dict, dict, int]:
    """Read and verify a backup file; return ``(header, tables, documents)``."""
    return read_snapshot(file)


def restore(data_dir, file, backup_dir, *, schema_version: int) -> dict:
    """Replace the data in ``data_dir`` with the backup ``file``.

    :param backup_dir: where the replaced files are kept.
    :return: ``{"documents", "kept"}``: the number of documents restored and
        the folder holding what was replaced (``None`` if there was nothing).
    :raise CorruptionError: the backup file is damaged (nothing changed).
    :raise SchemaError: the backup comes from a newer journal (nothing changed).
    """
    data_dir = Path(data_dir)
    header, tables, count = read_backup(file)
    schema = int(header.get("schema", 1))
    if schema > schema_version:
        raise SchemaError(
            f"The backup {file} was written by a newer journal (schema {schema}); "
            f"this one understands up to {schema_version}. Nothing was changed."
        )
    make_private_dir(data_dir)
    lock = ProcessLock(data_dir / LOCKFILE)
    lock.acquire()
    try:
        kept = _keep_current(data_dir, Path(backup_dir))
        gen = _next_generation(data_dir)
        seq = int(header.get("seq", 0))
        origin = secrets.token_hex(8)
        new = {"gen": gen, "seq": seq, "origin": origin, "schema": schema,
               "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "restored_from": header.get("created_at")}
        log = LogFile.create(data_dir / log_name(gen), {"log": gen, "base": seq, "origin": origin})
        log.close()
        next_ids = {name: int(n) for name, n in header.get("next_ids", {}).items()}
        write_snapshot(data_dir / SNAPSHOT, new, tables, next_ids)
        remove_cache(data_dir / CACHE)  # it mirrors the replaced data; rebuilt on next open
        for name in os.listdir(data_dir):
            match = LOG_NAME.match(name)
            if match and int(match.group(1)) != gen:
                try:
                    os.unlink(data_dir / name)
                except OSError:
                    pass  # Windows: still open elsewhere; removed on a later open
        sync_dir(data_dir)
    finally:
        lock.release()
        lock.close()
    return {"documents": count, "kept": str(kept) if kept else None}


def _keep_current(data_dir: Path, backup_dir: Path) -> Path | None:
    names = [n for n in os.listdir(data_dir) if n == SNAPSHOT or LOG_NAME.match(n)]
    if not names:
        return None
    make_private_dir(backup_dir)
    target = backup_dir / f"before-restore-{_stamp()}"
    number = 1
    while target.exists():
        number += 1
        target = backup_dir / f"before-restore-{_stamp()}-{number}"
    make_private_dir(target)
    for name in names:
        shutil.copy2(data_dir / name, target / name)
    return target


def _next_generation(data_dir: Path) -> int:
    gens = [int(m.group(1)) for m in map(LOG_NAME.match, os.listdir(data_dir)) if m]
    try:
        gens.append(int(read_header(data_dir / SNAPSHOT).get("gen", 0)))
    except (OSError, CorruptionError, ValueError):
        pass  # a damaged or missing snapshot: the logs' numbers are enough
    return max(gens, default=0) + 1


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# -- attachment files ---------------------------------------------------------------------
# A backup ``journal-….jbak`` keeps the attachment files it refers to in the folder
# ``journal-….jbak.files/`` next to it (same random names); restore puts them back.

def files_folder(backup_file) -> Path:
    """Return the folder holding the attachment files of the backup ``backup_file``."""
    return Path(str(backup_file) + ".files")


def _attachment_docs(tables: dict) -> list[dict]:
    return list((tables.get("attachments") or {}).values())


def backup_files(backup_file, files) -> dict:
    """Copy the files the backup's attachment records name into its ``.files`` folder.

    Files never change once stored, so copying them after the consistent copy
    of the data gives exactly the files that data refers to (an attachment
    erased in between is reported as missing and is not copied).
    :return: ``{"files", "missing"}``.
    """
    from .files import referenced

    _header, tables, _count = read_backup(backup_file)
    wanted = referenced(_attachment_docs(tables))
    if not wanted:
        return {"files": 0, "missing": []}
    missing = files.copy_into(wanted, files_folder(backup_file))
    return {"files": len(wanted) - len(missing), "missing": missing}


def check_backup_files(backup_file, tables: dict) -> tuple[list[str], list[str], dict]:
    """Verify the ``.files`` folder of a backup against its attachment records."""
    from .files import FileStore
    from .files import verify

    return verify(FileStore(files_folder(backup_file)), _attachment_docs(tables))


def restore_files(backup_file, files, kept: str | None) -> dict:
    """Make the attachment files match the restored data.

    Files the backup refers to are copied back (durably); files no restored
    record names are moved to the ``before-restore`` folder ``kept`` (or
    ``<files>/../backups``) rather than deleted.
    :return: ``{"restored", "set_aside", "missing"}``.
    """
    from .files import referenced

    _header, tables, _count = read_backup(backup_file)
    wanted = referenced(_attachment_docs(tables))
    source = files_folder(backup_file)
    restored = files.install_from(source, wanted) if source.is_dir() else 0
    missing = sorted(n for n in wanted if not files.exists(n))
    extra = sorted(files.names() - set(wanted))
    if extra:
        target = Path(kept or files.folder.parent / "backups" / f"before-restore-{_stamp()}") / "files"
        make_private_dir(target)
        for name in extra:
            shutil.move(str(files.folder / name), str(target / name))
        sync_dir(target)
        sync_dir(files.folder)
    return {"restored": restored, "set_aside": len(extra), "missing": missing}


# -- the audit trail ------------------------------------------------------------------------
# A backup ``journal-….jbak`` keeps a copy of the audit trail in ``journal-….jbak.audit``.
# A restore never rolls the trail back (it is the evidence of what happened, the restore
# included): it adds the backup's records that are missing, e.g. after a lost disk.

def audit_copy(backup_file) -> Path:
    """Return the file holding the audit trail of the backup ``backup_file``."""
    from .audit_trail import BACKUP_SUFFIX

    return Path(str(backup_file) + BACKUP_SUFFIX)


def backup_audit(backup_file, trail) -> int:
    """Copy the audit trail next to the backup; return the number of records copied."""
    return trail.backup_to(audit_copy(backup_file))


def restore_audit(backup_file, data_dir) -> int:
    """Add the backup's audit records that the instance's trail lacks; return how many."""
    from .audit_trail import AuditTrail

    source = audit_copy(backup_file)
    if not source.exists():
        return 0
    trail = AuditTrail(data_dir)
    try:
        return trail.merge_from(source)
    finally:
        trail.close()
