"""Entry templates as TOML files, checked against a published JSON schema.

A template file is one version of one entry template (``entry-template.schema.json``
beside this module says what it may hold; docs/plugins.md shows an example).
:func:`load_text` turns TOML text into the one model, a
:class:`~journal.plugins.entry_templates.specs.TemplateSpec`, or raises
:class:`TemplateFileError` listing every problem with its place in the document
(``sections[1].fields[0].type``) in words a plugin author or a coordinator
understands. Plugins return the paths of their files from ``journal_entry_templates``;
a school's own templates (:mod:`journal.process.school_templates`) are TOML
text checked by the same code.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import Item
from journal.plugins.entry_templates.specs import Option
from journal.plugins.entry_templates.specs import Problem
from journal.plugins.entry_templates.specs import Section
from journal.plugins.entry_templates.specs import TemplateSpec
from journal.plugins.entry_templates.specs import spec_problems

#: The published schema every template file is checked against.
SCHEMA_PATH = Path(__file__).with_name("entry-template.schema.json")

#: The file name ending of template files in a folder.
SUFFIX = ".toml"


@dataclass(frozen=True)
class TemplateFiles:
    """Template files a plugin returned from ``journal_entry_templates``: a TOML file or folder."""

    path: Path
    plugin: str = field(default="", metadata={"from_host": "plugin"})  # set by the host

    def __post_init__(self):
        object.__setattr__(self, "path", Path(self.path))


class TemplateFileError(ValueError):
    """A template file or text that cannot be used; ``problems`` says why, each with its place."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def load_text(text: str, source: str = "", plugin_name: str | None = None) -> TemplateSpec:
    """Return the template TOML ``text`` describes, checked against the schema and the rules.

    :param source: a name for messages (the file's path).
    :param plugin_name: when given, the id must start with ``<plugin_name>.``.
    :raise TemplateFileError: with every problem found.
    """
    return load_document(parse_toml(text, source), source, plugin_name)


def parse_toml(text: str, source: str = "") -> dict:
    """Return the TOML ``text`` as data.

    :raise TemplateFileError: when it is not valid TOML (the message names the line).
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateFileError(source, [Problem("", _("This is not valid TOML: %(error)s",
                                                       error=str(exc)))]) from None


def load_document(document: dict, source: str = "", plugin_name: str | None = None) -> TemplateSpec:
    """Return the template a parsed TOML ``document`` describes (see :func:`load_text`)."""
    problems = schema_problems(document)
    if not problems:
        problems = _option_set_problems(document)
    if problems:
        raise TemplateFileError(source, problems)
    spec = spec_from_document(document)
    problems = spec_problems(spec, plugin_name)
    if problems:
        raise TemplateFileError(source, problems)
    return spec


def load_file(path: Path | str, plugin_name: str | None = None) -> TemplateSpec:
    """Return the template in the TOML file at ``path`` (see :func:`load_text`)."""
    path = Path(path)
    stat = path.stat()
    return _load_file_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size, plugin_name)


@lru_cache(maxsize=256)
def _load_file_cached(path: str, _mtime_ns: int, _size: int, plugin_name: str | None) -> TemplateSpec:
    # Keyed by modification time and size: templates are read on every page that lists them.
    return load_text(Path(path).read_text("utf-8"), path, plugin_name)


def template_files(path: Path | str) -> list[Path]:
    """Return the template files at ``path``: the file itself, or a folder's ``*.toml`` files."""
    path = Path(path)
    return sorted(path.glob("*" + SUFFIX)) if path.is_dir() else [path]


def sources(returned) -> list:
    """Return what a plugin's ``journal_entry_templates`` gave as specs and file paths, folders
    opened.

    :raise TypeError: for anything that is neither a spec nor a path.
    """
    out = []
    for item in returned:
        if isinstance(item, TemplateSpec):
            out.append(item)
        elif isinstance(item, TemplateFiles):
            out.extend(template_files(item.path))
        elif isinstance(item, (str, os.PathLike)):
            out.extend(template_files(item))
        else:
            raise TypeError(f"{type(item).__name__} is neither a TemplateSpec nor a template file's path")
    return out


def load_templates(returned, plugin_name: str | None = None) -> list[TemplateSpec]:
    """Return the templates a plugin's ``journal_entry_templates`` returned, its files loaded.

    For a plugin's own tests: ``load_templates(plugin.journal_entry_templates(), "my_plugin")``.

    :raise TemplateFileError: on the first file with problems.
    """
    return [item if isinstance(item, TemplateSpec) else load_file(item, plugin_name)
            for item in sources(returned)]


def schema_problems(document: dict) -> list[Problem]:
    """Return where ``document`` breaks the published schema, in reading order."""
    found = []
    for error in _validator().iter_errors(document):
        found.extend(_explain(error, document))
    return sorted(set(found), key=lambda p: _sort_key(p.where))


def _sort_key(where: str) -> list:
    return [int(part) if part.isdigit() else part
            for part in where.replace("[", ".").replace("]", "").split(".")]


def _where(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_TYPE_NAMES = {"string": _l("text"), "integer": _l("a whole number"), "number": _l("a number"),
               "boolean": _l("true or false"), "array": _l("a list [ … ]"),
               "object": _l("a table { … }")}


def _explain(error, document) -> list[Problem]:
    """Turn one jsonschema error into problems a person can act on."""
    where = _where(error.absolute_path)
    kind = error.validator
    value = error.instance
    if kind == "oneOf":
        deeper = [e for e in error.context or () if e.relative_path]
        if deeper:  # the alternative of the right type went wrong deeper down: say where
            return [p for e in deeper for p in _explain(e, document)]
        if "nl" in json.dumps(error.validator_value):
            return [Problem(where, _('Give text, or a table with the Dutch and English text: '
                                     '{ nl = "…", en = "…" }.'))]
        return [Problem(where, _("Give a list of options, or the name of an option set."))]
    if kind == "required":
        missing = [name for name in error.validator_value if name not in value]
        return [Problem(_where([*error.absolute_path, name]), _("This is missing.")) for name in missing]
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        return [Problem(_where([*error.absolute_path, name]),
                        _("%(name)s is not known here (check the spelling).", name=repr(name)))
                for name in value if name not in known]
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        return [Problem(where, _("%(value)s is not one of: %(allowed)s.", value=repr(value),
                                 allowed=", ".join(str(a) for a in allowed)))]
    if kind == "type":
        return [Problem(where, _("This must be %(type)s.",
                                 type=_TYPE_NAMES.get(error.validator_value, error.validator_value)))]
    if kind == "pattern":
        if where == "id":
            return [Problem(where, _("%(id)s is not '<plugin>.<name>' in lower-case letters.",
                                     id=repr(value)))]
        return [Problem(where, _("%(key)s: use lower-case letters a-z, digits and _, starting "
                                 "with a letter.", key=repr(value)))]
    messages = {
        "minLength": lambda: _("This must not be empty."),
        "minItems": lambda: _("Give at least %(n)d.", n=error.validator_value),
        "maxItems": lambda: _("Give at most %(n)d.", n=error.validator_value),
        "minimum": lambda: _("This must be at least %(n)s.", n=error.validator_value),
        "maximum": lambda: _("This must be at most %(n)s.", n=error.validator_value),
        "exclusiveMinimum": lambda: _("This must be more than %(n)s.", n=error.validator_value),
        "uniqueItems": lambda: _("Each value may appear only once."),
    }
    if kind in messages:
        return [Problem(where, messages[kind]())]
    return [Problem(where, error.message)]


def _option_set_problems(document: dict) -> list[Problem]:
    sets = document.get("option_sets", {})
    return [Problem(f"sections[{s}].fields[{f}].options",
                    _("There is no option set named %(name)s.", name=repr(field["options"])))
            for s, section in enumerate(document["sections"])
            for f, field in enumerate(section["fields"])
            if isinstance(field.get("options"), str) and field["options"] not in sets]


def _texts(value) -> tuple[str, str]:
    """Return ``(Dutch, English)`` of a text: a string, or a table ``{nl, en}``."""
    if isinstance(value, dict):
        return value["nl"], value.get("en", "")
    return value or "", ""


def _options(value, option_sets: dict) -> tuple[Option, ...]:
    if isinstance(value, str):
        value = option_sets[value]
    return tuple(Option(o["key"], *_texts(o["label"])) for o in value or ())


def _item(data: dict) -> Item:
    label, label_en = _texts(data["label"])
    help_nl, help_en = _texts(data.get("help"))
    return Item(key=data["key"], label=label, help=help_nl, category=data.get("category", ""),
                label_en=label_en, help_en=help_en)


def _field(data: dict, option_sets: dict) -> Field:
    label, label_en = _texts(data["label"])
    help_nl, help_en = _texts(data.get("help"))
    ends = [_texts(end) for end in data.get("scale_labels", ("", ""))]
    optional = {name: data[name] for name in ("scale_min", "scale_max", "max_length", "minimum",
                                              "maximum", "step", "required") if name in data}
    return Field(key=data["key"], type=data["type"], label=label, help=help_nl,
                 options=_options(data.get("options"), option_sets),
                 items=tuple(_item(i) for i in data.get("items", ())),
                 scale_labels=(ends[0][0], ends[1][0]), scale_labels_en=(ends[0][1], ends[1][1]),
                 label_en=label_en, help_en=help_en, **optional)


def spec_from_document(document: dict) -> TemplateSpec:
    """Build the :class:`TemplateSpec` of a document that passed :func:`schema_problems`."""
    option_sets = document.get("option_sets", {})
    title, title_en = _texts(document["title"])
    description, description_en = _texts(document.get("description"))
    sections = []
    for data in document["sections"]:
        section_title, section_title_en = _texts(data["title"])
        help_nl, help_en = _texts(data.get("help"))
        sections.append(Section(title=section_title, help=help_nl, title_en=section_title_en,
                                help_en=help_en,
                                fields=tuple(_field(f, option_sets) for f in data["fields"])))
    return TemplateSpec(id=document["id"], version=document["version"], title=title,
                        kind=document["kind"], sections=tuple(sections), description=description,
                        focus_areas=tuple(document.get("focus_areas", ())),
                        priority=document.get("priority", 100), title_en=title_en,
                        description_en=description_en)
