"""The ``journal`` command: creating an instance, serving it, and managing accounts."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from journal import create_app
from journal.cli import main

ADMIN_PASSWORD = "paarse-olifant-fietst-snel"
PASSWORD = "groene-kikker-springt-ver"


@dataclass
class Result:
    """What a ``journal`` command did: its exit code and everything it printed."""

    exit_code: int
    output: str


def journal(*args: str, input: str | None = None) -> Result:
    """Run the installed ``journal`` command in its own process, as an administrator would.

    A process per command also means every file the command opened is closed when it exits.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from journal.cli import main; sys.exit(main())", *args],
        input=input, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        timeout=120,
    )
    return Result(done.returncode, done.stdout)


@pytest.fixture
def run(tmp_path):
    """Run ``journal --instance <tmp>/instance …``; ``run.instance`` is the folder."""
    folder = tmp_path / "instance"

    def invoke(*args: str, input: str | None = None) -> Result:
        return journal("--instance", str(folder), *args, input=input)

    invoke.instance = folder
    return invoke


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    """An instance made by ``journal init`` with one administrator, ``beheerder``."""
    folder = tmp_path_factory.mktemp("cli") / "instance"
    result = journal("--instance", str(folder), "init", "--school", "Basisschool De Linde",
                     input=f"beheerder\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    return folder


class InProcess:
    """Runs ``journal`` commands on one instance inside the test process (faster).

    Used for the account commands, which open only the app the command group makes; that
    app's database is closed after each command.
    """

    def __init__(self, folder):
        self.instance = folder

    def __call__(self, *args: str, input: str | None = None) -> Result:
        apps = []

        def make_app():
            apps.append(create_app(instance_path=str(self.instance)))
            return apps[-1]

        try:
            result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False,
                                        obj=ScriptInfo(create_app=make_app, set_debug_flag=False))
        finally:
            for app in apps:
                app.extensions["journal.store"].close()
        return Result(result.exit_code, result.output)


@pytest.fixture
def instance(tmp_path, initialised):
    """A private copy of ``initialised`` for one test (copying keeps the file modes)."""
    folder = tmp_path / "instance"
    shutil.copytree(initialised, folder)
    return InProcess(folder)


@contextmanager
def opened(instance_path):
    """A journal app on ``instance_path`` whose database is closed afterwards."""
    app = create_app(instance_path=str(instance_path))
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        yield app
    finally:
        app.extensions["journal.store"].close()


def sign_in(instance_path, username: str, password: str) -> int:
    """Post the login form to the instance; return the status code (302 = signed in)."""
    with opened(instance_path) as app:
        return app.test_client().post(
            "/login", data={"username": username, "password": password}
        ).status_code


def test_init_creates_a_private_instance_and_the_first_admin(instance):
    folder = instance.instance
    config = (folder / "config.py").read_text("utf-8")
    assert "SECRET_KEY = '" in config
    assert "Basisschool De Linde" in config
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "config.py").stat().st_mode) == 0o600
    assert sign_in(folder, "beheerder", ADMIN_PASSWORD) == 302
    assert sign_in(folder, "beheerder", "wrong password") == 401


def test_init_refuses_an_existing_instance_and_changes_nothing(instance):
    before = (instance.instance / "config.py").read_text("utf-8")
    result = instance("init", input=f"tweede\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
    assert result.exit_code != 0
    assert "already a journal instance" in result.output
    assert (instance.instance / "config.py").read_text("utf-8") == before


def test_init_asks_again_for_a_weak_admin_password(run):
    result = run("init", input=f"beheerder\nkort\nkort\nbeheerder\n{ADMIN_PASSWORD}\n"
                               f"{ADMIN_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Not created" in result.output
    assert sign_in(run.instance, "beheerder", ADMIN_PASSWORD) == 302


def test_two_instances_get_different_secret_keys(tmp_path):
    keys = []
    for name in ("a", "b"):
        folder = tmp_path / name
        result = journal("--instance", str(folder), "init",
                         input=f"beheerder\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
        assert result.exit_code == 0, result.output
        with opened(folder) as app:
            keys.append(app.config["SECRET_KEY"])
    assert keys[0] != keys[1]
    assert all(len(key) >= 32 for key in keys)


def test_init_demo_prints_working_demo_accounts(run):
    result = run("init", "--demo")
    assert result.exit_code == 0, result.output
    assert "never put real pupils in it" in result.output
    accounts = json.loads((run.instance / "demo-accounts.json").read_text("utf-8"))
    roles = {role for info in accounts.values() for role in info["roles"]}
    assert {"teacher", "support", "coordinator", "admin"} <= roles
    for username, info in accounts.items():
        assert username in result.output
        assert info["password"] in result.output
    some_teacher = next(u for u, info in accounts.items() if "teacher" in info["roles"])
    assert sign_in(run.instance, some_teacher, accounts[some_teacher]["password"]) == 302


def test_serve_refuses_a_folder_that_is_not_an_instance(run):
    result = run("serve", "--port", "1")
    assert result.exit_code != 0
    assert "is not a journal instance" in result.output
    assert "journal init" in result.output
    assert not (run.instance / "config.py").exists()


def test_user_add_list_deactivate_and_activate(instance):
    added = instance("user", "add", "an.peeters", "--role", "teacher", "--role", "support",
                     "--name", "An Peeters", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert sign_in(instance.instance, "an.peeters", PASSWORD) == 302

    listed = instance("user", "list")
    line = next(row for row in listed.output.splitlines() if row.startswith("an.peeters"))
    assert "teacher,support" in line
    assert line.split()[-1] == "active"

    assert instance("user", "deactivate", "an.peeters").exit_code == 0
    listed = instance("user", "list")
    line = next(row for row in listed.output.splitlines() if row.startswith("an.peeters"))
    assert line.split()[-1] == "deactivated"
    assert sign_in(instance.instance, "an.peeters", PASSWORD) == 401

    assert instance("user", "activate", "an.peeters").exit_code == 0
    assert sign_in(instance.instance, "an.peeters", PASSWORD) == 302


def test_user_add_refuses_bad_input_with_the_reason(instance):
    taken = instance("user", "add", "beheerder", "--role", "admin", "--password-stdin",
                     input=PASSWORD + "\n")
    assert taken.exit_code != 0
    assert "already taken" in taken.output
    weak = instance("user", "add", "jan", "--role", "teacher", "--password-stdin",
                    input="kort\n")
    assert weak.exit_code != 0
    assert "at least 8 characters" in weak.output
    bad_role = instance("user", "add", "jan", "--role", "pupil", "--password-stdin",
                        input=PASSWORD + "\n")
    assert bad_role.exit_code != 0
    assert "jan" not in instance("user", "list").output


def test_commands_on_an_unknown_user_fail_clearly(instance):
    for command in (("user", "deactivate", "niemand"), ("user", "reset-password", "niemand",
                                                         "--generate"),
                    ("token", "create", "niemand")):
        result = instance(*command)
        assert result.exit_code != 0
        assert "No account with user name 'niemand'" in result.output


def test_reset_password_with_a_generated_password(instance):
    result = instance("user", "reset-password", "beheerder", "--generate")
    assert result.exit_code == 0, result.output
    new_password = result.output.strip().rsplit(": ", 1)[1]
    assert len(new_password) >= 15
    assert sign_in(instance.instance, "beheerder", ADMIN_PASSWORD) == 401
    assert sign_in(instance.instance, "beheerder", new_password) == 302


def test_reset_password_from_stdin_keeps_the_policy(instance):
    weak = instance("user", "reset-password", "beheerder", "--password-stdin",
                    input="beheerder\n")
    assert weak.exit_code != 0
    assert sign_in(instance.instance, "beheerder", ADMIN_PASSWORD) == 302
    strong = instance("user", "reset-password", "beheerder", "--password-stdin",
                      input=PASSWORD + "\n")
    assert strong.exit_code == 0, strong.output
    assert sign_in(instance.instance, "beheerder", PASSWORD) == 302


def test_token_create_prints_a_secret_that_opens_the_api_and_is_stored_hashed(instance):
    result = instance("token", "create", "beheerder", "--name", "rapportage")
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert len(secret) >= 32
    assert "\n" not in secret
    with opened(instance.instance) as app:
        client = app.test_client()
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.status_code == 200
        assert me.get_json()["username"] == "beheerder"
        wrong = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}x"})
        assert wrong.status_code == 401
    stored = b"".join(f.read_bytes() for f in instance.instance.rglob("*") if f.is_file())
    assert secret.encode() not in stored


def test_serve_refuses_damaged_data_and_says_how_to_recover(instance):
    snapshot = instance.instance / "data" / "journal.snap"
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of the stored data
    snapshot.write_bytes(bytes(data))
    for cache in snapshot.parent.glob("*cache*"):
        cache.unlink()
    result = journal("--instance", str(instance.instance), "serve", "--port", "1")
    assert result.exit_code != 0
    assert "cannot start" in result.output
    assert "journal check" in result.output and "journal restore" in result.output
    assert snapshot.read_bytes() == bytes(data), "the damaged file is left as it was"


def test_account_commands_on_a_folder_that_is_not_an_instance_say_so(tmp_path):
    result = journal("--instance", str(tmp_path / "nothing"), "user", "list")
    assert result.exit_code != 0
    assert "is not a journal instance" in result.output and "journal init" in result.output
    assert "Traceback" not in result.output
