"""The append-only change log: framing, checksums and the file itself.

Every line of a log is one *frame*: eight hex digits of the CRC-32 of the
body, a space, the body (compact ASCII JSON) and a newline. The first frame
is the header ``{"log": gen, "base": seq, "origin": …}``; every other frame is
one committed transaction ``{"s": seq, "o": [[table, doc_id, doc|null], …]}``.

A frame is written with one ``write`` and flushed with ``fdatasync`` before
the transaction is acknowledged, so after a crash only the *last* frame can
be incomplete or fail its checksum; it was never acknowledged and is
discarded. A bad frame *followed by* good ones is real damage.
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass

from .fsutil import read_at
from .fsutil import sync_file
from .fsutil import write_all


def frame(body: bytes) -> bytes:
    """Return ``body`` framed as one checksummed log line."""
    return b"%08x %s\n" % (zlib.crc32(body), body)


def unframe(line: bytes):
    """Return the decoded JSON of one complete line (without newline), or ``None`` if bad."""
    if len(line) < 10 or line[8:9] != b" ":
        return None
    body = line[9:]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass
class Scan:
    """What :func:`scan` found in a run of log bytes.

    :ivar frames: the decoded frames, in order, each with its end offset.
    :ivar good: the number of bytes the good frames take.
    :ivar bad_at: offset of the first bad or incomplete frame, or ``None``.
    :ivar damaged: a bad frame is followed by a good one (not a torn tail).
    """

    frames: list
    good: int
    bad_at: int | None = None
    damaged: bool = False


def scan(data: bytes) -> Scan:
    """Decode the frames in ``data`` (bytes read from a frame boundary)."""
    result = Scan(frames=[], good=0)
    pos = 0
    end = len(data)
    while pos < end:
        nl = data.find(b"\n", pos)
        if nl < 0:
            if result.bad_at is None:
                result.bad_at = pos  # incomplete last frame: torn
            break
        value = unframe(data[pos:nl])
        if value is None:
            if result.bad_at is None:
                result.bad_at = pos
        elif result.bad_at is not None:
            result.damaged = True
            break
        else:
            result.frames.append((nl + 1, value))
            result.good = nl + 1
        pos = nl + 1
    return result


class LogFile:
    """One generation's log file, opened for appending (or read-only).

    :param path: the file.
    :param writable: open for appending; otherwise read-only.
    """

    def __init__(self, path, *, writable: bool):
        from .fsutil import open_private

        self.path = str(path)
        self.writable = writable
        flags = (os.O_RDWR | os.O_APPEND) if writable else os.O_RDONLY
        self.fd = open_private(self.path, flags)

    @classmethod
    def create(cls, path, header: dict) -> "LogFile":
        """Create (or reset) a log holding only ``header``, flushed to disk."""
        from .fsutil import open_private

        fd = open_private(str(path), os.O_RDWR | os.O_CREAT | os.O_TRUNC)
        try:
            write_all(fd, frame(encode(header)))
            sync_file(fd)
        finally:
            os.close(fd)
        return cls(path, writable=True)

    def size(self) -> int:
        """Return the current size of the file in bytes."""
        return os.fstat(self.fd).st_size

    def read_from(self, offset: int, size: int | None = None) -> bytes:
        """Return the bytes from ``offset`` to the end (or ``size`` bytes)."""
        if size is None:
            size = self.size() - offset
        return read_at(self.fd, size, offset) if size > 0 else b""

    def truncate(self, length: int) -> None:
        """Cut the file to ``length`` bytes and flush (discards a torn tail)."""
        os.ftruncate(self.fd, length)
        sync_file(self.fd)

    def append(self, data: bytes, end: int) -> None:
        """Append ``data`` after the good end ``end`` and flush it to disk.

        On failure the file is cut back to ``end`` so a partial frame never
        stays in front of a later one; if even that fails, the caller must
        stop writing (fail-stop) and :class:`OSError` carries the first error.
        """
        if self.size() != end:
            os.ftruncate(self.fd, end)
        try:
            write_all(self.fd, data)
            sync_file(self.fd)
        except OSError as error:
            try:
                os.ftruncate(self.fd, end)
                sync_file(self.fd)
            except OSError:
                error.cleanup_failed = True
            raise error

    def close(self) -> None:
        """Close the file."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), check_circular=False,
                            allow_nan=False)


def encode(value) -> bytes:
    """Return ``value`` as compact ASCII JSON bytes (NaN and Infinity refused)."""
    return _ENCODER.encode(value).encode("ascii")


def encode_str(value) -> str:
    """Return ``value`` as compact ASCII JSON text."""
    return _ENCODER.encode(value)
