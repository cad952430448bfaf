"""Typed answers of entry templates: numbers and dates as people type them, and as stored.

A number may be typed with a decimal comma (``2,5``) and is checked against the
field's minimum, maximum and step; a date may come from the browser's date picker
(ISO) or be typed day first (``31/03/2025``). Stored, a number is an int or a float
and a date an ISO string.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation

from flask_babel import format_decimal
from flask_babel import gettext as _

from journal.plugins.entry_templates.specs import Field

#: Dates people type where the browser offers no date picker (Flemish order first).
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def shown_number(value) -> str:
    """Return a number the way the reader writes it (2,5 in Dutch)."""
    return format_decimal(value) if value is not None else ""


def parse_number(f: Field, raw: str) -> tuple[int | float | None, str]:
    """Return ``(number, "")`` for typed text (``2,5`` or ``2.5``), or ``(None, message)``."""
    try:
        number = Decimal(raw.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        return None, _("Enter a number, like 12 or 2,5.")
    low, high = f.minimum, f.maximum
    if (low is not None and number < Decimal(str(low))) or (high is not None and number > Decimal(str(high))):
        if low is not None and high is not None:
            return None, _("Enter a number from %(a)s to %(b)s.", a=shown_number(low),
                           b=shown_number(high))
        if low is not None:
            return None, _("Enter a number of at least %(a)s.", a=shown_number(low))
        return None, _("Enter a number of at most %(b)s.", b=shown_number(high))
    if f.step is not None and (number - Decimal(str(low or 0))) % Decimal(str(f.step)) != 0:
        return None, _("Use steps of %(step)s from %(start)s.", step=shown_number(f.step),
                       start=shown_number(low or 0))
    return (int(number) if number == number.to_integral_value() else float(number)), ""


def parse_date(raw: str) -> date | None:
    """Return the date typed in ``raw`` (ISO, or day first as Flemish people write it), or None."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def is_iso_date(value) -> bool:
    """Return whether ``value`` is a stored date answer (``"2025-03-31"``)."""
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False
