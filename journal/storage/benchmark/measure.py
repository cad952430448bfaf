"""Running the benchmark: interleaved timings, cold starts in fresh processes, the crash drill."""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .dataset import FOCUS
from .dataset import TAGS
from .dataset import WORDS
from .dataset import make_dataset
from .dataset import make_entry
from .engines import JournalEngine
from .engines import JSONStorageEngine
from .engines import SQLiteEngine
from .report import print_results


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
    print_results(n, result, out)
    return result



def crash_drill(trials: int, out=print, workdir=None) -> dict:
    """Run ``trials`` SIGKILL trials on one growing instance; print and return the tally."""
    from ..torture import crash_trial

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
