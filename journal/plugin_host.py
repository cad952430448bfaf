"""The plugin host: discovery, enablement and fault-isolated hook calls.

One :class:`PluginHost` (with its own pluggy manager) per application, kept on
``app.extensions["journal.plugins"]``; there is no module-level manager.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from dataclasses import field
from importlib.metadata import entry_points

import pluggy
from flask import Flask
from flask import current_app

from . import hookspecs

ENTRY_POINT_GROUP = "journal.plugins"
log = logging.getLogger("journal.plugins")


@dataclass
class LoadRecord:
    """What the host knows about one plugin, whether or not it loaded."""

    name: str
    source: str  # "entrypoint" | "test"
    status: str = "loaded"  # loaded | failed | blocked | incompatible
    version: str = ""
    dist: str = ""
    error: str = ""
    hooks: list[str] = field(default_factory=list)
    failures: int = 0


class PluginHost:
    """Loads plugins and calls their hooks, one plugin at a time."""

    def __init__(self, app: Flask):
        self.app = app
        self.pm = pluggy.PluginManager("journal")
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, LoadRecord] = {}
        self.strict = bool(app.config["JOURNAL_STRICT_PLUGINS"])

    # -- discovery -------------------------------------------------------
    def load_entry_points(self) -> None:
        """Import and register each installed plugin, one at a time."""
        blocked = set(self.app.config["JOURNAL_BLOCKED_PLUGINS"])
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist
            record = LoadRecord(ep.name, "entrypoint", dist=dist.name if dist else "",
                                version=dist.version if dist else "")
            self.records[ep.name] = record
            if ep.name in blocked:
                record.status = "blocked"
                continue
            try:
                self.register(ep.load(), ep.name, record)
            except Exception as exc:  # a broken install must not stop the others
                self._fail_load(record, exc)

    def register(self, plugin, name: str, record: LoadRecord | None = None) -> None:
        """Register a plugin object or module under ``name``."""
        record = record or self.records.setdefault(name, LoadRecord(name, "test"))
        self.pm.register(plugin, name=name)
        record.status = "loaded"
        record.hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or ())

    def unregister(self, name: str) -> None:
        """Remove a plugin (tests)."""
        self.pm.unregister(name=name)
        self.records.pop(name, None)

    def _fail_load(self, record: LoadRecord, exc: Exception) -> None:
        record.status = "failed"
        record.error = traceback.format_exc()
        log.error("plugin %s failed to load: %s", record.name, exc)
        if self.strict:
            raise exc

    # -- enablement ------------------------------------------------------
    def enabled_names(self) -> set[str]:
        """Return the names an admin enabled for this instance."""
        from .storage import get_store

        return set(get_store().settings.get("enabled_plugins", []))

    def active_names(self) -> set[str]:
        """Return the plugins whose hooks run now: loaded and enabled."""
        loaded = {n for n, r in self.records.items() if r.status == "loaded"}
        return loaded & self.enabled_names()

    # -- calls -------------------------------------------------------------
    def call_all(self, hook_name: str, **kwargs) -> list[tuple[str, object]]:
        """Call a hook on every active plugin; return ``[(plugin, result)]`` for non-None results."""
        out = []
        active = self.active_names()
        for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
            if impl.plugin_name not in active:
                continue
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
            except Exception as exc:
                self.record_failure(impl.plugin_name, hook_name, exc)
                continue
            if result is not None:
                out.append((impl.plugin_name, result))
        return out

    def record_failure(self, name: str, hook_name: str, exc: Exception) -> None:
        """Remember that a plugin raised in a hook; re-raise in strict mode."""
        record = self.records.get(name)
        if record is not None:
            record.failures += 1
            record.error = f"{hook_name}: " + traceback.format_exc()
        log.error("plugin %s raised in %s: %s", name, hook_name, type(exc).__name__)
        if self.strict:
            raise exc


def init_app(app: Flask) -> None:
    """Create the app's plugin host and load installed plugins."""
    host = PluginHost(app)
    app.extensions["journal.plugins"] = host
    if app.config["JOURNAL_LOAD_ENTRYPOINTS"]:
        host.load_entry_points()


def get_plugins() -> PluginHost:
    """Return the plugin host of the current app."""
    return current_app.extensions["journal.plugins"]
