"""Contract checks for plugin authors, re-exported by :mod:`journal.plugins.testing`.

Kept apart from the pytest fixtures so ``journal plugins check`` can run them on
an installation without pytest.

* :func:`assert_plugin_contract` loads a plugin alone on a fresh journal, in
  strict mode, and calls every hook it implements: its info and API version,
  its pages' templates (installed with the package, see
  :mod:`journal.plugins.package_data`),
  settings, templates (each version renders as a form and as a summary, from
  the plugin and from a snapshot, and a filled form reads back the same
  answers), vocabularies, fragments, exports, upgrades.
* :func:`assert_old_entries_render` renders one stored example entry per
  published template version (JSON files you commit, written once by
  :func:`save_entry_fixtures`) with the plugin enabled, disabled and
  uninstalled, and fails when a published version changed without a version bump.
* :func:`post_template_entry` fills a template in through the real entry page.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from importlib.metadata import entry_points
from pathlib import Path

from markupsafe import escape

from journal import create_app
from journal.plugins import vocabularies
from journal.plugins import wiring
from journal.plugins.entry_templates import registry
from journal.plugins.entry_templates.forms import answers_as_text
from journal.plugins.entry_templates.forms import FORM_PREFIX
from journal.plugins.entry_templates.forms import check_answers
from journal.plugins.entry_templates.forms import form_values
from journal.plugins.entry_templates.forms import parse_form
from journal.plugins.entry_templates.forms import render_answers
from journal.plugins.entry_templates.forms import render_form
from journal.plugins.entry_templates.registry import all_versions
from journal.plugins.entry_templates.registry import spec_for_entry
from journal.plugins.entry_templates.specs import ITEM_STATUSES
from journal.plugins.entry_templates.specs import TemplateSpec
from journal.plugins.entry_templates.specs import from_snapshot
from journal.plugins.entry_templates.specs import snapshot
from journal.plugins.entry_templates.specs import spec_hash
from journal.plugins.package_data import missing_templates
from journal.storage import get_store


def plugin_name_of(plugin) -> str:
    """Return the entry-point name ``plugin`` is installed under (else its module's last part)."""
    module = getattr(plugin, "__name__", type(plugin).__module__)
    for ep in entry_points(group="journal.plugins"):
        if ep.value == module:
            return ep.name
    return module.rsplit(".", 1)[-1]


def sample_answers(spec: TemplateSpec) -> dict:
    """Return answers that fill every field of ``spec`` (for checks and fixtures)."""
    statuses = list(ITEM_STATUSES)
    answers: dict = {}
    for f in spec.fields():
        if f.type == "checklist":
            answers[f.key] = {item.key: {"status": statuses[i % len(statuses)],
                                         "note": f"voorbeeld {i + 1}"}
                              for i, item in enumerate(f.items)}
        elif f.type == "choice":
            answers[f.key] = f.options[0].key
        elif f.type == "multiselect":
            answers[f.key] = [o.key for o in f.options[:2]]
        elif f.type == "scale":
            answers[f.key] = f.scale_max
        elif f.type == "number":
            answers[f.key] = _sample_number(f)
        elif f.type == "date":
            answers[f.key] = "2025-03-31"
        elif f.type == "markdown":
            answers[f.key] = "**voorbeeld**"[: f.max_length]
        else:
            answers[f.key] = "voorbeeld"[: f.max_length]
    return answers


def _sample_number(f) -> int | float:
    """A value the field accepts: one step above its minimum (or 0), within its maximum."""
    start = f.minimum if f.minimum is not None else 0
    value = start + (f.step if f.step is not None else 1)
    if f.maximum is not None and value > f.maximum:
        value = start
    return int(value) if float(value).is_integer() else value


def form_data(spec: TemplateSpec, answers: dict, prefix: str = FORM_PREFIX) -> dict:
    """Return the form fields a browser would post for ``answers`` (for client tests)."""
    return form_values(spec, answers, prefix)


def post_template_entry(client, trajectory: dict, spec: TemplateSpec, answers: dict, **fields):
    """Post a new entry filled in from ``spec`` through the journal's own entry page.

    :param answers: the template's answers, posted as a browser would (:func:`form_data`).
    :param fields: the entry's own form fields, e.g. ``date``, ``seen`` (an observation) or
        ``what`` (an agreement), and ``action="publish"``.
    :return: the response: 302 to the new entry's page once saved, 400 with the
        form (and what was typed) when something is missing.
    """
    data = {**form_data(spec, answers), **fields}
    return client.post(
        f"/t/{trajectory['id']}/entries/new?kind={spec.kind}&template={spec.id}", data=data)


@contextlib.contextmanager
def plugin_app(plugin, name: str, *, register: bool = True, enabled: bool = True, **config):
    """Yield a fresh journal (strict, in memory, request context) with only ``plugin``."""
    settings = {"TESTING": True, "SECRET_KEY": "contract-check", "JOURNAL_IN_MEMORY": True,
                "JOURNAL_LOAD_ENTRYPOINTS": False, "JOURNAL_STRICT_PLUGINS": True,
                "WTF_CSRF_ENABLED": False, **config}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(settings, instance_path=str(Path(tmp) / "instance"))
        host = app.extensions["journal.plugins"]
        with app.test_request_context():
            if register:
                record = host.register(plugin, name, source="entrypoint")
                assert record.status == "loaded", f"{name} did not load: {record.error}"
                wiring.register_blueprints(app, host, names={name})
                if enabled:
                    host.enable(name)
            yield app, host


def assert_plugin_contract(plugin, name: str | None = None) -> dict:
    """Check that ``plugin`` (a module or object) keeps the plugin contract.

    :param name: the entry-point name; default: looked up from the installed
        entry points, else the module's last name part.
    :return: ``{"templates": [TemplateSpec, …]}``, every version checked.
    :raise AssertionError: (or the plugin's own exception) on the first breach.
    """
    name = name or plugin_name_of(plugin)
    with plugin_app(plugin, name) as (app, host):
        record = host.records[name]
        assert record.title, f"{name}: journal_plugin_info gives no title"
        missing = missing_templates(app, host.call_plugin(name, "journal_blueprints", default=[]))
        assert not missing, f"{name}: " + "; ".join(missing)
        defaults = host.plugin_settings(name)
        problems = host.call_plugin(name, "journal_validate_settings", default=[],
                                    settings=defaults)
        assert problems == [], f"{name}: the default settings do not validate: {problems}"

        versions = registry.all_versions(host)
        for spec in versions.values():
            sample = sample_answers(spec)
            assert check_answers(spec, sample) == []
            assert render_form(spec, {}, {})
            assert render_form(spec, sample, {})
            parsed, errors = parse_form(spec, form_data(spec, sample))
            assert errors == {}, f"{spec.id} v{spec.version}: sample answers rejected: {errors}"
            assert parsed == sample, f"{spec.id} v{spec.version}: a filled form reads back differently"
            rebuilt = from_snapshot(json.loads(json.dumps(snapshot(spec))))
            assert spec_hash(rebuilt) == spec_hash(spec), f"{spec.id}: snapshot does not round-trip"
            assert render_answers(spec, sample) == render_answers(rebuilt, sample)
            assert answers_as_text(rebuilt, sample)
            entry = {"kind": spec.kind, "template": registry.snapshot_for_entry(host, spec),
                     "answers": sample, "fields": {}, "tags": []}
            host.validate_entry(entry, spec)
            if spec.version < max(v for (i, v) in versions if i == spec.id):
                offer = registry.upgrade_offer(host, entry)
                if offer is not None:
                    upgraded = registry.upgrade_entry_data(host, entry, offer["to_version"])
                    assert upgraded["template"]["version"] == offer["to_version"]

        trajectory = {"id": "contract", "focus_areas": [a["id"] for a in host.focus_areas()],
                      "members": [], "phase": "observation", "target": "pupil"}
        registry.suggested(host, trajectory)
        host.reflection_models()
        host.tag_vocabularies()
        for slot in vocabularies.SLOTS:
            host.fragments(slot, {"trajectory": trajectory, "entry": None, "user": None})
        for fmt in host.export_formats():
            assert host.run_export(fmt["id"], trajectory, [], []) is not None
        return {"templates": list(versions.values())}


def _fixture_name(template_id: str, version: int) -> str:
    return f"{template_id}@v{version}.json"


def save_entry_fixtures(plugin, fixtures_dir, name: str | None = None) -> list[Path]:
    """Write an example entry for each offered template version that has none yet.

    Run it once when you publish a version and commit the files; existing
    files are never overwritten (they are the record of what was published).
    """

    name = name or plugin_name_of(plugin)
    folder = Path(fixtures_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with plugin_app(plugin, name) as (app, host):
        for (template_id, version), spec in sorted(all_versions(host).items()):
            path = folder / _fixture_name(template_id, version)
            if path.exists():
                continue
            data = {"template": {"id": spec.id, "version": spec.version, "plugin": name,
                                 "spec_hash": spec_hash(spec)},
                    "snapshot": snapshot(spec), "answers": sample_answers(spec)}
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                            encoding="utf-8")
            written.append(path)
    return written


def assert_old_entries_render(plugin, fixtures_dir, name: str | None = None) -> int:
    """Render every stored example entry with the plugin enabled, disabled and removed.

    Fails when an offered version has no fixture, or when a version the plugin
    still offers differs from what was published (changed without a version bump).

    :return: the number of fixtures checked.
    """

    name = name or plugin_name_of(plugin)
    fixtures = sorted(Path(fixtures_dir).glob("*.json"))
    examples = [json.loads(p.read_text("utf-8")) for p in fixtures]
    with plugin_app(plugin, name) as (app, host):
        offered = all_versions(host)
        published = {(e["template"]["id"], e["template"]["version"]) for e in examples}
        missing = sorted(set(offered) - published)
        assert not missing, (f"no example entry for {missing}; run "
                             f"journal.plugins.testing.save_entry_fixtures(plugin, {str(fixtures_dir)!r})")
        for example in examples:
            key = (example["template"]["id"], example["template"]["version"])
            if key in offered:
                assert spec_hash(offered[key]) == example["template"]["spec_hash"], (
                    f"{key[0]} v{key[1]} changed since it was published: bump its version")
    for state in ("enabled", "disabled", "removed"):
        with plugin_app(plugin, name, register=state != "removed",
                        enabled=state == "enabled") as (app, host):
            for example in examples:
                _render_example(host, example, state)
    return len(examples)


def _render_example(host, example: dict, state: str) -> None:

    ref = example["template"]
    get_store().template_snapshots.create({
        "id": f"{ref['id']}@{ref['version']}", "template_id": ref["id"],
        "version": ref["version"], "plugin": ref["plugin"], "spec_hash": ref["spec_hash"],
        "snapshot": example["snapshot"],
    })
    found = spec_for_entry(host, {"template": ref, "answers": example["answers"]})
    assert found is not None and found.spec is not None, f"{ref['id']}: nothing to render with"
    if state != "enabled":
        assert not found.live, f"{ref['id']} v{ref['version']} used the plugin while {state}"
    html = str(render_answers(found.spec, example["answers"], note=found.label))
    assert found.spec.title in html or _escaped(found.spec.title) in html
    for section in found.spec.sections:
        for f in section.fields:
            if f.key in example["answers"]:
                assert _escaped(f.label) in html, f"{ref['id']}: {f.label!r} missing ({state})"


def _escaped(text: str) -> str:

    return str(escape(text))
