"""Pupils: a pseudonymous display name and a class group, nothing more.

Who may see a pupil follows from the trajectories: the care coordinator sees
every pupil, everyone else only the pupils of trajectories they may read (the
mere existence of a pupil record hints at a support need).
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import TEAM_MEMBER
from . import ValidationError
from . import add_error
from . import parse_iso_date

MAX_NAME = 80
MAX_CLASS = 40


def clean(data: dict) -> dict:
    """Validate pupil fields; return the cleaned values or raise :class:`ValidationError`."""
    errors: dict[str, list[str]] = {}
    name = " ".join((data.get("display_name") or "").split())
    class_group = " ".join((data.get("class_group") or "").split())
    if not name:
        add_error(errors, "display_name", _("Fill in a name (a pseudonym is fine)."))
    elif len(name) > MAX_NAME:
        add_error(errors, "display_name", _("Use at most %(n)d characters.", n=MAX_NAME))
    if len(class_group) > MAX_CLASS:
        add_error(errors, "class_group", _("Use at most %(n)d characters.", n=MAX_CLASS))
    left_on = parse_iso_date(data.get("left_on"), "left_on", errors)
    if errors:
        raise ValidationError(errors)
    return {"display_name": name, "class_group": class_group, "left_on": left_on}


def create_pupil(actor: dict, data: dict) -> dict:
    """Create a pupil from ``display_name`` and ``class_group``.

    Whoever may open a trajectory may add its pupil.

    :raise Forbidden: ``actor`` may not open trajectories (audited).
    :raise ValidationError: with messages per field.
    """
    access.check_allowed(actor, "open_trajectory")
    values = clean(data)
    pupil = get_store().pupils.create(values, actor_id=actor["id"])
    audit("create", object_type="pupil", object_id=pupil["id"], pupil_id=pupil["id"],
          user_id=actor["id"])
    return pupil


def update_pupil(actor: dict, pupil_id: str, data: dict, *,
                 expected_rev: int | None = None) -> dict:
    """Change a pupil's name, class group or the date they left the school.

    The leaving date starts the school's retention period (``journal.privacy.retention``).

    :raise NotFound: no such pupil, or one ``actor`` may not see.
    :raise Forbidden: ``actor`` may see the pupil but not change it.
    :raise ValidationError: with messages per field.
    :raise StaleRevision: the pupil was changed after ``expected_rev``.
    """
    pupil = load_pupil(actor, pupil_id, edit=True)
    values = clean(data)
    updated = get_store().pupils.update(pupil["id"], values, expected_rev=expected_rev,
                                        actor_id=actor["id"])
    audit("update", object_type="pupil", object_id=pupil["id"], pupil_id=pupil["id"],
          user_id=actor["id"])
    return updated


def trajectories_of(pupil_id: str) -> list[dict]:
    """Return every trajectory aimed at this pupil (unfiltered; check access before showing)."""
    return get_store().trajectories.find(pupil_id=pupil_id)


def can_see(user: dict | None, pupil: dict) -> bool:
    """Return whether ``user`` may see this pupil's name and class group."""
    if access.can(user, "overview"):
        return True
    return any(access.can(user, access.READ, t) for t in trajectories_of(pupil["id"]))


def can_edit(user: dict | None, pupil: dict) -> bool:
    """Return whether ``user`` may rename the pupil or change the class group."""
    if access.can(user, "overview"):
        return True
    return any(access.can(user, access.MANAGE, t) for t in trajectories_of(pupil["id"]))


def visible_pupils(user: dict | None) -> list[dict]:
    """Return the pupils ``user`` may see, sorted by class group and name."""
    store = get_store()
    if access.can(user, "overview"):
        pupils = store.pupils.all()
    else:  # at most the user's own teams: an index lookup, not the whole school
        teams = store.trajectories.find_in_readonly(TEAM_MEMBER, [user["id"]]) if user else []
        pupils = store.pupils.find_in("id", {t["pupil_id"] for t in teams if t.get("pupil_id")
                                             and access.can(user, access.READ, t)})
    return sorted(pupils, key=lambda p: (p.get("class_group", "").lower(),
                                         p["display_name"].lower()))


def load_pupil(actor: dict | None, pupil_id: str, *, edit: bool = False) -> dict:
    """Return the pupil ``pupil_id`` once ``actor`` may see it (and, with ``edit``, change it).

    :raise NotFound: no such pupil, or one ``actor`` may not see (audited).
    :raise Forbidden: ``edit`` asked and ``actor`` may only see the pupil (audited).
    """
    pupil = get_store().pupils.get(pupil_id)
    if pupil is None or not can_see(actor, pupil):
        access.deny(actor, "read", object_type="pupil", object_id=pupil_id,
                    pupil_id=pupil_id if pupil else "")
    if edit and not can_edit(actor, pupil):
        access.deny(actor, "edit", object_type="pupil", object_id=pupil_id, status=403,
                    pupil_id=pupil_id)
    return pupil


def view_pupil(actor: dict, pupil_id: str, *, detail: str = "") -> dict:
    """:func:`load_pupil`, and record that ``actor`` looked at the pupil."""
    pupil = load_pupil(actor, pupil_id)
    audit("view", object_type="pupil", object_id=pupil_id, pupil_id=pupil_id,
          user_id=actor["id"], detail=detail)
    return pupil


def label(pupil: dict | None) -> str:
    """Return how a pupil is named on pages: name and class group."""
    if not pupil:
        return ""
    if pupil.get("class_group"):
        return f"{pupil['display_name']} ({pupil['class_group']})"
    return pupil["display_name"]
