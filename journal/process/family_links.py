"""Personal links to the parents' page and the pupil's page: capability URLs.

Each link belongs to one named person (one parent; divorced parents each get
their own, and see only their own reactions) or to the pupil, and to one
trajectory. The link carries a random secret (``/family/<token>``); the
journal keeps only its SHA-256 digest, so a copy of the database or a backup
opens no page. A link stops working when it is revoked, when its expiry date
has passed, when the trajectory closes or the pupil left, and (for the pupil's
link) when the team switches the pupil's page off. Every such link answers
exactly like an unknown one.

The team (whoever may manage the trajectory) makes, renews and revokes links;
the secret is shown once, when it is made or renewed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import NotFound
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import parse_iso_date
from . import today
from .family_settings import settings_of
from .trajectories import load_trajectory

AUDIENCES = ("parent", "pupil")
AUDIENCE_LABELS = {"parent": _l("A parent"), "pupil": _l("The pupil")}
MAX_NAME = 80
#: The longest validity a link can get (a school year and a bit).
MAX_DAYS = 400
#: Token shape: what ``secrets.token_urlsafe(32)`` makes. Anything else is not looked up.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def digest(token: str) -> str:
    """Return the stored form of a link's secret."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def default_days() -> int:
    """How long a new link works unless the team picks a date (``JOURNAL_FAMILY_LINK_DAYS``)."""
    return int(current_app.config.get("JOURNAL_FAMILY_LINK_DAYS", 90))


def links_for(trajectory_id: str) -> list[dict]:
    """Return the trajectory's links, newest first (secrets are never stored)."""
    found = get_store().family_links.find(trajectory_id=trajectory_id)
    return sorted(found, key=lambda link: link.get("created_at") or "", reverse=True)


def state(link: dict) -> str:
    """Return ``active``, ``revoked`` or ``expired`` (by the link alone)."""
    if link.get("revoked_at"):
        return "revoked"
    if (link.get("expires_on") or "") < today().isoformat():
        return "expired"
    return "active"


# -- the team's side --------------------------------------------------------------------

def _clean(data: dict, *, audience_needed: bool) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    if audience_needed:
        audience = data.get("audience") or ""
        if audience not in AUDIENCES:
            add_error(errors, "audience", _("Choose who the link is for."))
        values["audience"] = audience
        name = " ".join((data.get("name") or "").split())
        if not name:
            add_error(errors, "name", _("Name the person who gets this link, for example "
                                        "“Sarah (mama)”."))
        elif len(name) > MAX_NAME:
            add_error(errors, "name", _("Use at most %(n)d characters.", n=MAX_NAME))
        values["name"] = name
    expires = parse_iso_date(data.get("expires_on"), "expires_on", errors)
    first, last = today() + timedelta(days=1), today() + timedelta(days=MAX_DAYS)
    if expires is None and "expires_on" not in errors:
        expires = (today() + timedelta(days=default_days())).isoformat()
    elif expires and not first.isoformat() <= expires <= last.isoformat():
        add_error(errors, "expires_on", _("Choose a date between tomorrow and %(last)s.",
                                          last=last.isoformat()))
    values["expires_on"] = expires
    if errors:
        raise ValidationError(errors)
    return values


def _open_for_links(trajectory: dict, audience: str | None = None) -> None:
    problems = []
    if trajectory.get("target") != "pupil" or not trajectory.get("pupil_id"):
        problems.append(_("Only a trajectory aimed at a pupil has a parents' page."))
    elif trajectory.get("phase") == "closed":
        problems.append(_("This trajectory is closed. Reopen it to share it again."))
    elif audience == "pupil":
        if not settings_of(trajectory["id"]).get("pupil_page"):
            problems.append(_("Switch the pupil's page on first (under “What we share”)."))
    if problems:
        raise ValidationError({"audience": problems})


def create_link(actor: dict, trajectory_id: str, data: dict) -> tuple[dict, str]:
    """Make a personal link (``audience``, ``name``, ``expires_on``); return it and its secret.

    :raise NotFound: no such trajectory, or ``actor`` may not read it.
    :raise Forbidden: ``actor`` may not manage it.
    :raise ValidationError: with messages per field.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.MANAGE)
    values = _clean(data, audience_needed=True)
    _open_for_links(trajectory, values["audience"])
    token = secrets.token_urlsafe(32)
    link = get_store().family_links.create(dict(
        values, trajectory_id=trajectory["id"], pupil_id=trajectory["pupil_id"],
        digest=digest(token), revoked_at=None, revoked_by=None, created_by=actor["id"],
        last_opened_on=None), actor_id=actor["id"])
    _audit("create", link, actor, link["audience"])
    return link, token


def _load_link(actor: dict, trajectory_id: str, link_id: str) -> tuple[dict, dict]:
    trajectory = load_trajectory(actor, trajectory_id, access.MANAGE)
    link = get_store().family_links.get(link_id)
    if link is None or link.get("trajectory_id") != trajectory["id"]:
        raise NotFound("family_link")
    return trajectory, link


def revoke_link(actor: dict, trajectory_id: str, link_id: str) -> dict:
    """Stop a link at once; revoking twice changes nothing."""
    _trajectory, link = _load_link(actor, trajectory_id, link_id)
    if link.get("revoked_at"):
        return link
    link = get_store().family_links.update(
        link["id"], {"revoked_at": utcnow(), "revoked_by": actor["id"]}, actor_id=actor["id"])
    _audit("update", link, actor, "revoke")
    return link


def renew_link(actor: dict, trajectory_id: str, link_id: str, data: dict) -> tuple[dict, str]:
    """Give the same person a new secret and expiry date; the old link stops working.

    :raise ValidationError: a bad date, or the trajectory no longer takes links.
    """
    trajectory, link = _load_link(actor, trajectory_id, link_id)
    values = _clean(data, audience_needed=False)
    _open_for_links(trajectory, link["audience"])
    token = secrets.token_urlsafe(32)
    link = get_store().family_links.update(link["id"], dict(
        values, digest=digest(token), revoked_at=None, revoked_by=None), actor_id=actor["id"])
    _audit("update", link, actor, "renew")
    return link, token


# -- the parent's or pupil's side --------------------------------------------------------

def resolve(token: str) -> tuple[dict, dict]:
    """Return ``(link, trajectory)`` for a secret that opens a page today.

    :raise NotFound: unknown, revoked or expired link, closed trajectory, pupil
        who left, or a pupil's link while the pupil's page is off. Refusals of
        a known link are audited (the team can see someone tried it).
    """
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise NotFound("family_link")
    store = get_store()
    found = store.family_links.find(digest=digest(token))
    if not found:
        raise NotFound("family_link")
    link = found[0]
    trajectory = store.trajectories.get(link["trajectory_id"])
    reason = state(link) if state(link) != "active" else _unusable(trajectory, link)
    if reason:
        audit("denied", object_type="family_link", object_id=link["id"],
              pupil_id=link.get("pupil_id") or "", outcome="404", user_id="link:" + link["id"],
              detail=reason)
        raise NotFound("family_link")
    if link.get("last_opened_on") != today().isoformat():
        link = store.family_links.update(link["id"], {"last_opened_on": today().isoformat()})
    return link, trajectory


def _unusable(trajectory: dict | None, link: dict) -> str:
    if trajectory is None or trajectory.get("phase") == "closed":
        return "closed"
    pupil = get_store().pupils.get(trajectory.get("pupil_id") or "")
    if pupil is None or (pupil.get("left_on") and pupil["left_on"] <= today().isoformat()):
        return "left"
    if link["audience"] == "pupil":
        if not settings_of(trajectory["id"]).get("pupil_page"):
            return "pupil_page_off"
    return ""


def _audit(action: str, link: dict, actor: dict, detail: str) -> None:
    audit(action, object_type="family_link", object_id=link["id"],
          pupil_id=link.get("pupil_id") or "", user_id=actor["id"], detail=detail)
