"""kill -9 at random moments and several writers at once: nothing acknowledged is lost.

A handful of trials keeps the suite fast; ``journal bench --crash 200`` is the long run.
"""

from __future__ import annotations

import os
import threading

from tinydb import where

from journal.storage import torture
from journal.storage.check import check_folder
from journal.storage.engine import Database
from journal.storage.store import Store


def test_sigkill_during_writes_never_loses_an_acknowledged_write(data_dir):
    acked = 0
    for seed in range(1, 6):
        result = torture.crash_trial(data_dir, seed, min_wait=0.05, max_wait=0.4)
        assert result["ok"], result["problem"]
        acked += result["acked"]
        report = check_folder(data_dir)
        assert report.ok, report.errors
    assert acked > 0  # the drill really wrote something


def test_processes_and_threads_doing_read_modify_write_lose_nothing(data_dir):
    result = torture.contention(data_dir, processes=3, threads=2, rounds=15)
    assert result["errors"] == []
    assert result["lost"] == 0 and result["counted"] == result["expected"]
    assert result["notes"] == 3 * 2 * 15 and result["duplicates"] == 0


def test_a_forked_child_gets_its_own_lock(open_db, data_dir):
    # gunicorn --preload forks after the app opened the database.
    db = open_db()
    store = Store(db)
    counter = store.users.create({"username": "c", "n": 0})
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            for _ in range(30):
                store.users.update(counter["id"], lambda d: d.__setitem__("n", d["n"] + 1))
        except BaseException:
            code = 1
        os._exit(code)
    for _ in range(30):
        store.users.update(counter["id"], lambda d: d.__setitem__("n", d["n"] + 1))
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store.users.require(counter["id"])["n"] == 60


def test_a_reader_thread_never_sees_half_a_transaction(open_db):
    db = open_db()
    t = db.table("pairs")
    t.insert({"id": "a", "n": 0})
    t.insert({"id": "b", "n": 0})
    seen = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            with db.transaction():  # both values in one consistent view
                pair = (t.by("id", "a")[0]["n"], t.by("id", "b")[0]["n"])
            seen.append(pair[0] == pair[1])

    thread = threading.Thread(target=reader)
    thread.start()
    for n in range(1, 40):
        with db.transaction():
            t.update({"n": n}, where("id") == "a")
            t.update({"n": n}, where("id") == "b")
    stop.set()
    thread.join()
    assert seen and all(seen)
    assert Database(db.path).table("pairs").by("id", "b")[0]["n"] == 39
