"""One calendar feed over all the schools linked to the centre, for an ondersteuner.

She makes her secret feed address on her account page at the centre, as in a
school (:mod:`journal.reminders.feeds`); reading it calls this module's
:func:`feed_items`. Every linked school that shares caseloads is asked at once (a
signed call with her identities, her privacy choice and her language); each answers
with her own rights there (:mod:`journal.federation.calendar`) and audits the read.
A school that does not answer in time is left out and the feed still answers.
Answers stay in memory for ``JOURNAL_CASELOAD_CACHE_SECONDS`` at most (the caseload's
cache, so ending a link forgets them at once); nothing is stored.

What a school sends is not trusted blindly: only well-formed items pass, a link
only into that school's own address, and each summary says which school it is.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from datetime import datetime

from flask import current_app

from ..federation import client
from ..federation import links
from ..reminders.calendar import MAX_DESCRIPTION
from ..reminders.calendar import MAX_SUMMARY
from ..security import access
from .caseload import ask_schools
from .caseload import identities_of

logger = logging.getLogger(__name__)

_UID = re.compile(r"^(goal|visit|meeting)-[A-Za-z0-9_-]{1,64}@[A-Za-z0-9._-]{1,100}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The most items taken from one school.
MAX_ITEMS = 500


def feed_items(user: dict, privacy: str) -> list[dict]:
    """Return the calendar items of ``user`` from every linked school that answers.

    Only an ondersteuner (role ``support``) linked to an identity gets items.
    """
    names = identities_of(user)
    if not names or not access.has_role(user, "support"):
        return []
    locale = user.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
    question = f"calendar:{privacy}:{locale}"
    sharing = links.sharing("caseload")
    answers, _asked = ask_schools(user, sharing, "/federation/v1/calendar",
                                  {"identities": names, "privacy": privacy, "locale": locale},
                                  question)
    out = []
    for link in sharing:
        answer = answers.get(link["id"])
        if isinstance(answer, client.Unreachable):
            logger.warning("calendar feed: school %s left out (%s)", link["id"], answer.reason)
        if isinstance(answer, dict) and isinstance(answer.get("items"), list):
            cleaned = (clean_item(raw, link) for raw in answer["items"][:MAX_ITEMS])
            out += [item for item in cleaned if item is not None]
    return out


def clean_item(raw, link: dict) -> dict | None:
    """Return a school's calendar item with only well-formed values, named after the
    school, its link only into the school's address; ``None`` for anything else."""
    if not isinstance(raw, dict):
        return None
    uid, day, summary = raw.get("uid"), raw.get("date"), raw.get("summary")
    if not (isinstance(uid, str) and _UID.match(uid) and isinstance(day, str)
            and _DATE.match(day) and _is_date(day) and isinstance(summary, str)
            and summary.strip()):
        return None
    school = link.get("peer_name") or ""
    root = link["peer_url"].rstrip("/") + "/"
    url = raw.get("url")
    item = {"uid": uid, "date": day,
            "summary": f"{summary[:MAX_SUMMARY - 60]} ({school[:50]})" if school else summary,
            "url": url if isinstance(url, str) and url.startswith(root) else root}
    if isinstance(raw.get("description"), str):
        item["description"] = raw["description"][:MAX_DESCRIPTION]
    for key in ("start", "end", "updated"):
        if _is_moment(raw.get(key)):
            item[key] = raw[key]
    if "end" in item and "start" not in item:
        del item["end"]
    sequence = raw.get("sequence")
    if isinstance(sequence, int) and not isinstance(sequence, bool) and 0 <= sequence < 10**6:
        item["sequence"] = sequence
    return item


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_moment(value) -> bool:
    """Whether ``value`` is an ISO date and time with a UTC offset."""
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False
