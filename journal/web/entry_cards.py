"""Template helpers for showing an entry: on its page, in the trajectory timeline, in print.

Registered on the app by :func:`init_app`, so every page that shows an entry
card (``entries/_entry.html``) can use them.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_datetime
from markupsafe import Markup

from ..plugins.entry_templates.forms import render_answers
from ..plugins.entry_templates.registry import spec_for_entry
from ..plugins.host import get_plugins
from ..process import comments
from ..process import entry_forms
from ..process import reflection
from ..storage import get_store


def entry_datetime(value: str | None) -> str:
    """Format a stored UTC timestamp as a local date and time, in the user's language."""
    if not value:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(value), "short")
    except ValueError:
        return value


def entry_kind_label(kind: str) -> str:
    """Return the label of an entry kind."""
    return str(entry_forms.KIND_LABELS.get(kind, kind))


def entry_field_defs(kind: str):
    """Return the kind-specific fields of an entry kind."""
    return entry_forms.FIELD_DEFS.get(kind, ())


def entry_comment_count(entry_id: str) -> int:
    """Return the number of comments on an entry."""
    return comments.count_for(entry_id)


def entry_goals(entry: dict) -> list[dict]:
    """Return the goals an entry is linked to (those that still exist)."""
    goals = get_store().goals.find_in("id", entry.get("goal_ids") or ())
    return [goal for goal in goals if goal.get("trajectory_id") == entry.get("trajectory_id")]


def entry_phases(entry: dict) -> list[dict]:
    """Return a reflection's phases with their contributions."""
    return reflection.phases_of(entry)


def entry_model_title(entry: dict) -> str:
    """Return the title of a reflection's model (its stored copy if the plugin is gone)."""
    model = reflection.model_of(entry)
    return str(model["title"]) if model else ((entry.get("fields") or {}).get("model") or "")


def entry_answers(entry: dict) -> Markup:
    """Return an entry's template answers as safe HTML, noting a changed or removed plugin."""
    if not entry.get("template"):
        return Markup("")
    found = spec_for_entry(get_plugins(), entry)
    spec = found.spec if found is not None else None
    note = found.label if found is not None else ""
    return Markup(render_answers(spec, entry.get("answers") or {}, note=note))


def entry_field_text(entry: dict, fd) -> str:
    """Return a ``choice`` or ``multi`` field of an entry as people read it (a meeting's)."""
    from ..process.meetings import field_text

    return field_text(entry, fd)


def init_app(app: Flask) -> None:
    """Make the entry card helpers available in every template."""
    app.add_template_filter(entry_datetime, "entry_datetime")
    for helper in (entry_kind_label, entry_field_defs, entry_comment_count, entry_goals,
                   entry_phases, entry_model_title, entry_answers, entry_field_text):
        app.add_template_global(helper, helper.__name__)
