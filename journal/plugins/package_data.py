"""Find page templates a plugin needs but its installed package lacks.

A plugin's pages render Jinja templates from its package folder. setuptools
leaves everything that is not Python out of the wheel unless the plugin's
``pyproject.toml`` lists it as package data, so a plugin can pass its own tests
(run from the source folder) and still answer 500 on every page once installed.
:func:`missing_templates` looks at the *installed* plugin: every template folder
its blueprints declare must exist and hold templates, and every template its
code names (``render_template("…")``) or its templates extend or include must
be found. ``journal plugins check`` and :func:`~journal.plugins.contract.assert_plugin_contract`
run it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Flask
from jinja2 import TemplateNotFound
from jinja2 import meta

#: A literal template name in Python source: ``render_template("plugin/page.html", …)``.
_RENDERED = re.compile(r"""render_template\(\s*["']([^"']+)["']""")

PACKAGE_DATA_HINT = ('list them as package data in pyproject.toml: [tool.setuptools.package-data] '
                     '<your_package> = ["templates/**/*"]')


def missing_templates(app: Flask, blueprints: list) -> list[str]:
    """Return what is missing for ``blueprints`` (a plugin's, registered on ``app``); empty when fine."""
    problems = []
    names: set[str] = set()
    for bp in blueprints:
        if not bp.template_folder:
            continue
        folder = Path(bp.root_path) / bp.template_folder
        if not folder.is_dir() or not any(p.is_file() for p in folder.rglob("*")):
            problems.append(f"blueprint {bp.name!r}: its template folder {folder} is not "
                            f"installed; {PACKAGE_DATA_HINT}")
        if (Path(bp.root_path) / "__init__.py").is_file():  # the plugin's own package only
            names |= _named_in_code(Path(bp.root_path))
    seen: set[str] = set()
    while names:
        template = names.pop()
        if template in seen:
            continue
        seen.add(template)
        try:
            source, _filename, _uptodate = app.jinja_env.loader.get_source(app.jinja_env, template)
        except TemplateNotFound:
            problems.append(f"the template {template!r} is not installed; {PACKAGE_DATA_HINT}")
            continue
        parsed = app.jinja_env.parse(source)
        names |= {n for n in meta.find_referenced_templates(parsed) if n} - seen
    return sorted(set(problems))


def _named_in_code(root: Path) -> set[str]:
    names: set[str] = set()
    for folder, _dirs, files in os.walk(root):
        for file in files:
            if file.endswith(".py"):
                text = (Path(folder) / file).read_text("utf-8", errors="replace")
                names.update(_RENDERED.findall(text))
    return names
