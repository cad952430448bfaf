"""Every route x every signed-in role, aimed at another team's pupil: never that
pupil's data, never a change to it, and every refusal is audited.

The test walks ``app.url_map`` (installed plugins included), so it covers
routes as they are added. URL arguments are filled with the ids of a fixture
trajectory of another team; a new kind of argument makes the test fail until
a filler is added to :data:`FILLERS`.
"""

from __future__ import annotations

import pytest

from journal import hookimpl

from journal.security import restricted
from journal.security.sessions import create_token
from journal.storage import get_store

#: A word that appears in every piece of the other team's data, and nowhere else.
MARKER = "zeta"
#: Searched for on every page (the search page echoes it, so it is not the marker).
QUERY = "omega"

#: URL arguments that point at pupil data: a request with one of them must be refused.
OBJECT_ARGS = {"trajectory_id", "entry_id", "goal_id", "pupil_id", "note_id", "comment_id",
               "evaluation_id", "contribution_id", "key", "rev", "attachment_id"}

#: The signed-in people outside the other team (the coordinator legitimately reads everything).
OUTSIDERS = ("teacher", "support", "admin")
#: The other team and the coordinator: at least one of them reaches every object route.
INSIDERS = ("outsider_teacher", "outsider_support", "coordinator")


@pytest.fixture
def app_config():
    return {"JOURNAL_LOAD_ENTRYPOINTS": True, "JOURNAL_STRICT_PLUGINS": False}


@pytest.fixture
def world(app, users, make_pupil, make_trajectory, make_goal, make_entry, make_comment):
    """Team A (teacher, support) and team B (the outsiders) with one trajectory each;
    everything of team B carries :data:`MARKER`."""
    store = get_store()
    host = app.extensions["journal.plugins"]
    store.settings.set("enabled_plugins", sorted(host.records))
    mine = make_trajectory(users["teacher"], users["support"], title="Traject Alfa")
    pupil = make_pupil(display_name="Zorgleerling Zeta", class_group="Zeta-klas")
    theirs = make_trajectory(users["outsider_teacher"], users["outsider_support"],
                             pupil_id=pupil["id"], title="Traject Zeta",
                             learning_question="Zeta-leervraag")
    goal = make_goal(theirs, text="Zeta-doel")
    entry = make_entry(theirs, users["outsider_teacher"], seen="Zeta-observatie omega")
    comment = make_comment(entry, users["outsider_support"], "Zeta-reactie")
    note = store.restricted_notes.create({
        "trajectory_id": theirs["id"], "pupil_id": pupil["id"], "category": "diagnosis",
        "title": "Zeta-attest", "text": "Zeta", "html": {"text": "<p>Zeta</p>"},
        "created_by": users["outsider_support"]["id"]})
    token, _ = create_token(users["outsider_support"], "Zeta-sleutel")
    attachment, picture = _attachments(theirs, users["outsider_support"])
    # Admin routes act on this account, so the matrix never locks out an insider.
    bystander = store.users.create({"username": "bystander", "display_name": "Bystander",
                                    "roles": ["teacher"], "password_hash": "x", "active": True})
    return {"mine": mine, "theirs": theirs, "pupil": pupil, "goal": goal, "entry": entry,
            "comment": comment, "note": note, "token": token, "bystander": bystander,
            "attachment": attachment, "picture": picture}


def _attachments(trajectory: dict, actor: dict) -> tuple[dict, dict]:
    """A photo on team B's handover sheet, and a picture of a shared practice example."""
    import io

    from PIL import Image

    from journal.process import attachments

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "purple").save(out, "JPEG")
    photo = [("Zeta-rooster.jpg", out.getvalue(), "Zeta-bijschrift")]
    (attachment,) = attachments.add(photo, actor=actor, owner_type="handover",
                                    owner_id=trajectory["id"], trajectory=trajectory)
    (picture,) = attachments.add([("kaart.jpg", out.getvalue(), "")], actor=actor,
                                 owner_type="practice", owner_id="some-example", trajectory=None)
    return attachment, picture


def fillers(world, users) -> dict[str, str]:
    """Values for URL arguments, all pointing at team B's data."""
    return {
        "trajectory_id": world["theirs"]["id"],
        "pupil_id": world["pupil"]["id"],
        "goal_id": world["goal"]["id"],
        "entry_id": world["entry"]["id"],
        "comment_id": world["comment"]["id"],
        "note_id": world["note"]["id"],
        "evaluation_id": "evaluation-of-zeta",
        "contribution_id": "contribution-of-zeta",
        "key": "t00000000",
        "rev": "1",
        "token_id": world["token"]["id"],
        "user_id": world["bystander"]["id"],
        "name": "no-such-plugin",
        "example_id": "no-such-example",  # practice examples hold no pupil data
        "attachment_id": world["attachment"]["id"],
        "picture_id": world["picture"]["id"],  # a practice example's picture: no pupil data
        "fmt": "csv",
        "format_id": "matrix.everything",  # see ExportEverything
        "kind": "observation",
        "template_id": "ass.predictability",
        "version": "1",
        "provider_id": "no-such-provider",  # sign-in providers hold no pupil data
    }


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        decision = getattr(app.view_functions[rule.endpoint], "access_decision", None)
        if decision == "public":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _snapshot() -> dict:
    store = get_store()
    tables = ("pupils", "trajectories", "goals", "entries", "comments", "restricted_notes",
              "attachments")
    return {name: sorted((d["id"], d.get("rev")) for d in getattr(store, name).all())
            for name in tables}


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


class ExportEverything:
    """A plugin export format that writes out everything it is given (the marker included)."""

    @hookimpl
    def journal_plugin_info(self):
        return {"title": "Matrix", "description": "", "api_version": 1}

    @hookimpl
    def journal_export_formats(self):
        def render(trajectory, entries, goals):
            return repr((trajectory, entries, goals))

        return [{"id": "everything", "label": "alles", "mimetype": "text/plain",
                 "extension": "txt", "render": render}]


def test_no_route_gives_another_teams_pupil_data_to_anyone(app, users, login, world,
                                                           register_plugin):
    register_plugin(ExportEverything(), "matrix")
    fill = fillers(world, users)
    caller = Caller(app, users, login)
    before = _snapshot()
    problems, unfilled, uncontrolled, todo = [], set(), [], []
    for rule, method in _routes(app):
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
    assert _snapshot() == before, "someone outside the team changed the team's data"
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
    for rule, method in _routes(app):
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
