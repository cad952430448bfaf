"""The maps for newcomers name only what exists: every path in docs/architecture.md and
docs/plugins.md, every file a row of architecture.md's tables names beside its folder, and
every link between the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: A repository path in running text, tables or the diagram (``journal/web/*``, ``docs/x.md``).
_PATH = re.compile(r"(?<![\w/.-])(?:journal|tests|docs|plugins|bench)/[\w./*<>-]*")
#: A file named without its folder in a table row (``engine.py``, ``entry_*.py``).
_BARE = re.compile(r"`([\w*-]+\.(?:py|html|json|toml|md))`")
#: A path relative to ``journal/`` in a code span (``web/helpers.py``).
_SHORT = re.compile(r"`((?:web|api|process|plugins|security|storage|privacy|federation|"
                    r"centre|reminders|signin|cli)/[\w./*-]+)`")
_LINK = re.compile(r"\]\(([^)#\s]+)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _exists(path: str) -> bool:
    path = path.rstrip(".,;:")
    if "*" in path:
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


def named_paths(text: str) -> set[str]:
    """Return the repository paths ``text`` names, placeholders (``<name>``) left out."""
    return {p.rstrip(".,;:") for p in _PATH.findall(text) if "<" not in p}


def _folder(path: str) -> str:
    """Return the folder a named path stands for: itself, or the folder of a file or pattern."""
    path = path.split("<")[0].rstrip(".,;:")
    last = path.rsplit("/", 1)[-1]
    return path.rsplit("/", 1)[0] + "/" if "." in last or "*" in last else path.rstrip("/") + "/"


def bare_files_by_row(text: str) -> list[tuple[str, list[str], list[str]]]:
    """Return ``(row, folders, files)`` for each table row naming files without a folder:
    the folders are those of the paths the row names."""
    rows = []
    for line in text.splitlines():
        files = _BARE.findall(line) if line.startswith("|") else []
        if files:
            named = _PATH.findall(line) + ["journal/" + s for s in _SHORT.findall(line)]
            rows.append((line[:60], sorted({_folder(p) for p in named}), files))
    return rows


@pytest.mark.parametrize("name, skip_code", [("architecture.md", False), ("plugins.md", True)])
def test_every_path_the_docs_name_exists(name, skip_code):
    # plugins.md's code blocks are the example plugin's own files (tests/plugins_host checks them).
    text = (DOCS / name).read_text("utf-8")
    if skip_code:
        text = _FENCE.sub("", text)
    paths = named_paths(text) | {"journal/" + s for s in _SHORT.findall(text)}
    assert paths, f"{name} names no paths: is the pattern still right?"
    missing = sorted(p for p in paths if not _exists(p))
    assert not missing, f"{name} names paths that do not exist: {missing}"


def test_every_file_a_row_names_is_in_one_of_its_folders():
    text = (DOCS / "architecture.md").read_text("utf-8")
    rows = bare_files_by_row(text)
    assert len(rows) > 5
    missing = [(row, f) for row, folders, files in rows for f in files
               if not any(_exists(folder + f) for folder in folders)]
    assert not missing, f"architecture.md names files that are not where its rows say: {missing}"


@pytest.mark.parametrize("name", ["architecture.md", "plugins.md"])
def test_every_link_between_the_docs_leads_somewhere(name):
    text = (DOCS / name).read_text("utf-8")
    broken = [t for t in _LINK.findall(text) if "://" not in t and not (DOCS / t).exists()]
    assert not broken, f"{name} links to what does not exist: {broken}"


def test_the_check_catches_a_path_that_does_not_exist():
    assert named_paths("see `journal/process/nowhere.py` and journal/web/*") == {
        "journal/process/nowhere.py", "journal/web/*"}
    assert not _exists("journal/process/nowhere.py") and _exists("journal/web/*")
    (row,) = bare_files_by_row("| `journal/storage/` | `engine.py`, `gone.py` |")
    assert row[1] == ["journal/storage/"] and row[2] == ["engine.py", "gone.py"]
