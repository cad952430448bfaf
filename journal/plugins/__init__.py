"""Everything plugins are built on, in one package.

* :mod:`~journal.plugins.hookspecs` – every hook a plugin can implement (the contract).
* :mod:`~journal.plugins.host` – :class:`~journal.plugins.host.PluginHost`: discovery,
  enablement, settings and fault-isolated hook calls.
* :mod:`~journal.plugins.wiring` – plugin pages (blueprints) and commands in Flask.
* :mod:`~journal.plugins.entry_templates` – entry templates (plugin-provided entry
  forms): their specs, the registry of versions and snapshots, and the forms.
* :mod:`~journal.plugins.vocabularies` – focus areas, reflection models, tag lists,
  page fragments, validation and exports collected from the plugins.
* :mod:`~journal.plugins.testing` – pytest fixtures and contract checks for plugin authors.

See docs/architecture.md and docs/plugins.md.
"""
