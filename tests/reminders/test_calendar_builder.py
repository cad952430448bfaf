"""The iCalendar builder: what Outlook, Google Calendar and Apple Calendar need, checked
with the library that wrote it and with two independent parsers of real calendar software:
vobject (Radicale's and khal's) and ical (Home Assistant's calendar, strict RFC 5545 with
pydantic-checked values)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timezone

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from journal.reminders.calendar import build_calendar

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)
HOSTILE = 'Lezen; "samen", thuis\\school\nBEGIN:VEVENT <script>alert(1)</script> ' + "é" * 40


def _items():
    return [
        {"uid": "goal-1@school.test", "date": "2025-03-31", "summary": "Goal review: Lezen",
         "url": "https://school.test/t/a/goals/1", "sequence": 2,
         "updated": "2025-02-01T10:00:00+00:00"},
        {"uid": "visit-2@school.test", "date": "2025-03-04", "summary": HOSTILE,
         "url": "https://school.test/t/a#visit-2", "description": "Instructie bekijken",
         "start": "2025-03-04T09:30:00+01:00", "end": "2025-03-04T10:20:00+01:00"},
    ]


def test_the_document_is_well_formed_for_calendar_clients():
    raw = build_calendar(_items(), name="Logboek – De Linde", now=NOW)
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    text = raw.decode("utf-8")
    for needed in ("VERSION:2.0", "PRODID:", "METHOD:PUBLISH", "X-WR-CALNAME:Logboek – De Linde",
                   "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"):
        assert needed in text, needed
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20250331" in unfolded and "DTEND;VALUE=DATE:20250401" in unfolded
    assert "DTSTART:20250304T083000Z" in unfolded and "DTEND:20250304T092000Z" in unfolded
    assert unfolded.split("\r\n").count("BEGIN:VEVENT") == 2  # the hostile summary opened none


@pytest.mark.parametrize("parse", ["icalendar", "vobject", "ical"])
def test_both_parsers_read_the_same_events(parse):
    raw = build_calendar(_items(), name="Logboek", now=NOW)
    if parse == "icalendar":
        calendar = icalendar.Calendar.from_ical(raw)
        events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
        goal, visit = events["goal-1@school.test"], events["visit-2@school.test"]
        get = lambda e, key: e.decoded(key)  # noqa: E731
        stamp = lambda e: e.decoded("DTSTAMP")  # noqa: E731
        assert str(calendar["X-WR-CALNAME"]) == "Logboek"
    elif parse == "ical":
        calendar = IcsCalendarStream.calendar_from_ics(raw.decode("utf-8"))
        events = {e.uid: e for e in calendar.events}
        goal, visit = events["goal-1@school.test"], events["visit-2@school.test"]
        get = lambda e, key: getattr(e, key.lower())  # noqa: E731
        stamp = lambda e: e.dtstamp  # noqa: E731
        assert [(x.name, x.value) for x in calendar.extras if x.name == "x-wr-calname"] == [
            ("x-wr-calname", "Logboek")]
        assert str(goal.transparency) == "TRANSPARENT"  # a reminder, not a busy day
    else:
        calendar = vobject.readOne(raw.decode("utf-8"))
        events = {e.uid.value: e for e in calendar.vevent_list}
        goal, visit = events["goal-1@school.test"], events["visit-2@school.test"]
        get = lambda e, key: getattr(e, key.lower()).value  # noqa: E731
        stamp = lambda e: e.dtstamp.value  # noqa: E731
        assert calendar.contents["x-wr-calname"][0].value == "Logboek"
    assert get(goal, "DTSTART") == date(2025, 3, 31)
    assert get(goal, "DTEND") == date(2025, 4, 1)
    assert stamp(goal) == datetime(2025, 2, 1, 10, 0, tzinfo=timezone.utc)
    assert stamp(visit) == NOW  # without "updated": the time the feed was built
    assert get(visit, "DTSTART") == datetime(2025, 3, 4, 8, 30, tzinfo=timezone.utc)
    assert get(visit, "SUMMARY") == HOSTILE  # escaped on the way in, exact on the way out
    assert get(goal, "URL") == "https://school.test/t/a/goals/1"
    assert "https://school.test/t/a#visit-2" in get(visit, "DESCRIPTION")  # Outlook shows it
    assert int(get(goal, "SEQUENCE")) == 2


def test_the_same_items_give_the_same_document():
    assert build_calendar(_items(), name="x", now=NOW) == \
        build_calendar(list(reversed(_items())), name="x", now=NOW)


def test_control_characters_never_reach_the_feed():
    raw = build_calendar([{"uid": "u@x", "date": "2025-03-31", "summary": "a\x00b\x1bc\x7f",
                           "url": ""}], name="n\x07", now=NOW)
    assert b"\x00" not in raw and b"\x1b" not in raw and b"\x7f" not in raw and b"\x07" not in raw
    assert b"SUMMARY:abc" in raw


def test_a_start_without_offset_is_refused():
    with pytest.raises(ValueError):
        build_calendar([{"uid": "u@x", "date": "2025-03-31", "summary": "s", "url": "",
                         "start": "2025-03-31T09:00:00"}], name="n")
