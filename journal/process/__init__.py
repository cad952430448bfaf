"""The support process as services: pupils, trajectories, phases, goals, entries.

Web pages, the API and the CLI all change pupil data through these modules, so
validation, Markdown rendering, revision checks and the audit trail happen in
one place. Services take plain values (not request objects) and raise
:class:`ValidationError` with messages per field when the input is wrong.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _

from ..errors import ValidationError  # noqa: F401 (services raise it from here too)
from ..rendering import RenderError
from ..rendering import render_markdown


def add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    """Add ``message`` to the messages for ``field``."""
    errors.setdefault(field, []).append(message)


def render_field(html: dict, field: str, text: str, errors: dict[str, list[str]]) -> None:
    """Render Markdown ``text`` into ``html[field]``, or record why it cannot be.

    Rendering happens once, at save time; pages show the stored HTML.
    """
    try:
        limit = current_app.config.get("JOURNAL_MARKDOWN_MAX_CHARS", 20_000)
        html[field] = str(render_markdown(text or "", max_chars=limit))
    except RenderError:
        add_error(errors, field, _("This text is too long or too deeply nested to show safely."))


def clean_markdown(value, field: str, errors: dict[str, list[str]], html: dict, *,
                   missing: str, max_chars: int) -> str:
    """Return the required Markdown text ``value``, trimmed, and render it into ``html[field]``
    (anything but a string counts as empty).

    :param missing: the message recorded when the text is empty.
    :param max_chars: the longest text accepted.
    """
    text = (value if isinstance(value, str) else "").replace("\r\n", "\n").strip()
    if not text:
        add_error(errors, field, missing)
        return text
    if len(text) > max_chars:
        add_error(errors, field, _("Use at most %(n)d characters.", n=max_chars))
    render_field(html, field, text, errors)
    return text


def parse_iso_date(value, field: str, errors: dict[str, list[str]], *,
                   required: bool = False) -> str | None:
    """Return ``value`` as an ISO date string, ``None`` when empty, or record an error."""
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        if required:
            add_error(errors, field, _("Fill in a date."))
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        add_error(errors, field, _("Use a date like 2025-03-31."))
        return None


def today() -> date:
    """Return today's date (one place, so tests and reports agree)."""
    return date.today()
