"""Entry templates as TOML files: the published schema, clear messages for broken files,
plugins returning their files, English texts, and the bundled plugins' files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from journal import hookimpl
from journal.plugins.entry_templates import registry
from journal.plugins.entry_templates.files import SCHEMA_PATH
from journal.plugins.entry_templates.files import TemplateFileError
from journal.plugins.entry_templates.files import load_file
from journal.plugins.entry_templates.files import load_text
from journal.plugins.entry_templates.specs import localized

ROOT = Path(__file__).resolve().parents[2]

GOOD = '''
id = "sample.visit"
version = 2
kind = "observation"
title = { nl = "Klasbezoek", en = "Class visit" }
focus_areas = ["ass"]

[option_sets]
often = [ { key = "often", label = "vaak" }, { key = "never", label = { nl = "nooit", en = "never" } } ]

[[sections]]
title = "Het bezoek"

[[sections.fields]]
key = "on"
type = "date"
label = { nl = "Wanneer?", en = "When?" }
required = true

[[sections.fields]]
key = "minutes"
type = "number"
label = "Hoeveel minuten?"
minimum = 0
maximum = 120
step = 5

[[sections.fields]]
key = "calm"
type = "scale"
label = "Rust"
scale_min = 1
scale_max = 5
scale_labels = [{ nl = "onrustig", en = "restless" }, "rustig"]

[[sections.fields]]
key = "helped"
type = "multiselect"
label = "Wat hielp?"
options = [ { key = "timer", label = "Timer" }, { key = "buddy", label = "Buddy" } ]

[[sections.fields]]
key = "asks"
type = "choice"
label = "Vraagt hulp"
options = "often"
'''


def problems_of(text: str, plugin: str | None = None) -> list[str]:
    with pytest.raises(TemplateFileError) as caught:
        load_text(text, "visit.toml", plugin)
    assert all(line.startswith("visit.toml: ") for line in str(caught.value).splitlines())
    return [str(p) for p in caught.value.problems]


def test_the_published_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text("utf-8")))


def test_a_good_file_becomes_the_one_template_model():
    spec = load_text(GOOD, "visit.toml", "sample")
    assert (spec.id, spec.version, spec.kind, spec.focus_areas) == ("sample.visit", 2, "observation", ("ass",))
    by_key = {f.key: f for f in spec.fields()}
    assert [f.type for f in spec.fields()] == ["date", "number", "scale", "multiselect", "choice"]
    assert by_key["on"].required and by_key["on"].label_en == "When?"
    assert (by_key["minutes"].minimum, by_key["minutes"].maximum, by_key["minutes"].step) == (0, 120, 5)
    assert by_key["calm"].scale_labels == ("onrustig", "rustig")
    assert [o.key for o in by_key["asks"].options] == ["often", "never"]  # from the option set
    english = localized(spec, "en")
    assert english.title == "Class visit" and english.fields()[0].label == "When?"
    assert english.fields()[2].scale_labels == ("onrustig", "rustig")  # half-translated ends stay Dutch
    assert english.fields()[4].options[1].label == "never"
    assert localized(spec, "nl") is spec


@pytest.mark.parametrize("change, expected", [
    (("kind = \"observation\"", "kind = \"diary\""),
     "kind: 'diary' is not one of: observation, reflection, agreement."),
    (("type = \"date\"", "type = \"datum\""), "sections[0].fields[0].type: 'datum' is not one of"),
    (("required = true", "requird = true"),
     "sections[0].fields[0].requird: 'requird' is not known here (check the spelling)."),
    (("title = \"Het bezoek\"\n", ""), "sections[0].title: This is missing."),
    (("options = \"often\"", "options = \"seldom\""),
     "sections[0].fields[4].options: There is no option set named 'seldom'."),
    (("options = [ { key = \"timer\", label = \"Timer\" }, { key = \"buddy\", label = \"Buddy\" } ]", ""),
     "sections[0].fields[3].options: This is missing."),
    (("{ key = \"buddy\", label = \"Buddy\" }", "{ key = \"buddy\" }"),
     "sections[0].fields[3].options[1].label: This is missing."),
    (("{ nl = \"Wanneer?\", en = \"When?\" }", "{ en = \"When?\" }"),
     "sections[0].fields[0].label: Give text, or a table with the Dutch and English text"),
    (("maximum = 120", "maximum = -5"), "sections[0].fields[1]: minimum must be below maximum."),
    (("step = 5", "step = 0"), "sections[0].fields[1].step: This must be more than 0."),
    (("key = \"minutes\"", "key = \"on\""), "sections[0].fields[1].key: The key 'on' is used twice"),
    (("key = \"calm\"", "key = \"Calm down\""), "sections[0].fields[2].key: 'Calm down': use lower-case"),
    (("version = 2", "version = \"2\""), "version: This must be a whole number."),
    (("scale_max = 5", "scale_max = 1"), "sections[0].fields[2]: scale_min must be below scale_max."),
])
def test_a_broken_file_says_where_and_what(change, expected):
    old, new = change
    assert old in GOOD
    found = problems_of(GOOD.replace(old, new, 1))
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_listed_not_only_the_first():
    found = problems_of(GOOD.replace("kind = \"observation\"", "").replace("type = \"date\"", "type = \"x\""))
    assert "kind: This is missing." in found
    assert any(p.startswith("sections[0].fields[0].type:") for p in found)


def test_invalid_toml_names_the_line():
    (problem,) = problems_of(GOOD.replace("version = 2", "version = = 2"))
    assert "This is not valid TOML" in problem and "line 3" in problem


def test_a_plugin_file_must_carry_the_plugin_name():
    assert problems_of(GOOD, "other") == ["id: 'sample.visit' does not start with 'other.'."]


def test_messages_are_dutch_for_a_dutch_reader(app):
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        (problem,) = problems_of(GOOD.replace("title = \"Het bezoek\"\n", ""))
    assert problem == "sections[0].title: Dit ontbreekt."


class FilePlugin:
    """A plugin that ships its templates as files in a folder."""

    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def journal_entry_templates(self):
        return [self.folder]


def test_a_plugin_returns_a_folder_and_each_broken_file_is_recorded_alone(
        tmp_path, register_plugin, plugin_host, lenient_plugins):
    (tmp_path / "visit.toml").write_text(GOOD, "utf-8")
    (tmp_path / "broken.toml").write_text(GOOD.replace("sample.visit", "sample.broken")
                                          .replace("type = \"date\"", "type = \"datum\""), "utf-8")
    (tmp_path / "notes.txt").write_text("not a template", "utf-8")
    register_plugin(FilePlugin(tmp_path), "sample")
    assert [s.id for s in registry.latest(plugin_host)] == ["sample.visit"]
    error = plugin_host.records["sample"].error
    assert "broken.toml: sections[0].fields[0].type: 'datum' is not one of" in error


def test_a_template_file_changed_on_disk_is_read_again(tmp_path):
    path = tmp_path / "visit.toml"
    path.write_text(GOOD, "utf-8")
    assert load_file(path).title == "Klasbezoek"
    path.write_text(GOOD.replace("nl = \"Klasbezoek\"", "nl = \"Klasbezoek in de namiddag\""), "utf-8")
    assert load_file(path).title == "Klasbezoek in de namiddag"


@pytest.mark.parametrize("pyproject", sorted(ROOT.glob("plugins/*/pyproject.toml")),
                         ids=lambda p: p.parent.name)
def test_bundled_plugins_ship_their_template_files_in_the_wheel(pyproject):
    data = tomllib.loads(pyproject.read_text("utf-8"))
    (package,) = data["project"]["entry-points"]["journal.plugins"].values()
    assert "entry_templates/*.toml" in data["tool"]["setuptools"]["package-data"][package]
    assert list((pyproject.parent / package / "entry_templates").glob("*.toml"))
    assert not (pyproject.parent / package / "templates.py").exists()  # no Python definitions left


def test_the_journal_ships_the_schema_in_its_wheel():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "plugins/entry_templates/*.json" in data["tool"]["setuptools"]["package-data"]["journal"]
