"""``journal bench``: the storage engine side by side with SQLite and TinyDB's JSONStorage.

For each size it builds three synthetic instances with the same realistic
documents (pupils, trajectories, entries with Markdown and rendered HTML)
and measures, interleaved in one process so machine noise hits all engines
alike, the median of:

* ``save``: saving a new entry durably;
* ``update``: updating an entry (read, keep the old version, write);
* ``open``: opening a trajectory with its entries;
* ``filter``: the school-wide filter (entries by focus area, tag and date range);
* ``cold``: cold start on the instance in a fresh process (open + first read);
* ``rss``: that process's peak memory, against the data's size on disk.

The journal side goes through the real repositories (:class:`Store`);
SQLite uses WAL with ``synchronous=FULL`` and indexes on every queried field;
JSONStorage is TinyDB's default. Run ``python bench/storage_bench.py --help``.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


# -- the three engines ---------------------------------------------------------------


class JournalEngine:
    """The journal's storage through its repositories."""

    name = "journal"

    def build(self, folder: Path, data: dict) -> None:
        from .snapshot import write_snapshot
        from .durable import log_name
        from .log import LogFile
        from .migrations import SCHEMA_VERSION

        path = folder / "data"
        path.mkdir(parents=True)
        tables = {name: {str(i + 1): doc for i, doc in enumerate(docs)}
                  for name, docs in data.items()}
        next_ids = {name: len(docs) + 1 for name, docs in data.items()}
        header = {"gen": 1, "seq": 0, "origin": "bench", "schema": SCHEMA_VERSION}
        write_snapshot(path / "journal.snap", header, tables, next_ids)
        LogFile.create(path / log_name(1), {"log": 1, "base": 0, "origin": "bench"}).close()
        # Open once, as the first worker would: this writes the load cache.
        from .engine import Database

        Database(path, backup_dir=folder / "backups").close()

    def open(self, folder: Path) -> None:
        from .engine import Database
        from .store import Store

        self.store = Store(Database(folder / "data", backup_dir=folder / "backups"))

    def save(self, doc: dict) -> None:
        self.store.entries.create(doc)

    def update(self, entry_id: str, text: str) -> None:
        def change(doc):
            doc["fields"]["seen"] = text
            doc["html"]["seen"] = "<p>" + text + "</p>"

        self.store.entries.update(entry_id, change)

    def open_trajectory(self, traj_id: str) -> int:
        self.store.trajectories.require(traj_id)
        return len(self.store.entries.find(trajectory_id=traj_id))

    def filter(self, focus: str, tag: str, start: str, end: str) -> int:
        ids = [t["id"] for t in self.store.trajectories.filter(lambda t: focus in t["focus_areas"])]
        found = self.store.entries.find_in(
            "trajectory_id", ids, predicate=lambda e: tag in e["tags"] and start <= e["date"] <= end)
        return len(found)

    def close(self) -> None:
        self.store.close()

    def size(self, folder: Path) -> int:
        return _folder_size(folder / "data")

    cold_code = """
from journal.storage.engine import Database
from journal.storage.store import Store
t0 = time.perf_counter()
store = Store(Database({data!r}, backup_dir={backups!r}))
store.trajectories.require({traj!r})
n = len(store.entries.find(trajectory_id={traj!r}))
"""

    #: The whole worker start: imports, create_app (plugins, blueprints), first read.
    app_code = """
t0 = time.perf_counter()
from journal import create_app
app = create_app({{"SECRET_KEY": "bench", "JOURNAL_DATA_DIR": {data!r},
                  "JOURNAL_LOAD_ENTRYPOINTS": False}}, instance_path={folder!r})
with app.app_context():
    from journal.storage import get_store
    store = get_store()
    store.trajectories.require({traj!r})
    n = len(store.entries.find(trajectory_id={traj!r}))
"""


class SQLiteEngine:
    """The same logical work in SQLite: WAL, synchronous=FULL, indexed columns."""

    name = "sqlite"

    SCHEMA = """
    CREATE TABLE pupils (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE trajectories (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE trajectory_focus (trajectory_id TEXT NOT NULL, focus TEXT NOT NULL);
    CREATE INDEX trajectory_focus_focus ON trajectory_focus (focus, trajectory_id);
    CREATE TABLE entries (id TEXT PRIMARY KEY, trajectory_id TEXT NOT NULL,
                          pupil_id TEXT, date TEXT NOT NULL, rev INTEGER NOT NULL,
                          doc TEXT NOT NULL);
    CREATE INDEX entries_trajectory ON entries (trajectory_id);
    CREATE INDEX entries_pupil ON entries (pupil_id);
    CREATE INDEX entries_date ON entries (date);
    CREATE TABLE entry_tags (entry_id TEXT NOT NULL, tag TEXT NOT NULL);
    CREATE INDEX entry_tags_tag ON entry_tags (tag, entry_id);
    CREATE INDEX entry_tags_entry ON entry_tags (entry_id);
    CREATE TABLE revisions (id INTEGER PRIMARY KEY, object_id TEXT NOT NULL, rev INTEGER,
                            doc TEXT NOT NULL);
    CREATE INDEX revisions_object ON revisions (object_id);
    """

    def _connect(self, folder: Path):
        con = sqlite3.connect(folder / "journal.sqlite", isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        return con

    def build(self, folder: Path, data: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        con = self._connect(folder)
        con.executescript(self.SCHEMA)
        con.execute("BEGIN")
        con.executemany("INSERT INTO pupils VALUES (?, ?)",
                        [(p["id"], json.dumps(p)) for p in data["pupils"]])
        con.executemany("INSERT INTO trajectories VALUES (?, ?)",
                        [(t["id"], json.dumps(t)) for t in data["trajectories"]])
        con.executemany("INSERT INTO trajectory_focus VALUES (?, ?)",
                        [(t["id"], f) for t in data["trajectories"] for f in t["focus_areas"]])
        for e in data["entries"]:
            self._insert(con, e)
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()

    def _insert(self, con, e: dict) -> None:
        con.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                    (e["id"], e["trajectory_id"], e["pupil_id"], e["date"], e["rev"],
                     json.dumps(e)))
        con.executemany("INSERT INTO entry_tags VALUES (?, ?)", [(e["id"], t) for t in e["tags"]])

    def open(self, folder: Path) -> None:
        self.con = self._connect(folder)

    def save(self, doc: dict) -> None:
        self.con.execute("BEGIN IMMEDIATE")
        self._insert(self.con, doc)
        self.con.execute("COMMIT")

    def update(self, entry_id: str, text: str) -> None:
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        raw, = con.execute("SELECT doc FROM entries WHERE id = ?", (entry_id,)).fetchone()
        doc = json.loads(raw)
        con.execute("INSERT INTO revisions (object_id, rev, doc) VALUES (?, ?, ?)",
                    (entry_id, doc["rev"], raw))
        doc["fields"]["seen"] = text
        doc["html"]["seen"] = "<p>" + text + "</p>"
        doc["rev"] += 1
        con.execute("UPDATE entries SET doc = ?, rev = ? WHERE id = ?",
                    (json.dumps(doc), doc["rev"], entry_id))
        con.execute("COMMIT")

    def open_trajectory(self, traj_id: str) -> int:
        raw, = self.con.execute("SELECT doc FROM trajectories WHERE id = ?", (traj_id,)).fetchone()
        json.loads(raw)
        rows = self.con.execute("SELECT doc FROM entries WHERE trajectory_id = ?", (traj_id,))
        return len([json.loads(r) for r, in rows])

    def filter(self, focus: str, tag: str, start: str, end: str) -> int:
        rows = self.con.execute(
            "SELECT e.doc FROM entries e "
            "JOIN trajectory_focus f ON f.trajectory_id = e.trajectory_id "
            "JOIN entry_tags t ON t.entry_id = e.id "
            "WHERE f.focus = ? AND t.tag = ? AND e.date BETWEEN ? AND ?",
            (focus, tag, start, end))
        return len([json.loads(r) for r, in rows])

    def close(self) -> None:
        self.con.close()

    def size(self, folder: Path) -> int:
        return _folder_size(folder)

    cold_code = """
import sqlite3, json
t0 = time.perf_counter()
con = sqlite3.connect({db!r}, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
json.loads(con.execute("SELECT doc FROM trajectories WHERE id = ?", ({traj!r},)).fetchone()[0])
n = len([json.loads(r) for r, in con.execute(
    "SELECT doc FROM entries WHERE trajectory_id = ?", ({traj!r},))])
"""


class JSONStorageEngine:
    """TinyDB with its default JSONStorage, doing the same logical work."""

    name = "jsonstorage"

    def build(self, folder: Path, data: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        raw = {name: {str(i + 1): d for i, d in enumerate(docs)} for name, docs in data.items()}
        (folder / "db.json").write_text(json.dumps(raw), encoding="utf-8")

    def open(self, folder: Path) -> None:
        from tinydb import TinyDB

        self.db = TinyDB(folder / "db.json")

    def save(self, doc: dict) -> None:
        self.db.table("entries", cache_size=0).insert(doc)

    def update(self, entry_id: str, text: str) -> None:
        from tinydb import where

        entries = self.db.table("entries", cache_size=0)
        doc = entries.get(where("id") == entry_id)
        self.db.table("revisions", cache_size=0).insert(
            {"object_id": entry_id, "rev": doc["rev"], "document": doc})

        def change(d):
            d["fields"]["seen"] = text
            d["html"]["seen"] = "<p>" + text + "</p>"
            d["rev"] += 1

        entries.update(change, where("id") == entry_id)

    def open_trajectory(self, traj_id: str) -> int:
        from tinydb import where

        self.db.table("trajectories", cache_size=0).get(where("id") == traj_id)
        return len(self.db.table("entries", cache_size=0).search(where("trajectory_id") == traj_id))

    def filter(self, focus: str, tag: str, start: str, end: str) -> int:
        ids = {t["id"] for t in self.db.table("trajectories", cache_size=0).all()
               if focus in t["focus_areas"]}
        return len(self.db.table("entries", cache_size=0).search(
            lambda e: e["trajectory_id"] in ids and tag in e["tags"]
            and start <= e["date"] <= end))

    def close(self) -> None:
        self.db.close()

    def size(self, folder: Path) -> int:
        return _folder_size(folder)

    cold_code = """
from tinydb import TinyDB, where
t0 = time.perf_counter()
db = TinyDB({json!r})
db.table("trajectories", cache_size=0).get(where("id") == {traj!r})
n = len(db.table("entries", cache_size=0).search(where("trajectory_id") == {traj!r}))
"""


def _folder_size(folder: Path) -> int:
    # The data itself: not the lock file, and not the journal's load cache (a
    # second copy kept only to start faster), so RSS/disk compares like with like.
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()
               and not p.name.endswith((".lock", ".cache")))


# -- measuring -----------------------------------------------------------------------


def _cold(code: str, folder: Path, traj: str) -> tuple[float, float, float]:
    """Run ``code`` in a fresh process on the instance; return (seconds, CPU seconds, peak RSS)."""
    script = "import time\n" + code.replace(
        "t0 = time.perf_counter()", "t0 = time.perf_counter(); c0 = time.process_time()").format(
        data=str(folder / "data"), folder=str(folder / "instance"), traj=traj,
        backups=str(folder / "backups"), db=str(folder / "journal.sqlite"),
        json=str(folder / "db.json"),
    ) + "\nprint(time.perf_counter() - t0, time.process_time() - c0)\n" + _PEAK_RSS
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=str(folder))
    seconds, cpu, rss = out.stdout.split()[-3:]
    return float(seconds), float(cpu), float(rss)


# VmHWM is this process's own peak; ru_maxrss would include the parent's
# memory inherited at fork on Linux.
_PEAK_RSS = """
try:
    with open("/proc/self/status") as f:
        print(next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM")))
except OSError:
    import resource
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def run(sizes=(1000, 10_000, 50_000), reps: int = 30, json_reps: int = 5,
        json_max: int | None = None, cold_reps: int = 3, out=print, workdir=None) -> dict:
    """Build instances of each size, measure every engine, print and return the medians.

    :param reps: measured repetitions per operation (journal and SQLite).
    :param json_reps: repetitions for JSONStorage (every operation reads or
        rewrites the whole file, so a few are enough).
    :param json_max: skip JSONStorage above this many entries (``None``: never skip).
    """
    results = {}
    root = Path(workdir or tempfile.mkdtemp(prefix="journal-bench-"))
    try:
        for n in sizes:
            results[n] = _run_size(n, root / f"n{n}", reps, json_reps, json_max, cold_reps, out)
    finally:
        if workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    return results


def _run_size(n, root: Path, reps, json_reps, json_max, cold_reps, out) -> dict:
    out(f"\n== {n:,} entries ==")
    data = make_dataset(n)
    engines = [JournalEngine(), SQLiteEngine()]
    if json_max is None or n <= json_max:
        engines.append(JSONStorageEngine())
    for engine in engines:
        engine.build(root / engine.name, data)
    rng = random.Random(7)
    trajs = data["trajectories"]
    timings = {e.name: {k: [] for k in ("save", "update", "open", "filter")} for e in engines}
    for engine in engines:
        engine.open(root / engine.name)
    counter = 0
    for rep in range(reps):
        # Rotate the order so no engine always runs right after another's flush.
        order = engines[rep % len(engines):] + engines[: rep % len(engines)]
        traj = rng.choice(trajs)
        entry = data["entries"][rng.randrange(len(data["entries"]))]
        focus, tag = rng.choice(FOCUS), rng.choice(TAGS)
        start_day = rng.randint(0, 1300)
        start = time.strftime("%Y-%m-%d", time.gmtime(1_600_000_000 + start_day * 86400))
        end = time.strftime("%Y-%m-%d", time.gmtime(1_600_000_000 + (start_day + 90) * 86400))
        counter += 1
        new = make_entry(rng, traj, n + counter)
        text = " ".join(rng.choice(WORDS) for _ in range(120))
        for engine in order:
            if engine.name == "jsonstorage" and rep >= json_reps:
                continue
            slot = timings[engine.name]
            t = time.perf_counter()
            engine.save(dict(new, fields=dict(new["fields"]), html=dict(new["html"])))
            slot["save"].append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.update(entry["id"], text)
            slot["update"].append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.open_trajectory(traj["id"])
            slot["open"].append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.filter(focus, tag, start, end)
            slot["filter"].append(time.perf_counter() - t)
    sizes = {}
    for engine in engines:
        engine.close()
        sizes[engine.name] = engine.size(root / engine.name)
    cold = {e.name: [] for e in engines}
    cold_cpu = {e.name: [] for e in engines}
    rss = {e.name: 0.0 for e in engines}
    app = []
    for rep in range(cold_reps):
        traj_id = trajs[rep % len(trajs)]["id"]
        for engine in engines:
            seconds, cpu, peak = _cold(engine.cold_code, root / engine.name, traj_id)
            cold[engine.name].append(seconds)
            cold_cpu[engine.name].append(cpu)
            rss[engine.name] = max(rss[engine.name], peak)
        app.append(_cold(JournalEngine.app_code, root / "journal", traj_id))
    result = {}
    for engine in engines:
        med = {k: statistics.median(v) for k, v in timings[engine.name].items()}
        med["cold"] = statistics.median(cold[engine.name])
        med["cold_cpu"] = statistics.median(cold_cpu[engine.name])
        med["rss"] = rss[engine.name]
        med["disk"] = sizes[engine.name]
        med["reps"] = len(timings[engine.name]["save"])
        result[engine.name] = med
    result["journal"]["app"] = statistics.median(s for s, _, _ in app)
    result["journal"]["app_cpu"] = statistics.median(c for _, c, _ in app)
    result["journal"]["app_rss"] = max(r for _, _, r in app)
    _print(n, result, out)
    return result


def _fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def _print(n: int, result: dict, out) -> None:
    base = result["sqlite"]
    names = list(result)
    head = f"{'operation':<10}" + "".join(f"{name:>14}" for name in names) + \
        "".join(f"{name + '/sqlite':>20}" for name in names if name != "sqlite")
    out(head)
    for key in ("save", "update", "open", "filter", "cold", "cold_cpu"):
        row = f"{key:<10}" + "".join(f"{_fmt_time(result[name][key]):>14}" for name in names)
        row += "".join(f"{result[name][key] / base[key]:>19.2f}x" for name in names
                       if name != "sqlite")
        out(row)
    out(f"{'disk':<10}" + "".join(f"{result[name]['disk'] / 1e6:>11.1f} MB" for name in names))
    out(f"{'peak RSS':<10}" + "".join(f"{result[name]['rss'] / 1e6:>11.1f} MB" for name in names))
    out(f"{'RSS/disk':<10}" + "".join(
        f"{result[name]['rss'] / max(result[name]['disk'], 1):>13.1f}x" for name in names))
    out("reps: " + ", ".join(f"{name} {result[name]['reps']}" for name in names))
    j = result["journal"]
    out(f"journal app cold start (imports + create_app + first read): {_fmt_time(j['app'])} "
        f"(CPU {_fmt_time(j['app_cpu'])}), peak RSS {j['app_rss'] / 1e6:.1f} MB ({j['app_rss'] / max(j['disk'], 1):.1f}x disk)")
    checks = [
        ("save <= 1.5x SQLite", j["save"] <= 1.5 * base["save"]),
        ("update <= 1.5x SQLite", j["update"] <= 1.5 * base["update"]),
        ("open <= 3x SQLite", j["open"] <= 3 * base["open"]),
        ("filter <= 3x SQLite", j["filter"] <= 3 * base["filter"]),
        ("app cold start < 2 s", j["app"] < 2.0),
        ("peak RSS < 4x disk", j["app_rss"] < 4 * j["disk"]),
    ]
    out("targets: " + "; ".join(f"{name} {'OK' if ok else 'MISSED'}" for name, ok in checks))


def crash_drill(trials: int, out=print, workdir=None) -> dict:
    """Run ``trials`` SIGKILL trials on one growing instance; print and return the tally."""
    from .torture import crash_trial

    root = Path(workdir or tempfile.mkdtemp(prefix="journal-crash-"))
    failures = []
    acked = 0
    try:
        for k in range(1, trials + 1):
            result = crash_trial(root / "data", k)
            acked += result["acked"]
            if not result["ok"]:
                failures.append((k, result["problem"]))
                out(f"trial {k}: FAILED: {result['problem']}")
            elif k % 10 == 0 or k == trials:
                out(f"trial {k}/{trials}: ok ({acked} acknowledged writes so far)")
    finally:
        if workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    out(f"{trials} kill -9 trials, {acked} acknowledged writes, {len(failures)} failures")
    return {"trials": trials, "acked": acked, "failures": failures}
