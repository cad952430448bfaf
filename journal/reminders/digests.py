"""E-mail digests: daily or weekly, per person, with counts and links only.

A digest never holds entry text, goal text or pupil names: only how many goals
are past or near their review date, how many class visits are coming and how
many reflections wait for the person, with links into the journal.

One code path sends them, from ``journal digests send`` (cron, systemd timer)
or from the scheduler thread of ``journal serve``: :func:`run_once`. It first
records, under the storage lock, one ``digests`` record per person and period
that is due (a period is a day, or an ISO week), so no period is ever sent
twice, however many processes run. Then it sends the waiting records, each
claimed for a few minutes first; a failure is kept on the record (and shown
on the admin's mail page) and retried with growing pauses until the period
is over.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..errors import ValidationError
from ..process import goals as goal_service
from ..process import lifecycle
from ..security.audit import audit
from ..storage import get_store
from ..public_address import absolute_url
from . import mail
from .agenda import agenda
from .agenda import open_trajectories

OFF, DAILY, WEEKLY = "off", "daily", "weekly"
FREQUENCIES = (OFF, DAILY, WEEKLY)
FREQUENCY_LABELS = {OFF: _l("No e-mail"), DAILY: _l("Every school day"),
                    WEEKLY: _l("Every Monday")}
WAITING, SENT, NOTHING, EXPIRED = "waiting", "sent", "nothing", "expired"
MAX_EMAIL = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Pauses between attempts, in minutes: 1, 2, 4 … up to 3 hours.
BACKOFF_MINUTES = (1, 2, 4, 8, 15, 30, 60, 120, 180)
#: How long one process may hold a digest while sending it.
CLAIM = timedelta(minutes=5)
#: Sent and expired records are kept this long (the DPIA inventory says so).
KEEP_DAYS = 90


def valid_email(address: str) -> bool:
    """Return whether ``address`` looks like an e-mail address (one @, a dot after it)."""
    return bool(address) and len(address) <= MAX_EMAIL and bool(_EMAIL.match(address))


def mail_configured() -> bool:
    """Return whether the school set up a mail server (else digests cannot be chosen)."""
    return mail.configured()


# -- a person's choice -----------------------------------------------------------

def settings_of(user: dict) -> dict:
    """Return ``{"frequency", "email"}`` for ``user`` (off until they choose)."""
    stored = user.get("digest") or {}
    return {"frequency": stored.get("frequency", OFF), "email": stored.get("email", "")}


def save_settings(actor: dict, data: dict) -> dict:
    """Store ``actor``'s digest choice: ``frequency`` (:data:`FREQUENCIES`) and ``email``.

    :raise ValidationError: unknown frequency, or a digest without a valid address.
    """
    errors: dict[str, list[str]] = {}
    frequency = data.get("frequency") or ""
    email = " ".join(str(data.get("email") or "").split())
    if frequency not in FREQUENCIES:
        errors["frequency"] = [_("Choose how often you want the e-mail.")]
    if email and not valid_email(email):
        errors["email"] = [_("Fill in an e-mail address like name@school.be.")]
    elif frequency in (DAILY, WEEKLY) and not email:
        errors["email"] = [_("Fill in the address the e-mail goes to.")]
    if errors:
        raise ValidationError(errors)
    values = {"frequency": frequency, "email": email}
    get_store().users.update(actor["id"], {"digest": values}, actor_id=actor["id"])
    audit("account", object_type="user", object_id=actor["id"], user_id=actor["id"],
          detail=f"digest:{frequency}")
    return values


# -- periods -----------------------------------------------------------------------

def local_now() -> datetime:
    """Return the time in the school's time zone."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def period_of(frequency: str, day: date) -> str | None:
    """Return the period a digest sent on ``day`` belongs to (``2025-03-03`` or
    ``2025-W10``), or ``None`` on weekends. A weekly digest goes out on the first
    school day the sender runs in that week (Monday when it runs every day)."""
    if day.weekday() >= 5:
        return None
    if frequency == DAILY:
        return day.isoformat()
    if frequency == WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return None


def period_days(period: str) -> tuple[date, date]:
    """Return the first and last day a period's digest looks at."""
    if "-W" in period:
        first = date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
        return first, first + timedelta(days=6)
    day = date.fromisoformat(period)
    return day, day


# -- the content ---------------------------------------------------------------------

def counts(user: dict, period: str) -> dict[str, int]:
    """Return what the digest reports for ``user`` in ``period``: numbers only."""
    first, last = period_days(period)
    trajectories = open_trajectories(user)
    coming = agenda(user, first, last)
    return {
        "overdue": len(goal_service.overdue_goals(trajectories, on=first)),
        "reviews": sum(1 for item in coming if item["kind"] == "goal"),
        "visits": sum(1 for item in coming if item["kind"] == "visit"),
        "waiting": len(lifecycle.waiting_reflections(user, trajectories)),
    }


def compose(user: dict, period: str, numbers: dict[str, int]) -> tuple[str, str]:
    """Return the subject and plain text of a digest, in the user's language."""
    weekly = "-W" in period
    with force_locale(user.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Journal: your week") if weekly else _("Journal: your day")
        lines = [_("Hello %(name)s,", name=user.get("display_name", "")), ""]
        lines.append(_("This week in the journal:") if weekly else _("Today in the journal:"))
        texts = {
            "overdue": ngettext("%(num)d goal is past its review date",
                                "%(num)d goals are past their review date", numbers["overdue"]),
            "reviews": ngettext("%(num)d goal to review", "%(num)d goals to review",
                                numbers["reviews"]),
            "visits": ngettext("%(num)d class visit planned", "%(num)d class visits planned",
                               numbers["visits"]),
            "waiting": ngettext("%(num)d reflection waits for your contribution",
                                "%(num)d reflections wait for your contribution",
                                numbers["waiting"]),
        }
        lines += [f"- {texts[key]}" for key in texts if numbers[key]]
        lines += ["", _("Open the journal: %(url)s", url=absolute_url("home.index")), "",
                  _("You get this e-mail because you asked for it. Change or stop it here: "
                    "%(url)s", url=absolute_url("reminders.settings"))]
    return subject, "\n".join(lines) + "\n"


# -- planning and sending -------------------------------------------------------------

def plan_due(now: datetime | None = None) -> int:
    """Record the digests due now, once per person and period; return how many are new.

    Runs in one storage transaction, so several processes never record a period twice.
    """
    now = now or local_now()
    if now.hour < int(current_app.config.get("JOURNAL_DIGEST_HOUR", 7)):
        return 0
    store = get_store()
    new = 0
    with store.transaction():
        known = {(d["user_id"], d["period"]) for d in store.digests.all()}
        for user in store.users.find(active=True):
            choice = settings_of(user)
            period = period_of(choice["frequency"], now.date()) if choice["email"] else None
            if period and (user["id"], period) not in known:
                store.digests.create({"user_id": user["id"], "period": period,
                                      "status": WAITING, "attempts": 0, "last_error": "",
                                      "last_attempt": None, "next_try": None,
                                      "claimed_until": None})
                new += 1
    return new


def _claim(digest_id: str, owner: str, now: datetime) -> dict | None:
    """Take a waiting digest for ``CLAIM``, unless another process holds it or it is not due."""
    store = get_store()
    stamp = now.astimezone(timezone.utc).isoformat()
    with store.transaction():
        record = store.digests.get(digest_id)
        if record is None or record["status"] != WAITING:
            return None
        if (record.get("claimed_until") or "") > stamp or (record.get("next_try") or "") > stamp:
            return None
        until = (now + CLAIM).astimezone(timezone.utc).isoformat()
        return store.digests.update(digest_id, {"claimed_until": until, "claimed_by": owner})


def _expired(period: str, now: datetime) -> bool:
    return period_days(period)[1] < now.date() - timedelta(days=1)


def send_waiting(now: datetime | None = None) -> dict[str, int]:
    """Send every waiting digest that is due; return counts per outcome."""
    now = now or local_now()
    store = get_store()
    owner = secrets.token_hex(6)
    outcome = {SENT: 0, NOTHING: 0, EXPIRED: 0, "failed": 0}
    for record in store.digests.find(status=WAITING):
        claimed = _claim(record["id"], owner, now)
        if claimed is None:
            continue
        user = store.users.get(record["user_id"])
        choice = settings_of(user or {})
        if _expired(record["period"], now) or not user or not user.get("active") \
                or not choice["email"]:
            _finish(claimed, EXPIRED)
            outcome[EXPIRED] += 1
            continue
        numbers = counts(user, record["period"])
        if not any(numbers.values()):
            _finish(claimed, NOTHING)
            outcome[NOTHING] += 1
            continue
        subject, text = compose(user, record["period"], numbers)
        try:
            mail.send(mail.message(choice["email"], subject, text))
        except mail.MailError as error:
            _failed(claimed, str(error), now)
            outcome["failed"] += 1
            continue
        _finish(claimed, SENT, sent_at=now.astimezone(timezone.utc).isoformat(timespec="seconds"))
        audit("export", object_type="digest", object_id=claimed["id"], user_id=user["id"],
              detail=f"mail:{record['period']}")
        outcome[SENT] += 1
    return outcome


def _finish(record: dict, status: str, **more) -> None:
    get_store().digests.update(record["id"], {"status": status, "claimed_until": None, **more})


def _failed(record: dict, error: str, now: datetime) -> None:
    attempts = record.get("attempts", 0) + 1
    pause = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
    current_app.logger.warning("e-mail digest %s not sent (attempt %d): %s",
                               record["id"], attempts, error)
    get_store().digests.update(record["id"], {
        "attempts": attempts, "last_error": error[:300],
        "last_attempt": now.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "next_try": (now + timedelta(minutes=pause)).astimezone(timezone.utc).isoformat(),
        "claimed_until": None})


def prune(now: datetime | None = None) -> int:
    """Remove finished digest records whose period ended :data:`KEEP_DAYS` ago; return how many."""
    limit = (now or local_now()).date() - timedelta(days=KEEP_DAYS)
    store = get_store()
    old = [d for d in store.digests.all()
           if d["status"] != WAITING and period_days(d["period"])[1] < limit]
    with store.transaction():
        for record in old:
            store.digests.delete(record["id"])
    return len(old)


def run_once(now: datetime | None = None) -> dict[str, int]:
    """Plan what is due, send what waits, forget old records: the one code path."""
    if not mail.configured():
        return {"planned": 0}
    planned = plan_due(now)
    outcome = send_waiting(now)
    prune(now)
    return {"planned": planned, **outcome}


def status() -> dict:
    """Return what the admin's mail page shows: waiting, sent lately, the last failure."""
    records = get_store().digests.all()
    waiting = [d for d in records if d["status"] == WAITING]
    failing = sorted((d for d in records if d.get("last_error")),
                     key=lambda d: d.get("last_attempt") or "")
    last = failing[-1] if failing else None
    week_ago = (datetime.now(timezone.utc) - timedelta(days=7)).isoformat()
    return {
        "waiting": len(waiting),
        "failing": sum(1 for d in waiting if d.get("last_error")),
        "sent_week": sum(1 for d in records
                         if d["status"] == SENT and (d.get("sent_at") or "") >= week_ago),
        "last_error": last.get("last_error") if last else "",
        "last_error_at": last.get("last_attempt") if last else None,
        "last_error_resolved": bool(last) and last["status"] != WAITING,
    }
