"""Every hook a journal plugin can implement, in one flat list.

Plugins implement hooks with ``from journal import hookimpl``. Rules:

* An implementation may accept any subset of a hook's arguments (pluggy's
  opt-in arguments), so new arguments never break old plugins.
* Hooks run only for *active* plugins (loaded and enabled by an admin), one
  plugin at a time and isolated: a plugin that raises or returns something
  invalid is recorded (admin page, ``journal plugins list --json``) and
  skipped, the others still run. ``wrapper=True`` is not supported.
* Returned lists may hold items with a ``priority`` (lower first) where noted;
  the host sorts by ``(priority, plugin name, id)``, never by registration order.
* Any HTML a plugin returns goes through the same sanitiser as user Markdown.
* Hooks may be called often (every page view): keep them fast and free of
  side effects, except ``journal_entry_saved``.

The full guide with an example per hook is ``docs/plugins.md``;
``tests/plugins_host/test_hookspecs_meta.py`` fails when a hook here is not
documented there or not exercised by a test.
"""

from __future__ import annotations

import pluggy

#: The plugin API version this host speaks. A plugin declares the version it was
#: written for in ``journal_plugin_info()["api_version"]``. New hooks and new
#: arguments do not change it; removing or changing one does (after a release
#: that warns through ``warn_on_impl``).
PLUGIN_API_VERSION = 1

hookspec = pluggy.HookspecMarker("journal")


@hookspec
def journal_plugin_info():
    """Describe the plugin: ``{"title", "description", "api_version"}``.

    Called once when the plugin loads. Required for installed plugins; a
    missing or unsupported ``api_version`` marks the plugin incompatible.
    """


@hookspec
def journal_templates():
    """Return a list of :class:`journal.plugins.entry_templates.specs.TemplateSpec`: every version still in use.

    Template ids are ``"<plugin name>.<slug>"``. The highest version of an id
    is offered for new entries; keep older versions that entries may use, and
    bump ``version`` on *any* change. Invalid specs are left out and recorded.
    """


@hookspec
def journal_focus_areas():
    """Return focus areas (aandachtsgebieden) to add: a list of ``{"id", "label"}`` dicts.

    A core id (``ass``, ``tos``, ``executieve_functies``, ``gedrag``, ``type2``…)
    stays one area with its core label.
    """


@hookspec
def journal_tag_vocabularies():
    """Return tag vocabularies: a list of ``{"id", "label", "tags": [str]}`` dicts."""


@hookspec
def journal_reflection_models():
    """Return reflection models: a list of ``{"id", "title", "phases": [{"key", "title", "prompt"}]}``.

    The core offers Korthagen's cycle (id ``korthagen``); a plugin cannot replace it.
    """


@hookspec
def journal_suggest_templates(trajectory):
    """Return ids of templates to suggest for ``trajectory`` (a dict with ``focus_areas``).

    Templates whose ``focus_areas`` meet the trajectory's are suggested anyway;
    use this hook for finer rules. Staff can still pick any enabled template.
    """


@hookspec
def journal_validate_entry(entry, template):
    """Return a list of problems (str, shown to the writer) with ``entry``; empty when fine.

    ``entry`` is the entry about to be saved (``kind``, ``fields``,
    ``answers``, ``template`` ref…); ``template`` is the
    :class:`~journal.plugins.entry_templates.specs.TemplateSpec` it is filled from, or None.
    """


@hookspec
def journal_entry_saved(entry, trajectory, created):
    """React to a saved entry (``created`` is True for a new one). The return value is ignored.

    Called after the save; an exception here never undoes it. Never log the
    entry's contents.
    """


@hookspec
def journal_page_fragment(slot, context):
    """Return HTML for the named page ``slot``, or None.

    Return a str, or ``{"html": str, "priority": int}``. ``context`` is a dict
    (e.g. ``trajectory``, ``entry``, ``user``) of things the current user may
    already see. A fragment that raises shows as a short inline notice.
    """


@hookspec
def journal_blueprints():
    """Return Flask blueprints; each is mounted under ``/p/<plugin name>/``.

    Called once when the app is created. The pages answer 404 while the plugin
    is disabled. Views without a journal access decorator require a signed-in
    user; a view touching a trajectory must call ``access.require(action, trajectory)``.
    """


@hookspec
def journal_cli_commands():
    """Return click commands, added as ``journal <plugin name> <command>``.

    Called once when the app is created; the commands refuse to run while the
    plugin is disabled.
    """


@hookspec
def journal_export_formats():
    """Return export formats: a list of ``{"id", "label", "mimetype", "extension", "render"}``.

    ``render(trajectory, entries, goals)`` returns ``str`` or ``bytes``; it
    gets only what the exporting user may read. Ids become ``<plugin>.<id>``.
    """


@hookspec
def journal_default_settings():
    """Return the plugin's settings with their defaults (a dict of bool, int, float, str or list).

    Only these keys can be set (admin page, ``JOURNAL_PLUGIN_SETTINGS`` in the
    instance config). Read them with ``journal.plugins.host.plugin_settings(name)``.
    """


@hookspec
def journal_validate_settings(settings):
    """Return problems (list of str) with the plugin's ``settings``; empty when valid.

    Called with this plugin's own settings only, before an admin's change is stored.
    """


@hookspec(firstresult=True)
def journal_upgrade_entry_data(template_id, from_version, to_version, data):
    """Return ``data`` (an entry's answers) converted to ``to_version`` of ``template_id``, or None.

    Only the plugin owning the template is asked. Upgrading is offered to
    staff only when this returns a dict, so it must be pure (no side effects):
    the host also calls it to find out whether an upgrade is possible.
    """
