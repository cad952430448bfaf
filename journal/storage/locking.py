"""The cross-process write lock, portable and safe across ``fork``.

One dedicated lock file per database (``journal.lock``). On Linux and macOS
the whole file is locked with ``flock`` (blocking, so a waiting process is
woken by the kernel); on Windows with ``LockFileEx`` through filelock's
:func:`filelock.lock_descriptor`. ``flock`` is used rather than ``fcntl``
record locks because a process loses those when it closes *any* descriptor
of the file.

Each process opens its own descriptor. A forked child (gunicorn
``--preload``) would share the parent's open file description, and
unlocking it there would unlock the parent; so a child *closes* the
inherited descriptor without unlocking and opens a fresh one.
"""

from __future__ import annotations

import os

from .fsutil import WINDOWS
from .fsutil import open_private

if WINDOWS:  # pragma: no cover - the suite runs on Linux
    from filelock import lock_descriptor
    from filelock import unlock_descriptor

    def _lock(fd: int) -> None:
        lock_descriptor(fd, poll_interval=0.001)

    def _unlock(fd: int) -> None:
        unlock_descriptor(fd)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class ProcessLock:
    """An exclusive lock between processes; the caller serialises its own threads.

    :param path: the lock file (created with mode 0600 if missing).
    """

    def __init__(self, path):
        self.path = str(path)
        self._fd: int | None = None
        self._pid = os.getpid()
        self.read_only = False

    def _descriptor(self) -> int | None:
        if self._pid != os.getpid():
            self.forget_after_fork()
        if self._fd is None:
            try:
                self._fd = open_private(self.path, os.O_RDWR | os.O_CREAT)
            except OSError:
                # A read-only folder: lock the existing file for reading, or
                # run unlocked (nobody can write here anyway).
                self.read_only = True
                try:
                    self._fd = open_private(self.path, os.O_RDONLY)
                except OSError:
                    return None
        return self._fd

    def acquire(self) -> None:
        """Block until this process holds the lock."""
        fd = self._descriptor()
        if fd is not None:
            _lock(fd)

    def release(self) -> None:
        """Release the lock."""
        if self._fd is not None and self._pid == os.getpid():
            _unlock(self._fd)

    def forget_after_fork(self) -> None:
        """In a forked child: close the inherited descriptor without unlocking it."""
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
        self._fd = None
        self._pid = os.getpid()

    def close(self) -> None:
        """Close the lock file (the lock must not be held)."""
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
