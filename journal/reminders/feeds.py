"""Personal calendar feeds: a secret address per person that calendar apps subscribe to.

Only a hash of the secret is stored; the address is shown once, when it is
made. Making a new one ends the old one; a revoked or unknown address answers
404 alike. What a feed shows is the owner's choice (:data:`PRIVACY`); by
default the trajectory's title without the pupil's name. Every read is
audited without content.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..errors import NotFound
from ..errors import ValidationError
from ..process import today
from ..process.meetings import type_label
from ..security.audit import audit
from ..security.sessions import secret_digest
from ..storage import get_store
from ..public_address import absolute_url
from .agenda import agenda
from .calendar import build_calendar

MINIMAL, TITLE, DETAILS = "minimal", "title", "details"
#: What a feed may show, least first; the default is :data:`TITLE`.
PRIVACY = (MINIMAL, TITLE, DETAILS)
PRIVACY_LABELS = {
    MINIMAL: _l("Only what it is and a link (“Goal review”, “Class visit”, “Meeting”)"),
    TITLE: _l("Also the trajectory's title, without the pupil's name (recommended)"),
    DETAILS: _l("Also the pupil's name, the goal, the purpose of a visit and the kind of "
                "meeting"),
}
#: How far back a feed keeps past items.
LOOK_BACK_DAYS = 60
_SECRET_PREFIX = "cal_"


# -- the address ---------------------------------------------------------------

def current_feed(user: dict) -> dict | None:
    """Return the user's feed record (without its secret), or ``None``."""
    found = get_store().calendar_feeds.find(user_id=user["id"])
    return found[0] if found else None


def create_feed(actor: dict, privacy: str = TITLE) -> tuple[dict, str]:
    """Make a new secret feed address for ``actor``; an older one stops working.

    :return: the record and the secret (shown once, never stored).
    :raise ValidationError: ``privacy`` is not one of :data:`PRIVACY`.
    """
    _check_privacy(privacy)
    store = get_store()
    secret = _SECRET_PREFIX + secrets.token_urlsafe(32)
    with store.transaction():
        for old in store.calendar_feeds.find(user_id=actor["id"]):
            store.calendar_feeds.delete(old["id"])
        record = store.calendar_feeds.create(
            {"user_id": actor["id"], "digest": secret_digest(secret), "privacy": privacy,
             "last_used": None}, actor_id=actor["id"])
    audit("token_create", object_type="calendar_feed", object_id=record["id"],
          user_id=actor["id"], detail=privacy)
    return record, secret


def set_privacy(actor: dict, privacy: str) -> dict:
    """Change what ``actor``'s feed shows; the address stays the same.

    :raise ValidationError: unknown choice.
    :raise NotFound: the actor has no feed.
    """
    _check_privacy(privacy)
    feed = current_feed(actor)
    if feed is None:
        raise NotFound("calendar_feed")
    updated = get_store().calendar_feeds.update(feed["id"], {"privacy": privacy},
                                                actor_id=actor["id"])
    audit("update", object_type="calendar_feed", object_id=feed["id"], user_id=actor["id"],
          detail=privacy)
    return updated


def revoke_feed(actor: dict) -> bool:
    """End ``actor``'s feed address; return whether there was one."""
    feed = current_feed(actor)
    if feed is None:
        return False
    get_store().calendar_feeds.delete(feed["id"])
    audit("token_revoke", object_type="calendar_feed", object_id=feed["id"], user_id=actor["id"])
    return True


def _check_privacy(privacy: str) -> None:
    if privacy not in PRIVACY:
        raise ValidationError({"privacy": [_("Choose what the calendar may show.")]})


# -- the document --------------------------------------------------------------

def read_feed(secret: str) -> bytes:
    """Return the iCalendar document behind a secret address (audited, content-free).

    :raise NotFound: unknown or revoked address, or its owner is no longer active.
    """
    store = get_store()
    found = store.calendar_feeds.find(digest=secret_digest(secret or ""))
    user = store.users.get(found[0]["user_id"]) if found else None
    if not found or not user or not user.get("active"):
        audit("denied", object_type="calendar_feed", outcome="404", user_id="",
              detail="unknown feed")
        raise NotFound("calendar_feed")
    feed = found[0]
    day = today().isoformat()
    if feed.get("last_used") != day:  # one write a day at most
        store.calendar_feeds.update(feed["id"], {"last_used": day})
    locale = user.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
    # A centre's journal puts in the items of its linked schools (journal.centre.calendar).
    items_of = current_app.extensions.get("journal.feed_items", feed_items)
    with force_locale(locale):
        items = items_of(user, feed.get("privacy", TITLE))
        document = build_calendar(items, name=calendar_name())
    audit("view", object_type="calendar_feed", object_id=feed["id"], user_id=user["id"],
          detail=f"items:{len(items)}")
    return document


def calendar_name() -> str:
    """The name calendar apps show for the feed: the journal and the school."""
    school = current_app.config.get("JOURNAL_SCHOOL_NAME") or ""
    return f"{_('Journal')} – {school}" if school else _("Journal")


def upcoming(user: dict) -> list[dict]:
    """Return what a feed lists for ``user``: the agenda from :data:`LOOK_BACK_DAYS` ago on."""
    return agenda(user, today() - timedelta(days=LOOK_BACK_DAYS))


def feed_items(user: dict, privacy: str) -> list[dict]:
    """Return ``user``'s agenda as calendar items (see :mod:`.calendar`), showing only
    what ``privacy`` allows."""
    return [calendar_item(item, privacy) for item in upcoming(user)]


def calendar_item(item: dict, privacy: str) -> dict:
    """Return one agenda item (see :func:`.agenda.agenda`) as a calendar item, showing
    only what ``privacy`` allows; its link points at this journal's public address."""
    doc, trajectory = item["doc"], item["trajectory"]
    where = trajectory_label(trajectory, item["pupil"], privacy)
    if item["kind"] == "goal":
        what = _("Goal review")
        detail = Markup(doc.get("html", {}).get("text", "")).striptags()[:120]
        url = absolute_url("goals.show", trajectory_id=trajectory["id"], goal_id=doc["id"])
    elif item["kind"] == "meeting":
        what = _("Meeting")
        # The kind of meeting only: what was said or decided never leaves the journal.
        detail = type_label((doc.get("fields") or {}).get("meeting_type", ""))
        url = absolute_url("entries.show", trajectory_id=trajectory["id"], entry_id=doc["id"])
    else:
        what = _("Class visit")
        detail = doc.get("purpose", "")
        url = absolute_url("trajectories.show", trajectory_id=trajectory["id"],
                           anchor="visit-" + doc["id"])
    summary = f"{what}: {where}" if where else what
    entry = {"uid": f"{item['kind']}-{doc['id']}@{instance_uid()}", "date": item["date"],
             "summary": summary, "url": url, "sequence": doc.get("rev", 1) - 1,
             "updated": doc.get("updated_at")}
    if privacy == DETAILS and detail:
        entry["description"] = detail
    if item["kind"] == "visit" and doc.get("start_time"):
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        day = datetime.fromisoformat(item["date"]).date()
        entry["start"] = datetime.combine(day, time.fromisoformat(doc["start_time"]),
                                          zone).isoformat()
        if doc.get("end_time"):
            entry["end"] = datetime.combine(day, time.fromisoformat(doc["end_time"]),
                                            zone).isoformat()
    return entry


def trajectory_label(trajectory: dict, pupil: dict | None, privacy: str) -> str:
    """Name a trajectory as ``privacy`` allows.

    :data:`MINIMAL`: nothing. :data:`TITLE`: its title with any part of the
    pupil's name taken out (or "Trajectory (class group)" without a title).
    :data:`DETAILS`: the title and the pupil, as the journal's pages show it.
    """
    from ..process import trajectories as trajectory_service

    if privacy == MINIMAL:
        return ""
    if privacy == DETAILS:
        title = trajectory_service.display_title(trajectory, pupil)
        if pupil and trajectory.get("title"):
            title = f"{title} ({pupil.get('display_name', '')})"
        return title
    title = without_name(trajectory.get("title") or "", pupil)
    if title:
        return title
    group = (pupil or {}).get("class_group")
    return _("Trajectory (%(group)s)", group=group) if group else _("Trajectory")


def without_name(text: str, pupil: dict | None) -> str:
    """Return ``text`` with every word of the pupil's name replaced by "…"."""
    words = [w for w in re.split(r"\W+", (pupil or {}).get("display_name", "")) if len(w) > 1]
    for word in words:
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", "…", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def instance_uid() -> str:
    """Return this journal's random, stable name for UIDs (made once, kept in settings)."""
    settings = get_store().settings
    value = settings.get("instance_uid")
    if not value:
        value = secrets.token_hex(8) + ".journal"
        settings.set("instance_uid", value)
    return value
