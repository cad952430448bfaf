"""The plugin host: discovery, registration and enablement of plugins.

One :class:`PluginHost` (with its own pluggy manager) per application, kept on
``app.extensions["journal.plugins"]``; there is no module-level manager. Get it
with :func:`get_plugins`. The host is one object built from one module per job:
this one (which plugins exist and run), :mod:`~journal.plugins.calls` (calling
hooks, isolated), :mod:`~journal.plugins.contributions` (what plugins add) and
:mod:`~journal.plugins.settings`.

Three levels of control decide whether a plugin's code runs:

1. Deployment: ``JOURNAL_BLOCKED_PLUGINS`` names are never imported;
   ``JOURNAL_SAFE_MODE`` imports only the bundled plugins (:data:`BUNDLED_PLUGINS`).
2. Installed is not enabled: an admin enables a loaded plugin at runtime (the
   admin page or ``journal plugins enable NAME``), stored in the ``settings``
   table under ``enabled_plugins``. ``journal init`` enables the bundled ones.
   Built-in plugins (:data:`BUILTIN_PLUGINS`) are always on.
3. Every hook implementation runs isolated (:mod:`journal.plugins.calls`).
"""

from __future__ import annotations

import logging
import re
import warnings
from importlib.metadata import entry_points

import pluggy
from flask import Flask

import journal
from flask import current_app

from journal.plugins import hookspecs
from journal.plugins import vocabularies
from journal.plugins import wiring
from journal.plugins.calls import HookCalls
from journal.plugins.contributions import Contributions
from journal.plugins.records import STATUSES  # noqa: F401  (part of this module's API)
from journal.plugins.records import LoadRecord
from journal.plugins.records import PluginError
from journal.plugins.records import missing_record
from journal.plugins.settings import PluginSettings
from journal.storage import get_store
from journal.plugins.entry_templates.school import SCHOOL

ENTRY_POINT_GROUP = "journal.plugins"

#: Plugin API versions this host can run (see ``hookspecs.PLUGIN_API_VERSION``).
SUPPORTED_API_VERSIONS = frozenset({hookspecs.PLUGIN_API_VERSION})

#: Plugins that are part of the journal itself: name -> module. Registered on
#: every host, always active, never disabled (like datasette's default plugins).
BUILTIN_PLUGINS = {"core": vocabularies}

#: The plugins shipped in this repository's ``plugins/`` folder: entry-point
#: name -> distribution name. A plugin is *bundled* only when both match, so a
#: third-party package cannot claim a bundled name to pass safe mode.
#: ``tests/plugins_host/test_bundled.py`` keeps this in step with ``plugins/*/pyproject.toml``.
BUNDLED_PLUGINS = {
    "ass_predictability": "journal-ass-predictability",
    "behaviour_low_stimulus": "journal-behaviour-low-stimulus",
    "executive_functions": "journal-executive-functions",
    "tos_instruction": "journal-tos-instruction",
}

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

log = logging.getLogger("journal.plugins")

__all__ = ["PluginHost", "PluginError", "LoadRecord", "get_plugins", "plugin_settings",
           "init_app", "BUNDLED_PLUGINS", "BUILTIN_PLUGINS", "SUPPORTED_API_VERSIONS"]


def _normalise_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class PluginHost(HookCalls, Contributions, PluginSettings):
    """Loads plugins and calls their hooks, one plugin at a time."""

    def __init__(self, app: Flask):
        self.app = app
        self.pm = pluggy.PluginManager("journal")
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, LoadRecord] = {}
        self.strict = bool(app.config["JOURNAL_STRICT_PLUGINS"])
        self.blueprint_owners: dict[str, str] = {}  # blueprint name -> plugin name
        self.remembered: dict[str, str] = {}  # vocabulary snapshots stored: key -> digest
        for name, module in BUILTIN_PLUGINS.items():
            self.register(module, name, record=LoadRecord(name, "builtin", dist="journal",
                                                          version=journal.__version__))

    # -- discovery -------------------------------------------------------
    def load_entry_points(self) -> None:
        """Import and register each installed plugin, one at a time.

        A plugin that fails to import, declares an unsupported API version or
        implements an unknown hook is recorded and skipped; the others load.
        """
        blocked = self.app.config["JOURNAL_BLOCKED_PLUGINS"] or ()
        if isinstance(blocked, str):  # JOURNAL_BLOCKED_PLUGINS=a,b in the environment
            blocked = [b.strip() for b in blocked.split(",")]
        blocked = set(blocked)
        safe_mode = bool(self.app.config["JOURNAL_SAFE_MODE"])
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist
            dist_name = dist.metadata["Name"] if dist else ""
            bundled = BUNDLED_PLUGINS.get(ep.name) == _normalise_dist(dist_name or "")
            record = LoadRecord(ep.name, "bundled" if bundled else "entrypoint",
                                dist=dist_name, version=dist.version if dist else "")
            if ep.name in self.records:
                record.status = "failed"
                record.error = (f"the name {ep.name!r} is already used by "
                                f"{self.records[ep.name].dist or 'another plugin'}")
                self.records[f"{ep.name} ({dist_name})"] = record
                continue
            self.records[ep.name] = record
            if ep.name in blocked:
                record.status = "blocked"
                continue
            if safe_mode and not bundled:
                record.status = "skipped"
                record.error = "safe mode: only bundled plugins are loaded"
                continue
            if ep.name in BUNDLED_PLUGINS and not bundled:
                self._fail(record, PluginError(
                    f"{dist_name} claims the name of the bundled plugin {ep.name!r}"))
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken install must not stop the others
                self._fail(record, exc)
                continue
            self.register(plugin, ep.name, record=record)

    def register(self, plugin, name: str, *, source: str = "test",
                 record: LoadRecord | None = None) -> LoadRecord:
        """Register a plugin object or module under ``name`` and check its contract.

        Test plugins (``source="test"``) may omit ``journal_plugin_info``;
        installed ones must declare a supported ``api_version``.
        """
        if self.pm.has_plugin(name) or (name in self.records and self.records[name].builtin):
            raise ValueError(f"a plugin named {name!r} is already registered")
        record = record or LoadRecord(name, source)
        self.records[name] = record
        try:
            if not _NAME.match(name):
                raise PluginError(f"plugin name {name!r} is not a lower-case identifier")
            if name == SCHOOL:
                raise PluginError(f"the name {name!r} is kept for the school's own templates")
            self.pm.register(plugin, name=name)
            callers = self.pm.get_hookcallers(plugin) or ()
            record.hooks = sorted(caller.name for caller in callers)
            record.deprecated_hooks = [h for h in record.hooks if h in hookspecs.RENAMED_HOOKS]
            unknown = [h for h in record.hooks if not getattr(self.pm.hook, h).has_spec()]
            if unknown:
                raise PluginError(f"implements unknown hooks: {', '.join(unknown)}")
            if any(i.hookwrapper for c in callers for i in c.get_hookimpls()
                   if i.plugin_name == name):
                raise PluginError("hookwrapper=True is not supported; use @hookimpl(wrapper=True)")
            self._read_info(record)
            if record.status == "loaded":
                record.default_settings = self.call_unisolated(
                    name, "journal_default_settings") or {}
        except Exception as exc:
            self._drop(name, plugin)  # pluggy may leave a half-registered plugin behind
            self._fail(record, exc)
            return record
        if record.status != "loaded":
            self._drop(name, plugin)
            log.error("plugin %s is incompatible", name)
            if self.strict:
                raise PluginError(record.error)
            return record
        if record.builtin:
            self.isolate(name)
        else:
            self._put_in_order()
        return record

    def _put_in_order(self) -> None:
        """Re-register the plugins so pluggy calls them in name order.

        pluggy calls the last registered implementation first; plugins loaded
        at different times (tests, a late registration) would otherwise run
        in an order nobody chose. ``tryfirst``/``trylast`` still apply.
        """
        names = sorted((n for n, r in self.records.items()
                        if r.status == "loaded" and not r.builtin), reverse=True)
        plugins = [(n, self.pm.get_plugin(n)) for n in names]
        for n, _plugin in plugins:
            self.pm.unregister(name=n)
        with warnings.catch_warnings():
            # A plugin using a renamed hook was warned when it registered; not on every reorder.
            warnings.simplefilter("ignore", DeprecationWarning)
            for n, plugin in plugins:
                self.pm.register(plugin, name=n)
                self.isolate(n)

    def _drop(self, name: str, plugin) -> None:
        if self.pm.get_plugin(name) is plugin:
            self.pm.unregister(name=name)

    def _read_info(self, record: LoadRecord) -> None:
        record.status = "loaded"
        if "journal_plugin_info" not in record.hooks:
            if record.source != "test":
                record.status = "incompatible"
                record.error = "the plugin declares no journal_plugin_info (api_version)"
            return
        info = self.call_unisolated(record.name, "journal_plugin_info")
        if info is None:
            raise PluginError("journal_plugin_info must return a dict with a 'title'")
        record.title = info["title"]
        record.description = info["description"]
        record.api_version = info.get("api_version")
        if record.api_version not in SUPPORTED_API_VERSIONS:
            record.status = "incompatible"
            record.error = (f"written for plugin API version {record.api_version!r}; "
                            f"this journal supports {sorted(SUPPORTED_API_VERSIONS)}")

    def unregister(self, name: str) -> None:
        """Remove a plugin from this host (tests)."""
        if self.pm.has_plugin(name):
            self.pm.unregister(name=name)
        self.records.pop(name, None)
        for bp_name, owner in list(self.blueprint_owners.items()):
            if owner == name:
                del self.blueprint_owners[bp_name]

    def _fail(self, record: LoadRecord, exc: Exception) -> None:
        record.status = "failed"
        record.remember("load", exc)
        log.error("plugin %s failed to load: %s", record.name, type(exc).__name__)
        if self.strict:
            raise exc

    # -- enablement ------------------------------------------------------
    def loaded_names(self) -> set[str]:
        """Return the plugins that loaded (enabled or not, built-in ones included)."""
        return {n for n, r in self.records.items() if r.status == "loaded"}

    def enabled_names(self) -> set[str]:
        """Return the names an admin enabled for this instance."""
        return set(get_store().settings.get("enabled_plugins", []))

    def active_names(self) -> set[str]:
        """Return the installed plugins whose hooks run now: loaded and enabled.

        Built-in plugins always run besides these (:meth:`running_names`).
        """
        enabled = self.enabled_names()
        return {n for n, r in self.records.items()
                if r.status == "loaded" and not r.builtin and n in enabled}

    def running_names(self) -> set[str]:
        """Return every plugin whose hooks run now: the built-in and the active ones."""
        return self.active_names() | {n for n, r in self.records.items() if r.builtin}

    def is_active(self, name: str) -> bool:
        """Return whether installed plugin ``name`` is loaded and enabled."""
        return name in self.active_names()

    def enable(self, name: str) -> None:
        """Enable an installed plugin for this instance, at once and without a restart.

        :raise KeyError: no plugin of that name is installed.
        """
        if name not in self.records:
            raise KeyError(name)
        if not self.records[name].builtin:
            self._set_enabled(self.enabled_names() | {name})

    def disable(self, name: str) -> None:
        """Disable a plugin: its hooks stop running and its pages answer 404.

        Data and old entries are kept; entries render from their template snapshots.

        :raise PluginError: ``name`` is built in (always on).
        """
        if name in self.records and self.records[name].builtin:
            raise PluginError(f"{name} is built into the journal and cannot be disabled")
        self._set_enabled(self.enabled_names() - {name})

    def enable_bundled(self) -> list[str]:
        """Enable every installed bundled plugin (used by ``journal init``); return their names."""
        names = [n for n, r in self.records.items()
                 if r.source == "bundled" and r.status != "blocked"]
        self._set_enabled(self.enabled_names() | set(names))
        return sorted(names)

    def _set_enabled(self, names: set[str]) -> None:
        get_store().settings.set("enabled_plugins", sorted(names))

    def describe(self) -> list[dict]:
        """Return every plugin as plain data (admin page, ``plugins list --json``).

        Built-in plugins come first; a plugin that is enabled but no longer
        installed is listed with status ``missing``.
        """
        enabled = self.enabled_names()
        known = [r.as_dict(r.name in enabled) for r in self.records.values()]
        known += [missing_record(n) for n in enabled - set(self.records)]
        return sorted(known, key=lambda p: (p["source"] != "builtin", p["name"]))


def init_app(app: Flask) -> None:
    """Create the app's plugin host, load installed plugins and add their commands."""
    host = PluginHost(app)
    app.extensions["journal.plugins"] = host
    if app.config["JOURNAL_LOAD_ENTRYPOINTS"]:
        host.load_entry_points()
    wiring.init_app(app, host)


def get_plugins() -> PluginHost:
    """Return the plugin host of the current app."""
    return current_app.extensions["journal.plugins"]


def plugin_settings(name: str) -> dict:
    """Return plugin ``name``'s effective settings (for plugins to call)."""
    return get_plugins().plugin_settings(name)
