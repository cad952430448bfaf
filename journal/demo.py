"""A demo school in Flemish Dutch: accounts, pupils, trajectories, goals and entries.

Used by ``journal init --demo`` and ``journal serve --demo`` so people can try
the journal without typing a single pupil. Everything goes through the same
services as the web pages, so the demo data is valid data. Names are
invented; dates are relative to today, so one goal is always past its review
date and the start page has something to show.
"""

from __future__ import annotations

import json
import os
from datetime import date
from datetime import timedelta
from pathlib import Path

from flask import current_app

from .accounts import create_user
from .accounts import generate_password
from .process import goals as goal_service
from .process import phases
from .process import trajectories as trajectory_service
from .storage import get_store

#: user name -> (display name, roles). The user names are the Dutch role names.
DEMO_ACCOUNTS = {
    "leraar": ("Sofie Peeters", ["teacher"]),
    "leraar2": ("Tom Vermeulen", ["teacher"]),
    "ondersteuner": ("Jonas Maes", ["support"]),
    "zorg": ("An Claes", ["coordinator"]),
    "beheer": ("Dirk Wouters", ["admin"]),
}

ACCOUNTS_FILE = "demo-accounts.json"


def create_demo_school(on: date | None = None) -> dict:
    """Fill the current app's (empty) instance with a demo school.

    Writes the accounts with their random passwords to
    ``<instance>/demo-accounts.json`` (mode 0600).

    :param on: the day the demo pretends it is (default: today).
    :return: ``{username: {"password": str, "roles": [str]}}``.
    """
    today = on or date.today()
    accounts, users = _create_accounts()
    _write_accounts(Path(current_app.instance_path), accounts)
    _School(users, today).build()
    return accounts


#: The demo centre's accounts (``journal init --centre --demo``).
DEMO_CENTRE_ACCOUNTS = {
    "ondersteuner": ("Jonas Maes", ["support"]),
    "ondersteuner2": ("Lien Janssens", ["support"]),
    "directeur": ("Katrien Willems", ["director"]),
    "beheer": ("Dirk Wouters", ["admin"]),
}


def create_demo_centre() -> dict:
    """Fill the current app's (empty) centre instance with demo accounts (no pupils: a
    centre keeps none; link a demo school to see caseloads). Returns them as
    :func:`create_demo_school` does."""
    accounts, _users = _create_accounts(DEMO_CENTRE_ACCOUNTS)
    _write_accounts(Path(current_app.instance_path), accounts)
    return accounts


def _create_accounts(wanted: dict | None = None) -> tuple[dict, dict]:
    accounts, users = {}, {}
    for username, (display_name, roles) in (wanted or DEMO_ACCOUNTS).items():
        password = generate_password()
        users[username] = create_user(username, roles=roles, password=password,
                                      display_name=display_name)
        accounts[username] = {"password": password, "roles": list(roles)}
    return accounts, users


def _write_accounts(instance: Path, accounts: dict) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / ACCOUNTS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(accounts, f, indent=2, ensure_ascii=False)
    os.chmod(path, 0o600)  # also when the file already existed with other rights


class _School:
    """Builds the demo trajectories; ``d(n)`` is the ISO date ``n`` days before today."""

    def __init__(self, users: dict, today: date):
        self.u = users
        self.today = today

    def d(self, days_ago: int) -> str:
        return (self.today - timedelta(days=days_ago)).isoformat()

    # -- helpers -------------------------------------------------------------
    def trajectory(self, creator: str, *, members: dict, phase_path: list[tuple[str, int]],
                   start: int, planned_end: int | None = None, **fields) -> dict:
        data = dict(fields)
        data["members"] = [{"user_id": self.u[name]["id"], "role": role}
                           for name, role in members.items()]
        data["start_date"] = self.d(start)
        data["planned_end_date"] = self.d(planned_end) if planned_end is not None else None
        trajectory = trajectory_service.create_trajectory(self.u[creator], data)
        history, previous = [], None
        for phase, days_ago in phase_path:
            history.append({"from": previous, "to": phase, "on": self.d(days_ago),
                            "at": self.d(days_ago) + "T08:30:00+00:00",
                            "by": self.u[creator]["id"]})
            previous = phase

        def apply(doc: dict) -> None:
            doc["phase_history"] = history
            doc["phase"] = previous
            doc["closed_on"] = history[-1]["on"] if previous == phases.CLOSED else None

        return get_store().trajectories.update(trajectory["id"], apply,
                                               actor_id=self.u[creator]["id"])

    def close(self, trajectory: dict, by: str, *, days_ago: int) -> dict:
        on = self.d(days_ago)

        def apply(doc: dict) -> None:
            doc["phase_history"].append({"from": doc["phase"], "to": phases.CLOSED, "on": on,
                                         "at": on + "T15:00:00+00:00", "by": self.u[by]["id"]})
            doc["phase"] = phases.CLOSED
            doc["closed_on"] = on

        return get_store().trajectories.update(trajectory["id"], apply, actor_id=self.u[by]["id"])

    def goal(self, trajectory: dict, author: str, text: str, *, owner: str, review: int) -> dict:
        return goal_service.create_goal(
            self.u[author], trajectory["id"], {"text": text, "owner_id": self.u[owner]["id"],
                                               "review_date": self.d(review)})

    def visit(self, trajectory: dict, visitor: str, *, days_ahead: int, **fields) -> dict:
        from .process import visits

        data = {"date": self.d(-days_ahead), "visitor_ids": [self.u[visitor]["id"]], **fields}
        return visits.plan_visit(self.u[visitor], trajectory["id"], data)

    def evaluate(self, trajectory: dict, goal: dict, author: str, text: str, *, status: str,
                 days_ago: int, next_review: int | None = None) -> dict:
        data = {"date": self.d(days_ago), "text": text, "status": status,
                "next_review_date": self.d(next_review) if next_review is not None else ""}
        return goal_service.add_evaluation(self.u[author], goal["id"], data)

    def entry(self, trajectory: dict, author: str, kind: str, *, days_ago: int,
              publish: bool = True, tags: str = "", goals: tuple = (), co_authors: tuple = (),
              model_id: str | None = None, contributions: tuple = (), **fields) -> dict:
        from .process import entries as entry_service

        form = {"date": self.d(days_ago), "tags": tags, "goal_ids": [g["id"] for g in goals]}
        form.update(fields)
        return entry_service.create_entry(
            self.u[author], trajectory["id"], kind, form, publish=publish,
            co_author_ids=[self.u[c]["id"] for c in co_authors], model_id=model_id,
            contributions=contributions)

    def reflection(self, trajectory: dict, author: str, partner: str, *, days_ago: int,
                   mine: dict, theirs: dict, **fields) -> dict:
        from .process import reflection

        entry = self.entry(trajectory, author, "reflection", days_ago=days_ago,
                           co_authors=(partner,), model_id="korthagen",
                           contributions=[{"phase": k, "text": t} for k, t in mine.items()],
                           **fields)
        for key, text in theirs.items():
            entry = reflection.add_contribution(self.u[partner], entry["id"], key, text)
        return entry

    def comment(self, entry: dict, author: str, body: str) -> None:
        from .process import comments

        comments.add_comment(self.u[author], entry["id"], body)

    # -- the school --------------------------------------------------------------
    def build(self) -> None:
        self.ella()
        self.yusuf()
        self.class_5c()
        self.lars()
        self.mona()
        self.playground()

    def ella(self) -> None:
        """An autism trajectory in full swing, with an overdue goal."""
        t = self.trajectory(
            "zorg", start=70, planned_end=-120,
            members={"leraar": "teacher", "ondersteuner": "support", "zorg": "coordinator"},
            phase_path=[("intake", 70), ("observation", 63), ("goals", 42),
                        ("implementation", 35)],
            target="pupil", pupil_id="new",
            new_pupil={"display_name": "Ella", "class_group": "3B"},
            title="Ella: voorspelbaarheid bij overgangen",
            educational_need=(
                "Ella heeft nood aan **voorspelbaarheid**: wissels tussen lessen, een andere "
                "leerkracht of een onverwachte activiteit brengen haar uit evenwicht.\n\n"
                "- vooraf weten wat er komt en hoelang het duurt\n"
                "- een vaste plek om even tot rust te komen"),
            learning_question=(
                "Hoe kondig ik wissels en onverwachte veranderingen aan zonder dat de les "
                "voor de hele klas stilvalt?"),
            focus_areas=["ass"],
        )
        self.visit(t, "ondersteuner", days_ahead=3, start_time="10:25", end_time="11:15",
                   purpose="De overgang na de speeltijd observeren")
        start = self.goal(t, "ondersteuner",
                          "Ella start na de instructie **zelfstandig** aan haar taak, met het "
                          "stappenplan op haar bank, 3 keer op 4.", owner="leraar", review=5)
        corner = self.goal(t, "ondersteuner",
                           "Ella geeft zelf aan wanneer ze naar de rustige hoek wil, met haar "
                           "pauzekaartje.", owner="ondersteuner", review=30)
        self.evaluate(t, corner, "leraar",
                      "Twee keer gebruikt deze week, telkens na de speeltijd. Ze kwam na vijf "
                      "minuten zelf terug.", status="ongoing", days_ago=7, next_review=-21)
        obs = self.entry(
            t, "ondersteuner", "observation", days_ago=56, tags="overgangen, instructie",
            class_group="3B", lesson="Wiskunde", moment="Maandag, 2e lesuur",
            seen=("Bij de overgang van klassikale instructie naar zelfstandig werk blijft Ella "
                  "zitten met haar schrift dicht. Ze kijkt naar de buur en vraagt twee keer "
                  "*wat moeten we nu doen?*. Toen de juf het stappenplan op het bord schreef, "
                  "begon ze meteen."),
            quick_wins=("- het stappenplan van de taak ook op het bord laten staan\n"
                        "- vooraf zeggen hoelang het zelfstandig werk duurt (timer)"))
        self.comment(obs, "leraar", "Herkenbaar. Ik probeer morgen de timer op het digibord.")
        self.entry(
            t, "leraar", "observation", days_ago=20, tags="overgangen", goals=(start,),
            class_group="3B", lesson="Frans", moment="Donderdag, na de speeltijd",
            seen=("Met de dagplanning op haar bank en de timer op het bord begon Ella zonder "
                  "vragen aan de oefeningen. Na tien minuten stond ze even recht, ging naar "
                  "de rustige hoek en kwam na vijf minuten terug."),
            quick_wins="De dagplanning 's morgens samen overlopen werkt ook voor andere leerlingen.")
        self.reflection(
            t, "leraar", "ondersteuner", days_ago=28,
            mine={"handelen": "Ik wilde de wissel naar groepswerk aankondigen met een "
                              "pictogram en de timer.",
                  "terugblikken": "Het ging vlotter dan verwacht, maar ik vergat het bij de "
                                  "wissel naar de turnles."},
            theirs={"bewustwording": "De aankondiging werkt als ze *vast* op hetzelfde moment "
                                     "komt. Je doet eigenlijk al veel van wat Ella helpt."},
            conclusions="Aankondigen werkt, als het een vast ritueel wordt voor de hele klas.",
            next_steps="Pictogrammen voor elke wissel; ook de turnleerkracht krijgt het schema.")
        self.entry(
            t, "ondersteuner", "agreement", days_ago=25, tags="compenseren", goals=(start,),
            co_authors=("leraar",),
            what=("Elke wissel wordt **vooraf aangekondigd** met een pictogram op het bord en "
                  "de timer. Ella krijgt een eigen dagplanning op haar bank."),
            applied_by="alle leraren van 3B", from_date=self.d(24), review_date=self.d(-30))
        self.entry(
            t, "ondersteuner", "one_to_one", days_ago=14, tags="zelfredzaamheid",
            what="Samen met Ella haar pauzekaartje ontworpen en afgesproken wanneer ze het gebruikt.",
            serves_learning_question=("De leraar weet nu hoe het kaartje werkt en kan het zonder "
                                      "mij inzetten."),
            lowers_barriers="Ella vraagt zelf een pauze in plaats van vast te lopen in de les.",
            return_to_class=self.d(14))
        self.entry(
            t, "leraar", "observation", days_ago=2, publish=False, tags="overgangen",
            class_group="3B", lesson="Muzische vorming", moment="Vrijdag, laatste lesuur",
            seen="Nog aanvullen: de uitstap werd verplaatst en Ella ...")

    def yusuf(self) -> None:
        """A language-disorder trajectory in the observation phase."""
        t = self.trajectory(
            "zorg", start=18, members={"leraar2": "teacher", "ondersteuner": "support"},
            phase_path=[("intake", 18), ("observation", 12)],
            target="pupil", pupil_id="new",
            new_pupil={"display_name": "Yusuf", "class_group": "1A"},
            educational_need=("Yusuf begrijpt mondelinge instructies met meerdere stappen "
                              "moeilijk (TOS). Hij heeft nood aan korte, visueel ondersteunde "
                              "instructies."),
            learning_question="Hoe geef ik instructies die Yusuf én de rest van de klas helpen?",
            focus_areas=["tos"],
        )
        self.entry(
            t, "ondersteuner", "observation", days_ago=8, tags="instructie, taal",
            class_group="1A", lesson="Nederlands", moment="Dinsdag, 1e lesuur",
            seen=("De leraar gaf de opdracht in één lange zin met drie stappen. Yusuf begon aan "
                  "stap één en keek daarna rond. Toen de buur het boek openlegde, volgde hij."),
            quick_wins=("- instructie opsplitsen en elke stap op het bord zetten\n"
                        "- spreektempo iets lager, kernwoorden herhalen"))

    def class_5c(self) -> None:
        """A teacher-aimed trajectory about executive functions, setting goals."""
        t = self.trajectory(
            "ondersteuner", start=30, planned_end=-60,
            members={"ondersteuner": "support", "leraar": "teacher"},
            phase_path=[("intake", 30), ("observation", 24), ("goals", 6)],
            target="teacher", title="5C: plannen en starten in stappen",
            learning_question=("Hoe help ik de klas om grotere taken te plannen, zonder dat ik "
                               "voor elke leerling apart een planning moet maken?"),
            focus_areas=["executieve_functies"],
        )
        self.goal(t, "ondersteuner",
                  "De leraar zet bij elke grotere taak een **stappenplan met tijden** op het "
                  "bord, en de klas vinkt af.", owner="leraar", review=-28)

    def lars(self) -> None:
        """A new support request for a toddler, still at intake."""
        self.trajectory(
            "zorg", start=3, members={"zorg": "coordinator", "leraar2": "teacher"},
            phase_path=[("intake", 3)],
            target="pupil", pupil_id="new",
            new_pupil={"display_name": "Lars", "class_group": "K3"},
            educational_need=("Lars heeft nood aan een duidelijke, gestructureerde klasomgeving "
                              "en aan korte opdrachten met prenten."),
            focus_areas=["type2"],
        )

    def mona(self) -> None:
        """A behaviour trajectory that was closed after its goal was achieved."""
        t = self.trajectory(
            "zorg", start=200, planned_end=60,
            members={"leraar": "teacher", "ondersteuner": "support"},
            phase_path=[("intake", 200), ("observation", 190), ("goals", 170),
                        ("implementation", 160), ("fading_out", 90)],
            target="pupil", pupil_id="new",
            new_pupil={"display_name": "Mona", "class_group": "2B"},
            educational_need="Mona heeft nood aan een duidelijk gedragskader met vaste afspraken.",
            learning_question="Hoe reageer ik rustig en consequent als Mona de les verstoort?",
            focus_areas=["gedrag"],
        )
        goal = self.goal(t, "ondersteuner",
                         "Mona volgt de drie klasafspraken tijdens het groepswerk.",
                         owner="leraar", review=100)
        self.evaluate(t, goal, "leraar",
                      "Al zes weken geen conflicten meer tijdens het groepswerk. De afspraken "
                      "hangen in de klas en de leerlingen herinneren elkaar eraan.",
                      status="achieved", days_ago=95)
        self.close(t, "ondersteuner", days_ago=60)

    def playground(self) -> None:
        """A team trajectory about a low-stimulus corner, fading out."""
        t = self.trajectory(
            "zorg", start=120, planned_end=-14,
            members={"zorg": "coordinator", "ondersteuner": "support", "leraar": "teacher",
                     "leraar2": "teacher"},
            phase_path=[("intake", 120), ("observation", 110), ("goals", 95),
                        ("implementation", 80), ("fading_out", 10)],
            target="team", title="Team lagere school: prikkelarme hoek op de speelplaats",
            learning_question=("Hoe richten we als team een prikkelarme hoek in die elke "
                               "toezichter op dezelfde manier gebruikt?"),
            focus_areas=["ass", "gedrag"],
        )
        self.entry(
            t, "zorg", "agreement", days_ago=75, tags="speelplaats",
            what=("De rustige hoek onder het afdak is vrij voor wie even wil bekomen. De "
                  "toezichter spreekt leerlingen daar niet aan, tenzij ze hulp vragen."),
            applied_by="alle toezichters", from_date=self.d(74), review_date=self.d(-14))
