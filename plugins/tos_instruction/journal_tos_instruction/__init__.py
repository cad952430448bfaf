"""TOS: instructie-aanpassingen -- a bundled journal plugin.

For pupils with a developmental language disorder (TOS): an observation
template with the signals to look for, an agreement checklist of instruction
adaptations, the "Loopt 't, leeft 't, lukt 't" reflection lens, and for
secondary school a page that shows which adaptation is feasible for each of
the pupil's teachers (``/p/tos_instruction/trajectories/<id>/feasibility``).
"""

from __future__ import annotations

from flask import url_for
from markupsafe import escape
from werkzeug.routing import BuildError

from journal import hookimpl

from .feasibility import ENTRY_TEMPLATES
from .feasibility import NAME


@hookimpl
def journal_plugin_info():
    """Describe the plugin for the admin page."""
    return {
        "title": "TOS: instructie-aanpassingen",
        "description": (
            "Signalen van een taalontwikkelingsstoornis observeren, instructie-aanpassingen "
            "afspreken en per leraar bijhouden welke aanpassing haalbaar is en werkt."
        ),
        "api_version": 1,
        "bundled": True,
    }


@hookimpl
def journal_entry_templates():
    """Return the folder of TOML files: the signals observation and the adaptations checklist."""
    return [ENTRY_TEMPLATES]


@hookimpl
def journal_focus_areas():
    """Add the TOS focus area (a core id, so it stays one area)."""
    return [{"id": "tos", "label": "TOS (taalontwikkelingsstoornis)"}]


@hookimpl
def journal_reflection_models():
    """Add "Loopt 't, leeft 't, lukt 't", a short lens to look back on a lesson together."""
    return [
        {
            "id": "loopt_leeft_lukt",
            "title": "Loopt 't, leeft 't, lukt 't",
            "phases": [
                {"key": "runs", "title": "Loopt 't?",
                 "prompt": "Verliep de les vlot: instructie, overgangen, materiaal, tijd?"},
                {"key": "engages", "title": "Leeft 't?",
                 "prompt": "Waren de leerling en de klas betrokken? Deed de leerling mee aan het gesprek?"},
                {"key": "succeeds", "title": "Lukt 't?",
                 "prompt": "Begreep de leerling de opdracht en bereikte hij of zij het lesdoel?"},
            ],
        }
    ]


@hookimpl
def journal_blueprints():
    """Return the feasibility page's blueprint (mounted under ``/p/tos_instruction/``)."""
    from .views import bp

    return [bp]


@hookimpl
def journal_page_fragment(slot, context):
    """Link a TOS trajectory's page to its per-teacher feasibility overview."""
    trajectory = (context or {}).get("trajectory")
    if slot != "trajectory_sidebar" or not trajectory:
        return None
    if "tos" not in (trajectory.get("focus_areas") or ()):
        return None
    try:
        href = url_for(f"{NAME}.overview", trajectory_id=trajectory["id"])
    except BuildError:  # the page is not mounted in this app
        return None
    return (f'<p><a href="{escape(href)}">Haalbaarheid per leraar</a>: welke TOS-aanpassing '
            f"is haalbaar en werkt bij elke leraar?</p>")
