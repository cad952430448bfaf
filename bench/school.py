"""A synthetic school of any size, built through the journal's own services.

Used by ``bench/pages_bench.py``. Every pupil, trajectory, goal, evaluation,
entry (all kinds, plugin templates among them), reflection contribution,
comment and adaptation rating is made by the same service functions the
pages call, so the data has the shape real use gives it. Only the dates the
services stamp with "today" (phase changes, closing) are moved back in time
afterwards, as ``journal/demo.py`` does, so the school spans several years.

The school grows around two measured people whose own work does not grow
with it: the teacher ``leraar`` is on :data:`TEACHER_TRAJECTORIES`
trajectories and the ondersteuner ``ondersteuner`` on
:data:`SUPPORT_TRAJECTORIES`, at every size. Everything else goes to other
staff. The coordinator ``zorg`` sees the whole school.
"""

from __future__ import annotations

import random
import time
from datetime import date
from datetime import timedelta

from werkzeug.datastructures import MultiDict

#: Bump when what the builder makes changes: cached schools are rebuilt.
BUILDER_VERSION = 1
#: Average entries per trajectory (a trajectory's page shows the same amount at every size).
ENTRIES_PER_TRAJECTORY = 40
#: Trajectories of the measured teacher and ondersteuner (how many are still open).
TEACHER_TRAJECTORIES, TEACHER_OPEN = 8, 6
SUPPORT_TRAJECTORIES, SUPPORT_OPEN = 12, 9
#: Audit records of page visits per entry (a school year: ~10,000 entries, ~2 million records),
#: at most a year's worth (older records are what an audit retention would remove).
AUDIT_VISITS_PER_ENTRY = 200
AUDIT_RECORDS_MAX = 2_000_000
PASSWORD = "bench-Wachtwoord-2024!"

CLASS_GROUPS = [f"{year}{letter}" for year in range(1, 7) for letter in "ABCD"]
FIRST_NAMES = (
    "Ella Yusuf Lars Mona Amira Bodhi Casper Noor Lotte Milan Jana Arne Fien Wout Lina Senne "
    "Hanne Rayan Louise Jules Emma Victor Marie Lowie Nora Finn Ines Bas Zoë Mats Lien Thijs "
    "Sara Robbe Elise Kobe Fleur Daan Julie Stan Roos Seppe Nina Lucas Febe Warre Anouk Tibo"
).split()
LAST_NAMES = (
    "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters De Smet Dubois Lambert "
    "Dupont Martens Hermans Michiels Verhaegen Vermeulen Pauwels Aerts Van Damme Desmet"
).split()
WORDS = (
    "leerling instructie pictogrammen dagschema stappenplan prikkels rekenen taal lezen "
    "groepswerk overgang speelplaats wachttijd herhalen visualiseren planning werkgeheugen "
    "aandacht emotieregulatie feedback toets uitleg schrijven bank klasgenoten structuur "
    "voorspelbaarheid aankondigen koptelefoon timer beloning pauze samenwerken woordenschat "
    "begrijpend spelling hoofdrekenen verwoorden zelfstandig starten afronden rustige hoek "
    "concentratie middagpauze turnles zwemles uitstap vervanger oudercontact agenda kaartje"
).split()
TAGS = ("overgangen", "instructie", "taal", "rekenen", "speelplaats", "compenseren",
        "differentiëren", "zelfredzaamheid", "gedrag", "werkt", "werkt niet", "planning")
FOCUS_AREAS = ("ass", "tos", "executieve_functies", "gedrag", "type2")
KORTHAGEN = ("handelen", "terugblikken", "bewustwording", "alternatieven", "uitproberen")


def instance_summary(n_entries: int) -> dict:
    """Return how many of each thing a school of ``n_entries`` entries gets."""
    trajectories = max(TEACHER_TRAJECTORIES + SUPPORT_TRAJECTORIES + 6,
                       n_entries // ENTRIES_PER_TRAJECTORY)
    return {
        "entries": n_entries,
        "trajectories": trajectories,
        "teachers": max(8, trajectories // 25),
        "supports": max(3, trajectories // 120),
        "years": max(1, round(n_entries / 10_000)),
        "audit_records": min(n_entries * AUDIT_VISITS_PER_ENTRY, AUDIT_RECORDS_MAX),
    }


class SchoolBuilder:
    """Fills the current app's empty instance with a school of ``n_entries`` entries.

    Call inside an app context. :meth:`build` returns the manifest the
    benchmark needs (accounts, the pages to measure).
    """

    def __init__(self, n_entries: int, *, seed: int = 13, today: date | None = None,
                 progress=print):
        self.plan = instance_summary(n_entries)
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.progress = progress
        self.users: dict[str, dict] = {}
        self.made = {"entries": 0, "comments": 0, "goals": 0, "evaluations": 0,
                     "contributions": 0, "ratings": 0, "free_adaptations": 0, "drafts": 0,
                     "template_entries": 0}

    # -- helpers -----------------------------------------------------------------------

    def day(self, d: date) -> str:
        """ISO date of ``d``."""
        return d.isoformat()

    def text(self, words: int, names: tuple[str, ...] = ()) -> str:
        """Dutch-looking Markdown of about ``words`` words, sometimes naming a pupil."""
        rng = self.rng
        out = []
        for _ in range(max(1, words // 12)):
            sentence = rng.sample(WORDS, k=min(len(WORDS), rng.randint(6, 14)))
            if names and rng.random() < 0.3:
                sentence.insert(rng.randrange(len(sentence)), rng.choice(names))
            out.append(" ".join(sentence).capitalize() + ".")
        paragraphs = [" ".join(out[i:i + 4]) for i in range(0, len(out), 4)]
        if rng.random() < 0.3:
            paragraphs.append("\n".join(f"- {rng.choice(WORDS)} {rng.choice(WORDS)}"
                                        for _ in range(3)))
        return "\n\n".join(paragraphs)

    def tags(self) -> str:
        """A comma-separated tag list, as typed in the form."""
        return ", ".join(self.rng.sample(TAGS, k=self.rng.randint(0, 3)))

    # -- the school ----------------------------------------------------------------------

    def build(self) -> dict:
        """Build everything; return the manifest."""
        from journal.plugins.host import get_plugins

        started = time.perf_counter()
        get_plugins().enable_bundled()
        self.accounts()
        trajectories = self.trajectories()
        self.progress(f"  {len(trajectories)} trajectories, {self.made['entries']} entries "
                      f"in {time.perf_counter() - started:.0f} s")
        manifest = self.manifest(trajectories)
        manifest["made"] = dict(self.made)
        manifest["plan"] = dict(self.plan)
        return manifest

    def accounts(self) -> None:
        """The measured people, the other staff, an administrator, and API keys."""
        from journal.accounts import create_user

        def add(username: str, roles: list[str], name: str) -> None:
            self.users[username] = create_user(username, roles=roles, password=PASSWORD,
                                               display_name=name)

        add("leraar", ["teacher"], "Sofie Peeters")
        add("ondersteuner", ["support"], "Jonas Maes")
        add("zorg", ["coordinator"], "An Claes")
        add("beheer", ["admin"], "Dirk Wouters")
        for i in range(self.plan["teachers"]):
            add(f"leraar{i:03d}", ["teacher"], f"Leraar {i:03d}")
        for i in range(self.plan["supports"]):
            add(f"ondersteuner{i:03d}", ["support"], f"Ondersteuner {i:03d}")

    def _teams(self) -> list[tuple[str, str, bool]]:
        """(teacher, support, open?) per trajectory; the measured people's first."""
        rng = self.rng
        n = self.plan["trajectories"]
        others_t = [u for u in self.users if u.startswith("leraar0")]
        others_s = [u for u in self.users if u.startswith("ondersteuner0")]
        teams = []
        for i in range(TEACHER_TRAJECTORIES):
            teams.append(("leraar", "ondersteuner" if i < 4 else rng.choice(others_s),
                          i < TEACHER_OPEN))
        for i in range(SUPPORT_TRAJECTORIES - 4):
            teams.append((rng.choice(others_t), "ondersteuner", i < SUPPORT_OPEN - 3))
        while len(teams) < n:
            teams.append((rng.choice(others_t), rng.choice(others_s), None))
        return teams

    def trajectories(self) -> list[dict]:
        """Every trajectory with its goals, entries, comments and adaptations."""
        from journal.storage import get_store

        store = get_store()
        teams = self._teams()
        out = []
        last_report = time.perf_counter()
        for i, (teacher, support, is_open) in enumerate(teams):
            with store.transaction():  # one durable commit per trajectory keeps building fast
                out.append(self.trajectory(i, teacher, support, is_open))
            if time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                self.progress(f"  {i + 1}/{len(teams)} trajectories, "
                              f"{self.made['entries']} entries")
        return out

    def trajectory(self, i: int, teacher: str, support: str, is_open: bool | None) -> dict:
        """One trajectory, from intake to (for older ones) closing."""
        from journal.process import lifecycle
        from journal.process import trajectories as trajectory_service

        rng = self.rng
        span = self.plan["years"] * 365
        if is_open is None:
            start = self.today - timedelta(days=rng.randint(20, span))
            length = rng.randint(90, 500)
            is_open = start + timedelta(days=length) > self.today - timedelta(days=20)
        else:
            start = self.today - timedelta(days=rng.randint(40, 300 if is_open else span))
            length = rng.randint(90, 300)
        end = min(self.today, start + timedelta(days=length)) if not is_open else self.today
        target = "pupil" if i % 10 else rng.choice(["teacher", "team"])
        members = [{"user_id": self.users[support]["id"], "role": "support"},
                   {"user_id": self.users[teacher]["id"], "role": "teacher"}]
        if rng.random() < 0.2:
            members.append({"user_id": self.users["zorg"]["id"], "role": "coordinator"})
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        group = rng.choice(CLASS_GROUPS)
        data = {
            "target": target, "title": "" if target == "pupil" else f"{group}: {rng.choice(WORDS)}",
            "pupil_id": "new" if target == "pupil" else "",
            "new_pupil": {"display_name": name, "class_group": group},
            "educational_need": self.text(40, (name.split()[0],)),
            "learning_question": self.text(20),
            "focus_areas": rng.sample(FOCUS_AREAS, k=rng.randint(1, 2)),
            "members": members, "start_date": self.day(start),
            "planned_end_date": self.day(start + timedelta(days=length)),
        }
        actor = self.users[support]
        t = trajectory_service.create_trajectory(actor, data)
        for phase in ("observation", "goals", "implementation"):
            t = lifecycle.change_phase(actor, t["id"], phase)
        names = (name.split()[0],)
        goals = self.goals(t, teacher, support, start, end, is_open)
        self.entries(t, teacher, support, start, end, goals, names)
        self.adaptations(t, teacher, support)
        if not is_open:
            t = lifecycle.change_phase(self.users["zorg"], t["id"], "closed", confirm_close=True,
                                       override_reason="Afgesloten na evaluatie.")
        return self.backdate(t, start, end, is_open)

    def backdate(self, t: dict, start: date, end: date, is_open: bool) -> dict:
        """Spread the phase history over the trajectory's real time span (as the demo does)."""
        from journal.storage import get_store

        steps = len(t["phase_history"])
        days = max(1, (end - start).days)

        def apply(doc: dict) -> None:
            for n, change in enumerate(doc["phase_history"]):
                on = start + timedelta(days=days * n // max(1, steps))
                if not is_open and n == steps - 1:
                    on = end
                change["on"] = self.day(on)
                change["at"] = self.day(on) + "T09:00:00+00:00"
            doc["closed_on"] = None if is_open else self.day(end)

        return get_store().trajectories.update(t["id"], apply)

    def goals(self, t: dict, teacher: str, support: str, start: date, end: date,
              is_open: bool) -> list[dict]:
        """Two to four goals, each evaluated once to three times."""
        from journal.process import goals as goal_service

        rng = self.rng
        out = []
        for _ in range(rng.randint(2, 4)):
            review = start + timedelta(days=rng.randint(20, 200))
            goal = goal_service.create_goal(self.users[support], t["id"], {
                "text": self.text(20), "owner_id": self.users[teacher]["id"],
                "review_date": self.day(review)})
            self.made["goals"] += 1
            evaluations = rng.randint(1, 3)
            for n in range(evaluations):
                on = start + timedelta(days=(end - start).days * (n + 1) // (evaluations + 1))
                last = n == evaluations - 1
                status = rng.choice(["achieved", "adjusted", "stopped"]) \
                    if last and not is_open else "ongoing"
                next_review = on + timedelta(days=rng.randint(-20, 60))
                goal = goal_service.add_evaluation(self.users[rng.choice([teacher, support])],
                                                   goal["id"], {
                    "date": self.day(on), "text": self.text(30), "status": status,
                    "next_review_date": self.day(next_review) if status == "ongoing"
                    and next_review > on else ""})
                self.made["evaluations"] += 1
            out.append(goal)
        return out

    def entries(self, t: dict, teacher: str, support: str, start: date, end: date,
                goals: list[dict], names: tuple[str, ...]) -> None:
        """About :data:`ENTRIES_PER_TRAJECTORY` entries of every kind, some with comments."""
        rng = self.rng
        count = rng.randint(ENTRIES_PER_TRAJECTORY // 2, ENTRIES_PER_TRAJECTORY * 3 // 2)
        days = max(1, (end - start).days)
        for n in range(max(count, 1)):
            on = start + timedelta(days=days * n // max(1, count))
            author, partner = rng.sample([teacher, support], 2)
            kind = rng.choices(("observation", "reflection", "agreement", "one_to_one"),
                               weights=(50, 15, 25, 10))[0]
            if kind == "reflection":
                entry = self.reflection(t, author, partner, on, goals, names)
            else:
                entry = self.entry(t, author, partner, kind, on, goals, names)
            if rng.random() < 0.2:
                self.comment(entry, rng.choice([teacher, support]))
        for who in (teacher, support):  # a draft or two, visible to their authors only
            if rng.random() < 0.5:
                self.entry(t, who, who, "observation", end, goals, names, publish=False)
                self.made["drafts"] += 1

    def _form(self, kind: str, on: date, goals: list[dict], names) -> MultiDict:
        rng = self.rng
        form = MultiDict({"date": self.day(on), "tags": self.tags()})
        for goal in rng.sample(goals, k=min(len(goals), rng.randint(0, 1))):
            form.add("goal_ids", goal["id"])
        if kind == "observation":
            form.update({"class_group": rng.choice(CLASS_GROUPS), "lesson": rng.choice(WORDS),
                         "moment": "Maandag, 2e lesuur", "seen": self.text(120, names),
                         "quick_wins": self.text(25)})
        elif kind == "agreement":
            form.update({"what": self.text(50, names), "applied_by": "alle leraren",
                         "from_date": self.day(on),
                         "review_date": self.day(on + timedelta(days=60))})
        elif kind == "one_to_one":
            form.update({"what": self.text(40, names), "serves_learning_question": self.text(20),
                         "lowers_barriers": self.text(20),
                         "return_to_class": self.day(on)})
        else:
            form.update({"conclusions": self.text(30), "next_steps": self.text(25)})
        return form

    def entry(self, t: dict, author: str, partner: str, kind: str, on: date,
              goals: list[dict], names, *, publish: bool = True) -> dict:
        """An entry through the entries service; a third of them from a plugin template."""
        from journal.plugins.entry_templates.forms import form_values
        from journal.process import entries as entry_service
        from journal.process.entry_forms import TEMPLATE_PREFIX

        form = self._form(kind, on, goals, names)
        spec = self.template(kind) if self.rng.random() < 0.35 else None
        if spec is not None:  # the template's inputs, as its form posts them
            form.update(form_values(spec, self.answers(spec), TEMPLATE_PREFIX))
        entry = entry_service.create_entry(
            self.users[author], t["id"], kind, form, publish=publish,
            co_author_ids=[self.users[partner]["id"]] if partner != author else [],
            template_id=spec.id if spec is not None else None)
        self.made["entries"] += 1
        self.made["template_entries"] += spec is not None
        return entry

    def reflection(self, t: dict, author: str, partner: str, on: date, goals: list[dict],
                   names) -> dict:
        """A Korthagen reflection begun by one member and completed by the other."""
        from journal.process import entries as entry_service
        from journal.process import reflection

        form = self._form("reflection", on, goals, names)
        entry = entry_service.create_entry(
            self.users[author], t["id"], "reflection", form, publish=True,
            co_author_ids=[self.users[partner]["id"]], model_id="korthagen",
            contributions=[{"phase": key, "text": self.text(40, names)}
                           for key in KORTHAGEN[:2]])
        for key in KORTHAGEN[2:4]:
            entry = reflection.add_contribution(self.users[partner], entry["id"], key,
                                                self.text(30, names))
            self.made["contributions"] += 1
        self.made["entries"] += 1
        return entry

    def comment(self, entry: dict, author: str) -> None:
        """A short remark on an entry."""
        from journal.process import comments

        comments.add_comment(self.users[author], entry["id"], self.text(15))
        self.made["comments"] += 1

    def template(self, kind: str):
        """A plugin template for ``kind``, or ``None`` when no plugin offers one."""
        from journal.process.entry_plugins import offered_templates

        offered = offered_templates(kind)
        return self.rng.choice(offered) if offered else None

    def answers(self, spec) -> dict | None:
        """Answers to every field of ``spec``, as the template form would give them."""
        if spec is None:
            return None
        rng = self.rng
        answers: dict = {}
        for f in spec.fields():
            if f.type == "checklist":
                answers[f.key] = {item.key: {"status": rng.choice(
                    ["", "doe_ik_al", "ga_ik_proberen", "werkt", "werkt_niet"]),
                    "note": rng.choice(["", rng.choice(WORDS)])} for item in f.items}
            elif f.type == "choice":
                answers[f.key] = rng.choice(f.options).key
            elif f.type == "scale":
                answers[f.key] = rng.randint(f.scale_min, f.scale_max)
            elif f.type == "text":
                answers[f.key] = " ".join(rng.sample(WORDS, k=5))[:f.max_length]
            else:
                answers[f.key] = self.text(25)
        return answers

    def adaptations(self, t: dict, teacher: str, support: str) -> None:
        """Ratings of adaptations in the register, and a free adaptation now and then."""
        from journal.process import adaptation_rows
        from journal.process import adaptations

        rng = self.rng
        if rng.random() < 0.5:
            adaptations.add_free(self.users[support], t["id"], {
                "text": self.text(12), "category": "compenseren", "applied_by": "klasleraar",
                "status": "werkt"})
            self.made["free_adaptations"] += 1
        rows = adaptation_rows.rows_for(t)
        for row in rng.sample(rows, k=min(len(rows), 3)):
            adaptations.rate(self.users[teacher], t["id"], row["key"], {
                "feasible": rng.choice(["yes", "no", "unknown"]),
                "works": rng.choice(["yes", "no", "unknown"]), "note": ""})
            self.made["ratings"] += 1

    # -- what the benchmark measures ------------------------------------------------------

    def manifest(self, trajectories: list[dict]) -> dict:
        """The accounts and the pages to measure: a big open trajectory of the teacher's,
        an entry and a goal in it, a pupil, and the id of another teacher's trajectory."""
        from journal.storage import get_store

        store = get_store()
        teacher_id = self.users["leraar"]["id"]
        mine = [t for t in trajectories if t["phase"] != "closed"
                and any(m["user_id"] == teacher_id for m in t["members"])]
        sizes = {t["id"]: len(store.entries.find(trajectory_id=t["id"])) for t in mine}
        trajectory = max(mine, key=lambda t: sizes[t["id"]])
        entries = store.entries.find(trajectory_id=trajectory["id"], status="published")
        reflection = next((e for e in entries if e["kind"] == "reflection"), entries[0])
        goal = store.goals.find(trajectory_id=trajectory["id"])[0]
        pupil_id = next(t["pupil_id"] for t in trajectories if t.get("pupil_id"))
        return {
            "password": PASSWORD,
            "users": {name: u["id"] for name, u in self.users.items()
                      if name in ("leraar", "ondersteuner", "zorg", "beheer")},
            "trajectory_id": trajectory["id"],
            "entry_id": reflection["id"],
            "goal_id": goal["id"],
            "pupil_id": pupil_id,
            "school_year": _school_year(self.today),
            "search_word": "dagschema",
        }


def _school_year(day: date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def audit_history(store, manifest: dict, count: int, *, seed: int = 29, progress=print) -> None:
    """Append ``count`` audit records of visits, spread over the school's years, oldest first.

    What a school's staff leave behind by opening pages: mostly views of
    trajectories and entries, some sign-ins, changes and refusals. Written in
    batches straight into the audit trail (one durable commit per batch).
    """
    from datetime import datetime
    from datetime import timezone

    rng = random.Random(seed)
    users = [u["id"] for u in store.users.all_readonly()]
    trajectories = [(t["id"], t.get("pupil_id") or "") for t in store.trajectories.all_readonly()]
    entries = [(e["id"], e.get("pupil_id") or "") for e in store.entries.all_readonly()]
    years = manifest["plan"]["years"]
    end = datetime.now(timezone.utc).timestamp()
    start = end - years * 365 * 86400
    step = (end - start) / max(1, count)
    batch = []
    for n in range(count):
        at = datetime.fromtimestamp(start + n * step, timezone.utc).isoformat(timespec="seconds")
        roll = rng.random()
        if roll < 0.55:
            object_type, (object_id, pupil_id) = "entry", rng.choice(entries)
            action = "view"
        elif roll < 0.9:
            object_type, (object_id, pupil_id) = "trajectory", rng.choice(trajectories)
            action = "view"
        elif roll < 0.95:
            object_type, object_id, pupil_id, action = "user", rng.choice(users), "", "login"
        else:
            object_type, (object_id, pupil_id) = "entry", rng.choice(entries)
            action = rng.choice(["create", "update", "denied"])
        batch.append({"id": f"bench{n:09d}", "at": at, "user_id": rng.choice(users),
                      "address": f"10.0.{rng.randint(0, 3)}.{rng.randint(2, 250)}",
                      "action": action, "object_type": object_type, "object_id": object_id,
                      "pupil_id": pupil_id, "outcome": "404" if action == "denied" else "ok",
                      "detail": ""})
        if len(batch) == 50_000:
            store.audit.trail.append_many(batch)
            batch = []
            if (n + 1) % 500_000 == 0:
                progress(f"  {n + 1:,} audit records")
    store.audit.trail.append_many(batch)
