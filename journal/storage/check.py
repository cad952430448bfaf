"""``journal check``: verify an instance's data (or a backup file) without changing anything.

It reads every byte: the snapshot's checksum and lines, the log header, each
log record's checksum and sequence number, and it applies the records to
count documents per table. Problems are *errors* (the journal refuses to open
such data: restore a backup) or *warnings* (repaired automatically on the next
open, such as the torn last record of a crash, or worth a look, such as file
permissions).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from .audit_trail import BACKUP_SUFFIX
from .audit_trail import FILENAME as AUDIT_FILENAME
from .audit_trail import AuditTrail
from .durable import LOG_NAME
from .durable import SNAPSHOT
from .durable import log_name
from .errors import CorruptionError
from .log import scan
from .snapshot import read_snapshot


@dataclass
class Report:
    """The outcome of a check: errors, warnings and a few facts."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing stops the journal from using the data."""
        return not self.errors


def check_folder(path, files=None) -> Report:
    """Verify the data folder ``path`` (and the attachment files in the
    :class:`~journal.storage.files.FileStore` ``files``); never writes."""
    path = Path(path)
    report = Report()
    if not path.is_dir():
        report.errors.append(f"{path} does not exist or is not a folder")
        return report
    _check_modes(path, report)
    snap = path / SNAPSHOT
    names = sorted(os.listdir(path))
    if not snap.exists():
        if any(LOG_NAME.match(n) for n in names):
            report.errors.append(f"{snap} is missing while change logs exist")
        else:
            report.warnings.append(f"{path} holds no journal data yet")
        return report
    read = _read(snap, report)
    if read is None:
        return report
    header, tables, count = read
    gen, seq = header.get("gen"), header.get("seq")
    report.facts.update(generation=gen, schema=header.get("schema"), snapshot_seq=seq,
                        snapshot_bytes=snap.stat().st_size)
    for name in names:
        match = LOG_NAME.match(name)
        if match and int(match.group(1)) != gen:
            report.warnings.append(
                f"{name} is left from an earlier generation; it is removed on the next open")
        if name.startswith("journal.") and name.endswith(".tmp"):
            report.warnings.append(f"{name} is left from an interrupted write; removed on next open")
    log = path / log_name(gen)
    if log.exists():
        seq = _check_log(log, header, tables, report)
    else:
        report.warnings.append(f"{log.name} is missing; an empty one is created on the next open")
    report.facts["last_seq"] = seq
    if report.errors:
        return report
    report.facts["documents"] = {name: len(docs) for name, docs in sorted(tables.items())}
    for name, docs in tables.items():
        ids = [d.get("id") for d in docs.values() if "id" in d]
        if len(ids) != len(set(ids)):
            report.errors.append(f"table {name!r} holds two documents with the same id")
    if files is not None:
        from .files import verify

        errors, warnings, facts = verify(files, (tables.get("attachments") or {}).values())
        report.errors.extend(errors)
        report.warnings.extend(warnings)
        report.facts.update(facts)
    _check_audit(path / AUDIT_FILENAME, report)
    return report


def _check_audit(file: Path, report: Report) -> None:
    """Verify the audit trail's file (SQLite's quick check: every page, without the indexes'
    content, so a year of records takes seconds)."""
    if not file.exists():
        return
    problems = AuditTrail.check_file(file)
    report.errors.extend(f"the audit log is damaged: {p}" for p in problems)
    if not problems:
        report.facts["audit_records"] = AuditTrail.count_file(file)


def _check_log(log: Path, header: dict, tables: dict, report: Report) -> int:
    found = scan(log.read_bytes())
    report.facts["log_bytes"] = found.used  # without the zeros kept for the next records
    seq = header.get("seq")
    if found.damaged:
        report.errors.append(
            f"{log.name}: the record at byte {found.bad_at} is damaged and later records follow it")
        return seq
    if not found.frames:
        if data:
            report.warnings.append(f"{log.name}: its header is incomplete; it is reset on next open")
        return seq
    _end, first = found.frames[0]
    if (first.get("log") != header.get("gen") or first.get("base") != header.get("seq")
            or first.get("origin") != header.get("origin")):
        report.errors.append(f"{log.name} does not belong to the snapshot next to it")
        return seq
    for _end, record in found.frames[1:]:
        if record.get("s") != seq + 1:
            report.errors.append(
                f"{log.name}: record {record.get('s')} follows record {seq} (records are missing)")
            return seq
        seq = record["s"]
        for name, doc_id, doc in record.get("o", []):
            if doc_id is None:
                tables.pop(name, None)
                if doc is not None:
                    tables[name] = {}
            elif doc is None:
                tables.get(name, {}).pop(doc_id, None)
            else:
                tables.setdefault(name, {})[doc_id] = doc
    if found.bad_at is not None:
        report.warnings.append(
            f"{log.name}: the last record is incomplete (a crash before it was confirmed); "
            "it is discarded on the next open")
    report.facts["log_records"] = len(found.frames) - 1
    return seq


def _check_modes(path: Path, report: Report) -> None:
    if os.name == "nt":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        report.warnings.append(
            f"{path} can be read by other accounts (mode {mode:o}); run `chmod 700 {path}`")
    for item in path.iterdir():
        if item.name.startswith(("journal.", "audit.")) and item.is_file():
            mode = stat.S_IMODE(item.stat().st_mode)
            if mode & 0o077:
                report.warnings.append(
                    f"{item.name} can be read by other accounts (mode {mode:o}); "
                    f"run `chmod 600 {item}`")


def _read(file, report: Report):
    """Return ``read_snapshot(file)``, or None with why it cannot be read added to ``report``."""
    try:
        return read_snapshot(file)
    except CorruptionError as error:
        report.errors.append(error.problem + f" ({file})")
    except OSError as error:
        report.errors.append(f"{file} cannot be read: {error.strerror}")
    return None


def check_backup(file) -> Report:
    """Verify a backup file written by ``journal backup``; never writes."""
    report = Report()
    read = _read(file, report)
    if read is None:
        return report
    header, tables, count = read
    report.facts.update(kind=header.get("kind", "snapshot"), created_at=header.get("created_at"),
                        schema=header.get("schema"), seq=header.get("seq"),
                        documents={name: len(docs) for name, docs in sorted(tables.items())})
    _check_audit(Path(str(file) + BACKUP_SUFFIX), report)
    if tables.get("attachments"):
        from .backup import check_backup_files

        errors, warnings, facts = check_backup_files(file, tables)
        report.errors.extend(errors)
        report.warnings.extend(warnings)
        report.facts.update(facts)
    return report
