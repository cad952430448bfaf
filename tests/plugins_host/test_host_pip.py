"""Done when: a plugin in its own folder, installed with pip and enabled in the admin, adds its
templates without a restart; disabling hides them for new entries while old entries still
render, also after ``pip uninstall``."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import uuid

import pytest

from journal.plugins.entry_templates import registry
from journal.storage import get_store
from journal.plugins.testing import form_data
from journal.plugins.testing import make_test_app
from journal.process.entry_forms import TEMPLATE_PREFIX

NAME = f"piptest_{uuid.uuid4().hex[:8]}"
MODULE = f"journal_{NAME}"

PLUGIN_SOURCE = f'''
from journal import hookimpl
from journal.plugins.entry_templates.specs import Field, Item, Section, TemplateSpec

@hookimpl
def journal_plugin_info():
    return {{"title": "Pip-testplugin", "description": "Tijdelijk.", "api_version": 1}}

@hookimpl
def journal_entry_templates():
    return [TemplateSpec(
        id="{NAME}.rust", version=1, title="Rustmomenten", kind="observation",
        sections=(Section("Rust", (Field("hulp", "checklist", "Wat helpt", items=(
            Item("hoekje", "Rustig hoekje", category="compenseren"),
            Item("muziek", "Zachte muziek"))),)),))]
'''


def pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def installed_package(tmp_path_factory):
    """Build the plugin in its own folder and pip-install it; always uninstall it afterwards."""
    folder = tmp_path_factory.mktemp("plugin") / f"journal-{NAME}"
    (folder / MODULE).mkdir(parents=True)
    (folder / MODULE / "__init__.py").write_text(PLUGIN_SOURCE, "utf-8")
    (folder / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "journal-{NAME.replace('_', '-')}"
        version = "0.3.0"

        [project.entry-points."journal.plugins"]
        {NAME} = "{MODULE}"

        [tool.setuptools.packages.find]
        include = ["{MODULE}*"]
        """), "utf-8")
    try:
        result = pip("install", "--no-deps", "--no-build-isolation", "-q", str(folder))
        if result.returncode != 0:  # no 'wheel' in this environment: let pip build in isolation
            result = pip("install", "--no-deps", "-q", str(folder))
        assert result.returncode == 0, result.stderr[-3000:]
        importlib.invalidate_caches()
        yield folder
    finally:
        pip("uninstall", "-y", "-q", f"journal-{NAME.replace('_', '-')}")
        sys.modules.pop(MODULE, None)
        importlib.invalidate_caches()


@pytest.fixture
def app_config(installed_package):
    return {"JOURNAL_LOAD_ENTRYPOINTS": True, "JOURNAL_IN_MEMORY": False,
            "JOURNAL_STRICT_PLUGINS": False}


@pytest.mark.slow
def test_pip_install_enable_disable_uninstall(app, tmp_path, users, login, make_trajectory,
                                              plugin_host):
    record = plugin_host.records[NAME]
    assert (record.status, record.source, record.version) == ("loaded", "entrypoint", "0.3.0")
    trajectory = make_trajectory(users["teacher"], users["support"])
    admin = login(app.test_client(), "admin")
    teacher = login(app.test_client(), "teacher")
    choose = f"/t/{trajectory['id']}/entries/new"

    assert "Rustmomenten" not in teacher.get(choose).get_data(as_text=True)  # installed, not enabled
    page = admin.get("/admin/plugins/").get_data(as_text=True)
    assert "Pip-testplugin" in page and f"journal-{NAME.replace('_', '-')}" in page

    admin.post(f"/admin/plugins/{NAME}/enable")
    assert "Rustmomenten" in teacher.get(choose).get_data(as_text=True)  # no restart
    spec = registry.find(plugin_host, f"{NAME}.rust")
    answers = {"hulp": {"hoekje": {"status": "werkt", "note": "na de speeltijd"}}}
    response = teacher.post(
        f"{choose}?kind=observation&template={NAME}.rust",
        data={"date": "2025-03-03", "seen": "Zocht zelf het hoekje op.", "action": "publish",
              **form_data(spec, answers, TEMPLATE_PREFIX)})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    (entry,) = get_store().entries.find(trajectory_id=trajectory["id"])
    entry_page = f"/t/{trajectory['id']}/entries/{entry['id']}"

    admin.post(f"/admin/plugins/{NAME}/disable")
    assert "Rustmomenten" not in teacher.get(choose).get_data(as_text=True)
    page = teacher.get(entry_page).get_data(as_text=True)
    assert "Rustig hoekje" in page and "na de speeltijd" in page and "plugin disabled" in page

    result = pip("uninstall", "-y", "-q", f"journal-{NAME.replace('_', '-')}")
    assert result.returncode == 0, result.stderr
    sys.modules.pop(MODULE, None)
    importlib.invalidate_caches()
    get_store().close()

    restarted = make_test_app(tmp_path, JOURNAL_LOAD_ENTRYPOINTS=True, JOURNAL_IN_MEMORY=False,
                              JOURNAL_STRICT_PLUGINS=False)
    assert NAME not in restarted.extensions["journal.plugins"].records
    with restarted.app_context():
        client = login(restarted.test_client(), "teacher")
        page = client.get(entry_page).get_data(as_text=True)
    assert "Rustig hoekje" in page and "na de speeltijd" in page and "plugin removed" in page
