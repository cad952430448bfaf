"""Snapshots: the whole database in one file, replaced atomically.

Layout (one JSON value per line, ASCII)::

    {"format": "journal-snapshot", "version": 1, "gen": …, "seq": …, …}   header
    ["table", "doc id", {document}]                                       one per document
    ["table", null, null]                                                 a table with no documents
    {"end": true, "lines": n, "crc": "xxxxxxxx"}                          trailer

The trailer's CRC-32 covers every line between header and trailer, so a
truncated or bit-flipped snapshot is detected before anything is used. One
document per line keeps peak memory low while loading (the file is parsed in
batches, never held whole) and lets ``journal check`` say which line is bad.

Backups (``journal backup``) use the same format with ``"kind": "backup"``.
A snapshot is written to ``<name>.tmp``, flushed, renamed over the old one,
and the folder is flushed: a crash leaves either the old or the new file.
"""

from __future__ import annotations

import json
import os
import time
import zlib

from .errors import CorruptionError
from .fsutil import open_private
from .fsutil import sync_dir
from .fsutil import sync_file
from .fsutil import write_all
from .log import encode
from .log import encode_str

FORMAT = "journal-snapshot"
FORMAT_VERSION = 1

_CHUNK = 1 << 20  # bytes buffered per write
_READ = 1 << 20  # bytes parsed per batch when loading (bounds the transient memory)


def write_snapshot(path, header: dict, tables: dict, next_ids: dict) -> int:
    """Write ``tables`` atomically to ``path``; return the file's size in bytes.

    :param header: fields to store in the header (gen, seq, origin, schema, …).
    :param tables: ``{table: {doc_id: document}}``.
    :param next_ids: ``{table: next document id}``.
    :raise OSError: nothing was replaced (the temporary file is removed).
    """
    path = str(path)
    tmp = path + ".tmp"
    head = dict(header, format=FORMAT, version=FORMAT_VERSION, next_ids=next_ids)
    fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        size = _write_lines(fd, head, tables)
        sync_file(fd)
    except BaseException:
        os.close(fd)
        _remove_quietly(tmp)
        raise
    os.close(fd)
    try:
        _replace(tmp, path)
        sync_dir(os.path.dirname(path) or ".")
    except BaseException:
        _remove_quietly(tmp)
        raise
    return size


def _write_lines(fd: int, head: dict, tables: dict) -> int:
    first = encode(head) + b"\n"
    write_all(fd, first)
    size = len(first)
    crc = 0
    lines = 0
    buf: list[str] = []
    buffered = 0
    for name, docs in tables.items():
        prefix = "[" + encode_str(name) + ","
        if not docs:
            buf.append(prefix + "null,null]\n")
            lines += 1
        for doc_id, doc in docs.items():
            line = prefix + encode_str(doc_id) + "," + encode_str(doc) + "]\n"
            buf.append(line)
            buffered += len(line)
            lines += 1
            if buffered >= _CHUNK:
                data = "".join(buf).encode("ascii")
                crc = zlib.crc32(data, crc)
                write_all(fd, data)
                size += len(data)
                buf.clear()
                buffered = 0
    if buf:
        data = "".join(buf).encode("ascii")
        crc = zlib.crc32(data, crc)
        write_all(fd, data)
        size += len(data)
    trailer = encode({"end": True, "lines": lines, "crc": f"{crc:08x}"}) + b"\n"
    write_all(fd, trailer)
    return size + len(trailer)


def _replace(src: str, dst: str) -> None:
    # On Windows a file another process holds open cannot be replaced; readers
    # open-read-close, so a short retry is enough.
    for attempt in range(50):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if os.name != "nt" or attempt == 49:
                raise
            time.sleep(0.02)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def read_header(path) -> dict:
    """Return the header of the snapshot at ``path`` (cheap: reads one line)."""
    with open(path, "rb") as f:
        line = f.readline(1 << 20)
    return _parse_header(path, line)


def _parse_header(path, line: bytes) -> dict:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CorruptionError(path, "the first line is not a journal snapshot header")
    if header.get("version") != FORMAT_VERSION:
        raise CorruptionError(
            path, f"snapshot format {header.get('version')!r} is not supported by this journal"
        )
    return header


def read_snapshot(path, *, keep: bool = True, parse: bool = True):
    """Read and verify a whole snapshot.

    :param keep: build and return the tables; ``False`` only verifies (``journal check``).
    :param parse: parse every line; ``False`` only checks the checksum (fast).
    :return: ``(header, tables, count)`` where tables is ``{table: {doc_id: doc}}``.
    :raise CorruptionError: the file is truncated, fails its checksum or has a bad line.
    """
    tables: dict[str, dict] = {}
    count = 0
    crc = 0
    lines = 0
    with open(path, "rb") as f:
        header = _parse_header(path, f.readline(1 << 20))
        body_start = f.tell()
        size = os.fstat(f.fileno()).st_size
        # The trailer is the file's last line; find it from the end.
        tail_len = min(size - body_start, 4096)
        f.seek(size - tail_len)
        tail = f.read(tail_len)
        prev = tail.rfind(b"\n", 0, max(len(tail) - 1, 0))
        if prev < 0 and tail_len < size - body_start:
            raise CorruptionError(path, "the snapshot is incomplete (its last line is missing)")
        end = _parse_trailer(path, tail[prev + 1:] if tail.endswith(b"\n") else None)
        remaining = size - tail_len + prev + 1 - body_start
        f.seek(body_start)
        rest = b""
        while remaining > 0:
            chunk = f.read(min(_READ, remaining))
            if not chunk:
                raise CorruptionError(path, "the snapshot is shorter than expected")
            remaining -= len(chunk)
            data = rest + chunk
            cut = data.rfind(b"\n") + 1
            batch, rest = data[:cut], data[cut:]
            if batch:
                crc = zlib.crc32(batch, crc)
                if parse:
                    first = lines + 2
                    lines += batch.count(b"\n")
                    count += _load_batch(path, batch, tables if keep else None, first)
        if rest:
            raise CorruptionError(path, f"line {lines + 2} is incomplete")
    if (parse and end.get("lines") != lines) or end.get("crc") != f"{crc:08x}":
        raise CorruptionError(path, "the snapshot fails its checksum (it was changed or damaged)")
    return header, tables, count


def _parse_trailer(path, trailer: bytes | None) -> dict:
    try:
        end = json.loads(trailer) if trailer else None
    except ValueError:
        end = None
    if not isinstance(end, dict) or end.get("end") is not True:
        raise CorruptionError(path, "the snapshot is incomplete (its last line is missing)")
    return end


def _load_batch(path, batch: bytes, tables: dict | None, first_line: int) -> int:
    try:
        rows = json.loads(b"[" + batch.rstrip(b"\n").replace(b"\n", b",") + b"]")
    except ValueError:
        rows = None
    if rows is None or not all(map(_valid_row, rows)):
        for number, line in enumerate(batch.splitlines(), start=first_line):
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if not _valid_row(row):
                raise CorruptionError(path, f"line {number} is not a valid document")
        raise CorruptionError(path, "a line is not a valid document")
    count = 0
    for name, doc_id, doc in rows:
        if tables is None:
            count += doc is not None
            continue
        table = tables.get(name)
        if table is None:
            table = tables[name] = {}
        if doc is not None:
            table[doc_id] = doc
            count += 1
    return count


def _valid_row(row) -> bool:
    return (
        isinstance(row, list)
        and len(row) == 3
        and isinstance(row[0], str)
        and ((row[1] is None and row[2] is None)
             or (isinstance(row[1], str) and isinstance(row[2], dict)))
    )
