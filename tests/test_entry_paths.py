"""Every way of writing or changing an entry follows the same rules: one audit record, one
``journal_entry_saved`` call, whoever the change came through (a page, the API, a plugin
template, practice adoption, a plugin using :mod:`journal.plugins.api`)."""

from __future__ import annotations

import pytest
from flask import Blueprint
from flask import request

from journal import hookimpl
from journal.plugins import api
from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import Section
from journal.plugins.entry_templates.specs import TemplateSpec
from journal.process.entry_forms import TEMPLATE_PREFIX
from journal.security.sessions import create_token
from journal.storage import get_store

OBSERVATION = {"date": "2025-03-10", "seen": "Hij wacht tot de buur begint."}


def _spec(version: int) -> TemplateSpec:
    return TemplateSpec(
        id="paths.moment", version=version, title="Moment", kind="observation",
        sections=(Section(title="Moment", fields=(
            Field(key="trigger", type="text", label="Aanleiding", required=True),
        )),),
    )


class Recorder:
    """A plugin that hears every save, offers a template and has a page writing through the API."""

    def __init__(self):
        self.saved: list[tuple[str, bool]] = []
        self.versions = (1,)
        self.bp = Blueprint("paths", __name__)

        @self.bp.post("/t/<trajectory_id>/note")
        def note(trajectory_id):
            entry = api.create_entry(api.current_user(), trajectory_id, "observation",
                                     {"date": "2025-03-10", "seen": request.form["seen"]},
                                     publish=True)
            return entry["id"], 201

    @hookimpl
    def journal_plugin_info(self):
        return {"title": "Paths", "description": "", "api_version": 1}

    @hookimpl
    def journal_entry_templates(self):
        return [_spec(v) for v in self.versions]

    @hookimpl
    def journal_entry_saved(self, entry, trajectory, created):
        self.saved.append((entry["id"], created))

    @hookimpl
    def journal_blueprints(self):
        return [self.bp]

    @hookimpl
    def journal_upgrade_entry_data(self, template_id, from_version, to_version, data):
        return dict(data, trigger=data.get("trigger", "") + " (v2)")


@pytest.fixture
def recorder(register_plugin):
    plugin = Recorder()
    register_plugin(plugin, "paths")  # before anyone signs in: plugin pages are wired now
    return plugin


@pytest.fixture
def team(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"])


@pytest.fixture
def teacher(app, recorder, users, login):
    return login(app.test_client(), "teacher")


@pytest.fixture
def bearer(users):
    return {"Authorization": f"Bearer {create_token(users['teacher'], 'paths')[1]}"}


def _entry_ids(trajectory) -> set[str]:
    return {e["id"] for e in get_store().entries.find(trajectory_id=trajectory["id"])}


def _entry_audits(action: str) -> list[dict]:
    return [r for r in get_store().audit.all()
            if r["action"] == action and r["object_type"] == "entry"]


def _via_page(client, team, bearer):
    client.post(f"/t/{team['id']}/entries/new?kind=observation", data=dict(OBSERVATION, action="publish"))


def _via_api(client, team, bearer):
    client.post(f"/api/v1/trajectories/{team['id']}/entries", headers=bearer,
                json={"kind": "observation", "date": "2025-03-10", "publish": True,
                      "fields": {"seen": OBSERVATION["seen"]}})


def _via_template(client, team, bearer):
    client.post(f"/t/{team['id']}/entries/new?kind=observation&template=paths.moment",
                data=dict(OBSERVATION, action="publish", **{TEMPLATE_PREFIX + "trigger": "Invaller"}))


def _via_practice_adoption(client, team, bearer):
    example = get_store().practice_examples.create({
        "title": "Time-outkaart", "status": "suggestion", "focus_areas": [], "adopted_by": [],
        "adaptation": {"text": "Een time-outkaart op de bank.", "category": "compenseren"}})
    client.post(f"/practice/{example['id']}/adopt", data={"trajectory_id": team["id"]})


def _via_plugin(client, team, bearer):
    client.post(f"/p/paths/t/{team['id']}/note", data={"seen": OBSERVATION["seen"]})


@pytest.mark.parametrize("write", [_via_page, _via_api, _via_template, _via_practice_adoption,
                                   _via_plugin], ids=lambda f: f.__name__[5:])
def test_every_way_of_writing_an_entry_is_audited_and_announced_once(
        write, teacher, team, bearer, recorder, users):
    write(teacher, team, bearer)
    (entry_id,) = _entry_ids(team)
    (record,) = _entry_audits("create")
    assert (record["object_id"], record["user_id"], record["pupil_id"]) == (
        entry_id, users["teacher"]["id"], team["pupil_id"])
    assert recorder.saved == [(entry_id, True)]
    assert _entry_audits("update") == []


@pytest.fixture
def draft(teacher, team, recorder):
    """A template observation draft by the teacher; the recorder forgets its creation."""
    teacher.post(f"/t/{team['id']}/entries/new?kind=observation&template=paths.moment",
                 data=dict(OBSERVATION, action="draft", **{TEMPLATE_PREFIX + "trigger": "Invaller"}))
    (entry_id,) = _entry_ids(team)
    recorder.saved.clear()
    return get_store().entries.get(entry_id)


@pytest.fixture
def reflection(teacher, team, recorder):
    response = teacher.post(f"/t/{team['id']}/entries/new?kind=reflection",
                            data={"date": "2025-03-12", "model": "korthagen", "action": "draft"})
    assert response.status_code == 302
    (entry_id,) = _entry_ids(team)
    recorder.saved.clear()
    return get_store().entries.get(entry_id)


def _edit_page(client, entry, bearer, recorder):
    client.post(f"/t/{entry['trajectory_id']}/entries/{entry['id']}/edit", data=dict(
        OBSERVATION, seen="Nu begint hij zelf.", rev=entry["rev"], action="save",
        **{TEMPLATE_PREFIX + "trigger": "Invaller"}))


def _edit_api(client, entry, bearer, recorder):
    client.patch(f"/api/v1/entries/{entry['id']}", headers=bearer,
                 json={"rev": entry["rev"], "tags": ["start"]})


def _publish_page(client, entry, bearer, recorder):
    client.post(f"/t/{entry['trajectory_id']}/entries/{entry['id']}/publish")


def _publish_api(client, entry, bearer, recorder):
    client.post(f"/api/v1/entries/{entry['id']}/publish", headers=bearer)


def _upgrade_page(client, entry, bearer, recorder):
    recorder.versions = (1, 2)  # the plugin ships version 2, which converts the answers
    client.post(f"/t/{entry['trajectory_id']}/entries/{entry['id']}/upgrade",
                data={"rev": entry["rev"]})


@pytest.mark.parametrize("change", [_edit_page, _edit_api, _publish_page, _publish_api,
                                    _upgrade_page], ids=lambda f: f.__name__[1:])
def test_every_change_of_an_entry_is_audited_and_announced_once(change, teacher, draft, bearer,
                                                                recorder, users):
    before = get_store().entries.get(draft["id"])["rev"]
    change(teacher, draft, bearer, recorder)
    assert get_store().entries.get(draft["id"])["rev"] == before + 1
    (record,) = _entry_audits("update")
    assert (record["object_id"], record["user_id"]) == (draft["id"], users["teacher"]["id"])
    assert recorder.saved == [(draft["id"], False)]


def _contribute_page(client, entry, bearer):
    client.post(f"/t/{entry['trajectory_id']}/entries/{entry['id']}/contributions",
                data={"phase": "handelen", "text": "Ik kondigde het groepswerk aan."})


def _contribute_api(client, entry, bearer):
    client.post(f"/api/v1/entries/{entry['id']}/contributions", headers=bearer,
                json={"phase": "handelen", "text": "Ik kondigde het groepswerk aan."})


@pytest.mark.parametrize("contribute", [_contribute_page, _contribute_api],
                         ids=lambda f: f.__name__[12:])
def test_a_contribution_is_audited_and_announced_once(contribute, teacher, reflection, bearer,
                                                      recorder):
    contribute(teacher, reflection, bearer)
    stored = get_store().entries.get(reflection["id"])
    assert len(stored["fields"]["contributions"]) == 1
    (record,) = _entry_audits("update")
    assert record["object_id"] == reflection["id"] and record["detail"].endswith("contribution")
    assert recorder.saved == [(reflection["id"], False)]


def test_a_refused_or_invalid_change_records_no_save(app, teacher, draft, team, login, recorder):
    outsider = login(app.test_client(), "outsider_teacher")
    assert outsider.post(f"/t/{team['id']}/entries/{draft['id']}/publish").status_code == 404
    response = teacher.post(f"/t/{team['id']}/entries/{draft['id']}/edit", data=dict(
        OBSERVATION, date="gisteren", rev=draft["rev"], action="save"))
    assert response.status_code == 400
    assert _entry_audits("update") == [] and recorder.saved == []


def test_a_plugin_writes_only_where_its_user_may(app, recorder, team, users, login):
    outsider = login(app.test_client(), "outsider_teacher")
    assert outsider.post(f"/p/paths/t/{team['id']}/note", data={"seen": "x"}).status_code == 404
    coordinator = login(app.test_client(), "coordinator")  # reads every trajectory, writes in none
    assert coordinator.post(f"/p/paths/t/{team['id']}/note", data={"seen": "x"}).status_code == 403
    assert _entry_ids(team) == set() and recorder.saved == []
    denied = [r for r in get_store().audit.all() if r["action"] == "denied"]
    assert {r["outcome"] for r in denied} == {"403", "404"}


@pytest.mark.parametrize("module", ["entries", "entry_access", "entry_events", "entry_forms",
                                    "entry_history", "entry_plugins", "reflection", "comments"])
def test_the_entry_services_never_read_the_request(module):
    """Services take their actor as an argument: no request, session, ``g`` or ``abort``."""
    import ast
    import importlib
    from pathlib import Path

    source = Path(importlib.import_module(f"journal.process.{module}").__file__)
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
             and (node.module or "").startswith("flask") for alias in node.names}
    assert not names & {"g", "request", "session", "abort"}


def test_the_plugin_api_example_in_the_docs_works_as_written(app, users, login, team,
                                                              register_plugin):
    """The example in docs/plugins.md ("The plugin API"), run as a plugin author would copy it."""
    import re
    from pathlib import Path

    guide = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text("utf-8")
    section = guide.split("## The plugin API", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    namespace: dict = {"__name__": __name__}  # as if pasted into the plugin's module
    exec(compile(example, "docs/plugins.md", "exec"), namespace)

    class SensoryBreaks:
        @hookimpl
        def journal_plugin_info(self):
            return {"title": "Prikkelpauzes", "description": "", "api_version": 1}

        @hookimpl
        def journal_blueprints(self):
            return [namespace["bp"]]

    register_plugin(SensoryBreaks(), "sensory_breaks")
    client = login(app.test_client(), "teacher")
    response = client.post(f"/p/sensory_breaks/t/{team['id']}/break",
                           data={"date": "2025-03-10", "what": "Tien minuten in de rustige hoek."})
    assert response.status_code == 302
    (entry,) = get_store().entries.find(trajectory_id=team["id"])
    assert (entry["status"], entry["tags"], entry["authors"]) == (
        "published", ["prikkelpauze"], [users["teacher"]["id"]])
    assert len(_entry_audits("create")) == 1
    outsider = login(app.test_client(), "outsider_teacher")
    assert outsider.post(f"/p/sensory_breaks/t/{team['id']}/break",
                         data={"date": "2025-03-10", "what": "x"}).status_code == 404
