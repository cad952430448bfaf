"""ASS: voorspelbaarheid in de klas -- a bundled journal plugin.

Gives teachers and ondersteuners an observation template (what came just before
the stress, which change was not announced, what helped) and a checklist of
predictability adaptations (people, places, activities, time, the unexpected,
sensory load and communication) for pupils with autism.
"""

from __future__ import annotations

from pathlib import Path

from journal import hookimpl


NAME = "ass_predictability"

#: The entry templates, one TOML file per version (docs/plugins.md, "Templates").
ENTRY_TEMPLATES = Path(__file__).with_name("entry_templates")


@hookimpl
def journal_plugin_info():
    """Describe the plugin for the admin page."""
    return {
        "title": "ASS: voorspelbaarheid in de klas",
        "description": (
            "Observatie van stressmomenten en een checklist met aanpassingen die de klas "
            "voorspelbaar maken voor leerlingen met autisme: personen, locaties, activiteiten, "
            "tijd, onverwachte situaties, prikkels en communicatie."
        ),
        "api_version": 1,
        "bundled": True,
    }


@hookimpl
def journal_entry_templates():
    """Return the folder of TOML files: the observation template and the adaptations checklist."""
    return [ENTRY_TEMPLATES]


@hookimpl
def journal_focus_areas():
    """Add the autism focus area (a core id, so it stays one area)."""
    return [{"id": "ass", "label": "ASS (autisme)"}]
