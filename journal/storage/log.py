"""The change log: framing, checksums and the file itself.

Every line of a log is one *frame*: eight hex digits of the CRC-32 of the
body, a space, the body (compact ASCII JSON) and a newline. The first frame
is the header ``{"log": gen, "base": seq, "origin": …}``; every other frame is
one committed transaction ``{"s": seq, "o": [[table, doc_id, doc|null], …]}``.

The frames are followed by zero bytes: the file is extended in chunks of
zeros, written and flushed once (64 KiB at first, doubling up to 4 MiB), and
each commit overwrites the zeros right after the last frame. A commit's
``fdatasync`` then writes data blocks only: appending would also make the
file system commit the file's new size to its own journal on every flush,
which made each flush markedly slower (measured in docs/storage.md; SQLite's
WAL is rewritten in place too). The zeros must be written, not
``fallocate``-d: the first write into unwritten extents is a metadata change
too. The log ends at the first byte that is not part of a frame; frames
never contain a zero byte (ASCII JSON escapes it). Other processes learn of
a commit by reading the byte at the end they know (a frame starts there, or
a zero does), not from the file's size. A log written before this (no zero
tail; the file ends with its last frame) reads the same way and gets its
zeros at its next commit.

A frame is written with one write and flushed with ``fdatasync`` before the
transaction is acknowledged, so after a crash only the *last* frame can be
incomplete or fail its checksum, with zeros (or the stale bytes of a
longer unacknowledged frame) after it; it was never acknowledged and is
discarded, and everything after the last good frame is zeroed again before
the next write, so only zeros ever follow the end. A bad frame *followed by*
good ones is real damage.
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass

from .fsutil import open_private
from .fsutil import read_at
from .fsutil import sync_file
from .fsutil import write_at


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
    :ivar used: the bytes before the zero tail (``good`` plus any torn or
        stale bytes after the last good frame).
    :ivar bad_at: offset of the first bad or incomplete frame, or ``None``.
    :ivar damaged: a bad frame is followed by a good one (not a torn tail).
    """

    frames: list
    good: int
    used: int = 0
    bad_at: int | None = None
    damaged: bool = False


def used_length(data: bytes) -> int:
    """Return the length of ``data`` without its trailing zero bytes."""
    last_line = data.rfind(b"\n") + 1
    return last_line + len(data[last_line:].rstrip(b"\0"))


def scan(data: bytes) -> Scan:
    """Decode the frames in ``data`` (bytes read from a frame boundary).

    Trailing zeros are the log's unused space, not a frame; anything else
    after the last good frame is a torn tail, or damage if a good frame follows.
    """
    end = used_length(data)
    result = Scan(frames=[], good=0, used=end)
    pos = 0
    while pos < end:
        nl = data.find(b"\n", pos, end)
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


#: A new log's size (its header, then zeros); when the zeros run out the file
#: doubles, by at most :data:`CHUNK_MAX` at a time.
CHUNK_MIN = 64 << 10
CHUNK_MAX = 4 << 20


def grown_size(need: int) -> int:
    """Return the file size to extend to when a frame must reach byte ``need``."""
    size = max(CHUNK_MIN, min(2 * need, need + CHUNK_MAX))
    return -(-size // CHUNK_MIN) * CHUNK_MIN


class LogFile:
    """One generation's log file, opened for writing frames (or read-only).

    :param path: the file.
    :param writable: open for writing; otherwise read-only.
    """

    def __init__(self, path, *, writable: bool):
        self.path = str(path)
        self.writable = writable
        self.fd = open_private(self.path, os.O_RDWR if writable else os.O_RDONLY)
        self.header_end: int | None = None  # known for a log made by create()

    @classmethod
    def create(cls, path, header: dict) -> "LogFile":
        """Create (or reset) a log holding only ``header`` and zeros, flushed to disk.

        The returned log's :attr:`header_end` is where its first change goes.
        """
        first = frame(encode(header))
        fd = open_private(str(path), os.O_RDWR | os.O_CREAT | os.O_TRUNC)
        try:
            write_at(fd, first + bytes(grown_size(len(first)) - len(first)), 0)
            sync_file(fd)
        finally:
            os.close(fd)
        log = cls(path, writable=True)
        log.header_end = len(first)
        return log

    def size(self) -> int:
        """Return the current size of the file in bytes (frames and zeros)."""
        return os.fstat(self.fd).st_size

    def read_from(self, offset: int) -> bytes:
        """Return the bytes from ``offset`` to the end of the file (zero tail included)."""
        size = self.size() - offset
        return read_at(self.fd, size, offset) if size > 0 else b""

    def mark_at(self, offset: int) -> bytes:
        """Return the byte at ``offset``: a zero (the log ends there), ``b""`` (the file
        does), or the start of a frame (or of a torn one).

        This is how a process notices another one's commit: the zero at the
        end it knows was overwritten. One small read, no lock.
        """
        return read_at(self.fd, 1, offset)

    def read_frames_from(self, offset: int) -> bytes:
        """Return the bytes from ``offset`` up to the zero tail (or the end of the file).

        Reads in growing pieces, so catching up with one new frame does not
        read the megabytes of zeros after it. If what it returns does not end
        with a whole good frame, read everything with :meth:`read_from`: a
        zero byte inside a damaged record looks like the end here.
        """
        chunks = []
        piece = 64 << 10
        while True:
            chunk = read_at(self.fd, piece, offset)
            zero = chunk.find(0)
            if zero >= 0:
                chunks.append(chunk[:zero])
                break
            chunks.append(chunk)
            if len(chunk) < piece:
                break
            offset += len(chunk)
            piece = min(piece * 2, CHUNK_MAX)
        return b"".join(chunks)

    def zero(self, start: int, stop: int) -> None:
        """Overwrite bytes ``start`` to ``stop`` with zeros and flush (discards a torn tail)."""
        write_zeros(self.fd, start, stop)
        sync_file(self.fd)

    def append(self, data: bytes, end: int) -> None:
        """Write ``data`` over the zeros at the good end ``end`` and flush it to disk.

        When the zeros run out the file grows by a chunk of zeros in the same
        write. On failure the frame's bytes are zeroed again and the file cut
        back to its size before, so a partial frame never stays in front of a
        later one; if even that fails, the caller must stop writing
        (fail-stop) and :class:`OSError` carries the first error.
        """
        size = self.size()
        need = end + len(data)
        try:
            if need <= size:
                write_at(self.fd, data, end)
            else:
                write_at(self.fd, data + bytes(grown_size(need) - need), end)
            sync_file(self.fd)
        except OSError as error:
            try:
                if need > size:
                    os.ftruncate(self.fd, max(size, end))
                write_zeros(self.fd, end, min(need, size))
                sync_file(self.fd)
            except OSError:
                error.cleanup_failed = True
            raise error

    def close(self) -> None:
        """Close the file."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def write_zeros(fd: int, start: int, stop: int) -> None:
    """Overwrite bytes ``start`` to ``stop`` of ``fd`` with zeros (not flushed)."""
    while start < stop:
        count = min(stop - start, CHUNK_MAX)
        write_at(fd, bytes(count), start)
        start += count


_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), check_circular=False,
                            allow_nan=False)


def encode(value) -> bytes:
    """Return ``value`` as compact ASCII JSON bytes (NaN and Infinity refused)."""
    return _ENCODER.encode(value).encode("ascii")


def encode_str(value) -> str:
    """Return ``value`` as compact ASCII JSON text."""
    return _ENCODER.encode(value)
