"""Attachment files on disk: ``<instance>/files/`` (or ``JOURNAL_FILES_DIR``).

A file is stored under a random name (never the name the user gave it) with
the same durability as the data: written to a temporary file in the same
folder, fsynced, renamed into place, and the folder fsynced, *before* the
record that refers to it is saved. Stored files never change; a new version
is a new file. The record (``attachments`` collection) holds the name and a
SHA-256 checksum, so ``journal check`` finds missing, orphaned and damaged
files.

Nothing here knows about users or access: :mod:`journal.process.attachments`
decides who may read or write.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from pathlib import Path

from .fsutil import BINARY
from .fsutil import make_private_dir
from .fsutil import open_private
from .fsutil import sync_dir
from .fsutil import sync_file
from .fsutil import write_all

#: Stored names: random, with a fixed extension that says nothing about the user's file.
NAME = re.compile(r"^[A-Za-z0-9_-]{22,64}\.(?:bin)$")
_TMP_PREFIX = ".tmp-"


def new_name() -> str:
    """Return a fresh random file name."""
    return secrets.token_urlsafe(24) + ".bin"


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 checksum of ``data``."""
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """The folder of attachment files of one instance."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        """Return the path of the stored file ``name`` (refusing anything but our names)."""
        if not NAME.match(name or ""):
            raise ValueError("not a stored file name")
        return self.folder / name

    def put(self, data: bytes) -> str:
        """Store ``data`` durably under a new random name and return the name.

        :raise OSError: the disk is full (``ENOSPC``) or not writable; nothing
            is left behind in that case.
        """
        make_private_dir(self.folder)
        name = new_name()
        self._write(name, data)
        sync_dir(self.folder)
        return name

    def _write(self, name: str, data: bytes) -> None:
        """Write ``data`` to a temporary file, fsync it and rename it to ``name``.

        The caller syncs the folder afterwards; on failure nothing is left behind.
        """
        tmp = self.folder / f"{_TMP_PREFIX}{secrets.token_hex(8)}"
        fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        try:
            try:
                write_all(fd, data)
                sync_file(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.folder / name)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def read(self, name: str) -> bytes:
        """Return the bytes of the stored file ``name``.

        :raise FileNotFoundError: it is not there.
        """
        fd = os.open(self.path(name), os.O_RDONLY | BINARY)
        try:
            with os.fdopen(fd, "rb", closefd=False) as handle:
                return handle.read()
        finally:
            os.close(fd)

    def exists(self, name: str) -> bool:
        """Return whether the stored file ``name`` is there."""
        try:
            return self.path(name).is_file()
        except ValueError:
            return False

    def delete(self, names) -> int:
        """Remove the stored files ``names`` (missing ones are fine); return how many went."""
        gone = 0
        for name in names:
            try:
                os.unlink(self.path(name))
                gone += 1
            except (FileNotFoundError, ValueError):
                pass
        if gone:
            sync_dir(self.folder)
        return gone

    def names(self) -> set[str]:
        """Return the names of every stored file (not temporary ones)."""
        if not self.folder.is_dir():
            return set()
        return {n for n in os.listdir(self.folder) if NAME.match(n)}

    def leftovers(self) -> list[str]:
        """Return temporary files left by an interrupted write."""
        if not self.folder.is_dir():
            return []
        return sorted(n for n in os.listdir(self.folder) if n.startswith(_TMP_PREFIX))

    def copy_into(self, names, target) -> list[str]:
        """Copy the stored files ``names`` into the folder ``target``; return the missing ones."""
        target = Path(target)
        make_private_dir(target)
        missing = []
        for name in sorted(set(names)):
            try:
                shutil.copyfile(self.path(name), target / name)
            except FileNotFoundError:
                missing.append(name)
        sync_dir(target)
        return missing

    def install_from(self, source, names) -> int:
        """Durably copy the files ``names`` from the folder ``source`` (a backup) into this store.

        Files already present with the same name are left alone; returns how many were copied.
        """
        make_private_dir(self.folder)
        copied = 0
        for name in sorted(set(names)):
            if not NAME.match(name) or (self.folder / name).exists():
                continue
            src = Path(source) / name
            if not src.is_file():
                continue
            self._write(name, src.read_bytes())
            copied += 1
        sync_dir(self.folder)
        return copied


def referenced(docs) -> dict[str, str]:
    """Return ``{stored name: sha256}`` of every file the attachment records ``docs`` name."""
    out = {}
    for doc in docs:
        for part in ("file", "thumb"):
            info = doc.get(part) or {}
            if info.get("name"):
                out[info["name"]] = info.get("sha256", "")
    return out


def verify(store: FileStore, docs) -> tuple[list[str], list[str], dict]:
    """Check the files against the attachment records ``docs``.

    :return: ``(errors, warnings, facts)``: a missing file or a checksum
        mismatch is an error; an orphan file (no record names it) or a
        leftover temporary file a warning.
    """
    docs = list(docs)
    errors, warnings = [], []
    wanted = referenced(docs)
    present = store.names()
    checked = 0
    for name, digest in sorted(wanted.items()):
        if name not in present:
            errors.append(f"attachment file {name} is missing from {store.folder}")
            continue
        checked += 1
        if digest and sha256(store.read(name)) != digest:
            errors.append(f"attachment file {name} does not match its checksum (damaged)")
    for name in sorted(present - set(wanted)):
        warnings.append(f"attachment file {name} belongs to no record (orphan); "
                        "it is safe to remove")
    for name in store.leftovers():
        warnings.append(f"{name} in {store.folder} is left from an interrupted upload; "
                        "it is safe to remove")
    facts = {"attachments": len(docs), "attachment_files": checked}
    return errors, warnings, facts
