"""The templates of the behaviour plugin, as data.

Any change to a spec (even a label) needs a version bump: what staff saw is
part of the record. Based on the camera method, the ABC model and functional
behaviour analysis, and Flemish low-stimulus corner practice (see
docs/bundled-plugins.md).
"""

from __future__ import annotations

from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import Item
from journal.plugins.entry_templates.specs import Option
from journal.plugins.entry_templates.specs import Section
from journal.plugins.entry_templates.specs import TemplateSpec

ABC = TemplateSpec(
    id="behaviour_low_stimulus.abc",
    version=1,
    title="Gedrag: ABC-observatie",
    kind="observation",
    description=(
        "Beschrijf eerst het gedrag, dan wat eraan voorafging en wat erop volgde. Zo zie je na "
        "enkele observaties welke situaties het gedrag uitlokken en wat het de leerling oplevert."
    ),
    focus_areas=("gedrag",),
    sections=(
        Section(
            title="B – Gedrag (vul dit eerst in)",
            help=(
                "Cameramethode: noteer alleen wat je ziet en hoort, geen gedachten of gevoelens. "
                "Schrijf 'wiebelt voortdurend op de stoel', niet 'is zenuwachtig'."
            ),
            fields=(
                Field(
                    key="behaviour",
                    type="markdown",
                    label="Wat deed de leerling precies?",
                    required=True,
                ),
                Field(
                    key="frequency_duration",
                    type="text",
                    label="Hoe vaak en hoe lang?",
                    help="Bijvoorbeeld: 3 keer in de les, telkens ongeveer 2 minuten.",
                    max_length=200,
                ),
            ),
        ),
        Section(
            title="A – Aanleiding",
            fields=(
                Field(
                    key="setting",
                    type="text",
                    label="Wie was erbij, waar en tijdens welke activiteit?",
                    max_length=300,
                ),
                Field(
                    key="just_before",
                    type="markdown",
                    label="Wat gebeurde er vlak vóór het gedrag?",
                ),
                Field(
                    key="not_occurring",
                    type="markdown",
                    label="Wanneer doet het gedrag zich níét voor?",
                    help="Ook dat zegt veel: bij welke leraar, activiteit of plaats gaat het wel?",
                ),
            ),
        ),
        Section(
            title="C – Gevolgen",
            fields=(
                Field(
                    key="consequence",
                    type="markdown",
                    label="Wat volgde er op het gedrag?",
                    help="Wat deden de leraar en de klasgenoten? Wat gebeurde er daarna met de taak?",
                ),
                Field(
                    key="gains_losses",
                    type="markdown",
                    label="Wat won (+) en verloor (−) de leerling erbij, op korte en op lange termijn?",
                ),
            ),
        ),
        Section(
            title="Hypothese",
            fields=(
                Field(
                    key="function",
                    type="choice",
                    label="Wat lijkt het gedrag de leerling op te leveren?",
                    options=(
                        Option("obtain", "Iets krijgen (aandacht, een voorwerp, een activiteit)"),
                        Option("avoid", "Iets vermijden (een taak, een prikkel, een persoon)"),
                        Option("unclear", "Nog onduidelijk: verder observeren"),
                    ),
                ),
                Field(
                    key="next_step",
                    type="markdown",
                    label="Welke aanpak proberen we, en wanneer kijken we opnieuw?",
                ),
            ),
        ),
    ),
)


def _item(key: str, label: str, category: str = "", help: str = "") -> Item:
    return Item(key=key, label=label, help=help, category=category)


QUIET_CORNER = TemplateSpec(
    id="behaviour_low_stimulus.quiet_corner",
    version=1,
    title="Prikkelarme hoek: afspraken",
    kind="agreement",
    description=(
        "Afspraken over een prikkelarme hoek of rustplek in de klas. De hoek is een hulpmiddel "
        "om tot rust te komen, geen straf."
    ),
    focus_areas=("gedrag", "ass"),
    sections=(
        Section(
            title="De plek",
            fields=(
                Field(
                    key="place",
                    type="checklist",
                    label="De plek",
                    items=(
                        _item("fixed_spot", "Een vaste, herkenbare plek in de klas (niet de gang), "
                              "visueel rustig en afgeschermd", "compenseren"),
                        _item("prevention_first", "Eerst preventie: een vaste dag- en weekplanning, "
                              "afwijkingen worden vooraf benoemd", "differentiëren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Wat ligt er klaar?",
            fields=(
                Field(
                    key="contents",
                    type="checklist",
                    label="Inhoud van de hoek",
                    items=(
                        _item("headphones", "Koptelefoon", "compenseren"),
                        _item("seat", "Zitkussen of poef", "compenseren"),
                        _item("timer", "Time-timer", "compenseren"),
                        _item("calming_card", "Emotiekaart en een kalmeerkaart met 2 à 3 "
                              "strategieën", "compenseren"),
                        _item("fidget", "Friemelmateriaal of een verzwaard kussen", "compenseren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Afspraken",
            fields=(
                Field(
                    key="rules",
                    type="checklist",
                    label="Afspraken met de leerling",
                    items=(
                        _item("when", "Wanneer de leerling naar de hoek mag: liefst vóór het "
                              "escaleert", "differentiëren"),
                        _item("break_card", "Met een time-outkaart vraagt de leerling zelf een "
                              "pauze", "compenseren"),
                        _item("how_long", "Hoe lang: met de time-timer", "differentiëren"),
                        _item("return", "Hoe de leerling terugkeert (picto 'terug naar "
                              "werkplek')", "compenseren"),
                        _item("practised", "Geen straf maar een hulpmiddel, samen geoefend op een "
                              "rustig moment", "stimuleren"),
                        _item("co_regulation", "Een volwassene blijft in de buurt als de leerling "
                              "dat nodig heeft (jonge kinderen hebben co-regulatie nodig)",
                              "stimuleren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Opvolging",
            fields=(
                Field(
                    key="follow_up",
                    type="checklist",
                    label="Opvolging",
                    items=(
                        _item("log", "Noteren: tijdstip, aanleiding, duur en wat hielp"),
                        _item("weekly_review", "Wekelijks samen naar patronen kijken"),
                    ),
                ),
                Field(
                    key="other_agreements",
                    type="markdown",
                    label="Andere afspraken",
                    help="Bijvoorbeeld: wie er tegelijk in de hoek mag, wat klasgenoten weten.",
                ),
            ),
        ),
    ),
)

#: Every live template version of this plugin.
TEMPLATES = (ABC, QUIET_CORNER)
