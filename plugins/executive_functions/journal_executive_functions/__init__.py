"""Executieve functies -- a bundled journal plugin.

For each executive function (Dawson & Guare's list) an observation question
and a few scaffolds, usable for one pupil or for the whole class.
"""

from __future__ import annotations

from journal import hookimpl

from .templates import FUNCTIONS
from .templates import TEMPLATES

NAME = "executive_functions"


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
def journal_templates():
    """Return the observation template and the scaffolds checklist."""
    return list(TEMPLATES)


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
