"""Every route x every signed-in role, aimed at another team's pupil: never that
pupil's data, never a change to it, and every refusal is audited.

The test walks ``app.url_map`` (installed plugins included), so it covers
routes as they are added. URL arguments are filled with the ids of a fixture
trajectory of another team; a new kind of argument makes the test fail until
a filler is added to :func:`~tests.security.world.fillers`.
"""

from __future__ import annotations

import pytest

from journal.security import restricted
from journal.security.sessions import create_token
from journal.storage import get_store

from .world import INSIDERS
from .world import MARKER
from .world import OBJECT_ARGS
from .world import OUTSIDERS
from .world import QUERY
from .world import ExportEverything
from .world import fillers
from .world import routes
from .world import snapshot


@pytest.fixture
def app_config():
    return {"JOURNAL_LOAD_ENTRYPOINTS": True, "JOURNAL_STRICT_PLUGINS": False}


class Caller:
    """Signs each test user in once: a browser session for pages, a token for the API."""

    def __init__(self, app, users, login):
        self.app = app
        self.clients = {}
        self.tokens = {}
        self.users = users
        self.login = login

    def request(self, who: str, method: str, url: str):
        if url.startswith("/api/"):
            if who not in self.tokens:
                self.tokens[who] = create_token(self.users[who], "matrix")[1]
            headers = {"Authorization": f"Bearer {self.tokens[who]}", "Accept-Language": "en"}
            client = self.app.test_client()
            kwargs = {"json": {}} if method != "GET" else {}
        else:
            if who not in self.clients:
                self.clients[who] = self.login(self.app.test_client(), who)
            client = self.clients[who]
            headers = {"Accept-Language": "en"}
            kwargs = {"data": {}} if method != "GET" else {"query_string": {"q": QUERY}}
        response = client.open(url, method=method, headers=headers, **kwargs)
        body = response.get_data().decode("utf-8", "replace")  # files (pictures) too
        response.close()
        return response, body


def _denials() -> int:
    return sum(1 for r in get_store().audit.all() if r["action"] == "denied")


def test_no_route_gives_another_teams_pupil_data_to_anyone(app, users, login, world,
                                                           register_plugin):
    register_plugin(ExportEverything(), "matrix")
    fill = fillers(world, users)
    caller = Caller(app, users, login)
    before = snapshot()
    problems, unfilled, uncontrolled, todo = [], set(), [], []
    for rule, method in routes(app):
        missing = [a for a in rule.arguments if a not in fill]
        if missing:
            unfilled.update(missing)
            continue
        url = rule.build({a: fill[a] for a in rule.arguments}, append_unknown=False)[1]
        objects = bool(set(rule.arguments) & OBJECT_ARGS)
        todo.append((rule, method, url, objects))
        if objects and method == "GET":
            # Control, before anyone changes settings: the ids are right, so the
            # refusals below mean something.
            if not any(caller.request(who, method, url)[0].status_code < 400 for who in INSIDERS):
                uncontrolled.append(f"{rule.rule}")
    for rule, method, url, objects in todo:
        for who in OUTSIDERS:
            denied_before = _denials()
            response, body = caller.request(who, method, url)
            where = f"{method} {rule.rule} as {who}: {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where} (server error)")
            if MARKER in body.lower():
                problems.append(f"{where} shows the other team's data")
            if objects:
                if response.status_code not in (403, 404):
                    problems.append(f"{where} (expected 403 or 404)")
                elif _denials() == denied_before:
                    problems.append(f"{where} refused without an audit record")
    assert not unfilled, f"add fillers for these URL arguments: {sorted(unfilled)}"
    assert snapshot() == before, "someone outside the team changed the team's data"
    assert not problems, "\n".join(problems)
    assert not uncontrolled, "no insider reaches these routes either; fix the fillers:\n" + \
        "\n".join(uncontrolled)


def test_team_members_do_see_their_own_pupil(app, users, login, world):
    client = login(app.test_client(), "outsider_teacher")
    page = client.get(f"/t/{world['theirs']['id']}")
    assert page.status_code == 200 and b"Zeta" in page.data


def test_restricted_roles_exclude_administrators(app, users, world):
    get_store().settings.set("restricted_roles", ["teacher", "support", "coordinator"])
    assert not restricted.can_see(users["admin"], world["theirs"])


#: Actions that count as recording a read.
READ_ACTIONS = ("view", "export")


def test_every_read_of_pupil_data_is_audited(app, users, login, world, register_plugin):
    """Pages and API alike: a successful GET of a pupil's object leaves a content-free
    audit record naming that pupil (parents may ask who read their child's file)."""
    register_plugin(ExportEverything(), "matrix")
    fill = fillers(world, users)
    caller = Caller(app, users, login)
    pupil_id = world["pupil"]["id"]
    unaudited = []
    for rule, method in routes(app):
        if method != "GET" or not set(rule.arguments) & OBJECT_ARGS:
            continue
        if any(a not in fill for a in rule.arguments):
            continue  # the matrix above fails for those
        url = rule.build({a: fill[a] for a in rule.arguments}, append_unknown=False)[1]
        for who in INSIDERS:
            before = len(get_store().audit.all())
            response, _body = caller.request(who, method, url)
            if response.status_code != 200:
                continue
            records = get_store().audit.all()[before:]
            reads = [r for r in records if r["action"] in READ_ACTIONS and r["pupil_id"] == pupil_id
                     and r["user_id"] == users[who]["id"]]
            if not reads:
                unaudited.append(f"GET {rule.rule} as {who}")
            for record in records:
                assert MARKER not in repr(record).lower(), f"{rule.rule}: content in the audit log"
            break
    assert not unaudited, "reads of pupil data without an audit record:\n" + "\n".join(unaudited)
