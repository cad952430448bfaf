"""A school's own entry templates: made, previewed, used, changed (a new version each
time), retired, exported and imported in the web UI, by admins and coordinators only;
entries written earlier keep rendering from their snapshots."""

from __future__ import annotations

import re
from html import unescape

import pytest

from journal.plugins.entry_templates import registry
from journal.plugins.host import PluginError
from journal.plugins.testing import post_template_entry
from journal.storage import get_store

from tests.security.corpus import all_hostile
from tests.security.corpus import elements
from tests.security.corpus import sample

VISIT = '''kind = "observation"
title = { nl = "Klasbezoek", en = "Class visit" }
focus_areas = ["ass"]

[[sections]]
title = "Het bezoek"

[[sections.fields]]
key = "calm"
type = "scale"
label = "Rust in de klas"
scale_labels = ["onrustig", "heel rustig"]

[[sections.fields]]
key = "helped"
type = "multiselect"
label = "Wat hielp?"
options = [ { key = "timer", label = "Time-timer" }, { key = "buddy", label = "Buddy" } ]
'''


def save(client, source, url="/entry-templates/new", **extra):
    return client.post(url, data={"source": source, "action": "save", **extra})


def only_template():
    (doc,) = get_store().school_templates.all()
    return doc


def school_audit(action=None):
    return [r for r in get_store().audit.all() if r["object_type"] == "school_template"
            and (action is None or r["action"] == action)]


@pytest.fixture
def team(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"], focus_areas=["ass"])


def entry_fields(**extra):
    return {"date": "2025-03-10", "class_group": "3B", "lesson": "Wiskunde", "moment": "1",
            "seen": "Gezien.", "action": "publish", **extra}


def test_the_whole_life_of_a_school_template(app, client, login, users, team, plugin_host):
    coordinator = login(app.test_client(), "coordinator")
    editor = coordinator.get("/entry-templates/new")
    assert editor.status_code == 200 and b'name="source"' in editor.data
    preview = coordinator.post("/entry-templates/new", data={"source": VISIT, "action": "preview"})
    assert preview.status_code == 200
    assert b"Rust in de klas" in preview.data and b'name="tpl_helped"' in preview.data
    assert get_store().school_templates.all() == []  # a preview saves nothing
    response = save(coordinator, VISIT)
    assert response.status_code == 302
    doc = only_template()
    assert (doc["template_id"], doc["version"]) == ("school.klasbezoek", 1)
    assert doc["source"].startswith('id = "school.klasbezoek"\nversion = 1\n')
    assert [r["detail"] for r in school_audit("create")] == ["school.klasbezoek"]

    # offered to staff like a plugin's template: on the choose page and by focus area
    teacher = login(client, "teacher")
    choose = teacher.get(f"/t/{team['id']}/entries/new").get_data(as_text=True)
    assert "Class visit" in choose and "template=school.klasbezoek" in choose  # an English reader
    teacher.post("/account/language", data={"locale": "nl"})
    assert "Klasbezoek" in teacher.get(f"/t/{team['id']}/entries/new").get_data(as_text=True)
    teacher.post("/account/language", data={"locale": "en"})
    assert [s.id for s in registry.suggested(plugin_host, team)] == ["school.klasbezoek"]
    v1 = registry.find(plugin_host, "school.klasbezoek")
    assert post_template_entry(teacher, team, v1, {"calm": 5, "helped": ["buddy"]},
                               **entry_fields()).status_code == 302
    (old_entry,) = get_store().entries.find(trajectory_id=team["id"])

    # a change is a new version; the old entry keeps the words it was written with
    changed = doc["source"].replace("Rust in de klas", "Rust tijdens de les")
    assert save(coordinator, changed, f"/entry-templates/{doc['id']}/edit",
                rev=doc["rev"]).status_code == 302
    assert only_template()["version"] == 2
    assert [r["detail"] for r in school_audit("update")] == ["v2"]
    assert registry.find(plugin_host, "school.klasbezoek").version == 2
    shown = teacher.get(f"/t/{team['id']}/entries/{old_entry['id']}").get_data(as_text=True)
    assert "Rust in de klas" in shown and "Rust tijdens de les" not in shown
    assert "v1" in shown and "template updated since" in shown
    new_form = teacher.get(f"/t/{team['id']}/entries/new?kind=observation&template=school.klasbezoek")
    assert b"Rust tijdens de les" in new_form.data

    # retired: not offered any more, old entries still render
    assert coordinator.post(f"/entry-templates/{doc['id']}/retire").status_code == 302
    assert [r["detail"] for r in school_audit("update")] == ["v2", "retire"]
    assert registry.find(plugin_host, "school.klasbezoek") is None
    assert "Class visit" not in teacher.get(f"/t/{team['id']}/entries/new").get_data(as_text=True)
    shown = teacher.get(f"/t/{team['id']}/entries/{old_entry['id']}").get_data(as_text=True)
    assert "Rust in de klas" in shown and "Buddy" in shown and "template retired" in shown
    assert coordinator.post(f"/entry-templates/{doc['id']}/retire",
                            data={"retired": "0"}).status_code == 302
    assert registry.find(plugin_host, "school.klasbezoek").version == 2


def test_problems_are_listed_with_their_place_and_the_text_is_kept(app, users, login):
    coordinator = login(app.test_client(), "coordinator")
    broken = VISIT.replace('type = "scale"', 'type = "schaal"').replace('title = "Het bezoek"\n', "")
    response = save(coordinator, broken)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "sections[0].fields[0].type: &#39;schaal&#39; is not one of" in page
    assert "sections[0].title: This is missing." in page
    assert unescape(re.search(r'<textarea id="source"[^>]*>(.*?)</textarea>', page, re.S).group(1)) \
        == broken
    assert get_store().school_templates.all() == []
    response = save(coordinator, "kind = = 1")
    assert response.status_code == 400 and b"This is not valid TOML" in response.data


def test_the_journal_names_and_numbers_school_templates_itself(app, users, login):
    coordinator = login(app.test_client(), "coordinator")
    save(coordinator, 'id = "ass_predictability.observation"\nversion = 7\n' + VISIT)
    doc = only_template()
    assert (doc["template_id"], doc["version"]) == ("school.observation", 1)
    assert doc["source"].count("version =") == 1 and "ass_predictability" not in doc["source"]
    unchanged = save(coordinator, doc["source"], f"/entry-templates/{doc['id']}/edit", rev=doc["rev"])
    assert unchanged.status_code == 302 and only_template()["version"] == 1  # nothing to save


def test_a_stale_edit_changes_nothing_and_keeps_what_was_typed(app, users, login):
    coordinator = login(app.test_client(), "coordinator")
    admin = login(app.test_client(), "admin")
    save(coordinator, VISIT)
    doc = only_template()
    url = f"/entry-templates/{doc['id']}/edit"
    assert save(admin, doc["source"].replace("Buddy", "Maatje"), url, rev=doc["rev"]).status_code == 302
    mine = doc["source"].replace("Time-timer", "Zandloper")
    response = save(coordinator, mine, url, rev=doc["rev"])
    assert response.status_code == 409
    assert "Zandloper" in response.get_data(as_text=True)
    saved = only_template()
    assert saved["version"] == 2 and "Maatje" in saved["source"] and "Zandloper" not in saved["source"]


def test_export_and_import_share_a_template_between_schools(app, users, login):
    coordinator = login(app.test_client(), "coordinator")
    save(coordinator, VISIT)
    doc = only_template()
    exported = coordinator.get(f"/entry-templates/{doc['id']}/export")
    assert exported.status_code == 200
    assert 'filename="school.klasbezoek.toml"' in exported.headers["Content-Disposition"]
    assert exported.get_data(as_text=True) == doc["source"]
    assert [r["detail"] for r in school_audit("export")] == ["v1"]
    from io import BytesIO

    opened = coordinator.post("/entry-templates/import", data={
        "file": (BytesIO(exported.data), "klasbezoek.toml")}, content_type="multipart/form-data")
    assert opened.status_code == 200 and b"Rust in de klas" in opened.data
    assert len(get_store().school_templates.all()) == 1  # opened in the editor, not saved
    save(coordinator, exported.get_data(as_text=True))
    assert sorted(d["template_id"] for d in get_store().school_templates.all()) == [
        "school.klasbezoek", "school.klasbezoek_2"]
    refused = coordinator.post("/entry-templates/import", data={
        "file": (BytesIO(b"\xff\xfe\x00"), "x.toml")}, content_type="multipart/form-data")
    assert refused.status_code == 400 and b"UTF-8" in refused.data


@pytest.mark.parametrize("who, allowed", [("coordinator", True), ("admin", True),
                                          ("teacher", False), ("support", False)])
def test_only_admins_and_coordinators_manage_school_templates(app, users, login, who, allowed):
    client = login(app.test_client(), who)
    for url in ("/entry-templates/", "/entry-templates/new"):
        assert client.get(url).status_code == (200 if allowed else 403)
    response = save(client, VISIT)
    assert response.status_code == (302 if allowed else 403)
    assert len(get_store().school_templates.all()) == (1 if allowed else 0)
    if not allowed:
        assert any(r["action"] == "denied" for r in get_store().audit.all())


def test_no_plugin_can_take_the_schools_name(register_plugin):
    class Impostor:
        pass

    with pytest.raises(PluginError, match="kept for the school"):
        register_plugin(Impostor(), "school")


HOSTILE = sample(all_hostile(), 40)


def test_hostile_text_in_a_template_is_shown_as_text(app, users, login, team):
    coordinator = login(app.test_client(), "coordinator")
    for n, text in enumerate(HOSTILE):
        text = text.replace("\x00", "")[:300]
        source = VISIT.replace('"Rust in de klas"', '"""' + text.replace('"', "'").replace("\\", "/")
                               + ' """').replace('nl = "Klasbezoek"', f'nl = "Bezoek {n}"')
        response = save(coordinator, source)
        assert response.status_code in (302, 400), text
        page = (coordinator.get(response.headers["Location"]) if response.status_code == 302
                else response).get_data(as_text=True)
        assert not injected(page), text
    teacher = login(app.test_client(), "teacher")
    assert not injected(teacher.get(f"/t/{team['id']}/entries/new").get_data(as_text=True))


def injected(page: str) -> list:
    """Elements a hostile text could have smuggled in: inline scripts, frames, handlers."""
    return [(tag, attrs) for tag, attrs in elements(page)
            if tag in ("iframe", "object", "embed", "base")
            or (tag == "script" and not str(attrs.get("src") or "").startswith("/static/"))
            or any(name.startswith("on") or name == "style" for name in attrs)]
