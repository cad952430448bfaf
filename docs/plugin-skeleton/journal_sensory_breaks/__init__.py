"""A journal plugin: agreements about sensory breaks (prikkelpauzes).

Built step by step in the journal's docs/plugins.md, which has every hook.
"""

from pathlib import Path

from flask import Blueprint, render_template

from journal import hookimpl
from journal.plugins import api
from journal.plugins.entry_templates.files import load_file
from journal.plugins.entry_templates.forms import answers_as_text

#: The entry-point name in pyproject.toml; template ids start with it.
NAME = "sensory_breaks"


@hookimpl
def journal_plugin_info():
    """Describe the plugin for the admin page; declare the plugin API version."""
    return {"title": "Prikkelpauzes",
            "description": "Afspraken over pauzes om prikkels te verwerken, met wat werkt.",
            "api_version": 1}


#: The entry templates: one TOML file per published version (docs/plugins.md, "Templates").
#: Keep every version entries may use; pyproject.toml's package-data ships the folder.
ENTRY_TEMPLATES = Path(__file__).with_name("entry_templates")

def breaks_v1():
    """Return version 1 of the agreement, read from its file (the export shows its answers)."""
    return load_file(ENTRY_TEMPLATES / "agreement.toml", NAME)


@hookimpl
def journal_entry_templates():
    """Return the folder of template files (every version still in use)."""
    return [ENTRY_TEMPLATES]


@hookimpl
def journal_focus_areas():
    """Add a focus area to the core list."""
    return [{"id": "sensorisch", "label": "Sensorische prikkelverwerking"}]


@hookimpl
def journal_suggest_templates(trajectory):
    """Suggest the agreement for trajectories about sensory processing too."""
    if "sensorisch" in (trajectory.get("focus_areas") or ()):
        return [f"{NAME}.agreement"]
    return []


bp = Blueprint(NAME, __name__, template_folder="templates")


def agreements(entries):
    """Return the entries filled in from this plugin's template."""
    return [e for e in entries if (e.get("template") or {}).get("plugin") == NAME]


@bp.route("/t/<trajectory_id>")
def overview(trajectory_id):
    """The break agreements of one trajectory (a signed-in team member's view)."""
    user = api.current_user()
    trajectory = api.load_trajectory(user, trajectory_id)
    found = agreements(api.visible_entries(user, trajectory, kind="agreement"))
    return render_template("sensory_breaks/overview.html", trajectory=trajectory,
                           agreements=found)


@hookimpl
def journal_blueprints():
    """Mount the page under /p/sensory_breaks/."""
    return [bp]


@hookimpl
def journal_page_fragment(slot, context):
    """Link to the page from the trajectory's sidebar."""
    if slot == "trajectory_sidebar":
        url = f"/p/{NAME}/t/{context['trajectory']['id']}"
        return f'<p><a href="{url}">Prikkelpauzes van dit traject</a></p>'
    return None


def breaks_as_text(trajectory, entries, goals):
    """The break agreements of a trajectory as plain text."""
    parts = [answers_as_text(breaks_v1(), e.get("answers")) for e in agreements(entries)]
    return "\n\n".join(parts) or "Geen afspraken over prikkelpauzes.\n"


@hookimpl
def journal_export_formats():
    """Offer the agreements as a text file."""
    return [{"id": "breaks", "label": "Prikkelpauzes (tekst)", "mimetype": "text/plain",
             "extension": "txt", "render": breaks_as_text}]


@hookimpl
def journal_default_settings():
    """Declare the settings an admin can change, with their defaults."""
    return {"remind_after_days": 14}


@hookimpl
def journal_validate_settings(settings):
    """Refuse settings that make no sense."""
    if not 1 <= settings["remind_after_days"] <= 90:
        return ["remind_after_days must be between 1 and 90"]
    return []
