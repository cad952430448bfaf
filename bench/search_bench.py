"""Benchmark: full-text search at 1,000 / 10,000 / 50,000 entries.

Run on demand (not part of the test suite):

    python bench/search_bench.py [--sizes 1000,10000,50000] [--reps 15]

For each size it builds a synthetic school (realistic Dutch entries of about
1 KB), then measures side by side, interleaved, with per-operation medians:

* ``index``: the journal's search (incremental index refresh + lookup + access filter);
* ``scan``: the baseline, a plain accent-folded substring scan over the same
  visible documents, measured in the same run.

It prints medians and the ratio search/scan. The first search after start
builds the index; that cost is printed separately ("cold").
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = (
    "leerling instructie pictogrammen dagschema stappenplan prikkels rekenen taal lezen "
    "groepswerk overgang speelplaats wachttijd herhalen visualiseren planning werkgeheugen "
    "aandacht emotieregulatie feedback toets uitleg schrijven bank klasgenoten structuur "
    "voorspelbaarheid aankondigen koptelefoon timer beloning pauze samenwerken woordenschat"
).split()


SYLLABLES = "ba be bo da de di ka ke ko la le lo ma me mi na ne no pa pe ra re ro sa se ta te to va ve wi zo".split()


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    """Domain words first, then made-up words: a Zipf-like spread as in real text."""
    made_up = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return WORDS + sorted(made_up)


def build(store, n: int, users: dict, seed: int = 1) -> None:
    """Fill ``store`` with ``n`` entries over n/25 trajectories."""
    rng = random.Random(seed)
    n_traj = max(4, n // 25)
    trajectories = []
    for i in range(n_traj):
        member = users["teacher"] if i % 4 == 0 else users["other"]
        trajectories.append(store.trajectories.create({
            "title": f"Traject {i}", "target": "pupil", "pupil_id": f"p{i}",
            "focus_areas": [rng.choice(["ass", "tos", "executieve_functies", "gedrag"])],
            "members": [{"user_id": member["id"], "role": "teacher"}], "phase": "implementation",
        }))
    table = store.entries.table
    vocab = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    docs = []
    for i in range(n):
        t = trajectories[i % n_traj]
        text = " ".join(rng.choices(vocab, weights, k=140))
        docs.append({
            "id": f"e{i}", "rev": 1, "trajectory_id": t["id"], "pupil_id": t["pupil_id"],
            "kind": rng.choice(["observation", "reflection", "agreement"]), "status": "published",
            "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "authors": [t["members"][0]["user_id"]], "tags": [rng.choice(WORDS)],
            "fields": {"seen": text}, "answers": {},
        })
    table.insert_multiple(docs)


def median_us(samples: list[float]) -> float:
    """Median of ``samples`` (seconds) in microseconds."""
    return statistics.median(samples) * 1e6


def run(sizes: list[int], reps: int) -> None:
    """Build each size and print the side-by-side medians."""
    from journal.search import fold
    from journal.search import search
    from journal.security.access import can
    from journal.plugins.testing import make_test_app
    from journal.storage import get_store
    import tempfile

    print(f"{'entries':>8} {'cold index':>12} {'search (median)':>16} {'scan baseline':>14} {'ratio':>7}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_test_app(Path(tmp), JOURNAL_STRICT_PLUGINS=False)
            with app.app_context():
                store = get_store()
                users = {name: store.users.create({"username": name, "roles": ["teacher"],
                                                    "active": True, "password_hash": "x"})
                         for name in ("teacher", "other")}
                build(store, n, users)
                user = users["teacher"]
                started = time.perf_counter()
                search(user, "dagschema")
                cold = time.perf_counter() - started
                queries = ["instructies herhalen", "prikkels koptelefoon", "werkgeheugen", "timer pauze"]
                fast, slow = [], []
                for i in range(reps):
                    q = queries[i % len(queries)]
                    t0 = time.perf_counter()
                    search(user, q)
                    fast.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    readable = {t["id"] for t in store.trajectories.all_readonly() if can(user, "read", t)}
                    words = [fold(w) for w in q.split()]
                    [e for e in store.entries.all_readonly() if e["trajectory_id"] in readable
                     and all(w[:6] in fold(e["fields"]["seen"]) for w in words)]
                    slow.append(time.perf_counter() - t0)
                f, s = median_us(fast), median_us(slow)
                print(f"{n:>8} {cold * 1e3:>10.0f}ms {f / 1e3:>14.1f}ms {s / 1e3:>12.1f}ms {f / s:>7.2f}")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    run([int(s) for s in args.sizes.split(",")], args.reps)


if __name__ == "__main__":
    main()
