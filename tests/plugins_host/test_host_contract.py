"""The contract checks shipped to plugin authors, and the plugin skeleton in docs/."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from journal import hookimpl
from journal.plugins.host import PluginError
from journal.plugins.testing import assert_old_entries_render
from journal.plugins.testing import assert_plugin_contract
from journal.plugins.testing import save_entry_fixtures

from .conftest import SamplePlugin
from .conftest import checklist_spec

SKELETON = Path(__file__).resolve().parents[2] / "docs" / "plugin-skeleton"


def load_skeleton():
    spec = importlib.util.spec_from_file_location(
        "journal_sensory_breaks", SKELETON / "journal_sensory_breaks" / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import does: Flask finds the package's templates
    spec.loader.exec_module(module)
    return module


def test_the_sample_plugin_keeps_the_contract():
    checked = assert_plugin_contract(SamplePlugin(versions=(1, 2)), "sample")
    assert [(t.id, t.version) for t in checked["templates"]] == [
        ("sample.checklist", 1), ("sample.checklist", 2)]


def test_the_contract_check_catches_a_hook_that_raises():
    with pytest.raises(RuntimeError, match="journal_reflection_models"):
        assert_plugin_contract(SamplePlugin(fail_in={"journal_reflection_models"}), "sample")


def test_the_contract_check_catches_an_invalid_template():
    class Sloppy(SamplePlugin):
        @hookimpl
        def journal_entry_templates(self):
            return [dataclasses.replace(checklist_spec(), kind="diary")]

    with pytest.raises(PluginError, match="kind 'diary'"):
        assert_plugin_contract(Sloppy(), "sample")


def test_the_contract_check_needs_plugin_info():
    with pytest.raises(PluginError, match="journal_plugin_info"):
        assert_plugin_contract(types.SimpleNamespace(), "bare")


def test_old_entries_render_enabled_disabled_and_removed(tmp_path):
    plugin = SamplePlugin(versions=(1,))
    written = save_entry_fixtures(plugin, tmp_path, "sample")
    assert [p.name for p in written] == ["sample.checklist@v1.json"]
    assert save_entry_fixtures(plugin, tmp_path, "sample") == []  # never overwritten
    plugin.versions = (1, 2)
    with pytest.raises(AssertionError, match="no example entry"):
        assert_old_entries_render(plugin, tmp_path, "sample")
    save_entry_fixtures(plugin, tmp_path, "sample")
    assert assert_old_entries_render(plugin, tmp_path, "sample") == 2
    plugin.versions = (2,)  # v1 dropped from the plugin: old entries use the stored snapshot
    assert assert_old_entries_render(plugin, tmp_path, "sample") == 2


def test_old_entries_check_catches_a_change_without_a_version_bump(tmp_path):
    save_entry_fixtures(SamplePlugin(), tmp_path, "sample")

    class Edited(SamplePlugin):
        @hookimpl
        def journal_entry_templates(self):
            return [checklist_spec(title="Stilletjes aangepast")]

    with pytest.raises(AssertionError, match="bump its version"):
        assert_old_entries_render(Edited(), tmp_path, "sample")


def test_the_skeleton_keeps_the_contract_and_its_fixtures_render():
    module = load_skeleton()
    assert assert_plugin_contract(module, "sensory_breaks")["templates"]
    assert assert_old_entries_render(module, SKELETON / "tests" / "entry_fixtures",
                                     "sensory_breaks") == 1


def test_the_skeletons_own_tests_pass_with_the_shipped_fixtures(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(SKELETON))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(SKELETON / "tests")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout
