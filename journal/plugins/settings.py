"""Plugin settings: declared defaults, the instance's config, what an admin saved.

A plugin declares its settings with ``journal_default_settings``; only those
keys exist. The effective value of a key is its default, overridden by
``JOURNAL_PLUGIN_SETTINGS[name]`` in the instance config, overridden by what
an admin saved on the Plugins page. A value ``{"$env": "VAR"}`` is read from
the environment.
"""

from __future__ import annotations

import os

from flask_babel import gettext as _

from journal.storage import get_store


class PluginSettings:
    """The settings part of :class:`~journal.plugins.host.PluginHost`."""

    def plugin_settings(self, name: str) -> dict:
        """Return plugin ``name``'s effective settings (only its declared keys)."""
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
            is stored unless it is empty. A plugin whose check raises (or
            answers something that is not a list of problems) refuses the change.
        """
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
        with self.watching_failures() as failed:
            own = self.call_plugin(name, "journal_validate_settings", default=[],
                                   settings=candidate)
        if failed:
            return {"": [_("%(name)s could not check these settings, so nothing was saved. "
                           "The error is shown on the Plugins page.",
                           name=record.title or name)]}
        if own:
            return {"": [str(p) for p in own]}
        stored = get_store().settings.get("plugin_settings", {})
        stored[name] = dict(stored.get(name, {}), **values)
        get_store().settings.set("plugin_settings", stored)
        return {}


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
