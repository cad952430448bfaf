"""Test fixtures for the journal and its plugins, shipped as a pytest plugin.

Installed with the journal (entry point ``pytest11``), so a plugin's own test
suite gets them by installing ``journal``. See docs/plugins.md, "Testing".

Fixtures: ``app`` (a journal on a temporary instance, strict plugins, no
installed plugins loaded unless asked), ``client``, ``runner``, ``users`` (one
account per role plus an outsider), ``login`` (sign a client in as a user),
``make_trajectory`` and friends (data factories), ``register_plugin`` (a
throwaway plugin that is always removed), ``plugin_host`` and
``lenient_plugins`` (strict mode off). Contract checks for plugin authors:
``assert_plugin_contract``, ``save_entry_fixtures``, ``assert_old_entries_render`` (from :mod:`journal.plugins.contract`).

"""

from __future__ import annotations

import contextlib
import contextvars

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from werkzeug.datastructures import MultiDict

from journal import create_app
from journal.plugins import wiring
from journal.plugins.contract import assert_old_entries_render  # noqa: F401
from journal.plugins.contract import assert_plugin_contract  # noqa: F401
from journal.plugins.contract import form_data  # noqa: F401
from journal.plugins.contract import post_template_entry  # noqa: F401
from journal.plugins.contract import sample_answers  # noqa: F401
from journal.plugins.contract import save_entry_fixtures  # noqa: F401
from journal.process import comments
from journal.process import entries
from journal.process.entry_forms import parse_values
from journal.process.entry_plugins import template_ref
from journal.rendering import render_markdown
from journal.security.passwords import hash_password
from journal.storage import get_store

#: The password of every account the fixtures create.
TEST_PASSWORD = "correct horse battery staple"

#: The accounts the ``users`` fixture creates: name -> roles.
TEST_USERS = {
    "teacher": ["teacher"],
    "support": ["support"],
    "coordinator": ["coordinator"],
    "admin": ["admin"],
    "outsider_teacher": ["teacher"],
    "outsider_support": ["support"],
}


def make_test_app(tmp_path, **config):
    """Build an app on a temporary instance with test settings (``config`` overrides)."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "JOURNAL_IN_MEMORY": True,
        "JOURNAL_LOAD_ENTRYPOINTS": False,
        "JOURNAL_STRICT_PLUGINS": True,
        "WTF_CSRF_ENABLED": False,
    }
    settings.update(config)
    application = create_app(settings, instance_path=str(tmp_path / "instance"))
    application.test_client_class = JournalTestClient
    application.jinja_env.bytecode_cache = _TEMPLATE_CACHE
    return application


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates shared by every test app of the session.

    Each test builds a new app, and compiling the templates again for each was
    most of a page test's time. Jinja checks the source checksum on load.
    """

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = _MemoryBytecodeCache()


class JournalTestClient(FlaskClient):
    """A test client whose requests never share ``g`` with the test's app context.

    The ``app`` fixture keeps an app context pushed so tests can call
    ``get_store()``; Flask would reuse that context (and its ``g``, including
    the cached locale) for every request. Each request here runs in a fresh
    :mod:`contextvars` context, as it would in a real server.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_config():
    """Override this fixture to change the ``app`` fixture's settings."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    """A journal application on a temporary, in-memory instance."""
    application = make_test_app(tmp_path, **app_config)
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for ``app``."""
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def test_password_hash() -> str:
    """The argon2 hash of :data:`TEST_PASSWORD`, computed once per test session.

    Argon2 is slow on purpose (tens of milliseconds at the journal's parameters);
    hashing once instead of once per test saves about a minute over the suite.
    """
    return hash_password(TEST_PASSWORD)


@pytest.fixture
def users(app, test_password_hash):
    """One active account per role plus outsiders: a dict name -> user document."""
    hashed = test_password_hash
    store = get_store()
    out = {}
    for name, roles in TEST_USERS.items():
        out[name] = store.users.create(
            {"username": name, "display_name": name.replace("_", " ").title(), "roles": roles,
             "password_hash": hashed, "active": True, "locale": "en"}
        )
    return out


@pytest.fixture
def login(app, users):
    """Sign a client in: ``login(client, user_or_name)``; returns the client.

    Uses the ``users`` fixture's accounts (created when ``login`` is used).
    """

    def do_login(test_client, user):
        username = user if isinstance(user, str) else user["username"]
        response = test_client.post("/login", data={"username": username, "password": TEST_PASSWORD})
        assert response.status_code == 302, f"login as {username} failed"
        return test_client

    return do_login


@pytest.fixture
def make_pupil(app):
    """Create a pupil: ``make_pupil(display_name="Leerling A", class_group="3B")``."""

    def factory(display_name: str = "Leerling A", class_group: str = "3B", **fields) -> dict:
        doc = {"display_name": display_name, "class_group": class_group, "left_on": None}
        doc.update(fields)
        return get_store().pupils.create(doc)

    return factory


@pytest.fixture
def make_trajectory(app, make_pupil):
    """Create a trajectory: ``make_trajectory(users["teacher"], (users["support"], "support"))``.

    Members are user documents (their first teacher/support/coordinator role)
    or ``(user, role)`` pairs. Without ``pupil_id`` a new pupil is made for a
    pupil-aimed trajectory. Other keyword arguments set fields directly.
    """

    def factory(*members, **fields) -> dict:
        team = []
        for member in members:
            user, role = member if isinstance(member, tuple) else (member, None)
            if role is None:
                role = next((r for r in ("support", "teacher", "coordinator")
                             if r in user.get("roles", ())), "teacher")
            team.append({"user_id": user["id"], "role": role})
        doc = {
            "target": "pupil", "pupil_id": None, "title": "", "educational_need": "",
            "learning_question": "", "focus_areas": [], "members": team, "phase": "observation",
            "phase_history": [], "start_date": "2025-01-06", "planned_end_date": None,
            "closed_on": None, "created_by": team[0]["user_id"] if team else None, "html": {},
        }
        doc.update(fields)
        if doc["target"] == "pupil" and not doc["pupil_id"]:
            doc["pupil_id"] = make_pupil()["id"]
        return get_store().trajectories.create(doc, actor_id=doc["created_by"])

    return factory


@pytest.fixture
def make_goal(app):
    """Create a goal in a trajectory: ``make_goal(trajectory, text=…, review_date=…)``."""

    def factory(trajectory: dict, **fields) -> dict:
        members = trajectory.get("members") or [{"user_id": None}]
        doc = {
            "trajectory_id": trajectory["id"], "pupil_id": trajectory.get("pupil_id"),
            "text": "Stapt zelfstandig in bij groepswerk.", "owner_id": members[0]["user_id"],
            "review_date": "2099-06-30", "status": "ongoing", "evaluations": [], "html": {},
            "created_by": members[0]["user_id"],
        }
        doc.update(fields)
        if "html" not in fields:
            doc["html"] = {"text": str(render_markdown(doc["text"]))}
        return get_store().goals.create(doc, actor_id=doc["created_by"])

    return factory


@pytest.fixture
def make_entry(app):
    """Create an entry (published unless ``publish=False``):
    ``make_entry(trajectory, author, seen="…", internal=True, breach_of_rules=True)``.

    Keyword arguments are form fields of the kind (``seen``, ``what``, ``date``,
    ``tags``, ``goal_ids``, ``internal``, ``breach_of_rules`` …); sensible
    defaults fill the required ones. ``template=spec, answers={…}`` fills it from a
    plugin template (its snapshot is stored as on the page). The fields are checked and rendered as the
    entry service does, but like the other factories it arranges data: no access
    check, no audit record, no ``journal_entry_saved`` call, and closed
    trajectories take entries too (written before they closed). To test what a
    save does, write through a page, the API or :func:`journal.plugins.api.create_entry`.
    """


    defaults = {
        "observation": {"seen": "Werkt rustig met een timer."},
        "agreement": {"what": "Time-outkaart op de bank.", "applied_by": "klasleraar",
                      "from_date": "2025-02-03", "review_date": "2025-03-31"},
        "one_to_one": {"what": "Woordenschat voorbereiden.", "serves_learning_question": "Ja.",
                       "lowers_barriers": "Minder nieuwe woorden in de les.",
                       "return_to_class": "2025-02-03"},
        "reflection": {"conclusions": "Het stappenplan helpt."},
        "meeting": {"meeting_type": "parents", "decided": "We houden het dagrooster aan."},
    }

    def factory(trajectory: dict, author: dict, kind: str = "observation", *,
                publish: bool = True, template=None, answers: dict | None = None,
                **fields) -> dict:
        form = {"date": "2025-02-03", **defaults.get(kind, {}), **fields}
        for flag in ("internal", "breach_of_rules"):
            form[flag] = "1" if form.get(flag) else ""
        from journal.process.meetings import choices_for

        values = parse_values(kind, MultiDict(form), goal_ids=entries.goal_ids_of(trajectory),
                              choices=choices_for(trajectory))
        if template is not None:
            values["answers"] = dict(answers or {})
        doc = entries.entry_document(author, trajectory, kind, values, publish=publish,
                                     template=template_ref(template))
        return get_store().entries.create(doc, actor_id=author["id"])

    return factory


@pytest.fixture
def make_comment(app):
    """Add a comment to an entry through the comment service (audited as on the page):
    ``make_comment(entry, author, "Goed idee!")``; ``author`` writes in its trajectory."""

    def factory(entry: dict, author: dict, body: str = "Goed idee, dat probeer ik ook.") -> dict:
        return comments.add_comment(author, entry["id"], body)

    return factory


# -- for plugin authors (docs/plugins.md, "Testing your plugin") ----------------


@pytest.fixture
def plugin_host(app):
    """The app's :class:`journal.plugins.host.PluginHost`."""
    return app.extensions["journal.plugins"]


@pytest.fixture
def register_plugin(app, plugin_host):
    """Register a throwaway plugin on this app; it is always removed afterwards.

    ``register_plugin(obj, name="throwaway", enabled=True)`` returns its
    :class:`~journal.plugins.host.LoadRecord`. Its pages and commands are wired
    too, also after the app served requests (a test may sign in first).
    """
    names = []

    def do_register(plugin, name: str = "throwaway", *, enabled: bool = True,
                    source: str = "test"):
        names.append(name)
        record = plugin_host.register(plugin, name, source=source)
        if record.status == "loaded":
            with _setup_reopened(app):
                wiring.register_blueprints(app, plugin_host, names={name})
            wiring.add_commands(app, plugin_host, names={name})
            if enabled:
                plugin_host.enable(name)
        return record

    yield do_register
    for name in names:
        plugin_host.unregister(name)


@contextlib.contextmanager
def _setup_reopened(app):
    """Let a test app take new routes after it served requests (tests only).

    Flask refuses ``register_blueprint`` once a request was handled, because a
    server may be serving other threads; a test client serves one request at
    a time, so plugin pages registered mid-test are safe to add.
    """
    served, app._got_first_request = app._got_first_request, False
    try:
        yield
    finally:
        app._got_first_request = served


@pytest.fixture
def lenient_plugins(plugin_host):
    """Turn strict mode off, to test what users see when a plugin fails."""
    strict, plugin_host.strict = plugin_host.strict, False
    yield plugin_host
    plugin_host.strict = strict
