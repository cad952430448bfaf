"""Two school journals and a centre's journal as separate ``journal serve`` processes on
loopback, with the test OpenID provider as a process of its own (tests.support.oidc_provider).

``running_world(folder, log_dir)`` starts everything and links both schools to the centre
through the admins' own pages (a pairing code made at the centre, typed in at each
school); it yields a :class:`World`. The people:

* Jonas (``sub-jonas`` at the provider): ondersteuner at the centre and in both demo
  schools, on teams in both;
* Lien (``sub-lien``): ondersteuner at the centre; in school B an ondersteuner on no team;
  unknown in school A.

Each journal listens on a loopback address of its own (127.0.0.2 to 127.0.0.4; the provider
on 127.0.0.1), as each school has its own host name in real life: a browser keeps cookies per
host, not per port, so one browser can be signed in at the centre and at a school at once.
Waits are generous (:data:`START_SECONDS`): the machine may be busy.

Used by tests/federation/test_processes.py and the browser suite
(tests/e2e/test_e2e_federation.py).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
#: Seconds a process may take to answer after it was started (a loaded 2-core machine).
START_SECONDS = 180
#: The loopback address of each journal (the provider is on 127.0.0.1).
HOSTS = {"school_a": "127.0.0.2", "school_b": "127.0.0.3", "centre": "127.0.0.4"}
JOURNAL = "import sys; from journal.cli import main; sys.exit(main())"
PEOPLE = [
    {"username": "jonas", "password": "jonas-at-idp", "sub": "sub-jonas", "name": "Jonas Maes",
     "email": "jonas@centrum.example", "amr": ["pwd"]},
    {"username": "lien", "password": "lien-at-idp", "sub": "sub-lien", "name": "Lien Janssens",
     "email": "lien@centrum.example", "amr": ["pwd"]},
]

#: Run in an instance before its server starts: make accounts, link identities, print ids.
SETUP = """
import json, sys
from journal import create_app
from journal.accounts import create_user
from journal.signin import identities, providers
from journal.storage import get_store
spec = json.loads(sys.argv[2])
app = create_app(instance_path=sys.argv[1])
with app.app_context():
    store = get_store()
    admin = next(u for u in store.users.all() if "admin" in u["roles"])
    provider = providers.get_provider("test-idp")
    out = {}
    for person in spec:
        found = store.users.find(username=person["username"])
        user = found[0] if found else create_user(
            person["username"], roles=person["roles"], password="a long test passphrase 42",
            display_name=person["username"].title())
        identities.link(admin, user, provider, person["subject"])
        out[person["username"]] = user["id"]
    store.close()
print(json.dumps(out))
"""

#: Prints one collection of an instance (the tests read link keys and entry ids with it).
READ = """
import json, sys
from journal import create_app
from journal.storage import get_store
app = create_app(instance_path=sys.argv[1])
with app.app_context():
    print(json.dumps(getattr(get_store(), sys.argv[2]).all()))
    get_store().close()
"""


def free_port(host: str = "127.0.0.1") -> int:
    """A free TCP port on a loopback address."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _run(code: str, *args: str, env: dict, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=START_SECONDS * 2)
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _wait(url: str, process: subprocess.Popen, log: Path, seconds: int = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"stopped with {process.returncode}:\n{log.read_text('utf-8')}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds}s:\n{log.read_text('utf-8')}")


def stop(process: subprocess.Popen) -> None:
    """Stop a process we started, and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Journal:
    """One running journal: its address, instance folder, process and demo accounts."""

    name: str
    url: str
    instance: Path
    process: subprocess.Popen
    accounts: dict
    ids: dict = field(default_factory=dict)

    def password(self, username: str) -> str:
        """The password of an account made by ``--demo`` (or the setup)."""
        if username in self.accounts:
            return self.accounts[username]["password"]
        return "a long test passphrase 42"

    def session(self, username: str) -> requests.Session:
        """A browser-like session signed in with a password."""
        http = requests.Session()
        http.headers["Accept-Language"] = "en"
        answer = http.post(self.url + "login", data={
            "username": username, "password": self.password(username),
            "csrf_token": csrf_token(http.get(self.url + "login").text)}, allow_redirects=False)
        assert answer.status_code == 302, answer.text[:500]
        return http

    def read(self, collection: str, env: dict) -> list[dict]:
        """Every document of one collection, read from the instance beside the server."""
        return json.loads(_run(READ, str(self.instance), collection, env=env,
                               cwd=self.instance.parent))

    def links(self, env: dict) -> list[dict]:
        """This journal's link records."""
        return self.read("federation_links", env)


def csrf_token(page: str) -> str:
    """The CSRF token in a page's first form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def post_form(http: requests.Session, page_url: str, action: str, data: dict):
    """Open ``page_url`` and post ``data`` (plus its CSRF token) to ``action``."""
    token = csrf_token(http.get(page_url).text)
    return http.post(action, data={**data, "csrf_token": token}, allow_redirects=False)


@dataclass
class World:
    """The provider, two schools and the centre, linked."""

    issuer: str
    school_a: Journal
    school_b: Journal
    centre: Journal
    env: dict
    link_a: str = ""
    link_b: str = ""

    def sign_in_at_provider(self, journal: Journal, person: str) -> requests.Session:
        """Sign ``person`` in at ``journal`` through the provider, as a browser would."""
        http = requests.Session()
        start = http.get(journal.url + "login/provider/test-idp", allow_redirects=False)
        authorize = start.headers["Location"]
        password = next(p["password"] for p in PEOPLE if p["username"] == person)
        http.get(authorize)
        back = http.post(authorize, data={"username": person, "password": password},
                         allow_redirects=False)
        signed_in = http.get(back.headers["Location"], allow_redirects=False)
        assert signed_in.status_code == 302, signed_in.text[:500]
        return http


def _pair(world: World, school: Journal) -> str:
    """The centre's admin makes a code; the school's admin types it in with every share on."""
    centre_admin = world.centre.session("beheer")
    page = post_form(centre_admin, world.centre.url + "centre/admin/schools",
                     world.centre.url + "centre/admin/schools/code", {}).text
    code = re.search(r'id="pairing-code">([A-Z0-9-]+)<', page)[1]
    school_admin = school.session("beheer")
    answer = post_form(school_admin, school.url + "admin/centres/",
                       school.url + "admin/centres/pair",
                       {"centre_url": world.centre.url.rstrip("/"), "code": code,
                        "shares": ["caseload", "library", "patterns"]})
    assert answer.status_code == 302, answer.text[:2000]
    (link,) = [l for l in school.links(world.env) if l["status"] == "active"]
    return link["id"]


@contextmanager
def running_world(base: Path, logs: Path):
    """Start the provider, two demo schools and a demo centre; link both schools."""
    logs.mkdir(parents=True, exist_ok=True)
    people = base / "people.json"
    people.write_text(json.dumps(PEOPLE), "utf-8")
    idp_port = free_port()
    issuer = f"http://127.0.0.1:{idp_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["JOURNAL_OIDC_PROVIDERS"] = json.dumps([{
        "id": "test-idp", "name": "Testaanmelding", "issuer": issuer, "client_id": "journal",
        "client_secret": "journal-secret"}])
    # Generous: a busy machine must not turn a slow school into "not reachable" (a school
    # that is stopped is refused at once, whatever this says).
    env["JOURNAL_FEDERATION_TIMEOUT_SECONDS"] = "15"
    with ExitStack() as stack:
        idp_log = stack.enter_context(open(logs / "federation-provider.log", "w",
                                           encoding="utf-8"))
        idp = subprocess.Popen([sys.executable, "-m", "tests.support.oidc_provider", "--port",
                                str(idp_port), "--users", str(people)], cwd=ROOT,
                               stdout=idp_log, stderr=subprocess.STDOUT)
        stack.callback(stop, idp)
        journals = {}
        for key, args, spec in (
                ("school_a", ["init", "--demo", "--school", "Basisschool De Linde"],
                 [{"username": "ondersteuner", "roles": ["support"], "subject": "sub-jonas"}]),
                ("school_b", ["init", "--demo", "--school", "Basisschool Sint-Jozef"],
                 [{"username": "ondersteuner", "roles": ["support"], "subject": "sub-jonas"},
                  {"username": "lien", "roles": ["support"], "subject": "sub-lien"}]),
                ("centre", ["init", "--centre", "--demo", "--school", "Leersteuncentrum De Brug"],
                 [{"username": "ondersteuner", "roles": ["support"], "subject": "sub-jonas"},
                  {"username": "ondersteuner2", "roles": ["support"], "subject": "sub-lien"}])):
            instance = base / key
            _run(JOURNAL, "--instance", str(instance), *args, env=env, cwd=base)
            accounts = json.loads((instance / "demo-accounts.json").read_text("utf-8"))
            journals[key] = (instance, accounts, spec)
        _wait(issuer + "/.well-known/openid-configuration", idp, logs / "federation-provider.log")
        running = {}
        for key, (instance, accounts, spec) in journals.items():
            ids = json.loads(_run(SETUP, str(instance), json.dumps(spec), env=env,
                                  cwd=base).strip().splitlines()[-1])
            host = HOSTS[key]
            port = free_port(host)
            log = logs / f"federation-{key}.log"
            out = stack.enter_context(open(log, "w", encoding="utf-8"))
            process = subprocess.Popen(
                [sys.executable, "-c", JOURNAL, "--instance", str(instance), "serve",
                 "--host", host, "--port", str(port), "--threads", "4"],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=base)
            stack.callback(stop, process)
            running[key] = Journal(key, f"http://{host}:{port}/", instance, process,
                                   accounts, ids)
        for journal in running.values():
            _wait(journal.url + "login", journal.process,
                  logs / f"federation-{journal.name}.log")
        world = World(issuer, running["school_a"], running["school_b"], running["centre"], env)
        world.link_a = _pair(world, world.school_a)
        world.link_b = _pair(world, world.school_b)
        yield world
