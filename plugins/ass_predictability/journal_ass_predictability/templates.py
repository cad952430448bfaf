"""The templates of the ASS plugin, as data.

Any change to a spec (even a label) needs a version bump: what staff saw is
part of the record. The wording is Dutch, as an ondersteuner hands it to a
teacher; sources: PLATO and the Flemish autism structure tips (see
docs/bundled-plugins.md).
"""

from __future__ import annotations

from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import Item
from journal.plugins.entry_templates.specs import Option
from journal.plugins.entry_templates.specs import Section
from journal.plugins.entry_templates.specs import TemplateSpec

FOCUS_AREAS = ("ass",)

OBSERVATION = TemplateSpec(
    id="ass_predictability.observation",
    version=1,
    title="ASS: observatie van een stressmoment",
    kind="observation",
    description=(
        "Kort noteren wat er gebeurde rond een moment van stress of paniek, om te zien welke "
        "onvoorspelbaarheid meespeelde en wat hielp."
    ),
    focus_areas=FOCUS_AREAS,
    sections=(
        Section(
            title="Het moment",
            help="Noteer wat je zag en hoorde (cameramethode), niet wat je denkt dat de leerling voelde.",
            fields=(
                Field(
                    key="situation",
                    type="text",
                    label="Welk moment of welke activiteit?",
                    help="Bijvoorbeeld: overgang na de speeltijd, groepswerk in de les Frans.",
                    max_length=200,
                ),
                Field(
                    key="just_before",
                    type="markdown",
                    label="Wat gebeurde er vlak vóór het moment van stress?",
                    required=True,
                ),
                Field(
                    key="signals",
                    type="markdown",
                    label="Hoe liet de leerling merken dat het te veel werd?",
                    help="Bijvoorbeeld: handen over de oren, wegstappen, herhaaldelijk vragen stellen.",
                ),
                Field(
                    key="stress_level",
                    type="scale",
                    label="Hoe groot was de spanning?",
                    scale_min=1,
                    scale_max=5,
                    scale_labels=("rustig", "zeer gespannen"),
                ),
            ),
        ),
        Section(
            title="Voorspelbaarheid",
            fields=(
                Field(
                    key="unannounced_change",
                    type="choice",
                    label="Welke verandering was niet aangekondigd?",
                    options=(
                        Option("person", "Wie: een andere persoon (vervanger, bezoeker)"),
                        Option("place", "Waar: een ander lokaal of een andere plaats"),
                        Option("activity", "Wat: een andere activiteit of opdracht"),
                        Option("time", "Wanneer of hoe lang: een ander tijdstip of een langere duur"),
                        Option("unexpected", "Een onverwachte situatie (brandoefening, lawaai, ruzie)"),
                        Option("none", "Geen: alles was aangekondigd"),
                        Option("unknown", "Weet ik niet"),
                    ),
                ),
                Field(
                    key="change_detail",
                    type="text",
                    label="Welke verandering precies?",
                    max_length=300,
                ),
            ),
        ),
        Section(
            title="Wat hielp?",
            fields=(
                Field(
                    key="what_helped",
                    type="markdown",
                    label="Wat hielp de leerling om tot rust te komen?",
                    help="Een hulpmiddel, een rustig plekje, een persoon, een aankondiging, …",
                ),
                Field(
                    key="next_time",
                    type="markdown",
                    label="Wat kunnen we de volgende keer vooraf aankondigen of verduidelijken?",
                ),
            ),
        ),
    ),
)


def _item(key: str, label: str, category: str = "", help: str = "") -> Item:
    return Item(key=key, label=label, help=help, category=category)


ADAPTATIONS = TemplateSpec(
    id="ass_predictability.adaptations",
    version=1,
    title="ASS: voorspelbaarheid in de klas (checklist)",
    kind="agreement",
    description=(
        "Welke aanpassingen maken de klas voorspelbaar voor deze leerling? Duid per aanpassing "
        "aan wat je al doet, wat je gaat proberen en wat werkt. Kies er een paar; niet alles "
        "hoeft tegelijk."
    ),
    focus_areas=FOCUS_AREAS,
    sections=(
        Section(
            title="Personen: wie?",
            fields=(
                Field(
                    key="persons",
                    type="checklist",
                    label="Personen",
                    items=(
                        _item("who_present", "Vooraf tonen wie er bij een activiteit is "
                              "(foto van leraar, ondersteuner of vervanger)", "compenseren"),
                        _item("contact_person", "De leerling weet bij wie hij of zij terechtkan "
                              "met vragen; er zijn afspraken over wanneer en hoe een buddy helpt",
                              "differentiëren"),
                        _item("absence_announced", "Afwezigheid of vervanging vooraf aankondigen",
                              "differentiëren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Locaties: waar?",
            fields=(
                Field(
                    key="places",
                    type="checklist",
                    label="Locaties",
                    items=(
                        _item("fixed_workspace", "Vaste werkplek, gemarkeerd met naam, foto of "
                              "picto en afgeschermd van afleidende prikkels", "compenseren"),
                        _item("seat_change_announced", "Een wissel van plaats of lokaal vooraf "
                              "aankondigen", "differentiëren"),
                        _item("zones_clear", "Elke hoek heeft één herkenbare functie; een lokaal "
                              "met meerdere functies (refter, turnzaal) wordt verduidelijkt",
                              "compenseren"),
                        _item("quiet_spot", "De leerling weet waar een rustig plekje is als het "
                              "niet meer gaat", "compenseren"),
                        _item("materials_ready", "Materiaal voor een taak ligt klaar in een vaste "
                              "bak of lade", "compenseren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Activiteiten: wat?",
            fields=(
                Field(
                    key="activities",
                    type="checklist",
                    label="Activiteiten",
                    items=(
                        _item("visual_steps", "De opdracht concreet en stap voor stap geven, met "
                              "een visueel stappenplan", "compenseren"),
                        _item("done_next", "Zichtbaar maken wat klaar is en wat daarna komt",
                              "compenseren"),
                        _item("choice_or_must", "Duidelijk maken wat keuze is en wat verplicht is",
                              "differentiëren"),
                        _item("group_work_announced", "Groepswerk vooraf aankondigen: met wie, "
                              "welke taak, hoe lang", "differentiëren"),
                        _item("test_content_explained", "Toetsinhoud en vraagvormen vooraf in "
                              "detail toelichten", "compenseren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Tijd: wanneer en hoe lang?",
            fields=(
                Field(
                    key="time",
                    type="checklist",
                    label="Tijd",
                    items=(
                        _item("day_schedule", "Dagschema (klasbord en eigen schema) in een vorm "
                              "die de leerling begrijpt: voorwerp, foto, picto of woord",
                              "compenseren"),
                        _item("start_end", "Begin- en einduur vermelden; vage tijdswoorden als "
                              "'even', 'straks' of 'ongeveer' vermijden", "differentiëren"),
                        _item("transitions", "Overgangen aankondigen en op het schema afvinken",
                              "compenseren"),
                        _item("change_card", "Wijzigingen tijdig tonen met een wijzigingskaart",
                              "compenseren"),
                        _item("timer", "Een (time-)timer toont hoe lang iets nog duurt",
                              "compenseren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Onverwachte situaties",
            fields=(
                Field(
                    key="unexpected",
                    type="checklist",
                    label="Onverwachte situaties",
                    items=(
                        _item("plan_unexpected", "Een plan voor onverwachte momenten "
                              "(brandoefening, uitstap, vervanging), vooraf met de leerling "
                              "overlopen", "differentiëren"),
                        _item("explicit_links", "Verbanden die anderen vanzelf leggen, expliciet "
                              "uitleggen", "remediëren"),
                    ),
                ),
            ),
        ),
        Section(
            title="Prikkels en communicatie",
            fields=(
                Field(
                    key="senses_communication",
                    type="checklist",
                    label="Prikkels en communicatie",
                    items=(
                        _item("sensory_options", "Koptelefoon of oordopjes en een prikkelarme "
                              "werkplek zijn beschikbaar; de klas is visueel rustig",
                              "compenseren"),
                        _item("literal_language", "Concrete, letterlijke taal; ironie en "
                              "beeldspraak worden uitgelegd", "differentiëren"),
                        _item("own_structure", "De leerling wordt eigenaar van de eigen structuur; "
                              "de hulp wordt stap voor stap afgebouwd", "remediëren"),
                    ),
                ),
                Field(
                    key="other_agreements",
                    type="markdown",
                    label="Andere afspraken of aandachtspunten",
                ),
            ),
        ),
    ),
)

#: Every live template version of this plugin.
TEMPLATES = (OBSERVATION, ADAPTATIONS)
