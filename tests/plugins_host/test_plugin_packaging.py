"""The skeleton installs with its page templates, and `journal plugins check` notices when a
plugin's package leaves them out (it passed its own tests from the source folder before)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from journal.plugins.host import BUNDLED_PLUGINS

SKELETON = Path(__file__).resolve().parents[2] / "docs" / "plugin-skeleton"
TEMPLATE = "journal_sensory_breaks/templates/sensory_breaks/overview.html"


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)


def installed_skeleton(tmp_path: Path, pyproject: str | None = None) -> Path:
    """Build the skeleton's wheel (optionally with another pyproject.toml), install it in a folder."""
    source = tmp_path / "source"
    shutil.copytree(SKELETON, source, ignore=shutil.ignore_patterns("tests", "*.egg-info", "build"))
    if pyproject is not None:
        (source / "pyproject.toml").write_text(pyproject, "utf-8")
    wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
             "-q", "-w", str(tmp_path / "dist"), str(source)]
    built = run(*wheel, "--no-build-isolation")
    if built.returncode != 0:  # no 'wheel' in this environment: let pip build in isolation
        built = run(*wheel)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)  # a wheel is installed by unpacking it
    return target


def plugins_check(tmp_path: Path, site: Path) -> subprocess.CompletedProcess:
    """Run `journal plugins check` on a new instance that sees the unpacked wheel."""
    env = dict(os.environ, PYTHONPATH=str(site), JOURNAL_INSTANCE=str(tmp_path / "instance"),
               JOURNAL_BLOCKED_PLUGINS=",".join(BUNDLED_PLUGINS))
    made = run(sys.executable, "-c", "import sys; from pathlib import Path; "
               "from journal.cli.instance import initialise; initialise(Path(sys.argv[1]), demo=False)",
               str(tmp_path / "instance"), env=env)
    assert made.returncode == 0, made.stderr[-3000:]
    return run(sys.executable, "-c", "from journal.cli import main; main()", "plugins", "check",
               env=env)


@pytest.mark.slow
def test_the_skeletons_wheel_holds_its_page_templates_and_passes_the_check(tmp_path):
    site = installed_skeleton(tmp_path)
    assert (site / TEMPLATE).is_file()
    result = plugins_check(tmp_path, site)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "sensory_breaks: ok" in result.stdout


@pytest.mark.slow
def test_the_check_fails_a_package_that_leaves_its_templates_out(tmp_path):
    pyproject = (SKELETON / "pyproject.toml").read_text("utf-8")
    without = pyproject.split("[tool.setuptools.package-data]")[0]
    without += pyproject.split("[tool.setuptools.package-data]")[1].split("\n\n", 1)[1]
    assert "package-data" not in without
    site = installed_skeleton(tmp_path, without)
    assert not (site / TEMPLATE).exists()
    result = plugins_check(tmp_path, site)
    assert result.returncode == 1
    assert "sensory_breaks: breaks the plugin contract" in result.stderr
    assert "template folder" in result.stderr and "package data" in result.stderr
