"""The durable engine's data folder: file names, file identity, timestamps.

See :mod:`journal.storage.durable` for what each file holds.
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timezone

SNAPSHOT = "journal.snap"
LOCKFILE = "journal.lock"
LEGACY = "journal.json"
LOG_NAME = re.compile(r"^journal\.(\d+)\.log$")


def log_name(gen: int) -> str:
    """Return the file name of the log of generation ``gen``."""
    return f"journal.{gen}.log"


def stat_key(st) -> tuple:
    """Return what tells a file's version apart: inode, size, modification time, device."""
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_dev)


def utc_now() -> str:
    """Return the current UTC time for a file header (ISO 8601, seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def utc_stamp() -> str:
    """Return the current UTC time for a file name (``20261206T150000Z``)."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
