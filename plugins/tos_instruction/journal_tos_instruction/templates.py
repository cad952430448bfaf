"""The templates of the TOS plugin, as data.

Any change to a spec (even a label) needs a version bump: what staff saw is
part of the record. Checklist item keys are unique across the whole
adaptations template, because the per-teacher feasibility overview
(:mod:`.feasibility`) uses them as row keys.
"""

from __future__ import annotations

from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import Item
from journal.plugins.entry_templates.specs import Option
from journal.plugins.entry_templates.specs import Section
from journal.plugins.entry_templates.specs import TemplateSpec

FOCUS_AREAS = ("tos",)

#: How often a signal showed during the observation.
SEEN = (
    Option("often", "vaak"),
    Option("sometimes", "soms"),
    Option("not_seen", "niet gezien"),
)

#: Signals of a developmental language disorder: field key -> question.
SIGNALS = (
    ("short_answers", "Praat weinig, geeft korte antwoorden of zegt 'weet ik niet'"),
    ("off_target", "Antwoorden sluiten niet aan bij de vraag"),
    ("rambling", "Vertelt warrig of wijdt uit"),
    ("no_group_talk", "Doet niet mee aan het groepsgesprek"),
    ("unclear_expectation", "Weet na de instructie niet wat er verwacht wordt"),
    ("needs_time", "Heeft veel tijd nodig om iets te verwoorden"),
    ("vocabulary_grammar", "Beperkte woordenschat of veel grammaticafouten"),
)

SIGNALS_OBSERVATION = TemplateSpec(
    id="tos_instruction.signals",
    version=1,
    title="TOS: signalen observeren",
    kind="observation",
    description=(
        "Leerlingen met een taalontwikkelingsstoornis zijn vaak stil en vallen weinig op. "
        "Noteer welke signalen je ziet en bij welke instructie."
    ),
    focus_areas=FOCUS_AREAS,
    sections=(
        Section(
            title="De les",
            fields=(
                Field(
                    key="situation",
                    type="text",
                    label="Welke les of welk moment?",
                    help="Bijvoorbeeld: instructie wiskunde, kringgesprek, groepswerk.",
                    max_length=200,
                ),
            ),
        ),
        Section(
            title="Signalen",
            help="Duid aan hoe vaak je elk signaal zag.",
            fields=tuple(Field(key=key, type="choice", label=label, options=SEEN)
                         for key, label in SIGNALS),
        ),
        Section(
            title="Wat zag je?",
            fields=(
                Field(
                    key="seen",
                    type="markdown",
                    label="Wat zag en hoorde je concreet, en bij welke instructie?",
                ),
                Field(
                    key="social_emotional",
                    type="markdown",
                    label="Zie je onzekerheid, terugtrekken of boosheid na een misverstand?",
                    help="Gedrag dat voortkomt uit moeilijk communiceren is geen onwil.",
                ),
                Field(
                    key="what_helped",
                    type="markdown",
                    label="Wat hielp de leerling om de instructie te begrijpen?",
                ),
            ),
        ),
    ),
)


def _item(key: str, label: str, category: str = "", help: str = "") -> Item:
    return Item(key=key, label=label, help=help, category=category)


ADAPTATIONS = TemplateSpec(
    id="tos_instruction.adaptations",
    version=1,
    title="TOS: instructie-aanpassingen",
    kind="agreement",
    description=(
        "Aanpassingen in instructie, opdrachten en feedback voor een leerling met een "
        "taalontwikkelingsstoornis. In het secundair heeft de leerling 7 à 8 leraren: kies "
        "aanpassingen die voor elk van hen haalbaar zijn en houd dat bij in het overzicht "
        "'haalbaarheid per leraar'."
    ),
    focus_areas=FOCUS_AREAS,
    sections=(
        Section(
            title="Instructie",
            fields=(
                Field(
                    key="instruction",
                    type="checklist",
                    label="Instructie",
                    items=(
                        _item("single_step", "Korte, heldere instructie: één opdracht per zin",
                              "differentiëren"),
                        _item("state_goal", "Het doel benoemen bij de start", "differentiëren"),
                        _item("visualise", "Visualiseren: bord, prenten, gebaren of concreet "
                              "materiaal", "compenseren"),
                        _item("same_words", "Herhalen met dezelfde woorden", "differentiëren"),
                        _item("split_and_project", "Een opdracht met meerdere stappen opsplitsen "
                              "en de stappen op het bord projecteren", "compenseren"),
                        _item("speaking_pace", "Trager spreken en pauzes inlassen",
                              "differentiëren"),
                        _item("wait_time", "Extra denktijd geven; het antwoord niet invullen "
                              "voor de leerling", "differentiëren"),
                        _item("pre_teach", "Nieuwe woorden vooraf aanbrengen met een woordmuur "
                              "of woordkaart", "remediëren"),
                        _item("check_by_doing", "Begrip nagaan door te laten tonen of doen, niet "
                              "met 'begrijp je het?'", "differentiëren"),
                        _item("extended_instruction", "Verlengde instructie of begeleid "
                              "inoefenen", "remediëren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Opdrachten",
            fields=(
                Field(
                    key="tasks",
                    type="checklist",
                    label="Opdrachten",
                    items=(
                        _item("sub_tasks", "Opdelen in kleine deeltaken", "differentiëren"),
                        _item("clear_layout", "Overzichtelijke, gestructureerde opdrachtbladen",
                              "compenseren"),
                        _item("short_term", "Haalbaar op korte termijn, met een tussentijdse "
                              "controle", "differentiëren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Feedback",
            fields=(
                Field(
                    key="feedback",
                    type="checklist",
                    label="Feedback",
                    items=(
                        _item("short_positive", "Kort, eenvoudig en positief", "stimuleren"),
                        _item("process_effort", "Gericht op aanpak en inzet", "stimuleren"),
                        _item("successes", "Succeservaringen benoemen", "stimuleren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Zelfredzaamheid",
            fields=(
                Field(
                    key="self_reliance",
                    type="checklist",
                    label="Zelfredzaamheid",
                    items=(
                        _item("schema", "Een stappenschema of taakkaart die de leerling zelf "
                              "gebruikt", "compenseren"),
                        _item("text_to_speech", "Voorleessoftware (tekst naar spraak) bij "
                              "teksten en toetsen", "compenseren"),
                        _item("oral_or_extra_time", "Mondeling toetsen of extra tijd",
                              "compenseren"),
                        _item("ask_card", "De leerling oefent hoe hij of zij om uitleg vraagt "
                              "(vraagkaart)", "remediëren"),
                    ),
                ),
                Field(
                    key="other_agreements",
                    type="markdown",
                    label="Andere afspraken",
                ),
            ),
        ),
    ),
)

#: Every live template version of this plugin.
TEMPLATES = (SIGNALS_OBSERVATION, ADAPTATIONS)


def adaptation_items() -> list[tuple[str, Item]]:
    """Return ``(section title, item)`` for every adaptation, in template order."""
    return [(section.title, item)
            for section in ADAPTATIONS.sections
            for f in section.fields if f.type == "checklist"
            for item in f.items]
