"""Build an iCalendar feed (RFC 5545) from plain items, with the ``icalendar`` library.

The builder knows nothing about trajectories: it takes *items*, plain
JSON-able dicts, so a leersteuncentrum can build one feed from items fetched
from several schools' journals. An item::

    {"uid": "goal-abc@school.example",   # stable: the same event in every refresh
     "date": "2025-03-31",               # the day (an all-day event without start)
     "summary": "Goal review: Reading",  # one line, plain text
     "url": "https://school.example/t/…",
     # optional:
     "description": "…",                 # plain text
     "start": "2025-03-31T09:30:00+02:00", "end": "2025-03-31T10:20:00+02:00",
     "sequence": 3,                      # grows with every change (calendar clients compare it)
     "updated": "2025-03-01T10:00:00+00:00"}

What calendar clients need, and this module gives: stable UIDs, a DTSTAMP on
every event, all-day events as DATE values with an exclusive end, timed events
in UTC (no VTIMEZONE needed), CRLF line ends and folded lines, escaped text
(by the library), ``X-WR-CALNAME`` and refresh hints (``REFRESH-INTERVAL``,
``X-PUBLISHED-TTL``) that Apple Calendar, Outlook and Google Calendar read.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from icalendar import Calendar
from icalendar import Event
from icalendar import vText

PRODID = "-//The journal//Reminders//EN"
#: How often clients are asked to fetch the feed again.
REFRESH = timedelta(hours=1)
#: Characters never put in a feed (controls other than tab and newline).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_SUMMARY = 200
MAX_DESCRIPTION = 2000


def clean_text(value, limit: int) -> str:
    """Return ``value`` as text without control characters, at most ``limit`` characters."""
    return _CONTROL.sub("", str(value or ""))[:limit]


def _moment(value: str) -> datetime:
    """Parse an ISO datetime with an offset and return it in UTC."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"a start or end needs a UTC offset: {value!r}")
    return moment.astimezone(timezone.utc)


def _event(item: dict, now: datetime) -> Event:
    event = Event()
    event.add("uid", clean_text(item["uid"], 255))
    stamp = _moment(item["updated"]) if item.get("updated") else now
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    day = date.fromisoformat(item["date"])
    if item.get("start"):
        start = _moment(item["start"])
        end = _moment(item["end"]) if item.get("end") else start + timedelta(hours=1)
        event.add("dtstart", start)
        event.add("dtend", max(end, start))
    else:
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))  # exclusive: a one-day event
        event.add("transp", "TRANSPARENT")  # a reminder, not a busy day
    event.add("sequence", int(item.get("sequence") or 0))
    event.add("summary", clean_text(item["summary"], MAX_SUMMARY))
    description = clean_text(item.get("description"), MAX_DESCRIPTION)
    url = clean_text(item.get("url"), 2000)
    if url:
        event.add("url", url)
        description = f"{description}\n\n{url}" if description else url  # Outlook hides URL
    if description:
        event.add("description", description)
    event.add("class", "PRIVATE")
    return event


def build_calendar(items: list[dict], *, name: str, now: datetime | None = None) -> bytes:
    """Return the iCalendar document (UTF-8, CRLF, folded) with one event per item.

    Items are sorted by date and UID so the document only changes when they do.

    :param name: the calendar's name in the client (``X-WR-CALNAME``).
    :param now: the DTSTAMP of items without ``updated`` (default: now, UTC).
    :raise ValueError: an item lacks ``uid``, ``date`` or ``summary``, or has a bad date.
    """
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    title = clean_text(name, 120)
    calendar.add("name", title)  # RFC 7986
    calendar.add("x-wr-calname", vText(title))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in sorted(items, key=lambda i: (i["date"], i.get("start") or "", i["uid"])):
        calendar.add_component(_event(item, now))
    return calendar.to_ical()
