"""A school's answer to its centre's question "what is in this ondersteuner's calendar here".

The centre builds one calendar feed over all its linked schools
(:mod:`journal.centre.calendar`). Each school answers, on a link that shares
caseloads, with the same items her own feed in this school would list (review
dates of goals, planned class visits, meetings in the open trajectories she is a
team member of), shaped here, with her own rights, by the privacy choice she made
at the centre: by default a trajectory's title without the pupil's name, so the
name does not cross the link. Every trajectory in an answer is audited as viewed
by her through the centre.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from ..reminders import feeds
from . import caseload


def answer(link: dict, payload: dict) -> dict:
    """Answer the signed call: ``{"identities": [...], "privacy": …, "locale": …}``.

    :raise Forbidden: the school does not share caseloads on this link.
    """
    user = caseload.account_for(link, payload, "calendar")
    if user is None:
        return {"known": False, "items": []}
    privacy = payload.get("privacy") if payload.get("privacy") in feeds.PRIVACY else feeds.TITLE
    locale = payload.get("locale")
    if locale not in current_app.config["JOURNAL_LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        coming = feeds.upcoming(user)
        items = [feeds.calendar_item(item, privacy) for item in coming]
    caseload.audit_reads(link, user, {i["trajectory"]["id"]: i["trajectory"].get("pupil_id") or ""
                                      for i in coming}, "calendar", len(items))
    return {"known": True, "items": items}
