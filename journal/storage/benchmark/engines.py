"""The same logical work (save, update, open a trajectory, filter) on three engines.

:class:`JournalEngine` goes through the journal's real repositories,
:class:`SQLiteEngine` is the baseline (WAL, ``synchronous=FULL``, indexes on
every queried column), :class:`JSONStorageEngine` is TinyDB's default storage.
Each also carries ``cold_code``: the cold start run in a fresh process.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path


class JournalEngine:
    """The journal's storage through its repositories."""

    name = "journal"

    def build(self, folder: Path, data: dict) -> None:
        from ..snapshot import write_snapshot
        from ..durable import log_name
        from ..log import LogFile
        from ..migrations import SCHEMA_VERSION

        path = folder / "data"
        path.mkdir(parents=True)
        tables = {name: {str(i + 1): doc for i, doc in enumerate(docs)}
                  for name, docs in data.items()}
        next_ids = {name: len(docs) + 1 for name, docs in data.items()}
        header = {"gen": 1, "seq": 0, "origin": "bench", "schema": SCHEMA_VERSION}
        write_snapshot(path / "journal.snap", header, tables, next_ids)
        LogFile.create(path / log_name(1), {"log": 1, "base": 0, "origin": "bench"}).close()
        # Open once, as the first worker would: this writes the load cache.
        from ..engine import Database

        Database(path, backup_dir=folder / "backups").close()

    def open(self, folder: Path) -> None:
        from ..engine import Database
        from ..store import Store

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
        return folder_size(folder / "data")

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
        return folder_size(folder)

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
        return folder_size(folder)

    cold_code = """
from tinydb import TinyDB, where
t0 = time.perf_counter()
db = TinyDB({json!r})
db.table("trajectories", cache_size=0).get(where("id") == {traj!r})
n = len(db.table("entries", cache_size=0).search(where("trajectory_id") == {traj!r}))
"""


def folder_size(folder: Path) -> int:
    """Return the bytes of data in ``folder``."""
    # The data itself: not the lock file, and not the journal's load cache (a
    # second copy kept only to start faster), so RSS/disk compares like with like.
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()
               and not p.name.endswith((".lock", ".cache")))
