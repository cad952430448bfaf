"""The restricted section of a trajectory: diagnoses, reports, health information.

Kept in its own collection (``restricted_notes``), so no list, search, export
or plugin that reads entries ever sees it by accident. Only people who may
read the trajectory *and* hold one of the roles the school configures (the
``restricted_roles`` setting, default ``JOURNAL_RESTRICTED_ROLES`` or the
learning-support specialist and the care coordinator) see or add notes there.
"""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import g
from flask_babel import lazy_gettext as _l

from ..rendering import RenderError
from ..rendering import render_markdown
from ..storage import get_store
from . import access
from .audit import audit

#: Kinds of restricted information.
CATEGORIES = {
    "diagnosis": _l("Diagnosis or attestation"),
    "report": _l("Report (CLB, therapist, doctor)"),
    "health": _l("Health"),
    "other": _l("Other sensitive information"),
}
#: Roles a school can allow into the restricted section (administrators never: they are not care staff).
CONFIGURABLE_ROLES = ("teacher", "support", "coordinator")
DEFAULT_ROLES = ["support", "coordinator"]
TITLE_MAX = 120
TEXT_MAX = 10_000


class RestrictedError(ValueError):
    """A restricted note cannot be saved; ``errors`` holds messages per field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def allowed_roles() -> list[str]:
    """Return the roles that may see restricted sections."""
    stored = get_store().settings.get("restricted_roles")
    if stored is None:
        stored = current_app.config.get("JOURNAL_RESTRICTED_ROLES", DEFAULT_ROLES)
    return [r for r in stored if r in CONFIGURABLE_ROLES]


def can_see(user: dict | None, trajectory: dict) -> bool:
    """Return whether ``user`` may read the restricted section of ``trajectory``."""
    return access.can(user, access.READ, trajectory) and access.has_role(user, *allowed_roles())


def can_write(user: dict | None, trajectory: dict) -> bool:
    """Return whether ``user`` may add to or remove from the restricted section."""
    return can_see(user, trajectory) and (
        access.can(user, access.WRITE, trajectory) or access.can(user, access.MANAGE, trajectory))


def require(trajectory: dict | None, *, write: bool = False) -> None:
    """Abort unless the current user may see (or change) the restricted section.

    404 when they may not even read the trajectory, 403 otherwise; both audited.
    """
    access.require(access.READ, trajectory)
    allowed = can_write(g.user, trajectory) if write else can_see(g.user, trajectory)
    if not allowed:
        g.refusal_audited = True
        audit("denied", object_type="restricted", object_id=trajectory["id"],
              pupil_id=trajectory.get("pupil_id") or "", outcome="403",
              detail="write" if write else "read")
        abort(403)


def notes_for(trajectory_id: str) -> list[dict]:
    """Return the restricted notes of a trajectory, newest first."""
    notes = get_store().restricted_notes.find(trajectory_id=trajectory_id)
    return sorted(notes, key=lambda n: n["created_at"], reverse=True)


def add_note(trajectory: dict, *, category: str, title: str, text: str, actor: dict) -> dict:
    """Add a restricted note; raise :class:`RestrictedError` on bad input."""
    errors: dict[str, list[str]] = {}
    title = " ".join(title.split())
    if category not in CATEGORIES:
        errors["category"] = [str(_l("Choose a kind."))]
    if not title:
        errors["title"] = [str(_l("Fill in a title."))]
    elif len(title) > TITLE_MAX:
        errors["title"] = [str(_l("Use at most %(n)s characters.", n=TITLE_MAX))]
    html = ""
    if len(text) > TEXT_MAX:
        errors["text"] = [str(_l("Use at most %(n)s characters.", n=TEXT_MAX))]
    else:
        try:
            html = str(render_markdown(text, max_chars=TEXT_MAX))
        except RenderError:
            errors["text"] = [str(_l("This text is too long or too deeply nested to show safely."))]
    if errors:
        raise RestrictedError(errors)
    note = get_store().restricted_notes.create(
        {"trajectory_id": trajectory["id"], "pupil_id": trajectory.get("pupil_id"),
         "category": category, "title": title, "text": text, "html": {"text": html},
         "created_by": actor["id"]},
        actor_id=actor["id"],
    )
    audit("create", object_type="restricted", object_id=note["id"],
          pupil_id=trajectory.get("pupil_id") or "", detail=category)
    return note


def delete_note(trajectory: dict, note_id: str) -> bool:
    """Remove a note of this trajectory (and its history); return whether it existed."""
    store = get_store()
    note = store.restricted_notes.get(note_id)
    if note is None or note["trajectory_id"] != trajectory["id"]:
        return False
    store.restricted_notes.delete(note_id)
    audit("delete", object_type="restricted", object_id=note_id,
          pupil_id=trajectory.get("pupil_id") or "")
    return True
