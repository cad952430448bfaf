"""Small, portable file-system helpers for durable writes.

Linux and macOS get ``fdatasync``/``fsync`` and a directory fsync after a
rename or a new file; Windows has no directory handles to flush, and its
``os.fsync`` (``FlushFileBuffers``) flushes data and metadata.
"""

from __future__ import annotations

import os
import sys

WINDOWS = sys.platform == "win32"

#: Flags for opening files in binary mode everywhere (O_BINARY matters on Windows).
BINARY = getattr(os, "O_BINARY", 0)

#: Files hold pupil data: readable and writable by the service user only.
FILE_MODE = 0o600
DIR_MODE = 0o700


def sync_file(fd: int) -> None:
    """Flush a file's data (and the size, so appended bytes survive) to stable storage."""
    if hasattr(os, "fdatasync"):
        os.fdatasync(fd)
    else:
        os.fsync(fd)


def sync_dir(path) -> None:
    """Flush a directory entry change (new file, rename, unlink) to stable storage."""
    if WINDOWS:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_private(path, flags: int) -> int:
    """Open ``path`` with ``flags``, creating it readable by the owner only."""
    fd = os.open(path, flags | BINARY, FILE_MODE)
    if not WINDOWS and flags & (os.O_WRONLY | os.O_RDWR):
        try:
            os.fchmod(fd, FILE_MODE)
        except PermissionError:
            pass  # not our file (another admin account); the folder mode still protects it
    return fd


def make_private_dir(path) -> None:
    """Create ``path`` (mode 0700) if needed and tighten its mode when we own it."""
    if not os.path.isdir(path):
        os.makedirs(path, mode=DIR_MODE, exist_ok=True)
    if not WINDOWS:
        try:
            if os.stat(path).st_uid == os.geteuid() and os.stat(path).st_mode & 0o077:
                os.chmod(path, DIR_MODE)
        except OSError:
            pass  # a read-only folder: reads still work, writes will say why they fail


def read_at(fd: int, size: int, offset: int) -> bytes:
    """Read up to ``size`` bytes at ``offset`` without relying on a shared file position."""
    if hasattr(os, "pread"):
        chunks = []
        while size > 0:
            chunk = os.pread(fd, min(size, 1 << 24), offset)
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
            offset += len(chunk)
        return b"".join(chunks)
    os.lseek(fd, offset, os.SEEK_SET)
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_at(fd: int, data: bytes, offset: int) -> None:
    """Write every byte of ``data`` at ``offset`` without relying on a shared file position."""
    view = memoryview(data)
    if not hasattr(os, "pwrite"):
        os.lseek(fd, offset, os.SEEK_SET)
        write_all(fd, view)
        return
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written
