"""Signing in through an OpenID Connect provider in Chromium, without JavaScript.

The test provider (tests/support/oidc_provider.py) runs as its own process, as it
would for several journals; the journal is a `journal serve` process of its own,
configured with that provider, with a demo teacher linked to a person there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import JOURNAL_COMMAND
from tests.e2e.conftest import ROOT
from tests.e2e.conftest import _free_port
from tests.e2e.conftest import _run
from tests.e2e.conftest import _wait_until_up

PEOPLE = [{"username": "juf.an", "password": "an-at-school", "sub": "e2e-sub-an",
           "name": "An Peeters", "email": "an@school.example", "amr": ["pwd"]}]

LINK = """
import sys
from journal import create_app
from journal.signin import identities, providers
from journal.storage import get_store
app = create_app(instance_path=sys.argv[1])
with app.app_context():
    store = get_store()
    teacher = next(u for u in store.users.all() if "teacher" in u["roles"])
    admin = next(u for u in store.users.all() if "admin" in u["roles"])
    identities.link(admin, teacher, providers.get_provider("test-idp"), sys.argv[2])
    store.close()
print(teacher["username"])
"""


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def oidc_world(tmp_path_factory):
    """A test provider process and a journal process that trusts it."""
    base = tmp_path_factory.mktemp("e2e-oidc")
    people = base / "people.json"
    people.write_text(json.dumps(PEOPLE), "utf-8")
    idp_port = _free_port()
    issuer = f"http://127.0.0.1:{idp_port}"
    ARTIFACTS.mkdir(exist_ok=True)
    idp_log = open(ARTIFACTS / "e2e-oidc-provider.log", "w", encoding="utf-8")
    idp = subprocess.Popen([sys.executable, "-m", "tests.support.oidc_provider", "--port",
                            str(idp_port), "--users", str(people)], cwd=ROOT, stdout=idp_log,
                           stderr=subprocess.STDOUT)
    server = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(issuer + "/.well-known/openid-configuration",
                                            timeout=2):
                    break
            except OSError:
                if idp.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the test provider did not start") from None
                time.sleep(0.2)
        env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
        env["PYTHONUNBUFFERED"] = "1"
        env["JOURNAL_OIDC_PROVIDERS"] = json.dumps([{
            "id": "test-idp", "name": "Testschool", "issuer": issuer, "client_id": "journal",
            "client_secret": "journal-secret"}])
        instance = base / "instance"
        _run([JOURNAL_COMMAND, "--instance", str(instance), "init", "--demo"], env, base)
        teacher = _run([LINK, str(instance), "e2e-sub-an"], env, base).strip().splitlines()[-1]
        port = _free_port()
        log = ARTIFACTS / "e2e-oidc-server.log"
        with open(log, "w", encoding="utf-8") as out:
            server = subprocess.Popen(
                [sys.executable, "-c", JOURNAL_COMMAND, "--instance", str(instance), "serve",
                 "--demo", "--port", str(port), "--threads", "4"],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=base)
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, server, log)
        yield {"url": url, "issuer": issuer, "teacher": teacher}
    finally:
        if server is not None:
            _stop(server)
        _stop(idp)
        idp_log.close()


def test_sign_in_and_out_through_the_provider_without_javascript(browser, oidc_world):
    context = browser.new_context(base_url=oidc_world["url"], locale="nl-BE",
                                  java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("login")
        button = page.get_by_role("link", name=re.compile("Testschool"))
        expect(button).to_be_visible()
        button.click()

        # At the provider: its own sign-in form.
        expect(page).to_have_url(re.compile(re.escape(oidc_world["issuer"]) + "/authorize"))
        page.locator("#username").fill("juf.an")
        page.locator("#password").fill("an-at-school")
        page.get_by_role("button", name="Sign in at the test provider").click()

        # Back at the journal, signed in as the linked teacher.
        expect(page).to_have_url(oidc_world["url"])
        page.goto("account/")
        expect(page.locator("main")).to_contain_text(f"({oidc_world['teacher']})")

        # Signing out ends the journal's session and offers the provider's logout.
        page.locator("form[action$='/logout'] [type=submit]").first.click()
        provider_logout = page.locator(f"a[href^='{oidc_world['issuer']}/logout']")
        expect(provider_logout).to_be_visible()
        provider_logout.click()
        expect(page).to_have_url(re.compile(r"/login$"))
        page.goto("account/")
        expect(page).to_have_url(re.compile(r"/login"))
    finally:
        context.close()


def test_a_replayed_callback_signs_no_one_in(browser, oidc_world):
    context = browser.new_context(base_url=oidc_world["url"], locale="nl-BE")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("login")
        page.get_by_role("link", name=re.compile("Testschool")).click()
        page.locator("#username").fill("juf.an")
        page.locator("#password").fill("an-at-school")
        callbacks = []
        page.on("request", lambda r: callbacks.append(r.url) if "/callback?" in r.url else None)
        page.get_by_role("button", name="Sign in at the test provider").click()
        expect(page).to_have_url(oidc_world["url"])
        page.locator("form[action$='/logout'] [type=submit]").first.click()
        response = page.goto(callbacks[0])
        assert response.status == 401
        page.goto("account/")
        expect(page).to_have_url(re.compile(r"/login"))
    finally:
        context.close()
