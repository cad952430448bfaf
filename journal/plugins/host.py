"""The plugin host: discovery, enablement and fault-isolated hook calls.

One :class:`PluginHost` (with its own pluggy manager) per application, kept on
``app.extensions["journal.plugins"]``; there is no module-level manager. Get it
with :func:`get_plugins`.

Three levels of control decide whether a plugin's code runs:

1. Deployment: ``JOURNAL_BLOCKED_PLUGINS`` names are never imported;
   ``JOURNAL_SAFE_MODE`` imports only the bundled plugins (:data:`BUNDLED_PLUGINS`).
2. Installed is not enabled: an admin enables a loaded plugin at runtime (the
   admin page or ``journal plugins enable NAME``), stored in the ``settings``
   table under ``enabled_plugins``. ``journal init`` enables the bundled ones.
3. Every hook call goes through :meth:`PluginHost.call_all` (or ``call_first``,
   ``call_plugin``), which skips inactive plugins and isolates each one: an
   exception or an invalid return is recorded on the plugin's
   :class:`LoadRecord` and skipped. In strict mode (``JOURNAL_STRICT_PLUGINS``,
   on in the test suite) it is re-raised instead.

What plugins contribute (templates, vocabularies, fragments, exports) is
collected by :mod:`journal.plugins.entry_templates.registry` and :mod:`journal.plugins.vocabularies`;
this class offers them as methods so callers need only ``get_plugins()``.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone
from importlib.metadata import entry_points

import pluggy
from flask import Flask
from flask import current_app

from journal.plugins import hookspecs

ENTRY_POINT_GROUP = "journal.plugins"

#: Plugin API versions this host can run (see ``hookspecs.PLUGIN_API_VERSION``).
SUPPORTED_API_VERSIONS = frozenset({hookspecs.PLUGIN_API_VERSION})

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

#: Load statuses. Only ``loaded`` plugins can be active.
STATUSES = ("loaded", "failed", "incompatible", "blocked", "skipped")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SETTING_TYPES = (bool, int, float, str, list)

log = logging.getLogger("journal.plugins")


class PluginError(Exception):
    """A plugin broke its contract (an invalid return value, an unknown hook…)."""


@dataclass
class LoadRecord:
    """What the host knows about one plugin, whether or not it loaded.

    The admin page and ``journal plugins list`` read these records only; they
    never call plugin code, so they work whatever a plugin does.
    """

    name: str
    source: str  # "bundled" | "entrypoint" | "test"
    status: str = "loaded"
    version: str = ""
    dist: str = ""
    title: str = ""
    description: str = ""
    api_version: int | None = None
    error: str = ""  # the last error: where it happened and the traceback
    error_at: str = ""
    hooks: list[str] = field(default_factory=list)
    failures: int = 0
    default_settings: dict = field(default_factory=dict)

    def as_dict(self, enabled: bool) -> dict:
        """Return the record as plain data, with the instance's ``enabled`` flag."""
        return dict(asdict(self), enabled=enabled)


def _normalise_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class PluginHost:
    """Loads plugins and calls their hooks, one plugin at a time."""

    def __init__(self, app: Flask):
        self.app = app
        self.pm = pluggy.PluginManager("journal")
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, LoadRecord] = {}
        self.strict = bool(app.config["JOURNAL_STRICT_PLUGINS"])
        self.blueprint_owners: dict[str, str] = {}  # blueprint name -> plugin name

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
        if self.pm.has_plugin(name):
            raise ValueError(f"a plugin named {name!r} is already registered")
        record = record or LoadRecord(name, source)
        self.records[name] = record
        try:
            if not _NAME.match(name):
                raise PluginError(f"plugin name {name!r} is not a lower-case identifier")
            self.pm.register(plugin, name=name)
            record.hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or ())
            unknown = [h for h in record.hooks if not getattr(self.pm.hook, h).has_spec()]
            if unknown:
                raise PluginError(f"implements unknown hooks: {', '.join(unknown)}")
            self._read_info(record)
            if record.status == "loaded":
                record.default_settings = self._read_default_settings(name)
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
        info = self._call_impl(record.name, "journal_plugin_info", {}, strict_errors=True)
        if not isinstance(info, dict) or not isinstance(info.get("title"), str):
            raise PluginError("journal_plugin_info must return a dict with a 'title'")
        record.title = info["title"]
        record.description = str(info.get("description", ""))
        record.api_version = info.get("api_version")
        if record.api_version not in SUPPORTED_API_VERSIONS:
            record.status = "incompatible"
            record.error = (f"written for plugin API version {record.api_version!r}; "
                            f"this journal supports {sorted(SUPPORTED_API_VERSIONS)}")

    def _read_default_settings(self, name: str) -> dict:
        defaults = self._call_impl(name, "journal_default_settings", {}, strict_errors=True)
        if defaults is None:
            return {}
        if not isinstance(defaults, dict) or not all(
            isinstance(k, str) and isinstance(v, _SETTING_TYPES) for k, v in defaults.items()
        ):
            raise PluginError("journal_default_settings must return a dict of "
                              "str -> bool, int, float, str or list")
        return defaults

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
        self._remember(record, "load", exc)
        log.error("plugin %s failed to load: %s", record.name, type(exc).__name__)
        if self.strict:
            raise exc

    def _remember(self, record: LoadRecord, where: str, exc: Exception) -> None:
        record.failures += 1
        record.error = f"{where}: " + "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__))
        record.error_at = datetime.now(timezone.utc).isoformat(timespec="seconds")

    # -- enablement ------------------------------------------------------
    def enabled_names(self) -> set[str]:
        """Return the names an admin enabled for this instance."""
        from journal.storage import get_store

        return set(get_store().settings.get("enabled_plugins", []))

    def active_names(self) -> set[str]:
        """Return the plugins whose hooks run now: loaded and enabled."""
        loaded = {n for n, r in self.records.items() if r.status == "loaded"}
        return loaded & self.enabled_names()

    def is_active(self, name: str) -> bool:
        """Return whether plugin ``name`` is loaded and enabled."""
        return name in self.active_names()

    def enable(self, name: str) -> None:
        """Enable an installed plugin for this instance, at once and without a restart.

        :raise KeyError: no plugin of that name is installed.
        """
        if name not in self.records:
            raise KeyError(name)
        self._set_enabled(self.enabled_names() | {name})

    def disable(self, name: str) -> None:
        """Disable a plugin: its hooks stop running and its pages answer 404.

        Data and old entries are kept; entries render from their template snapshots.
        """
        self._set_enabled(self.enabled_names() - {name})

    def enable_bundled(self) -> list[str]:
        """Enable every installed bundled plugin (used by ``journal init``); return their names."""
        names = [n for n, r in self.records.items()
                 if r.source == "bundled" and r.status != "blocked"]
        self._set_enabled(self.enabled_names() | set(names))
        return sorted(names)

    def _set_enabled(self, names: set[str]) -> None:
        from journal.storage import get_store

        get_store().settings.set("enabled_plugins", sorted(names))

    def describe(self) -> list[dict]:
        """Return every plugin record as plain data (admin page, ``plugins list --json``)."""
        enabled = self.enabled_names()
        return [r.as_dict(r.name in enabled) for r in sorted(self.records.values(),
                                                              key=lambda r: r.name)]

    # -- calls -------------------------------------------------------------
    def call_all(self, hook_name: str, **kwargs) -> list[tuple[str, object]]:
        """Call a hook on every active plugin, in plugin-name order.

        :return: ``[(plugin name, result)]`` for the non-None results. A plugin
            that raises is recorded and skipped (re-raised in strict mode).
        """
        active = self.active_names()
        out = []
        for impl in self._impls(hook_name):
            if impl.plugin_name not in active:
                continue
            result = self._call_impl(impl.plugin_name, hook_name, kwargs, impl=impl)
            if result is not None:
                out.append((impl.plugin_name, result))
        return out

    def call_first(self, hook_name: str, **kwargs) -> tuple[str, object] | None:
        """Return ``(plugin name, result)`` of the first active plugin answering non-None.

        A plugin that raises is skipped and the next one is asked.
        """
        active = self.active_names()
        for impl in self._impls(hook_name):
            if impl.plugin_name in active:
                result = self._call_impl(impl.plugin_name, hook_name, kwargs, impl=impl)
                if result is not None:
                    return impl.plugin_name, result
        return None

    def call_plugin(self, name: str, hook_name: str, default=None, **kwargs):
        """Call one plugin's implementation of a hook, enabled or not.

        :return: its result, or ``default`` when it has none, returns None or raises.
        """
        result = self._call_impl(name, hook_name, kwargs)
        return default if result is None else result

    def _impls(self, hook_name: str) -> list:
        return sorted(getattr(self.pm.hook, hook_name).get_hookimpls(),
                      key=lambda impl: impl.plugin_name)

    def _call_impl(self, name: str, hook_name: str, kwargs: dict, *, impl=None,
                   strict_errors: bool = False):
        if impl is None:
            found = [i for i in getattr(self.pm.hook, hook_name).get_hookimpls()
                     if i.plugin_name == name]
            if not found:
                return None
            impl = found[0]
        if strict_errors:  # load-time checks: the caller records the failure
            return impl.function(*[kwargs[a] for a in impl.argnames])
        try:
            return impl.function(*[kwargs[a] for a in impl.argnames])
        except Exception as exc:
            self.record_failure(name, hook_name, exc)
            return None

    def record_failure(self, name: str, hook_name: str, exc: Exception) -> None:
        """Remember that a plugin raised in (or returned garbage from) a hook.

        The error shows on the admin page; in strict mode it is re-raised.
        """
        record = self.records.get(name)
        if record is not None:
            self._remember(record, hook_name, exc)
        log.error("plugin %s failed in %s: %s", name, hook_name, type(exc).__name__)
        if self.strict:
            raise exc

    def invalid(self, name: str, hook_name: str, message: str) -> None:
        """Record that ``name`` returned something invalid from ``hook_name``."""
        try:
            raise PluginError(f"{hook_name} returned an invalid value: {message}")
        except PluginError as exc:
            self.record_failure(name, hook_name, exc)

    # -- settings ----------------------------------------------------------
    def plugin_settings(self, name: str) -> dict:
        """Return a plugin's effective settings.

        Declared defaults, then ``JOURNAL_PLUGIN_SETTINGS[name]`` from the
        instance config, then what an admin saved; a value ``{"$env": "VAR"}``
        is read from the environment. Only declared keys count.
        """
        from journal.storage import get_store

        record = self.records.get(name)
        defaults = dict(record.default_settings) if record else {}
        configured = (self.app.config["JOURNAL_PLUGIN_SETTINGS"] or {}).get(name, {})
        stored = get_store().settings.get("plugin_settings", {}).get(name, {})
        merged = dict(defaults)
        for source in (configured, stored):
            merged.update({k: v for k, v in source.items() if k in defaults})
        return {k: _resolve_env(v) for k, v in merged.items()}

    def save_settings(self, name: str, values: dict) -> dict[str, list[str]]:
        """Check and store settings an admin submitted for plugin ``name``.

        :param values: declared keys only, already converted to the default's type.
        :return: problems per key (``""`` for the plugin's own checks); nothing
            is stored unless it is empty.
        """
        from journal.storage import get_store

        record = self.records[name]
        problems: dict[str, list[str]] = {}
        for key, value in values.items():
            if key not in record.default_settings:
                problems.setdefault(key, []).append("not a setting of this plugin")
            elif not _same_type(value, record.default_settings[key]):
                problems.setdefault(key, []).append("wrong type")
        if problems:
            return problems
        candidate = dict(self.plugin_settings(name), **values)
        own = self.call_plugin(name, "journal_validate_settings", default=[], settings=candidate)
        if not isinstance(own, list):
            self.invalid(name, "journal_validate_settings", "not a list")
            own = []
        if own:
            return {"": [str(p) for p in own]}
        stored = get_store().settings.get("plugin_settings", {})
        stored[name] = dict(stored.get(name, {}), **values)
        get_store().settings.set("plugin_settings", stored)
        return {}

    # -- what plugins contribute (see journal.plugins.entry_templates.registry, journal.plugins.vocabularies)
    def templates(self, kind: str | None = None, include_inactive: bool = False) -> list:
        """Return the latest version of every template of the active plugins.

        :param kind: only templates for this entry kind.
        :param include_inactive: also the templates of loaded but disabled plugins.
        """
        from journal.plugins.entry_templates import registry as templates_registry

        return templates_registry.latest(self, kind=kind, include_inactive=include_inactive)

    def template(self, template_id: str, version: int | None = None):
        """Return an active plugin's template (its latest version by default), or None."""
        from journal.plugins.entry_templates import registry as templates_registry

        return templates_registry.find(self, template_id, version)

    def suggested_templates(self, trajectory: dict) -> list:
        """Return templates suggested for ``trajectory`` (its focus areas, plugin suggestions)."""
        from journal.plugins.entry_templates import registry as templates_registry

        return templates_registry.suggested(self, trajectory)

    def snapshot_for_entry(self, spec) -> dict:
        """Store ``spec``'s immutable snapshot once and return the ref an entry keeps."""
        from journal.plugins.entry_templates import registry as templates_registry

        return templates_registry.snapshot_for_entry(self, spec)

    def spec_for_entry(self, entry: dict):
        """Return the :class:`~journal.plugins.entry_templates.registry.EntryTemplate` an entry renders with."""
        from journal.plugins.entry_templates import registry as templates_registry

        return templates_registry.spec_for_entry(self, entry)

    def upgrade_offer(self, entry: dict):
        """Return the newer template version ``entry`` can be upgraded to, or None."""
        from journal.plugins.entry_templates import registry as templates_registry

        return templates_registry.upgrade_offer(self, entry)

    def upgrade_entry_data(self, entry: dict, to_version: int) -> dict:
        """Return ``{"answers", "template"}`` for ``entry`` converted to ``to_version``."""
        from journal.plugins.entry_templates import registry as templates_registry

        return templates_registry.upgrade_entry_data(self, entry, to_version)

    def focus_areas(self) -> list[dict]:
        """Return the core focus areas and those the active plugins add: ``[{"id", "label"}]``."""
        from journal.plugins import vocabularies

        return vocabularies.focus_areas(self)

    def reflection_models(self) -> list[dict]:
        """Return the core reflection model (Korthagen) and the active plugins' models."""
        from journal.plugins import vocabularies

        return vocabularies.reflection_models(self)

    def tag_vocabularies(self) -> list[dict]:
        """Return tag vocabularies: ``[{"id", "label", "tags", "plugin"}]``."""
        from journal.plugins import vocabularies

        return vocabularies.tag_vocabularies(self)

    def fragments(self, slot: str, context: dict | None = None) -> list:
        """Return the active plugins' sanitised HTML for page ``slot`` (a failing one: a notice)."""
        from journal.plugins import vocabularies

        return vocabularies.fragments(self, slot, context or {})

    def validate_entry(self, entry: dict, template=None) -> list[str]:
        """Return the problems active plugins find with ``entry`` (empty when fine)."""
        from journal.plugins import vocabularies

        return vocabularies.validate_entry(self, entry, template)

    def entry_saved(self, entry: dict, trajectory: dict, created: bool) -> None:
        """Tell the active plugins that ``entry`` was saved (after the save)."""
        self.call_all("journal_entry_saved", entry=entry, trajectory=trajectory, created=created)

    def export_formats(self) -> list[dict]:
        """Return the active plugins' export formats (see :func:`journal.plugins.vocabularies.export_formats`)."""
        from journal.plugins import vocabularies

        return vocabularies.export_formats(self)

    def run_export(self, format_id: str, trajectory: dict, entries: list, goals: list):
        """Run export ``format_id``; return ``(format, str or bytes)`` or None when it failed."""
        from journal.plugins import vocabularies

        return vocabularies.run_export(self, format_id, trajectory, entries, goals)


def _same_type(value, default) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _resolve_env(value):
    if isinstance(value, dict) and set(value) == {"$env"}:
        return os.environ.get(value["$env"], "")
    return value


def init_app(app: Flask) -> None:
    """Create the app's plugin host, load installed plugins and add their commands."""
    host = PluginHost(app)
    app.extensions["journal.plugins"] = host
    if app.config["JOURNAL_LOAD_ENTRYPOINTS"]:
        host.load_entry_points()
    from journal.plugins import wiring as plugin_wiring

    plugin_wiring.init_app(app, host)


def get_plugins() -> PluginHost:
    """Return the plugin host of the current app."""
    return current_app.extensions["journal.plugins"]


def plugin_settings(name: str) -> dict:
    """Return plugin ``name``'s effective settings (for plugins to call)."""
    return get_plugins().plugin_settings(name)
