"""Executieve functies -- a bundled journal plugin.

For each executive function (Dawson & Guare's list) an observation question
and a few scaffolds, usable for one pupil or for the whole class.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from journal import hookimpl
from journal.plugins.entry_templates.files import load_file


NAME = "executive_functions"

#: The entry templates, one TOML file per version (docs/plugins.md, "Templates").
ENTRY_TEMPLATES = Path(__file__).with_name("entry_templates")


class Function(NamedTuple):
    """One executive function (Dawson & Guare's list): its key and Dutch name."""

    key: str
    label: str


def _functions() -> tuple[Function, ...]:
    """Read the functions from the scaffolds template: one section per function, titled with
    its name, holding the checklist ``<key>_scaffolds``."""
    spec = load_file(ENTRY_TEMPLATES / "scaffolds.toml", NAME)
    return tuple(Function(f.key.removesuffix("_scaffolds"), section.title)
                 for section in spec.sections for f in section.fields
                 if f.type == "checklist")


#: The executive functions, in the templates' order.
FUNCTIONS = _functions()


@hookimpl
def journal_plugin_info():
    """Describe the plugin for the admin page."""
    return {
        "title": "Executieve functies",
        "description": (
            "Per executieve functie (planning, organisatie, werkgeheugen, …) een observatievraag "
            "en ondersteuning die je kunt inzetten, voor één leerling of voor de hele klas."
        ),
        "api_version": 1,
        "bundled": True,
    }


@hookimpl
def journal_entry_templates():
    """Return the folder of TOML files: the observation template and the scaffolds checklist."""
    return [ENTRY_TEMPLATES]


@hookimpl
def journal_focus_areas():
    """Add the executive-functions focus area (a core id, so it stays one area)."""
    return [{"id": "executieve_functies", "label": "Executieve functies"}]


@hookimpl
def journal_tag_vocabularies():
    """Offer the functions as tags, so entries can be grouped per function."""
    return [
        {
            "id": "executive_functions",
            "label": "Executieve functie",
            "tags": [function.label for function in FUNCTIONS],
        }
    ]
