"""Meta-tests: every hook is documented with its signature, and exercised by a test."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import pytest

from journal.plugins import hookspecs
from journal.plugins.host import BUNDLED_PLUGINS

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(name for name, fn in vars(hookspecs).items()
               if name.startswith("journal_") and inspect.isfunction(fn))


def signature(name: str) -> str:
    params = inspect.signature(getattr(hookspecs, name)).parameters
    return f"{name}({', '.join(params)})"


def test_the_hook_list_is_what_the_host_registers(plugin_host):
    assert HOOKS == sorted(h for h in vars(plugin_host.pm.hook) if h.startswith("journal_"))
    assert len(HOOKS) >= 15


#: The hooks of this release; a renamed hook's old name is documented as an upgrade step.
CURRENT = [h for h in HOOKS if h not in hookspecs.RENAMED_HOOKS]


@pytest.mark.parametrize("hook", CURRENT)
def test_every_hook_is_documented_with_its_signature(hook):
    guide = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    assert f"### {signature(hook)}" in guide
    section = guide.split(f"### {signature(hook)}", 1)[1].split("\n### ", 1)[0]
    assert "```python" in section, f"{hook}: the guide gives no example"
    assert getattr(hookspecs, hook).__doc__, f"{hook}: no docstring in journal/plugins/hookspecs.py"


@pytest.mark.parametrize("old, new", sorted(hookspecs.RENAMED_HOOKS.items()))
def test_a_renamed_hook_warns_and_the_upgrade_notes_say_what_to_rename(old, new):
    assert new in CURRENT
    warning = getattr(hookspecs, old).journal_spec["warn_on_impl"]  # pluggy's marker options
    assert isinstance(warning, DeprecationWarning) and new in str(warning)
    assert getattr(hookspecs, old).__annotations__ == getattr(hookspecs, new).__annotations__
    guide = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    upgrading = guide.split("## Upgrading your plugin", 1)[1]
    assert f"`{old}` is now `{new}`" in upgrading
    assert f"`{old}`" in (ROOT / "docs" / "upgrading.md").read_text("utf-8")


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_exercised_by_a_test(hook):
    sources = "".join(p.read_text("utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    assert re.search(rf"def test_hook_{hook}\w*\(", sources), f"no test_hook_{hook}… test"


def test_bundled_plugin_names_match_the_packages_in_plugins():
    declared = {}
    for pyproject in sorted((ROOT / "plugins").glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
        for name in project["entry-points"]["journal.plugins"]:
            declared[name] = project["name"]
    assert declared == BUNDLED_PLUGINS
