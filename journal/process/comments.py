"""Comments on entries: short Markdown remarks by team members, kept with history.

Adding one follows the entry's rules (:func:`~journal.process.entry_access.load_entry`):
whoever may see the entry and write in its trajectory may comment, and each
comment is audited (without its text).
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..security import access
from ..security.audit import audit
from ..storage import get_store
from . import ValidationError
from . import clean_markdown
from .entry_access import load_entry
from .entry_events import detail_of

#: Longest comment, in characters.
MAX_COMMENT = 5_000


def comments_for(entry_id: str) -> list[dict]:
    """Return the comments on an entry, oldest first."""
    comments = get_store().comments.find(entry_id=entry_id)
    return sorted(comments, key=lambda c: (c.get("created_at") or "", c["id"]))


def count_for(entry_id: str) -> int:
    """Return how many comments an entry has."""
    return len(get_store().comments.find(entry_id=entry_id))


def add_comment(actor: dict, entry_id: str, body: str, *, trajectory_id: str | None = None,
                via: str = "") -> dict:
    """Store ``actor``'s comment on an entry they may see and write about, and return it.

    :param trajectory_id: the trajectory the entry was reached through (a page's URL).
    :param via: the surface it came through, for the audit record (``api``).
    :raise NotFound, Forbidden: ``actor`` may not see the entry or not write in its trajectory.
    :raise ValidationError: the body is empty, too long or cannot be rendered.
    """
    _trajectory, entry = load_entry(actor, entry_id, access.WRITE, trajectory_id=trajectory_id)
    errors: dict[str, list[str]] = {}
    html: dict = {}
    body = clean_markdown(body, "body", errors, html, missing=_("Write your comment first."),
                          max_chars=MAX_COMMENT)
    if errors:
        raise ValidationError(errors)
    doc = {
        "entry_id": entry["id"],
        "trajectory_id": entry["trajectory_id"],
        "author_id": actor["id"],
        "body": body,
        "html": html["body"],
    }
    comment = get_store().comments.create(doc, actor_id=actor["id"])
    audit("create", object_type="comment", object_id=comment["id"],
          pupil_id=entry.get("pupil_id") or "", user_id=actor["id"],
          detail=detail_of(via, "entry:" + entry["id"]))
    return comment
