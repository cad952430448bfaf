"""Every hook a journal plugin can implement, in one flat list.

Plugins implement hooks with ``from journal import hookimpl``. Rules:

* An implementation may accept any subset of a hook's arguments (pluggy's
  opt-in arguments), so new arguments never break old plugins.
* Hooks are called per plugin and isolated: a plugin that raises is recorded
  and skipped, the others still run. ``wrapper=True`` is not supported.
* Returned lists may hold items with a ``priority`` (lower first); the host
  sorts by ``(priority, plugin name, id)``, never by registration order.
* Any HTML a plugin returns goes through the same sanitiser as user Markdown.

The full guide with an example per hook is ``docs/plugins.md``.
"""

from __future__ import annotations

import pluggy

#: The plugin API version this host speaks. A plugin declares the version it was
#: written for in ``journal_plugin_info()["api_version"]``.
PLUGIN_API_VERSION = 1

hookspec = pluggy.HookspecMarker("journal")


@hookspec
def journal_plugin_info():
    """Describe the plugin: a dict with ``title``, ``description`` and ``api_version``."""


@hookspec
def journal_templates():
    """Return a list of :class:`journal.template_specs.TemplateSpec` (every live version)."""


@hookspec
def journal_focus_areas():
    """Return focus areas to add to the vocabulary: a list of ``{"id", "label"}`` dicts."""


@hookspec
def journal_tag_vocabularies():
    """Return tag vocabularies: a list of ``{"id", "label", "tags": [str]}`` dicts."""


@hookspec
def journal_reflection_models():
    """Return reflection models: a list of ``{"id", "title", "phases": [{"key", "title", "prompt"}]}``."""


@hookspec
def journal_suggest_templates(trajectory):
    """Return template ids to suggest for ``trajectory`` (a dict with ``focus_areas``)."""


@hookspec
def journal_validate_entry(entry, template):
    """Return a list of problems (str) with ``entry`` filled from ``template``; empty when fine."""


@hookspec
def journal_entry_saved(entry, trajectory, created):
    """React to a saved entry (``created`` is True for a new one). The return value is ignored."""


@hookspec
def journal_page_fragment(slot, context):
    """Return HTML (str) for the named page ``slot``, or None. ``context`` is a dict."""


@hookspec
def journal_blueprints():
    """Return Flask blueprints; each is mounted under ``/p/<plugin name>/``."""


@hookspec
def journal_cli_commands():
    """Return click commands, added under ``journal <plugin name> …``."""


@hookspec
def journal_export_formats():
    """Return export formats: a list of ``{"id", "label", "mimetype", "extension", "render"}``.

    ``render(trajectory, entries, goals)`` returns ``str`` or ``bytes``.
    """


@hookspec
def journal_default_settings():
    """Return the plugin's settings with their defaults (a dict). Only these keys can be set."""


@hookspec
def journal_validate_settings(settings):
    """Return problems (list of str) with the plugin's ``settings``; empty when valid."""


@hookspec(firstresult=True)
def journal_upgrade_entry_data(template_id, from_version, to_version, data):
    """Return ``data`` converted to ``to_version`` of ``template_id``, or None if not yours.

    Stops at the first non-None result.
    """
