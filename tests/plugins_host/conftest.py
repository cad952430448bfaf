"""A sample plugin implementing every hook, able to fail in any of them on demand."""

from __future__ import annotations

import click
import pytest
from flask import Blueprint

from journal import hookimpl
from journal.plugins.hookspecs import PLUGIN_API_VERSION
from journal.plugins.entry_templates.specs import Field
from journal.plugins.entry_templates.specs import Item
from journal.plugins.entry_templates.specs import Option
from journal.plugins.entry_templates.specs import Section
from journal.plugins.entry_templates.specs import TemplateSpec


def checklist_spec(version: int = 1, *, plugin: str = "sample", title: str = "Voorspelbaarheid",
                   extra_item: bool = False, focus=("ass",), kind: str = "observation") -> TemplateSpec:
    """A small template with every field type; ``extra_item`` adds an item (a new version)."""
    items = [Item("pictos", "Dagschema met pictogrammen", category="compenseren"),
             Item("aankondigen", "Groepswerk vooraf aankondigen", help="Een dag op voorhand.")]
    if extra_item:
        items.append(Item("timer", "Timer zichtbaar", category="compenseren"))
    return TemplateSpec(
        id=f"{plugin}.checklist", version=version, title=title, kind=kind, focus_areas=tuple(focus),
        description="Wat doen we al, wat proberen we?",
        sections=(
            Section("Aanpassingen", (
                Field("adaptations", "checklist", "Aanpassingen in de klas", items=tuple(items)),
            )),
            Section("Beeld", (
                Field("mood", "choice", "Hoe ging het?", required=True,
                      options=(Option("goed", "Goed"), Option("wisselend", "Wisselend"))),
                Field("calm", "scale", "Rust", scale_labels=("onrustig", "rustig")),
                Field("moment", "text", "Moment", max_length=40),
                Field("notes", "markdown", "Toelichting"),
            )),
        ),
    )


class SamplePlugin:
    """Implements every hook. Put hook names in ``fail_in`` to make them raise."""

    def __init__(self, name: str = "sample", fail_in=(), versions=(1,), upgrades: bool = True):
        self.name = name
        self.fail_in = set(fail_in)
        self.versions = versions
        self.upgrades = upgrades
        self.saved = []
        self.bp = Blueprint(f"{name}_pages", __name__)

        @self.bp.route("/hello")
        def hello():
            return "hello from the sample plugin"

    def _maybe_fail(self, hook: str) -> None:
        if hook in self.fail_in:
            raise RuntimeError(f"sample plugin broke in {hook}")

    @hookimpl
    def journal_plugin_info(self):
        self._maybe_fail("journal_plugin_info")
        return {"title": "Sample plugin", "description": "For tests.",
                "api_version": PLUGIN_API_VERSION}

    @hookimpl
    def journal_entry_templates(self):
        self._maybe_fail("journal_entry_templates")
        return [checklist_spec(v, plugin=self.name, extra_item=v > 1) for v in self.versions]

    @hookimpl
    def journal_focus_areas(self):
        self._maybe_fail("journal_focus_areas")
        return [{"id": "sensorisch", "label": "Sensorische prikkels"}]

    @hookimpl
    def journal_tag_vocabularies(self):
        self._maybe_fail("journal_tag_vocabularies")
        return [{"id": "momenten", "label": "Momenten", "tags": ["overgang", "speeltijd"]}]

    @hookimpl
    def journal_reflection_models(self):
        self._maybe_fail("journal_reflection_models")
        return [{"id": "gibbs", "title": "Gibbs", "phases": [
            {"key": "beschrijving", "title": "Beschrijving", "prompt": "Wat gebeurde er?"},
            {"key": "gevoelens", "title": "Gevoelens", "prompt": "Wat dacht en voelde ik?"}]}]

    @hookimpl
    def journal_suggest_templates(self, trajectory):
        self._maybe_fail("journal_suggest_templates")
        return [f"{self.name}.checklist"] if "sensorisch" in trajectory.get("focus_areas", ()) else []

    @hookimpl
    def journal_validate_entry(self, entry, template):
        self._maybe_fail("journal_validate_entry")
        if template is not None and not (entry.get("answers") or {}).get("adaptations"):
            return ["Kies minstens één aanpassing."]
        return []

    @hookimpl
    def journal_entry_saved(self, entry, trajectory, created):
        self._maybe_fail("journal_entry_saved")
        self.saved.append((entry["id"], trajectory["id"], created))

    @hookimpl
    def journal_page_fragment(self, slot, context):
        self._maybe_fail("journal_page_fragment")
        if slot == "trajectory_sidebar":
            return '<p class="sample">Tip <script>alert(1)</script><b>vet</b></p>'
        return None

    @hookimpl
    def journal_blueprints(self):
        self._maybe_fail("journal_blueprints")
        return [self.bp]

    @hookimpl
    def journal_cli_commands(self):
        self._maybe_fail("journal_cli_commands")

        @click.command("hello")
        def hello():
            """Say hello."""
            click.echo("hello from the sample plugin")

        return [hello]

    @hookimpl
    def journal_export_formats(self):
        self._maybe_fail("journal_export_formats")
        return [{"id": "summary", "label": "Samenvatting", "mimetype": "text/plain",
                 "extension": "txt",
                 "render": lambda trajectory, entries, goals: f"{len(entries)} notities"}]

    @hookimpl
    def journal_default_settings(self):
        self._maybe_fail("journal_default_settings")
        return {"show_tips": True, "max_items": 5, "school_code": "", "api_token": ""}

    @hookimpl
    def journal_validate_settings(self, settings):
        self._maybe_fail("journal_validate_settings")
        return ["max_items must be between 1 and 20"] if not 1 <= settings["max_items"] <= 20 else []

    @hookimpl
    def journal_upgrade_entry_data(self, template_id, from_version, to_version, data):
        self._maybe_fail("journal_upgrade_entry_data")
        if not self.upgrades or template_id != f"{self.name}.checklist":
            return None
        return dict(data, adaptations=dict(data.get("adaptations", {}),
                                           timer={"status": "", "note": "nieuw"}))


@pytest.fixture
def sample(register_plugin):
    """The sample plugin, registered and enabled as ``sample``."""
    plugin = SamplePlugin()
    register_plugin(plugin, "sample")
    return plugin


@pytest.fixture
def admin_client(app, users, login):
    """A client signed in as the administrator."""
    return login(app.test_client(), "admin")
