"""Fixtures for the end-to-end suite: the journal on its real WSGI server, driven by Chromium.

* ``live_server`` (session): ``journal init --demo`` on a temporary instance, then
  ``journal serve --demo --port <free port>`` in a subprocess (waitress on 127.0.0.1);
  stopped at the end. Its log is ``artifacts/e2e-server.log``.
* ``browser`` (session): Debian's Chromium (``chromium`` on ``PATH``) through Playwright. When
  it is missing the tests are skipped with the reason, except when ``CI`` is set: then they
  fail, so CI can never pass without running them. Nothing here ever downloads a browser.
* ``context``/``page`` (function): a fresh browser context per test (Dutch, desktop size), so
  tests never share cookies; ``new_context`` makes more (a second user, a phone, no JavaScript).
* ``login_as``: sign a page in as one of the demo accounts (by role or user name).
* ``open_trajectory``: open a trajectory for a new pupil through the form.
* ``axe``, ``unlabelled_fields``, ``focused``, ``tab_to``: accessibility checks (axe-core is
  vendored in ``vendor/axe-core``).
* ``shoot``: save a screenshot at desktop and phone width into ``artifacts/screenshots/``.

Every test in this folder is marked ``e2e``; ``pytest -m "not e2e"`` leaves them out.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

#: Chromium switches: no sandbox (CI runs as root in a container), and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

SERVER_START_SECONDS = 60


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder ``e2e``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


def _unavailable(reason: str):
    """Skip locally, fail in CI: the browser suite must never be silently left out there."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """Return the path of Debian's Chromium (``/usr/bin/chromium``) on ``PATH``, or ``None``."""
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the journal stopped with status {process.returncode}:\n{log.read_text('utf-8')}"
            )
        try:
            with urllib.request.urlopen(url + "login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the journal did not answer within {SERVER_START_SECONDS}s:\n"
                       f"{log.read_text('utf-8')}")


class LiveServer:
    """The running journal.

    :ivar url: its address, ending in ``/``.
    :ivar instance: the instance folder.
    :ivar accounts: the demo accounts as ``journal serve --demo`` wrote them
        (user name -> password, roles).
    :ivar users: every account in the instance: user name -> id, display name, roles.
    """

    def __init__(self, url: str, instance: Path, accounts: dict, users: dict):
        self.url = url
        self.instance = instance
        self.accounts = accounts
        self.users = users

    def user_with_role(self, role: str, *, but: str | None = None) -> str:
        """Return the user name of a demo account holding ``role`` (first by name)."""
        for username in sorted(self.accounts):
            if role in self.accounts[username]["roles"] and username != but:
                return username
        raise LookupError(f"the demo school has no (other) account with role {role!r}")

    def password(self, username: str) -> str:
        """Return the demo password of ``username``."""
        return self.accounts[username]["password"]

    def user_id(self, username: str) -> str:
        """Return the id of ``username`` (form fields name people by id)."""
        return self.users[username]["id"]


#: Reads the accounts of an instance (run in its own process before the server starts).
READ_USERS = """
import json, sys
from journal import create_app
from journal.storage import get_store
app = create_app(instance_path=sys.argv[1])
with app.app_context():
    store = get_store()
    users = {u["username"]: {"id": u["id"], "display_name": u["display_name"],
                             "roles": u["roles"]} for u in store.users.all()}
    store.close()
print(json.dumps(users))
"""

JOURNAL_COMMAND = "import sys; from journal.cli import main; sys.exit(main())"


def _run(args: list[str], env: dict, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{args[1:]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve a fresh demo instance with ``journal serve --demo`` (waitress) on a loopback port.

    ``journal init --demo`` makes the instance first, so the accounts' ids can be read before
    the server owns the database.
    """
    instance = tmp_path_factory.mktemp("e2e") / "instance"
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "e2e-server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    env["PYTHONUNBUFFERED"] = "1"
    cwd = instance.parent
    _run([JOURNAL_COMMAND, "--instance", str(instance), "init", "--demo"], env, cwd)
    users = json.loads(_run([READ_USERS, str(instance)], env, cwd))
    port = _free_port()
    command = [sys.executable, "-c", JOURNAL_COMMAND, "--instance", str(instance), "serve",
               "--demo", "--port", str(port), "--threads", "4"]
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   cwd=cwd)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, process, log)
        accounts = json.loads((instance / "demo-accounts.json").read_text("utf-8"))
        yield LiveServer(url, instance, accounts, users)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched by Playwright (never a downloaded browser)."""
    executable = find_chromium()
    if executable is None:
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts on the live server; all are closed after the test.

    ``new_context(**options)`` takes Playwright's ``new_context`` options; the defaults are a
    Flemish browser (``nl-BE``) at desktop size.
    """
    made = []

    def make(**options):
        settings = {"base_url": live_server.url, "locale": "nl-BE", "viewport": DESKTOP,
                    "timezone_id": "Europe/Brussels"}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def context(new_context):
    """A fresh browser context (own cookies) for one test."""
    return new_context()


@pytest.fixture
def page(context):
    """A page in the test's browser context."""
    return context.new_page()


@pytest.fixture
def login_as(live_server):
    """Sign ``page`` in: ``login_as(page, role_or_username)``; returns the user name."""

    def do_login(page, who: str) -> str:
        username = who if who in live_server.accounts else live_server.user_with_role(who)
        page.goto("login")
        page.locator("[name=username]").fill(username)
        page.locator("[name=password]").fill(live_server.password(username))
        page.locator("form:has([name=password]) [type=submit]").click()
        page.wait_for_load_state()
        assert "/login" not in page.url, f"signing in as {username} failed"
        return username

    return do_login


@pytest.fixture
def shoot():
    """Save what ``page`` shows on a desktop (1280x800) and a phone (390x844) screen.

    ``shoot(page, name)`` writes ``artifacts/screenshots/<name>-desktop.png`` and
    ``<name>-phone.png`` and leaves the page at desktop size.
    ``tools/update_screenshots.py`` copies a set of them to ``docs/screenshots/``.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, at=None) -> None:
        """``at``: a locator to scroll to the top of the screen first."""
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            if at is not None:
                at.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"))
        page.set_viewport_size(DESKTOP)

    return take


AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

#: The axe-core rule sets we hold every page to: WCAG 2.1 A and AA plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The vendored axe-core script (see vendor/axe-core/README.md)."""
    return AXE_JS.read_text("utf-8")


@pytest.fixture
def axe(axe_source):
    """Run axe-core in ``page``: ``axe(page)`` returns the serious and critical violations.

    The script goes in with ``page.evaluate``, which the DevTools protocol runs outside the
    page's Content-Security-Policy, so the journal's strict CSP stays on during the check.
    Each violation is summarised as ``"<rule> (<impact>): <help> at <selectors>"``.
    """

    def check(page) -> list[str]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        result = page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            AXE_TAGS,
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check


#: Form controls a person fills in, with no accessible name from a label or ARIA.
UNLABELLED_FIELDS_JS = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id || el.outerHTML.slice(0, 80))"""


@pytest.fixture
def unlabelled_fields():
    """``unlabelled_fields(page)``: the names of form fields without a label."""
    return lambda page: page.evaluate(UNLABELLED_FIELDS_JS)


#: Describe the focused element and whether its focus indicator is visible (outline or shadow).
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  // Focus inside the browser's own parts of a control (the calendar button of a date
  // field) leaves the field itself unfocused; the browser draws that indicator.
  const inner = !el.matches(':focus');
  const r = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '',
          value: el.getAttribute('value') || '',
          text: (el.innerText || el.value || '').trim().slice(0, 60),
          href: el.getAttribute('href') || '',
          form_action: el.form ? (el.form.getAttribute('action') || '') : '',
          visible: inner || outline || shadow, onscreen: r.width > 0 && r.height > 0};
}"""


@pytest.fixture
def focused():
    """``focused(page)``: the focused element (tag, name, value, text, href, form_action)
    and whether its focus is ``visible``."""
    return lambda page: page.evaluate(FOCUS_JS)


@pytest.fixture
def tab_to():
    """Press Tab until ``predicate(focused_info)`` holds; fail after ``limit`` presses.

    Returns the focused element's description, after checking every element passed on the
    way showed a visible focus indicator.
    """

    def press(page, predicate, limit: int = 60) -> dict:
        for _ in range(limit):
            page.keyboard.press("Tab")
            info = page.evaluate(FOCUS_JS)
            if info is None:
                continue
            assert info["visible"], f"no visible focus on {info}"
            if predicate(info):
                return info
        raise AssertionError(f"nothing matching was reached with {limit} presses of Tab")

    return press


@pytest.fixture
def open_trajectory(live_server):
    """Open a trajectory for a new pupil through the form, as the signed-in user of ``page``.

    ``open_trajectory(page, pupil="Lotte", teacher=username)`` puts ``teacher`` on the team
    (as teacher), ticks the autism focus area and returns the trajectory's URL.
    """

    def do_open(page, *, pupil: str, teacher: str, class_group: str = "3B") -> str:
        page.goto("t/new")
        page.locator("[name=target][value=pupil]").check()
        page.locator("[name=pupil_id]").select_option("new")
        page.locator("[name=new_pupil_name]").fill(pupil)
        page.locator("[name=new_pupil_class]").fill(class_group)
        page.locator("[name=educational_need]").fill(
            "Voorspelbaarheid: weten wat er komt, vooral bij overgangen.")
        page.locator("[name=learning_question]").fill(
            "Hoe kondig ik wijzigingen in de dagplanning aan zonder de les stil te leggen?")
        page.locator("[name=focus_areas][value=ass]").check()
        page.locator(f"[name='member-{live_server.user_id(teacher)}']").select_option("teacher")
        page.locator("form:has([name=new_pupil_name]) [type=submit]").click()
        page.wait_for_load_state()
        assert "/t/new" not in page.url, page.locator("main").inner_text()
        return page.url

    return do_open
