"""The templates of the executive-functions plugin, built from one table of functions.

Any change to a spec (even a label) needs a version bump: what staff saw is
part of the record. Taxonomy after Dawson & Guare; the scaffolds are common
classroom practice (see docs/bundled-plugins.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import Item
from journal.plugins.entry_templates.specs import Option
from journal.plugins.entry_templates.specs import Section
from journal.plugins.entry_templates.specs import TemplateSpec

FOCUS_AREAS = ("executieve_functies",)


@dataclass(frozen=True)
class Function:
    """One executive function: what to observe and how to support it."""

    key: str
    label: str
    question: str
    scaffolds: tuple[Item, ...]


def _scaffold(key: str, label: str, category: str, help: str = "") -> Item:
    return Item(key=key, label=label, help=help, category=category)


FUNCTIONS = (
    Function("planning", "Planning", "Kan de leerling een taak in stappen opdelen en de volgorde bepalen?", (
        _scaffold("step_plan", "Stappenplan bij de taak", "compenseren"),
        _scaffold("first_then", "'Eerst … dan …'-kaart", "compenseren"),
        _scaffold("split_deadlines", "Grote taken en deadlines opdelen in tussenstappen met een "
                  "eigen datum", "differentiëren"),
    )),
    Function("organisation", "Organisatie", "Vindt de leerling zijn of haar materiaal terug; zijn "
             "bank, map en boekentas geordend?", (
        _scaffold("colour_codes", "Kleurcode per vak (map, schrift, kaft)", "compenseren"),
        _scaffold("bag_checklist", "Checklist voor de boekentas", "compenseren"),
        _scaffold("tidy_moment", "Vast opruimmoment op het einde van de dag of les",
                  "differentiëren"),
    )),
    Function("working_memory", "Werkgeheugen", "Onthoudt de leerling een instructie met meerdere "
             "stappen?", (
        _scaffold("instruction_card", "Instructie op een kaart of op het bord laten staan",
                  "compenseren", "Kindtaal: de landkaart van de boot."),
        _scaffold("chunking", "Instructie in kleine stukjes geven en laten herhalen",
                  "differentiëren"),
        _scaffold("help_cards", "Hulpkaarten (woorden, formules, stappen) bij de hand",
                  "compenseren"),
    )),
    Function("time_management", "Timemanagement", "Kan de leerling inschatten hoe lang iets duurt "
             "en op tijd afronden?", (
        _scaffold("timer", "Time-timer of tijdsbalk zichtbaar op de bank of het bord",
                  "compenseren"),
        _scaffold("estimate_compare", "Vooraf de tijd laten schatten en achteraf vergelijken",
                  "remediëren"),
    )),
    Function("inhibition", "Inhibitie", "Denkt de leerling na voor hij of zij iets doet, en wacht "
             "hij of zij de beurt af?", (
        _scaffold("stop_think_do", "'Stop – denk – doe'-kaart", "remediëren",
                  "Kindtaal: het anker van de boot."),
        _scaffold("turn_card", "Beurtkaart of afgesproken beurtsignaal", "compenseren"),
        _scaffold("repeat_and_praise", "Afspraken vooraf herhalen en gewenst gedrag meteen "
                  "benoemen", "stimuleren"),
    )),
    Function("sustained_attention", "Volgehouden aandacht", "Hoe lang blijft de leerling bij de "
             "taak?", (
        _scaffold("short_blocks", "Korte werkblokken met een korte pauze", "differentiëren"),
        _scaffold("calm_workplace", "Prikkelarme werkplek", "compenseren"),
        _scaffold("task_in_parts", "De taak in delen aanbieden (één blad tegelijk)",
                  "differentiëren"),
    )),
    Function("task_initiation", "Taakinitiatie", "Begint de leerling zelfstandig aan een taak?", (
        _scaffold("start_signal", "Afgesproken startsignaal of startkaart", "compenseren"),
        _scaffold("first_step_together", "De eerste stap samen zetten", "differentiëren"),
        _scaffold("example_done", "De eerste opgave staat al voorgedaan", "compenseren"),
    )),
    Function("flexibility", "Flexibiliteit", "Hoe reageert de leerling op wijzigingen en fouten?", (
        _scaffold("announce_changes", "Wijzigingen vooraf aankondigen", "differentiëren"),
        _scaffold("plan_b", "Een plan B zichtbaar maken", "compenseren"),
        _scaffold("social_scenario", "Een sociaal scenario voor moeilijke situaties", "remediëren"),
    )),
    Function("emotion_regulation", "Emotieregulatie", "Herkent de leerling de eigen emoties en "
             "kan hij of zij ze reguleren?", (
        _scaffold("thermometer", "Emotiethermometer", "compenseren"),
        _scaffold("calming_strategy", "Rustplek en een afgesproken kalmeerstrategie",
                  "compenseren"),
        _scaffold("debrief", "Nabespreken op een rustig moment", "remediëren"),
    )),
    Function("goal_directed", "Doelgericht gedrag", "Houdt de leerling vol als het moeilijk "
             "wordt?", (
        _scaffold("sub_goals", "Kleine tussendoelen", "differentiëren"),
        _scaffold("visible_progress", "Voortgang zichtbaar maken", "stimuleren"),
        _scaffold("reward_effort", "Inzet belonen, niet alleen het resultaat", "stimuleren"),
    )),
    Function("metacognition", "Metacognitie", "Kan de leerling de eigen aanpak bekijken en "
             "bijsturen?", (
        _scaffold("self_evaluation", "Zelfevaluatiekaart na de taak", "compenseren"),
        _scaffold("how_did_you", "Vragen als 'Hoe pakte je het aan? Wat doe je de volgende "
                  "keer?'", "remediëren"),
        _scaffold("think_aloud", "Hardop denkend voordoen", "remediëren"),
    )),
)

#: Who a filled template is about: one pupil or the whole class.
SCOPE = Field(
    key="scope",
    type="choice",
    label="Voor wie?",
    required=True,
    options=(
        Option("pupil", "voor één leerling"),
        Option("class", "voor de hele klas"),
    ),
)

#: How a function showed during the observation.
OBSERVED = (
    Option("independent", "lukt zelfstandig"),
    Option("with_help", "lukt met hulp"),
    Option("not_yet", "lukt nog niet"),
    Option("not_seen", "niet geobserveerd"),
)

OBSERVATION = TemplateSpec(
    id="executive_functions.observation",
    version=1,
    title="Executieve functies: observatie",
    kind="observation",
    description=(
        "Een observatievraag per executieve functie. Beantwoord alleen wat je zag; de rest "
        "laat je open of duid je aan als niet geobserveerd."
    ),
    focus_areas=FOCUS_AREAS,
    sections=(
        Section(
            title="Context",
            help=(
                "Kijk eerst naar de instructie en de situatie: een moeilijkheid ligt zelden bij "
                "één functie alleen."
            ),
            fields=(
                SCOPE,
                Field(
                    key="context",
                    type="markdown",
                    label="Welke les of taak, en hoe werd de instructie gegeven?",
                ),
            ),
        ),
        Section(
            title="Observatievragen",
            help="Observeer je de hele klas, lees dan 'de leerlingen'.",
            fields=tuple(
                Field(key=f.key, type="choice", label=f"{f.label}: {f.question}", options=OBSERVED)
                for f in FUNCTIONS
            ),
        ),
        Section(
            title="Wat zag je?",
            fields=(
                Field(
                    key="seen",
                    type="markdown",
                    label="Wat zag en hoorde je concreet?",
                    help="Noteer gedrag, geen oordeel: 'begint pas na 10 minuten', niet 'is lui'.",
                ),
            ),
        ),
    ),
)

SCAFFOLDS = TemplateSpec(
    id="executive_functions.scaffolds",
    version=1,
    title="Executieve functies: ondersteuning",
    kind="agreement",
    description=(
        "Ondersteuning per executieve functie. Kies enkel de functies waar het nu om gaat en "
        "duid per hulpmiddel aan wat je al doet, gaat proberen of wat werkt."
    ),
    focus_areas=FOCUS_AREAS,
    sections=(Section(title="Voor wie?", fields=(SCOPE,)),) + tuple(
        Section(
            title=f.label,
            help=f.question,
            fields=(
                Field(
                    key=f"{f.key}_scaffolds",
                    type="checklist",
                    label=f"Ondersteuning bij {f.label.lower()}",
                    items=f.scaffolds,
                ),
            ),
        )
        for f in FUNCTIONS
    ),
)

#: Every live template version of this plugin.
TEMPLATES = (OBSERVATION, SCAFFOLDS)
