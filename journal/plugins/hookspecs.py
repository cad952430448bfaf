"""Every hook a journal plugin can implement, with the types of what it returns.

Plugins implement hooks with ``from journal import hookimpl``. The return
annotation of each hook below is the contract: the host checks every plugin's
result against it (:func:`journal.plugins.shapes.conform`), keeps what fits,
and records the rest on the plugin (admin page, ``journal plugins list
--json``). The TypedDicts here are the one definition of those shapes.

Rules:

* An implementation may accept any subset of a hook's arguments (pluggy's
  opt-in arguments), so new arguments never break old plugins.
* Hooks run only for *active* plugins (loaded, and enabled by an admin; the
  built-in ``core`` plugin is always active), through pluggy's own call loop:
  implementations run in plugin-name order, ``@hookimpl(tryfirst=True)`` /
  ``trylast=True`` move one to the front or the back, and
  ``@hookimpl(wrapper=True)`` wraps the others (``result = yield``; return
  the result to use). Every implementation is isolated: one that raises or
  returns something that does not fit is recorded and skipped, and the next
  one still runs. Old-style ``hookwrapper=True`` is not supported.
* Keys marked "set by the host" (``plugin``) are filled in by the journal;
  what a plugin puts there is ignored.
* Any HTML a plugin returns goes through the same sanitiser as user Markdown.
* Hooks may be called often (every page view): keep them fast and free of
  side effects, except ``journal_entry_saved``.

The guide with an example per hook is ``docs/plugins.md``;
``tests/plugins_host/test_hookspecs_meta.py`` fails when a hook here is not
documented there or not exercised by a test.
"""

from collections.abc import Callable
from typing import Annotated
from typing import Any
from typing import NotRequired
from typing import TypedDict

import click
import pluggy
from flask import Blueprint

import os

from journal.plugins.entry_templates.files import TemplateFiles
from journal.plugins.entry_templates.specs import TemplateSpec
from journal.plugins.shapes import AcceptText
from journal.plugins.shapes import Converts
from journal.plugins.shapes import Default
from journal.plugins.shapes import FromHost
from journal.plugins.shapes import Matches
from journal.plugins.shapes import NonEmpty
from journal.plugins.shapes import UniqueKey

#: The plugin API version this host speaks. A plugin declares the version it was
#: written for in ``journal_plugin_info()["api_version"]``. New hooks and new
#: arguments do not change it; removing or changing one does (after a release
#: that warns through ``warn_on_impl``).
PLUGIN_API_VERSION = 1

hookspec = pluggy.HookspecMarker("journal")

#: A lower-case identifier: ``sensorisch``, ``gibbs``, ``handover``.
Id = Annotated[str, Matches(r"[a-z][a-z0-9_-]*", "a lower-case identifier")]
#: A str that is not empty.
Text = Annotated[str, NonEmpty()]
#: The name of the plugin that returned the item (set by the host).
PluginName = Annotated[str, FromHost("plugin")]


class PluginInfo(TypedDict):
    """What ``journal_plugin_info`` returns."""

    title: Text
    description: NotRequired[Annotated[str, Default("")]]
    #: the plugin API version the plugin was written for (:data:`PLUGIN_API_VERSION`)
    api_version: NotRequired[int]


class FocusArea(TypedDict):
    """A focus area (aandachtsgebied) staff pick for a trajectory."""

    id: Id
    label: Text
    plugin: NotRequired[PluginName]


class ReflectionPhase(TypedDict):
    """One phase of a reflection model, with the question that guides it."""

    key: Text
    title: Text
    prompt: NotRequired[Annotated[str, Default("")]]


class ReflectionModel(TypedDict):
    """A reflection model for co-written reflections (Korthagen's cycle in the core)."""

    id: Id
    title: Text
    phases: Annotated[list[ReflectionPhase], NonEmpty("no phases"), UniqueKey("key")]
    plugin: NotRequired[PluginName]


class TagVocabulary(TypedDict):
    """A list of tags offered for entries (STICORDI in the core)."""

    id: Id
    label: Text
    tags: list[Text]
    plugin: NotRequired[PluginName]


class PageFragment(TypedDict):
    """HTML for a named place in the pages; a plain str means ``{"html": str}``."""

    html: str
    #: lower comes first; ties in plugin-name order
    priority: NotRequired[Annotated[int, Default(100)]]
    plugin: NotRequired[PluginName]


#: What an export format's ``render`` returns.
ExportOutput = str | bytes


class ExportFormat(TypedDict):
    """A way to export a trajectory, offered on the trajectory page."""

    #: the host prefixes it with the plugin's name: ``"<plugin>.<id>"``
    id: Id
    label: Text
    mimetype: Text
    extension: Text
    #: ``render(trajectory, entries, goals)``; gets only what the exporting user may read
    render: Callable[[dict, list, list], ExportOutput]
    plugin: NotRequired[PluginName]


#: A setting's value: its default's type decides what an admin may enter.
SettingValue = bool | int | float | str | list[str]
#: One item a plugin returns from :func:`journal_entry_templates`: a spec, or the path of
#: a TOML file or folder (turned into :class:`TemplateFiles` by the host).
EntryTemplates = TemplateSpec | Annotated[TemplateFiles,
                                         Converts((str, os.PathLike), TemplateFiles)]


@hookspec
def journal_plugin_info() -> PluginInfo:
    """Describe the plugin: its title, description and ``api_version``.

    Called once when the plugin loads. Required for installed plugins; a
    missing or unsupported ``api_version`` marks the plugin incompatible.
    """


@hookspec
def journal_entry_templates() -> list[EntryTemplates]:
    """Return every version still in use of the plugin's entry templates (the forms
    entries are filled from, not Jinja pages): paths of TOML files, or of folders
    holding them (docs/plugins.md, "Templates"), and/or :class:`TemplateSpec` objects.

    Template ids are ``"<plugin name>.<slug>"``. The highest version of an id
    is offered for new entries; keep older versions that entries may use, and
    bump ``version`` on *any* change. An invalid file or spec is left out and recorded
    with its problems; the others are offered.
    """


#: Hooks with a new name: old name -> new name. The old name keeps working for one
#: release (the host calls both); registering a plugin that implements it warns
#: (pluggy's ``warn_on_impl``). Removed in the release after this one.
RENAMED_HOOKS = {"journal_templates": "journal_entry_templates"}


def _renamed(old: str) -> DeprecationWarning:
    return DeprecationWarning(f"the plugin hook {old} is deprecated and will be removed in the "
                              f"next release; rename it {RENAMED_HOOKS[old]} (same arguments, "
                              f"same result)")


@hookspec(warn_on_impl=_renamed("journal_templates"))
def journal_templates() -> list[EntryTemplates]:
    """Deprecated: the old name of :func:`journal_entry_templates` ("template" also
    means a Jinja page). Still called for one release."""


@hookspec
def journal_focus_areas() -> list[FocusArea]:
    """Return focus areas (aandachtsgebieden) to add to the list staff pick from.

    A core id (``ass``, ``tos``, ``executieve_functies``, ``gedrag``, ``type2``…)
    stays one area with its core label.
    """


@hookspec
def journal_tag_vocabularies() -> list[TagVocabulary]:
    """Return tag vocabularies offered for entries; the core offers ``sticordi``."""


@hookspec
def journal_reflection_models() -> list[ReflectionModel]:
    """Return reflection models for co-written reflections.

    The core offers Korthagen's cycle (id ``korthagen``); a plugin cannot replace it.
    """


@hookspec
def journal_suggest_templates(trajectory: dict) -> list[str]:
    """Return ids of templates to suggest for ``trajectory`` (a dict with ``focus_areas``).

    Templates whose ``focus_areas`` meet the trajectory's are suggested anyway;
    use this hook for finer rules. Staff can still pick any enabled template.
    """


@hookspec
def journal_validate_entry(entry: dict, template: TemplateSpec | None) -> list[str]:
    """Return problems (shown to the writer) with ``entry``; empty when fine.

    ``entry`` is the entry about to be saved (``kind``, ``fields``,
    ``answers``, ``template`` ref…); ``template`` is the
    :class:`TemplateSpec` it is filled from, or None.
    """


@hookspec
def journal_entry_saved(entry: dict, trajectory: dict, created: bool) -> None:
    """React to a saved entry (``created`` is True for a new one). The return value is ignored.

    Called after the save; an exception here never undoes it. Never log the
    entry's contents.
    """


@hookspec
def journal_page_fragment(slot: str, context: dict) -> Annotated[PageFragment, AcceptText("html")] | None:
    """Return HTML for the named page ``slot`` (a str or a :class:`PageFragment`), or None.

    ``slot`` is one of :data:`journal.plugins.vocabularies.SLOTS`; ``context``
    is a dict (``trajectory``, ``entry``, ``user``) of things the current user
    may already see. A fragment that raises shows as a short inline notice.
    """


@hookspec
def journal_blueprints() -> list[Blueprint]:
    """Return Flask blueprints; each is mounted under ``/p/<plugin name>/``.

    Called once when the app is created. The pages answer 404 while the plugin
    is disabled. Views without a journal access decorator require a signed-in
    user; a view touching a trajectory must load it with access
    (``journal.plugins.api``). Page templates extend ``plugin_page.html``.
    """


@hookspec
def journal_cli_commands() -> list[click.Command]:
    """Return click commands, added as ``journal <plugin name> <command>``.

    Called once when the app is created; the commands refuse to run while the
    plugin is disabled.
    """


@hookspec
def journal_export_formats() -> list[ExportFormat]:
    """Return export formats for a trajectory (see :class:`ExportFormat`)."""


@hookspec
def journal_default_settings() -> dict[str, SettingValue]:
    """Return the plugin's settings with their defaults.

    Only these keys can be set (admin page, ``JOURNAL_PLUGIN_SETTINGS`` in the
    instance config). Read them with ``journal.plugins.host.plugin_settings(name)``.
    """


@hookspec
def journal_validate_settings(settings: dict[str, SettingValue]) -> list[str]:
    """Return problems with the plugin's ``settings``; empty when valid.

    Called with this plugin's own settings only, before an admin's change is
    stored. A validator that raises refuses the change.
    """


@hookspec(firstresult=True)
def journal_upgrade_entry_data(template_id: str, from_version: int, to_version: int,
                               data: dict) -> dict[str, Any] | None:
    """Return ``data`` (an entry's answers) converted to ``to_version`` of ``template_id``, or None.

    Only the plugin owning the template is asked. Upgrading is offered to
    staff only when this returns a dict, so it must be pure (no side effects):
    the host also calls it to find out whether an upgrade is possible.
    """
