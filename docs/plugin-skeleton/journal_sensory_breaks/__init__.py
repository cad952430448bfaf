"""A journal plugin: agreements about sensory breaks (prikkelpauzes).

A skeleton to copy: it shows the hooks most plugins need. Every hook, with
its arguments, is described in the journal's docs/plugins.md.
"""

from __future__ import annotations

from journal import hookimpl
from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import Item
from journal.plugins.entry_templates.specs import Option
from journal.plugins.entry_templates.specs import Section
from journal.plugins.entry_templates.specs import TemplateSpec

#: The entry-point name in pyproject.toml; template ids start with it.
NAME = "sensory_breaks"

#: Every published version stays here as long as entries may use it. Change
#: anything (even a label)? Add a new version and keep the old one.
BREAKS_V1 = TemplateSpec(
    id=f"{NAME}.agreement",
    version=1,
    title="Afspraken over prikkelpauzes",
    kind="agreement",
    focus_areas=("ass", "gedrag"),
    description="Welke pauzes helpen deze leerling om prikkels te verwerken, en werken ze?",
    sections=(
        Section("Wat we afspreken", (
            Field("breaks", "checklist", "Pauzes en hulpmiddelen", items=(
                Item("koptelefoon", "Koptelefoon tegen geluid bij zelfstandig werk",
                     category="compenseren"),
                Item("rustige_plek", "Rustige plek in de klas om even te bekomen",
                     category="compenseren"),
                Item("beweegpauze", "Korte beweegpauze na een lange instructie",
                     category="differentiëren"),
                Item("signaal", "Afgesproken signaal om een pauze te vragen",
                     help="Een kaartje op de bank, zonder te moeten praten.",
                     category="stimuleren"),
            )),
            Field("moment", "choice", "Wanneer is de pauze het meest nodig?", options=(
                Option("instructie", "Na de instructie"),
                Option("overgang", "Bij overgangen"),
                Option("speeltijd", "Na de speeltijd"),
            )),
        )),
        Section("Hoe het loopt", (
            Field("effect", "scale", "Hoe goed helpt het nu?",
                  scale_labels=("helpt niet", "helpt heel goed")),
            Field("toelichting", "markdown", "Toelichting"),
        )),
    ),
)


@hookimpl
def journal_plugin_info():
    """Describe the plugin for the admin page; declare the plugin API version."""
    return {
        "title": "Prikkelpauzes",
        "description": "Afspraken over pauzes om prikkels te verwerken, met wat werkt.",
        "api_version": 1,
    }


@hookimpl
def journal_templates():
    """Return every template version still in use."""
    return [BREAKS_V1]


@hookimpl
def journal_focus_areas():
    """Add a focus area to the core list."""
    return [{"id": "sensorisch", "label": "Sensorische prikkelverwerking"}]


@hookimpl
def journal_suggest_templates(trajectory):
    """Suggest the agreement for trajectories about sensory processing too."""
    if "sensorisch" in (trajectory.get("focus_areas") or ()):
        return [BREAKS_V1.id]
    return []


@hookimpl
def journal_default_settings():
    """Declare the settings an admin can change, with their defaults."""
    return {"remind_after_days": 14}


@hookimpl
def journal_validate_settings(settings):
    """Refuse settings that make no sense."""
    if not 1 <= settings["remind_after_days"] <= 90:
        return ["remind_after_days must be between 1 and 90"]
    return []
