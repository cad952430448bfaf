"""Template helpers shared by every page: labels, dates, the current user's rights."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask import g
from flask_babel import format_date
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..rendering import sanitize_html
from ..security import restricted
from ..security.access import can
from ..security.access import has_role
from ..security.access import instance_roles
from ..config import is_centre

#: Role keys and their labels.
ROLE_LABELS = {
    "teacher": _l("Teacher"),
    "support": _l("Learning-support specialist"),
    "coordinator": _l("Care coordinator"),
    "director": _l("Director"),
    "admin": _l("Administrator"),
}


def parse_date(value: str | None) -> date | None:
    """Parse an ISO date (YYYY-MM-DD); ``None`` when empty or invalid."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def nice_date(value: str | None) -> str:
    """Format an ISO date or datetime string for people, in their language."""
    if not value:
        return ""
    # Long pages show the same few days again and again (a register row per checklist item,
    # a timeline); Babel's formatting costs more than the rest of such a row. Each request
    # formats a day once, in the language it is answered in.
    formatted = g.setdefault("nice_dates", {})
    key = (value[:10], str(get_locale()))
    if key not in formatted:
        try:
            formatted[key] = format_date(date.fromisoformat(key[0]), "medium")
        except ValueError:
            formatted[key] = None
    return formatted[key] or value


def init_templates(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.add_template_filter(nice_date, "nice_date")
    # Stored HTML came from the sanitiser at save time; cleaning it again on the way out is
    # cheap and keeps a tampered or restored-from-elsewhere database from reaching a browser.
    app.add_template_filter(sanitize_html, "stored_html")

    @app.context_processor
    def inject():
        return {
            "current_user": g.get("user"),
            "can": lambda action, trajectory=None: can(g.get("user"), action, trajectory),
            "restricted_visible": lambda trajectory: restricted.can_see(g.get("user"), trajectory),
            "has_role": lambda *roles: has_role(g.get("user"), *roles),
            "role_labels": {r: ROLE_LABELS[r] for r in instance_roles()},
            "centre": is_centre(app),
            "locale": str(get_locale() or "nl"),
            "school_name": app.config["JOURNAL_SCHOOL_NAME"],
        }
