"""Everything plugins are built on, in one package.

* :mod:`~journal.plugins.hookspecs` – every hook a plugin can implement and the types of
  what it returns (the contract); :mod:`~journal.plugins.shapes` checks results against them.
* :mod:`~journal.plugins.host` – :class:`~journal.plugins.host.PluginHost`: discovery,
  registration and enablement, built from :mod:`~journal.plugins.calls` (hooks through
  pluggy, each implementation isolated), :mod:`~journal.plugins.contributions` (what
  plugins add), :mod:`~journal.plugins.settings` and :mod:`~journal.plugins.records`.
* :mod:`~journal.plugins.vocabularies` – the built-in ``core`` plugin: focus areas,
  Korthagen's reflection model, STICORDI tags, and the page slots.
* :mod:`~journal.plugins.vocabulary_snapshots` – stored copies of what plugins added to
  the vocabularies, so old records keep their words.
* :mod:`~journal.plugins.wiring` – plugin pages (blueprints, sanitised) and commands in Flask.
* :mod:`~journal.plugins.entry_templates` – entry templates (plugin-provided entry
  forms): their specs, the registry of versions and snapshots, and the forms.
* :mod:`~journal.plugins.api` – the public API plugins use for pupil data.
* :mod:`~journal.plugins.testing` – pytest fixtures for plugin authors;
  :mod:`~journal.plugins.contract` and :mod:`~journal.plugins.package_data` – the checks
  ``journal plugins check`` runs.

See docs/architecture.md and docs/plugins.md.
"""
