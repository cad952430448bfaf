"""Reliability drills for the storage engine: crash (SIGKILL) trials and write contention.

Used by the test suite (a few bounded trials) and by ``journal bench --crash N``
(the long run). The child processes run this module::

    python -m journal.storage.torture write DATA_DIR SEED
    python -m journal.storage.torture hammer DATA_DIR THREADS ROUNDS TAG

``write`` changes documents for ever, printing ``TRY <op>`` before and
``ACK`` after each transaction returns; the parent kills it at a random
moment and checks that every acknowledged change is there (the one in
flight may or may not be). ``hammer`` does read-modify-write increments on
shared counters from several threads and prints a summary line.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

WORDS = ("de leerling werkt zelfstandig aan rekenen taal lezen planning pauze "
         "concentratie instructie klasgenoten stappenplan visueel schema rustig").split()


def _text(rng: random.Random, low: int, high: int) -> str:
    size = rng.randint(low, high)
    out = []
    while sum(len(w) + 1 for w in out) < size:
        out.append(rng.choice(WORDS))
    return " ".join(out)


def writer(path: str, seed: int) -> None:
    """Change documents until killed, reporting each acknowledged transaction."""
    from tinydb import where

    from .engine import Database

    rng = random.Random(seed)
    db = Database(path)
    table = db.table("drill")
    live = sorted(d["id"] for d in table.all())
    n = 0
    out = sys.stdout
    while True:
        n += 1
        roll = rng.random()
        if roll < 0.5 or len(live) < 5:
            op = ["put", f"{seed}-{n}", n, _text(rng, 100, 3000)]
        elif roll < 0.85:
            op = ["put", rng.choice(live), n, _text(rng, 100, 3000)]
        else:
            op = ["del", rng.choice(live)]
        # Report a checksum of the text, not the text: the report stays small.
        shown = op[:3] + [zlib.crc32(op[3].encode())] if op[0] == "put" else op
        out.write("TRY " + json.dumps(shown) + "\n")
        out.flush()
        if op[0] == "put":
            doc = {"id": op[1], "n": op[2], "body": op[3]}
            with db.transaction():
                if table.update(doc, where("id") == op[1]) == []:
                    table.insert(doc)
            if op[1] not in live:
                live.append(op[1])
        else:
            table.remove(where("id") == op[1])
            live.remove(op[1])
        out.write("ACK\n")
        out.flush()


def crash_trial(path, seed: int, *, min_wait: float = 0.05, max_wait: float = 0.6) -> dict:
    """Run :func:`writer` in a child, SIGKILL it at a random moment, verify the data.

    :return: ``{"acked": n, "ok": bool, "problem": str | None}``.
    """
    path = Path(path)
    expected = _current_state(path) if (path / "journal.snap").exists() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    report = path.parent / f"{path.name}.drill-{seed}.txt"
    with open(report, "w+", encoding="utf-8") as out:
        # A file, not a pipe: a full pipe would stall the writer.
        child = subprocess.Popen(
            [sys.executable, "-m", "journal.storage.torture", "write", str(path), str(seed)],
            stdout=out, stderr=subprocess.PIPE, text=True,
        )
        # Let it open the database and start writing before the clock starts.
        deadline = time.monotonic() + 30
        while os.path.getsize(report) == 0 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(random.Random(seed).uniform(min_wait, max_wait))
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate()
        out.seek(0)
        lines = out.read().splitlines()
    os.unlink(report)
    first = bool(lines)
    acked = 0
    in_flight = None
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("TRY "):
            in_flight = json.loads(line[4:])
        elif line == "ACK" and in_flight is not None:
            _apply(expected, in_flight)
            acked += 1
            in_flight = None
    if not first:
        return {"acked": 0, "ok": False, "problem": f"the writer did not start: {err[-500:]}"}
    try:
        state = _current_state(path)
    except Exception as error:  # the point of the drill: report, never hide
        return {"acked": acked, "ok": False, "problem": f"cannot open: {error}"}
    if state == expected:
        return {"acked": acked, "ok": True, "problem": None}
    if in_flight is not None:
        maybe = dict(expected)
        _apply(maybe, in_flight)
        if state == maybe:
            return {"acked": acked, "ok": True, "problem": None}
    lost = [k for k in expected if state.get(k) != expected[k]]
    return {"acked": acked, "ok": False,
            "problem": f"{len(lost)} acknowledged documents differ after the kill"}


def _apply(state: dict, op: list) -> None:
    if op[0] == "put":
        state[op[1]] = (op[2], op[3] if isinstance(op[3], int) else zlib.crc32(op[3].encode()))
    else:
        state.pop(op[1], None)


def _current_state(path) -> dict:
    from .engine import Database

    db = Database(path)
    try:
        return {d["id"]: (d["n"], zlib.crc32(d["body"].encode())) for d in db.table("drill").all()}
    finally:
        db.close()


def hammer(path: str, threads: int, rounds: int, tag: str) -> None:
    """Increment shared counters from ``threads`` threads, ``rounds`` times each."""
    from .engine import Database
    from .store import Collection

    db = Database(path)
    counters = Collection(db, "counters")
    notes = Collection(db, "notes")
    errors = []

    def work(number: int) -> None:
        try:
            for i in range(rounds):
                for name in ("a", "b"):
                    counters.update(name, _increment)
                notes.create({"id": f"{tag}-{number}-{i}", "by": tag})
        except Exception as error:  # counted and reported to the parent
            errors.append(repr(error))

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(json.dumps({"errors": errors}))
    db.close()


def _increment(doc: dict) -> None:
    doc["n"] += 1


def contention(path, *, processes: int = 3, threads: int = 2, rounds: int = 20) -> dict:
    """Run :func:`hammer` in several processes at once and count lost updates.

    :return: ``{"expected", "counted", "lost", "errors", "notes", "duplicates"}``.
    """
    from .engine import Database
    from .store import Collection

    db = Database(path)
    counters = Collection(db, "counters")
    for name in ("a", "b"):
        if counters.get(name) is None:
            counters.create({"id": name, "n": 0})
    start = {name: counters.require(name)["n"] for name in ("a", "b")}
    db.close()
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "journal.storage.torture", "hammer", str(path),
             str(threads), str(rounds), f"p{k}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for k in range(processes)
    ]
    errors = []
    for child in children:
        out, err = child.communicate(timeout=300)
        if child.returncode != 0:
            errors.append(err[-1000:])
            continue
        errors.extend(json.loads(out.strip().splitlines()[-1])["errors"])
    db = Database(path)
    counters = Collection(db, "counters")
    per_counter = processes * threads * rounds
    counted = sum(counters.require(name)["n"] - start[name] for name in ("a", "b"))
    notes = [d["id"] for d in db.table("notes").all()]
    doc_ids = [d.doc_id for d in db.table("notes").all()]
    db.close()
    return {
        "expected": 2 * per_counter,
        "counted": counted,
        "lost": 2 * per_counter - counted,
        "errors": errors,
        "notes": len(set(notes)),
        "duplicates": len(doc_ids) - len(set(doc_ids)),
    }


def main(argv: list[str]) -> None:
    """Entry point of the child processes."""
    command = argv[0]
    if command == "write":
        writer(argv[1], int(argv[2]))
    elif command == "hammer":
        hammer(argv[1], int(argv[2]), int(argv[3]), argv[4])
    else:
        raise SystemExit(f"unknown drill {command!r}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main(sys.argv[1:])
