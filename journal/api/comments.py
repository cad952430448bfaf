"""Comments on entries: read them with the entry, add one as a team member."""

from __future__ import annotations

from flask import g
from flask import jsonify
from flask_babel import gettext as _

from ..process import comments as service
from ..process.entry_access import load_entry
from ..security import access
from .blueprint import bp
from .errors import invalid
from .errors import json_body
from .helpers import listing
from .helpers import unknown_fields
from .spec import MARKDOWN
from .spec import REV
from .spec import STRING
from .spec import TIMESTAMP
from .spec import listing_of
from .spec import operation
from .spec import path_param
from .spec import ref


def comment_json(comment: dict) -> dict:
    """Return the API representation of a comment."""
    return {
        "id": comment["id"],
        "rev": comment["rev"],
        "entry_id": comment["entry_id"],
        "trajectory_id": comment["trajectory_id"],
        "author_id": comment.get("author_id"),
        "body": comment.get("body", ""),
        "html": comment.get("html", ""),
        "created_at": comment.get("created_at"),
        "updated_at": comment.get("updated_at"),
    }


@bp.get("/entries/<entry_id>/comments")
@access.login_required
def list_comments(entry_id: str):
    """List the comments on an entry the user may see, oldest first."""
    _trajectory, entry = load_entry(g.user, entry_id)
    return listing([comment_json(c) for c in service.comments_for(entry["id"])])


@bp.post("/entries/<entry_id>/comments")
@access.login_required
def add_comment(entry_id: str):
    """Add a Markdown comment to an entry (team members of its trajectory)."""
    load_entry(g.user, entry_id, access.WRITE)  # refusals before any detail of the body
    data = json_body()
    unknown_fields(data, {"body"})
    if not isinstance(data.get("body"), str):
        raise invalid({"body": [_("Write your comment first.")]})
    comment = service.add_comment(g.user, entry_id, data["body"], via="api")
    return jsonify(comment_json(comment)), 201


SCHEMAS = {
    "Comment": {
        "type": "object",
        "required": ["id", "rev", "entry_id", "author_id", "body", "html"],
        "properties": {
            "id": STRING,
            "rev": REV,
            "entry_id": STRING,
            "trajectory_id": STRING,
            "author_id": STRING,
            "body": MARKDOWN,
            "html": {"type": "string", "description": "Sanitised HTML of the body."},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    },
    "CommentCreate": {
        "type": "object",
        "required": ["body"],
        "additionalProperties": False,
        "properties": {"body": {"type": "string", "maxLength": service.MAX_COMMENT}},
    },
}

PATHS = {
    "/entries/{entry_id}/comments": {
        "parameters": [path_param("entry_id", "The entry's id.")],
        "get": operation("listComments", "List the comments on an entry", tag="comments",
                         ok=(200, "Oldest first.", listing_of("Comment"))),
        "post": operation("addComment", "Comment on an entry", tag="comments",
                          ok=(201, "The new comment.", ref("Comment")),
                          body=ref("CommentCreate"), errors=(401, 403, 404),
                          description="Team members of the entry's trajectory."),
    },
}
