"""What the host knows about each plugin: its load record and its errors.

The admin page and ``journal plugins list`` read these records only; they
never call plugin code, so they work whatever a plugin does.
"""

from __future__ import annotations

import traceback
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone

#: Load statuses. Only ``loaded`` plugins can be active; ``missing`` is a plugin
#: an admin enabled that is no longer installed (it has no record, only a row).
STATUSES = ("loaded", "failed", "incompatible", "blocked", "skipped", "missing")

#: Where a plugin comes from: always on (``builtin``), shipped in ``plugins/``
#: (``bundled``), installed with pip (``entrypoint``), registered in code (``test``).
SOURCES = ("builtin", "bundled", "entrypoint", "test")


class PluginError(Exception):
    """A plugin broke its contract (an invalid return value, an unknown hook…)."""


@dataclass
class LoadRecord:
    """What the host knows about one plugin, whether or not it loaded."""

    name: str
    source: str  # one of SOURCES
    status: str = "loaded"
    version: str = ""
    dist: str = ""
    title: str = ""
    description: str = ""
    api_version: int | None = None
    error: str = ""  # the last error: where it happened and the traceback
    error_at: str = ""
    hooks: list[str] = field(default_factory=list)
    deprecated_hooks: list[str] = field(default_factory=list)  # old names of renamed hooks
    failures: int = 0
    default_settings: dict = field(default_factory=dict)

    @property
    def builtin(self) -> bool:
        """Whether this is a built-in plugin: always active, never disabled."""
        return self.source == "builtin"

    def remember(self, where: str, exc: BaseException) -> None:
        """Count a failure and keep it (with its traceback) as the last error."""
        self.failures += 1
        self.error = f"{where}: " + "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.error_at = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def as_dict(self, enabled: bool) -> dict:
        """Return the record as plain data, with the instance's ``enabled`` flag."""
        return dict(asdict(self), enabled=enabled or self.builtin)


def missing_record(name: str) -> dict:
    """Describe a plugin that is enabled for this instance but not installed (any more)."""
    record = LoadRecord(name, "entrypoint", status="missing",
                        error="enabled, but no installed package provides it")
    return record.as_dict(enabled=True)
