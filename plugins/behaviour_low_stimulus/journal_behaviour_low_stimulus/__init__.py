"""Gedrag en prikkelarme hoek -- a bundled journal plugin.

An ABC observation template (behaviour first, then antecedent and
consequences, then a hypothesis about the behaviour's function), an agreement
checklist for a low-stimulus corner, and the STARR reflection model for
talking a behaviour incident through afterwards.
"""

from __future__ import annotations

from pathlib import Path

from journal import hookimpl


NAME = "behaviour_low_stimulus"

#: The entry templates, one TOML file per version (docs/plugins.md, "Templates").
ENTRY_TEMPLATES = Path(__file__).with_name("entry_templates")


@hookimpl
def journal_plugin_info():
    """Describe the plugin for the admin page."""
    return {
        "title": "Gedrag en prikkelarme hoek",
        "description": (
            "Objectief gedrag observeren met het ABC-model en afspraken maken over een "
            "prikkelarme hoek in de klas: een hulpmiddel, geen straf."
        ),
        "api_version": 1,
        "bundled": True,
    }


@hookimpl
def journal_entry_templates():
    """Return the folder of TOML files: the ABC observation and the low-stimulus corner checklist."""
    return [ENTRY_TEMPLATES]


@hookimpl
def journal_focus_areas():
    """Add the behaviour focus area (a core id, so it stays one area)."""
    return [{"id": "gedrag", "label": "Gedrag"}]


@hookimpl
def journal_reflection_models():
    """Add STARR, a short model to talk a behaviour incident through afterwards."""
    return [
        {
            "id": "starr",
            "title": "STARR (gedragsincident nabespreken)",
            "phases": [
                {"key": "situation", "title": "Situatie",
                 "prompt": "Wat was de situatie: wie, waar, welke activiteit, wat ging eraan vooraf?"},
                {"key": "task", "title": "Taak",
                 "prompt": "Wat was jouw taak of rol op dat moment? Wat wilde je bereiken?"},
                {"key": "actions", "title": "Activiteiten",
                 "prompt": "Wat deed je concreet, en wat deed de leerling?"},
                {"key": "result", "title": "Resultaat",
                 "prompt": "Wat was het gevolg, voor de leerling, de klas en jezelf?"},
                {"key": "reflection", "title": "Reflectie",
                 "prompt": "Wat werkte, wat zou je anders doen, en wat spreken we af?"},
            ],
        }
    ]
