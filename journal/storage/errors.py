"""The storage engine's exceptions, with messages an administrator can act on.

Every message says what is wrong, which file, and what to do. None of them
ever contains document contents: only paths, numbers and table names.
"""

from __future__ import annotations

import errno


class StorageError(Exception):
    """Base class of every storage failure."""


class CorruptionError(StorageError):
    """The stored data is damaged in a way that cannot be repaired safely.

    The journal refuses to run on it rather than overwrite anything.
    """

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(
            f"The journal's data in {self.path} is damaged: {problem}. "
            "Nothing was changed. Stop the journal, keep a copy of the data folder, "
            "and restore the latest backup with `journal restore BACKUP_FILE` "
            "(`journal check` shows the details)."
        )


class StorageWriteError(StorageError):
    """A write could not be made durable (disk full, read-only folder, I/O error).

    The change was not saved; everything acknowledged earlier is intact and
    reads keep working.
    """

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(
            f"The journal could not save to {self.path}: {reason}. The change was not saved; "
            "everything saved earlier is intact. Free disk space or make the data folder "
            "writable for the service user, then try again."
        )


class SchemaError(StorageError):
    """The stored documents have a schema version this journal cannot use."""


def write_reason(error: OSError) -> str:
    """Explain an OS error during a write in words an administrator understands."""
    code = getattr(error, "errno", None)
    if code == errno.ENOSPC:
        return "the disk is full"
    if code == getattr(errno, "EDQUOT", -1):
        return "the disk quota of the service user is used up"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the data folder is read-only"
    if code == errno.EFBIG:
        return "the file is larger than the file system or a limit allows"
    return f"an input/output error ({error.strerror or error})"
