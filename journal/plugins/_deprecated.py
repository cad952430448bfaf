"""Old import paths of the plugin machinery, kept for one release.

Each old module (``journal.plugin_host``…) calls :func:`alias`, which warns
once and makes the old name the very same module object as the new one, so
attributes, monkeypatching and ``isinstance`` checks behave identically.
"""

from __future__ import annotations

import importlib
import sys
import warnings

#: Old module -> new module. Removed in the release after this one.
MOVED = {
    "journal.plugin_host": "journal.plugins.host",
    "journal.plugin_wiring": "journal.plugins.wiring",
    "journal.hookspecs": "journal.plugins.hookspecs",
    "journal.template_specs": "journal.plugins.entry_templates.specs",
    "journal.templates_registry": "journal.plugins.entry_templates.registry",
    "journal.template_forms": "journal.plugins.entry_templates.forms",
    "journal.vocabularies": "journal.plugins.vocabularies",
    "journal.plugin_testing": "journal.plugins.testing",
    "journal.testing": "journal.plugins.testing",
}


def alias(old: str) -> None:
    """Warn that ``old`` moved and replace it in ``sys.modules`` by its new module."""
    new = MOVED[old]
    warnings.warn(f"{old} is deprecated and will be removed in the next release; "
                  f"import {new} instead", DeprecationWarning, stacklevel=3)
    sys.modules[old] = importlib.import_module(new)
