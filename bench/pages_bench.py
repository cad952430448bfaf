"""Benchmark: the pages people wait for, on schools of 1,000 to 50,000 entries.

Run on demand (not part of the test suite)::

    python bench/pages_bench.py                         # 1,000 / 10,000 / 50,000 entries
    python bench/pages_bench.py --sizes 1000 --reps 10  # a quick look
    python bench/pages_bench.py --rebuild               # build the schools again

For each size it builds a school through the journal's services
(``bench/school.py``) once and keeps it in ``bench/.cache/`` (git-ignored),
keyed by the size, the stored documents' schema version and the builder's
version, so later runs reuse it. A run copies the cached instance, starts the
real server on it (``journal serve``: waitress, a separate process), signs in
through the login form, and requests every main page and API call, each right
after the hello-world route ``/health`` on the same server (interleaved, the
order shuffled each round, so machine noise hits both alike). It reports p50
and p95 per page, the ratio to hello-world, the growth from the smallest to the
largest size, the server's memory, ``journal check`` on the instance, and the
pages that miss their targets (:data:`TARGETS`, docs/performance.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

CACHE = HERE / ".cache"
HELLO = "/health"

#: Page groups and their targets at the largest size (docs/performance.md).
TARGETS = {
    "staff": "p50 <= 20x hello, growth <= 2x",       # pages a teacher or ondersteuner opens
    "coordinator": "p95 < 1 s",                       # school-wide pages
    "search": "p95 < 0.3 s, growth <= 2x (a coordinator's: p95 only; she searches the school)",
    "sign-in": "p95 < 1 s",
}
STAFF_RATIO = 20
GROWTH = 2.0


@dataclass
class Page:
    """One page or API call to measure."""

    label: str
    who: str
    path: str
    group: str
    api: bool = False
    samples: list[float] = field(default_factory=list)
    hello: list[float] = field(default_factory=list)


def pages_for(m: dict) -> list[Page]:
    """The pages to measure on a school described by its manifest ``m``."""
    t, e, g, p = m["trajectory_id"], m["entry_id"], m["goal_id"], m["pupil_id"]
    word = m["search_word"]
    teacher = [
        ("start page", "/"),
        ("my trajectories", "/t/"),
        ("trajectory", f"/t/{t}"),
        ("entry", f"/t/{t}/entries/{e}"),
        ("goal", f"/t/{t}/goals/{g}"),
        ("new entry form", f"/t/{t}/entries/new?kind=observation"),
        ("new entry from template", f"/t/{t}/entries/new?kind=agreement&template="
                                    "ass_predictability.adaptations"),
        ("adaptations", f"/t/{t}/adaptations"),
    ]
    out = [Page(label, "leraar", path, "staff") for label, path in teacher]
    out += [Page(label, "ondersteuner", path, "staff") for label, path in teacher[:3]]
    out += [
        Page("search", "leraar", f"/search?q={word}", "search"),
        Page("search", "ondersteuner", f"/search?q={word}+stappenplan", "search"),
        Page("search", "zorg", f"/search?q={word}", "search"),
    ]
    api = [
        ("API trajectories", "/api/v1/trajectories"),
        ("API trajectory", f"/api/v1/trajectories/{t}"),
        ("API entries", f"/api/v1/trajectories/{t}/entries"),
        ("API entry", f"/api/v1/entries/{e}"),
        ("API goals", f"/api/v1/trajectories/{t}/goals"),
        ("API pupils", "/api/v1/pupils"),
    ]
    out += [Page(label, "leraar", path, "staff", api=True) for label, path in api]
    year = m["school_year"]
    coordinator = [
        ("start page (overview)", "/"),
        ("all trajectories", "/t/?closed=1"),
        ("open trajectories", "/t/"),
        ("trajectory", f"/t/{t}"),
        ("patterns", "/patterns/"),
        ("patterns, this school year", f"/patterns/?school_year={year}"),
        ("audit log", "/audit/"),
        ("audit log, page 50", "/audit/?page=50"),
        ("audit log by pupil", f"/audit/?pupil_id={p}"),
        ("audit log by user and action", "/audit/?user=leraar&action=view"),
        ("audit log by date", f"/audit/?since={_days_ago(30)}&until={_days_ago(20)}"),
        ("adaptations of the school", "/adaptations/school"),
        ("pupils", "/pupils/"),
        ("API trajectories", "/api/v1/trajectories"),
    ]
    out += [Page(label, "zorg", path, "coordinator", api=label.startswith("API"))
            for label, path in coordinator]
    return out


def _days_ago(days: int) -> str:
    from datetime import date
    from datetime import timedelta

    return (date.today() - timedelta(days=days)).isoformat()


# -- building and caching -------------------------------------------------------------------

def cache_key(size: int) -> str:
    """The cache folder name: size, document schema, builder and audit-store versions."""
    from journal.storage.migrations import SCHEMA_VERSION
    from school import BUILDER_VERSION

    return f"school-{size}-schema{SCHEMA_VERSION}-builder{BUILDER_VERSION}"


def cached_school(size: int, *, rebuild: bool, out=print) -> tuple[Path, dict]:
    """Return the cached instance of ``size`` entries and its manifest, building it if needed."""
    from school import instance_summary

    folder = CACHE / cache_key(size)
    manifest_file = folder / "bench-manifest.json"
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    if not manifest_file.exists():
        if folder.exists():
            shutil.rmtree(folder)  # an interrupted build
        CACHE.mkdir(parents=True, exist_ok=True)
        out(f"building a school of {size:,} entries in {folder} (once; later runs reuse it)")
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build-into", str(folder), "--sizes",
                        str(size)], check=True)
        out(f"  built in {time.perf_counter() - started:.0f} s")
    manifest = json.loads(manifest_file.read_text("utf-8"))
    audit_file = folder / "bench-audit.json"
    if not audit_file.exists():
        out(f"writing {manifest['plan']['audit_records']:,} audit records of visits (once)")
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--audit-into", str(folder)], check=True)
        out(f"  written in {time.perf_counter() - started:.0f} s")
    manifest.update(json.loads(audit_file.read_text("utf-8")))
    manifest["plan"] = instance_summary(size)
    return folder, manifest


def build_into(folder: Path, size: int) -> None:
    """Build a school of ``size`` entries into the new instance ``folder`` (a child process)."""
    from journal import create_app
    from journal.cli.instance import write_instance_config
    from school import SchoolBuilder

    started = time.perf_counter()
    write_instance_config(folder, "Benchmarkschool")
    app = create_app(instance_path=str(folder))
    with app.app_context():
        manifest = SchoolBuilder(size).build()
        from journal.storage import get_store

        get_store().compact()
        get_store().close()
    manifest["build_seconds"] = round(time.perf_counter() - started, 1)
    (folder / "bench-manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")


def audit_into(folder: Path) -> None:
    """Give the built school its audit history of visits (a child process)."""
    from journal import create_app
    from school import audit_history
    from school import instance_summary

    manifest = json.loads((folder / "bench-manifest.json").read_text("utf-8"))
    manifest["plan"] = instance_summary(manifest["plan"]["entries"])  # today's numbers
    started = time.perf_counter()
    app = create_app(instance_path=str(folder))
    with app.app_context():
        from journal.storage import get_store

        store = get_store()  # opening it moves an older build's audit records into the trail
        with store.audit.trail._connection() as db:  # what an interrupted run left: again
            db.execute("DELETE FROM audit WHERE id LIKE 'bench%'")
        count = manifest["plan"]["audit_records"] - store.audit.trail.count()
        audit_history(store, manifest, max(0, count))
        store.close()
    (folder / "bench-audit.json").write_text(json.dumps(
        {"audit_seconds": round(time.perf_counter() - started, 1)}), "utf-8")


# -- the server and the client ----------------------------------------------------------------

def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def journal_command() -> list[str]:
    """The ``journal`` command of this Python environment."""
    script = Path(sys.executable).parent / "journal"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from journal.cli import main; main()"]


class Server:
    """``journal serve`` on a copy of an instance, in its own process."""

    def __init__(self, instance: Path):
        self.instance = instance
        self.port = free_port()
        self.process = None
        self.started = 0.0

    def __enter__(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            journal_command() + ["--instance", str(self.instance), "serve", "--port",
                                 str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the server stopped: " + self.process.stdout.read().decode())
            try:
                Client(self.port).get(HELLO)
                self.ready_after = time.perf_counter() - self.started
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not answer within 120 s")

    def memory(self) -> dict[str, int]:
        """The server's resident memory now and at its peak (``VmRSS``, ``VmHWM``), in bytes."""
        out = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
        return out

    def cpu_seconds(self) -> float:
        """The CPU time the server's process has used so far (user and system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_until_idle(self, quiet: float = 1.0, timeout: float = 300) -> float:
        """Wait until the server does nothing on its own for ``quiet`` seconds (at start it
        builds the search index in the background); return the seconds since it started.

        Pages are measured after that: they are what people wait for all day. While the
        index is being built they take two to three times as long at 50,000 entries
        (docs/performance.md), which the first search after start is there to show.
        """
        deadline = time.perf_counter() + timeout
        before = self.cpu_seconds()
        while time.perf_counter() < deadline:
            time.sleep(quiet)
            now = self.cpu_seconds()
            if now - before < 0.05 * quiet:
                break
            before = now
        return time.perf_counter() - self.started

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Client:
    """A keep-alive HTTP client with one cookie jar (the session) and an optional token."""

    def __init__(self, port: int, token: str | None = None):
        self.port = port
        self.token = token
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        """Send one request; return the status and the body."""
        headers = {"Accept-Language": "nl"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, data, headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, ConnectionError):
            self.connection.close()  # the server closed a kept-alive connection: once more
            self.connection.request(method, path, data, headers)
            response = self.connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, content

    def get(self, path: str) -> tuple[int, bytes]:
        """GET ``path``."""
        return self.request("GET", path)

    def timed_get(self, path: str) -> float:
        """GET ``path`` and return the seconds it took; a failure stops the benchmark."""
        started = time.perf_counter()
        status, body = self.get(path)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        return elapsed

    def sign_in(self, username: str, password: str) -> float:
        """Sign in through the login form; return the seconds the form's POST took."""
        status, page = self.get("/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        started = time.perf_counter()
        status, _body = self.request("POST", "/login", {
            "csrf_token": token.group(1).decode(), "username": username, "password": password})
        elapsed = time.perf_counter() - started
        if status != 302:
            raise RuntimeError(f"signing in as {username} answered {status}")
        return elapsed


def make_token(instance: Path, username: str) -> str:
    """Create an API key for ``username`` with the journal command; return its secret."""
    result = subprocess.run(journal_command() + ["--instance", str(instance), "token", "create",
                                                 username, "--name", "bench"],
                            check=True, capture_output=True, text=True)
    found = re.search(r"jrnl_[A-Za-z0-9_-]+", result.stdout)
    if found is None:
        raise RuntimeError("no API key in: " + result.stdout)
    return found.group(0)


# -- measuring ------------------------------------------------------------------------------

def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples``, by linear interpolation."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Result:
    """Everything measured at one size."""

    size: int
    manifest: dict
    pages: list[Page]
    hello: list[float]
    sign_in: list[float]
    first_search: float
    first_search_after: float
    ready_after: float
    memory: dict
    check_seconds: float
    disk: dict
    own_work: dict = field(default_factory=dict)
    idle_after: float = 0.0


def own_work(client: Client, api: Client, manifest: dict) -> dict:
    """How much there is in the teacher's measured trajectory: its entries and register rows.

    The builder gives her 8 trajectories at every size, but their contents are random, so
    the trajectory measured at one size can hold more than at another; the pages that list
    what is in it grow with that, not with the school.
    """
    t = manifest["trajectory_id"]
    _status, body = api.get(f"/api/v1/trajectories/{t}/entries")
    _status, register = client.get(f"/t/{t}/adaptations")
    return {"entries": len(json.loads(body)["items"]),
            "register rows": register.count(b"/adaptations/item?key=")}


def measure(size: int, reps: int, *, rebuild: bool, out=print) -> Result:
    """Build (or reuse) the school of ``size`` entries, serve it and measure every page."""
    cached, manifest = cached_school(size, rebuild=rebuild, out=out)
    with tempfile.TemporaryDirectory(prefix="pages-bench-", dir=CACHE) as tmp:
        instance = Path(tmp) / "instance"
        shutil.copytree(cached, instance)
        tokens = {"leraar": make_token(instance, "leraar"), "zorg": make_token(instance, "zorg")}
        pages = pages_for(manifest)
        with Server(instance) as server:
            password = manifest["password"]
            clients = {}
            sign_in = []
            first = Client(server.port)
            sign_in.append(first.sign_in("leraar", password))
            # The first search right after start: the index is built in the background.
            first_search_after = time.perf_counter() - server.started
            first_search = first.timed_get(f"/search?q={manifest['search_word']}")
            for who in ("leraar", "ondersteuner", "zorg"):
                clients[who] = Client(server.port)
                sign_in.append(clients[who].sign_in(who, password))
            api = {who: Client(server.port, token) for who, token in tokens.items()}
            idle_after = server.wait_until_idle()
            for page in pages:  # a first round, not counted: templates compile, caches fill
                (api if page.api else clients)[page.who].timed_get(page.path)
            hello = []
            for rep in range(reps):
                order = list(pages)
                random.Random(rep).shuffle(order)
                for page in order:
                    client = (api if page.api else clients)[page.who]
                    page.hello.append(client.timed_get(HELLO))
                    page.samples.append(client.timed_get(page.path))
                hello.extend(p.hello[-1] for p in order)
                if rep % 5 == 4:  # a sign-in now and then, as the day goes
                    extra = Client(server.port)
                    sign_in.append(extra.sign_in("leraar", password))
            memory = server.memory()
            ready_after = server.ready_after
            work = own_work(clients["leraar"], api["leraar"], manifest)
        started = time.perf_counter()
        subprocess.run(journal_command() + ["--instance", str(instance), "check"], check=True,
                       capture_output=True)
        check_seconds = time.perf_counter() - started
        disk = {"data": _folder_size(instance / "data")}
    return Result(size, manifest, pages, hello, sign_in, first_search, first_search_after,
                  ready_after, memory, check_seconds, disk, work, idle_after)


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# -- reporting ------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    """Seconds as a short, readable time."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds * 1e3:.1f} ms"


def mb(n: int) -> str:
    """Bytes in MB."""
    return f"{n / 1e6:.0f} MB"


def report(results: list[Result], out=print) -> list[str]:
    """Print the table (the largest size, with growth from the smallest); return the misses."""
    large, small = results[-1], results[0]
    hello50 = statistics.median(large.hello)
    base = {(p.who, p.label): p for p in small.pages}
    out(f"\n== {large.size:,} entries: {large.manifest['plan']['trajectories']:,} trajectories, "
        f"{large.manifest['made']['entries']:,} entries made ==")
    header = (f"{'page':<32} {'who':<13} {'p50':>9} {'p95':>9} {'p50/hello':>10} "
              f"{'growth':>8}  target")
    out(header)
    out("-" * len(header))
    out(f"{'hello-world ' + HELLO:<32} {'':<13} {ms(hello50):>9} "
        f"{ms(percentile(large.hello, 0.95)):>9} {'1.0x':>10} {'':>8}")
    misses = []
    for page in large.pages:
        p50, p95 = statistics.median(page.samples), percentile(page.samples, 0.95)
        ratio = p50 / statistics.median(page.hello)
        earlier = base.get((page.who, page.label))
        growth = p50 / statistics.median(earlier.samples) if earlier and len(results) > 1 else None
        verdict = _verdict(page, p50, p95, ratio, growth)
        if not verdict.endswith("OK"):
            misses.append(f"{page.label} ({page.who}): {verdict}")
        out(f"{page.label:<32} {page.who:<13} {ms(p50):>9} {ms(p95):>9} {ratio:>9.1f}x "
            f"{(f'{growth:.2f}x' if growth else ''):>8}  {verdict}")
    sign_in95 = percentile(large.sign_in, 0.95)
    verdict = "p95 < 1 s " + ("OK" if sign_in95 < 1 else "MISSED")
    out(f"{'sign-in (login form POST)':<32} {'':<13} {ms(statistics.median(large.sign_in)):>9} "
        f"{ms(sign_in95):>9} {'':>10} {'':>8}  {verdict}")
    if not verdict.endswith("OK"):
        misses.append(f"sign-in: {verdict}")
    first_ok = large.first_search < 0.3
    out(f"first search, {large.first_search_after:.1f} s after start: {ms(large.first_search)} "
        f"(target < 0.3 s {'OK' if first_ok else 'MISSED'}); server answered after "
        f"{large.ready_after:.1f} s, was busy on its own (the search index) until "
        f"{large.idle_after:.0f} s; pages were measured after that")
    if not first_ok:
        misses.append(f"first search after start: {ms(large.first_search)}")
    out(f"server memory at {large.size:,} entries: {mb(large.memory.get('VmRSS', 0))} resident, "
        f"peak {mb(large.memory.get('VmHWM', 0))}; data folder {mb(large.disk['data'])}")
    out(f"journal check: {large.check_seconds:.1f} s")
    out("the teacher's measured trajectory: " + "; ".join(
        f"{r.size:,} entries: " + ", ".join(f"{n} {what}" for what, n in r.own_work.items())
        for r in results))
    for r in results:
        out(f"built {r.size:,} entries ({r.manifest['made']['entries']:,} made, "
            f"{r.manifest['plan']['audit_records']:,} audit records) in "
            f"{r.manifest.get('build_seconds', 0):.0f} s, the audit records in "
            f"{r.manifest.get('audit_seconds', 0):.0f} s")
    return misses


def _verdict(page: Page, p50: float, p95: float, ratio: float, growth: float | None) -> str:
    if page.group == "coordinator":
        return "p95 < 1 s " + ("OK" if p95 < 1 else "MISSED")
    if page.group == "search" and page.who == "zorg":  # her own trajectories are the school's
        return "p95 < 0.3 s " + ("OK" if p95 < 0.3 else "MISSED")
    if page.group == "search":
        ok = p95 < 0.3 and (growth is None or growth <= GROWTH)
        return "p95 < 0.3 s, growth <= 2x " + ("OK" if ok else "MISSED")
    ok = ratio <= STAFF_RATIO and (growth is None or growth <= GROWTH)
    return "p50 <= 20x hello, growth <= 2x " + ("OK" if ok else "MISSED")


def main(argv: list[str] | None = None) -> int:
    """Parse the options, measure every size, print the table and the misses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="build the schools again")
    parser.add_argument("--build-into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--audit-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.build_into:
        build_into(args.build_into, sizes[0])
        return 0
    if args.audit_into:
        audit_into(args.audit_into)
        return 0
    print(f"python bench/pages_bench.py --sizes {args.sizes} --reps {args.reps} "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f})")
    results = []
    for size in sizes:
        results.append(measure(size, args.reps, rebuild=args.rebuild))
        print(f"measured {size:,} entries (load average {os.getloadavg()[0]:.1f})")
    misses = report(results)
    if misses:
        print("\nMISSED at {:,} entries:\n  ".format(sizes[-1]) + "\n  ".join(misses))
        return 1
    print(f"\nevery target met at {sizes[-1]:,} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
