"""Comments on entries: short Markdown remarks by team members, kept with history."""

from __future__ import annotations

from flask_babel import gettext as _

from ..storage import get_store
from . import ValidationError
from . import add_error
from . import render_field

#: Longest comment, in characters.
MAX_COMMENT = 5_000


def comments_for(entry_id: str) -> list[dict]:
    """Return the comments on an entry, oldest first."""
    comments = get_store().comments.find(entry_id=entry_id)
    return sorted(comments, key=lambda c: (c.get("created_at") or "", c["id"]))


def count_for(entry_id: str) -> int:
    """Return how many comments an entry has."""
    return len(get_store().comments.find(entry_id=entry_id))


def add_comment(user: dict, entry: dict, body: str) -> dict:
    """Store ``user``'s comment on ``entry`` and return it.

    :raise ValidationError: the body is empty, too long or cannot be rendered.
    """
    errors: dict[str, list[str]] = {}
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        add_error(errors, "body", _("Write your comment first."))
    elif len(body) > MAX_COMMENT:
        add_error(errors, "body", _("Keep this under %(n)d characters.", n=MAX_COMMENT))
    html: dict = {}
    if not errors:
        render_field(html, "body", body, errors)
    if errors:
        raise ValidationError(errors)
    doc = {
        "entry_id": entry["id"],
        "trajectory_id": entry["trajectory_id"],
        "author_id": user["id"],
        "body": body,
        "html": html["body"],
    }
    return get_store().comments.create(doc, actor_id=user["id"])
