"""The guide's own example: a plugin written from docs/plugins.md alone works the first time.

The code blocks of docs/plugins.md that start with a file name (``# pyproject.toml``,
``{# journal_sensory_breaks/templates/… #}``) are the example plugin, in order. This
test builds it from the guide, checks that docs/plugin-skeleton is exactly that plugin,
and uses it through the journal's pages as a school would.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from journal.plugins.entry_templates import registry
from journal.plugins.testing import assert_plugin_contract
from journal.plugins.testing import post_template_entry
from journal.storage import get_store

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
SKELETON = ROOT / "docs" / "plugin-skeleton"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
FILE_LINE = re.compile(r"^(?:# |\{# )([\w./-]+\.(?:py|toml|html))(?: #\})?$")
MODULE = "journal_sensory_breaks"


def example_files() -> dict[str, str]:
    """Return the example plugin's files as the guide gives them: path -> text."""
    files: dict[str, str] = {}
    for _language, body in FENCE.findall(GUIDE.read_text("utf-8")):
        first, _, rest = body.partition("\n")
        named = FILE_LINE.match(first)
        if named:
            path = named.group(1)
            files[path] = f"{files[path]}\n\n{rest}" if path in files else rest
    return files


def test_the_guide_gives_a_whole_plugin_and_the_skeleton_is_exactly_it():
    files = example_files()
    assert set(files) >= {"pyproject.toml", f"{MODULE}/__init__.py",
                          f"{MODULE}/templates/sensory_breaks/overview.html",
                          "tests/test_sensory_breaks.py"}
    for path, text in files.items():
        assert (SKELETON / path).read_text("utf-8") == text, (
            f"docs/plugin-skeleton/{path} differs from the guide's example")


@pytest.fixture
def guide_plugin(tmp_path, monkeypatch):
    """The example plugin, written to a folder from the guide and imported from there."""
    for path, text in example_files().items():
        target = tmp_path / "journal-sensory-breaks" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "journal-sensory-breaks"))
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    module = importlib.import_module(MODULE)
    yield module
    sys.modules.pop(MODULE, None)


def test_the_guides_plugin_keeps_the_contract(guide_plugin):
    assert [t.id for t in assert_plugin_contract(guide_plugin, "sensory_breaks")["templates"]] \
        == ["sensory_breaks.agreement"]


def test_the_guides_plugin_works_through_the_pages(app, users, login, make_trajectory,
                                                   register_plugin, plugin_host, guide_plugin):
    register_plugin(guide_plugin, "sensory_breaks", source="entrypoint")
    trajectory = make_trajectory(users["teacher"], users["support"], focus_areas=["sensorisch"])
    base = f"/t/{trajectory['id']}"
    teacher = login(app.test_client(), "teacher")

    # step 4: the focus area and the suggested template
    page = teacher.get(base).get_data(as_text=True)
    assert "Sensorische prikkelverwerking" in page
    assert [s.id for s in registry.suggested(plugin_host, trajectory)] == [
        "sensory_breaks.agreement"]
    form = teacher.get(f"{base}/entries/new?kind=agreement&template=sensory_breaks.agreement")
    assert "Koptelefoon tegen geluid bij zelfstandig werk" in form.get_data(as_text=True)
    answers = {"breaks": {"koptelefoon": {"status": "werkt", "note": "bij dictees"}},
               "moment": "instructie", "effect": 4}
    saved = post_template_entry(teacher, trajectory, guide_plugin.breaks_v1(), answers,
                                date="2025-03-03", what="Koptelefoon bij zelfstandig werk.",
                                applied_by="klasleraar", from_date="2025-03-03",
                                review_date="2025-04-28", action="publish")
    assert saved.status_code == 302, saved.get_data(as_text=True)[-2000:]

    # step 5: the page, linked from the trajectory, in the journal's layout, team only
    link = f"/p/sensory_breaks/t/{trajectory['id']}"
    assert f'href="{link}"' in teacher.get(base).get_data(as_text=True)
    overview = teacher.get(link).get_data(as_text=True)
    assert 'class="skip-link"' in overview and "<h1>Prikkelpauzes</h1>" in overview
    assert "Koptelefoon tegen geluid" in overview and "bij dictees" in overview
    outsider = login(app.test_client(), "outsider_teacher")
    assert outsider.get(link).status_code == 404
    assert app.test_client().get(link).status_code == 302  # sign in first

    # step 6: the export, offered on the print view
    printed = teacher.get(f"{base}/print").get_data(as_text=True)
    assert "Prikkelpauzes (tekst)" in printed
    download = teacher.get(f"{base}/export/sensory_breaks.breaks")
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert "Koptelefoon tegen geluid" in download.get_data(as_text=True)

    # step 7: the setting, checked by the plugin
    admin = login(app.test_client(), "admin")
    refused = admin.post("/admin/plugins/sensory_breaks/settings",
                         data={"s_remind_after_days": "200"})
    assert refused.status_code == 400
    assert admin.post("/admin/plugins/sensory_breaks/settings",
                      data={"s_remind_after_days": "30"}).status_code == 302
    assert plugin_host.plugin_settings("sensory_breaks") == {"remind_after_days": 30}
    assert "settings" in [r["detail"] for r in get_store().audit.all()
                          if r["object_type"] == "plugin"]
