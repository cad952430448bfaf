"""The built-in ``core`` plugin: the journal's own vocabularies.

Registered on every plugin host like datasette's default plugins (see
:data:`journal.plugins.host.BUILTIN_PLUGINS`): always active, never disabled,
shown as built in on the admin page. It answers first (``tryfirst``) and its
ids keep their meaning whatever other plugins return. Ask the host for the
merged lists: ``get_plugins().focus_areas()``, ``reflection_models()``,
``tag_vocabularies()``.
"""

from __future__ import annotations

from journal import hookimpl
from journal.plugins.hookspecs import PLUGIN_API_VERSION
from journal.plugins.hookspecs import FocusArea
from journal.plugins.hookspecs import PluginInfo
from journal.plugins.hookspecs import ReflectionModel
from journal.plugins.hookspecs import TagVocabulary

#: The core focus areas (aandachtsgebieden): a trajectory's ``focus_areas`` holds these ids.
CORE_FOCUS_AREAS = (
    {"id": "ass", "label": "ASS (autisme)"},
    {"id": "tos", "label": "TOS (taalontwikkelingsstoornis)"},
    {"id": "executieve_functies", "label": "Executieve functies"},
    {"id": "gedrag", "label": "Gedrag"},
    {"id": "type2", "label": "Type 2 (verstandelijke beperking)"},
    {"id": "leerstoornissen", "label": "Leerstoornissen (dyslexie, dyscalculie)"},
    {"id": "motoriek", "label": "Motorische beperking (type 4)"},
    {"id": "zintuiglijk", "label": "Visuele of auditieve beperking (type 6, type 7)"},
)

#: Korthagen's reflection cycle (ALACT), the core reflection model. Phase 5
#: (Uitproberen) is phase 1 of the next cycle.
KORTHAGEN = {
    "id": "korthagen",
    "title": "Reflectiecirkel van Korthagen (ALACT)",
    "phases": [
        {"key": "handelen", "title": "1. Handelen",
         "prompt": "Wat wilde ik bereiken? Wat wilde ik uitproberen? Waarop wilde ik letten?"},
        {"key": "terugblikken", "title": "2. Terugblikken",
         "prompt": "Wat gebeurde er concreet? Wat wilde, dacht, voelde en deed ik? "
                   "Wat wilden, dachten, voelden en deden de leerlingen (of de ondersteuner)?"},
        {"key": "bewustwording", "title": "3. Bewustwording van essentiële aspecten",
         "prompt": "Hoe hangen de antwoorden samen? Welke invloed had de context? "
                   "Wat is dus het probleem, of de positieve ontdekking?"},
        {"key": "alternatieven", "title": "4. Alternatieven",
         "prompt": "Welke alternatieven zie ik, met welke voor- en nadelen? Wat neem ik me voor?"},
        {"key": "uitproberen", "title": "5. Uitproberen",
         "prompt": "Wat probeer ik de volgende keer uit? (Dit is fase 1 van de volgende cyclus.)"},
    ],
}

#: The core tag vocabulary: STICORDI/REDICODIS categories of measures.
CORE_TAG_VOCABULARIES = (
    {"id": "sticordi", "label": "STICORDI",
     "tags": ["stimuleren", "compenseren", "remediëren", "differentiëren", "dispenseren"]},
)

#: Named places in the pages where plugins can add HTML (``journal_page_fragment``).
SLOTS = (
    "home_panel",          # the start page, below the user's trajectories
    "trajectory_header",   # the top of a trajectory page
    "trajectory_sidebar",  # beside a trajectory's timeline
    "entry_footer",        # below one entry on the timeline
    "entry_form",          # below the fields of the entry form
    "print_footer",        # the end of a trajectory's print view
)



@hookimpl
def journal_plugin_info() -> PluginInfo:
    """Describe the built-in plugin for the admin page."""
    return {"title": "Kern: aandachtsgebieden, Korthagen, STICORDI",
            "description": "De aandachtsgebieden, de reflectiecirkel van Korthagen en de "
                           "STICORDI-maatregelen van het journaal zelf.",
            "api_version": PLUGIN_API_VERSION}


@hookimpl(tryfirst=True)
def journal_focus_areas() -> list[FocusArea]:
    """Return the core focus areas."""
    return [dict(area) for area in CORE_FOCUS_AREAS]


@hookimpl(tryfirst=True)
def journal_reflection_models() -> list[ReflectionModel]:
    """Return Korthagen's reflection cycle."""
    return [dict(KORTHAGEN)]


@hookimpl(tryfirst=True)
def journal_tag_vocabularies() -> list[TagVocabulary]:
    """Return the STICORDI categories as a tag vocabulary."""
    return [dict(vocabulary) for vocabulary in CORE_TAG_VOCABULARIES]
