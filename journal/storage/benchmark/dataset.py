"""The benchmark's synthetic school: pupils, trajectories and realistic entries.

Entries carry Markdown of 500-1,500 characters with its rendered HTML, tags and
dates; :data:`PER_TRAJECTORY` entries per trajectory, 1-3 focus areas each.
"""

from __future__ import annotations

import random
import time

FOCUS = ["lezen", "spelling", "rekenen", "taal", "gedrag", "planning", "motoriek", "sociaal"]
TAGS = ["instructie", "pauze", "stappenplan", "visueel", "groepswerk", "toets", "huiswerk",
        "prikkels", "overgang", "feedback", "zelfstandig", "klasgesprek"]
WORDS = ("de leerling werkt vandaag zelfstandig aan een opdracht rond breuken met een "
         "stappenplan op de bank en vraagt twee keer hulp bij de tweede stap na de "
         "instructie in kleine groep blijft zij goed bij de les maar bij de overgang naar "
         "de speeltijd is er onrust het visuele schema helpt om te zien wat er komt "
         "juf noteert dat de pauzekaart drie keer gebruikt werd").split()
KINDS = ["observation", "reflection", "agreement", "one_to_one"]
PER_TRAJECTORY = 50


def _markdown(rng: random.Random) -> str:
    size = rng.randint(500, 1500)
    words = []
    total = 0
    while total < size:
        word = rng.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    text = " ".join(words)
    return "- " + text[: size // 3] + "\n- " + text[size // 3: 2 * size // 3] + "\n\n" + text[2 * size // 3:]


def make_dataset(n_entries: int, seed: int = 1) -> dict:
    """Return ``{"pupils", "trajectories", "entries"}`` lists of realistic documents."""
    rng = random.Random(seed)
    n_traj = max(1, n_entries // PER_TRAJECTORY)
    users = [f"user{k:03d}" for k in range(max(4, n_traj // 5))]
    pupils, trajectories, entries = [], [], []
    for t in range(n_traj):
        pid = f"pupil{t:06d}"
        pupils.append({"id": pid, "rev": 1, "display_name": f"Leerling {t}",
                       "class_group": f"{rng.randint(1, 6)}{rng.choice('ABC')}", "left_on": None,
                       "created_at": "2024-09-01T08:00:00+00:00",
                       "updated_at": "2024-09-01T08:00:00+00:00", "updated_by": users[0]})
        trajectories.append({
            "id": f"traj{t:06d}", "rev": 1, "target": "pupil", "pupil_id": pid,
            "title": f"Ondersteuning {t}", "educational_need": _markdown(rng)[:400],
            "learning_question": "Hoe helpen we deze leerling bij het plannen?",
            "focus_areas": rng.sample(FOCUS, rng.randint(1, 3)),
            "members": [{"user_id": rng.choice(users), "role": "teacher"},
                        {"user_id": rng.choice(users), "role": "support"}],
            "phase": rng.choice(["observation", "goals", "implementation"]),
            "start_date": "2024-09-15", "planned_end_date": "2025-06-30", "closed_on": None,
            "created_by": users[0], "html": {},
            "created_at": "2024-09-15T08:00:00+00:00", "updated_at": "2024-09-15T08:00:00+00:00",
            "updated_by": users[0]})
    for e in range(n_entries):
        traj = trajectories[e % n_traj]
        entries.append(make_entry(rng, traj, e))
    return {"pupils": pupils, "trajectories": trajectories, "entries": entries}


def make_entry(rng: random.Random, traj: dict, number: int) -> dict:
    """Return one realistic entry of trajectory ``traj``."""
    day = 1 + (number * 7919) % 1400
    date = time.strftime("%Y-%m-%d", time.gmtime(1_600_000_000 + day * 86400))
    seen = _markdown(rng)
    author = traj["members"][0]["user_id"]
    return {
        "id": f"e{number:07d}{rng.randint(0, 9999):04d}", "rev": 1,
        "trajectory_id": traj["id"], "pupil_id": traj["pupil_id"],
        "kind": rng.choice(KINDS), "status": "published", "date": date,
        "authors": [author], "created_by": author, "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "goal_ids": [], "internal": False, "breach_of_rules": False, "template": None,
        "answers": {},
        "fields": {"class_group": "3B", "lesson": "wiskunde", "moment": "ochtend", "seen": seen,
                   "quick_wins": "Stappenplan op de bank."},
        "html": {"seen": "<p>" + seen.replace("\n", "</p><p>") + "</p>"},
        "created_at": date + "T10:00:00+00:00", "updated_at": date + "T10:00:00+00:00",
        "updated_by": author,
    }
