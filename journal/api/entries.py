"""Entries: list and write observations, reflections, agreements and one-to-one moments.

The rules are the entry pages' own: drafts are visible to their authors only
(anyone else gets 404), writing needs the right to write in the trajectory,
and an update names the revision the client last saw. Unlike the page, which
offers a merge, the API answers a stale revision with 409 and changes nothing.
"""

from __future__ import annotations

from flask import g
from flask import jsonify
from flask import request
from flask_babel import gettext as _

from ..process import ValidationError
from ..process import entries as service
from ..process import entry_forms
from ..process.entry_access import load_entry
from ..process.entry_access import open_entry
from ..process.entry_access import visible_entries
from ..process.entry_plugins import template_of
from ..process.reflection import add_contribution
from ..process.trajectories import load_trajectory
from ..security import access
from ..security.audit import audit
from ..storage import StaleRevision
from .blueprint import bp
from .entry_json import contributions_of
from .entry_json import entry_json
from .entry_json import field_errors
from .entry_json import form_data
from .entry_json import strings
from .errors import conflict
from .errors import invalid
from .errors import json_body
from .helpers import expected_rev
from .helpers import listing
from .helpers import unknown_fields
from .spec import DATE
from .spec import HTML
from .spec import REV
from .spec import STRING
from .spec import TIMESTAMP
from .spec import listing_of
from .spec import nullable
from .spec import operation
from .spec import path_param
from .spec import ref

#: Top-level values a client may send when creating or changing an entry.
COMMON = ("date", "tags", "goal_ids", "internal", "breach_of_rules", "fields")
CREATE_ONLY = ("kind", "publish", "co_author_ids", "contributions")


# -- routes ----------------------------------------------------------------------

@bp.get("/trajectories/<trajectory_id>/entries")
@access.login_required
def list_entries(trajectory_id: str):
    """List the entries the user may see: published ones and their own drafts, newest first.

    Optional filters in the query: ``kind``, ``author_id``, ``tag``, ``goal_id``.
    """
    trajectory = load_trajectory(g.user, trajectory_id)
    filters = {key: request.args.get(key) or None
               for key in ("kind", "author_id", "tag", "goal_id")}
    entries = visible_entries(g.user, trajectory, **filters)
    audit("view", object_type="trajectory", object_id=trajectory["id"],
          pupil_id=trajectory.get("pupil_id") or "", detail="api:entries")
    return listing([entry_json(e) for e in entries])


@bp.post("/trajectories/<trajectory_id>/entries")
@access.login_required
def create_entry(trajectory_id: str):
    """Write a new entry: a draft only its authors see, or published with ``publish``."""
    load_trajectory(g.user, trajectory_id, access.WRITE)  # refusals before any detail of the body
    data = json_body()
    kind = data.get("kind")
    if kind not in entry_forms.KINDS:
        raise invalid({"kind": [_("Choose a kind of entry.")]})
    allowed = set(COMMON) | set(CREATE_ONLY) | ({"model"} if kind == "reflection" else set())
    errors = unknown_fields(data, allowed, raise_now=False)
    if kind != "reflection" and "contributions" in data:
        errors["contributions"] = [_("Only reflections take contributions.")]
    publish = data.get("publish", False)
    co_authors = data.get("co_author_ids", [])
    if not isinstance(publish, bool) or not strings(co_authors):
        raise invalid({name: [_("Send true or false.") if name == "publish"
                              else _("Send a list of ids.")]
                       for name, ok in (("publish", isinstance(publish, bool)),
                                        ("co_author_ids", strings(co_authors))) if not ok})
    form = form_data(kind, data, entry_forms.form_of(kind, {}), errors)
    reflection = kind == "reflection"
    try:
        entry = service.create_entry(
            g.user, trajectory_id, kind, form, publish=publish, co_author_ids=co_authors,
            model_id=data.get("model", "korthagen") if reflection else None,
            contributions=contributions_of(data) if reflection else (), via="api")
    except ValidationError as exc:
        raise invalid(field_errors(kind, exc.errors)) from None
    return jsonify(entry_json(entry)), 201


@bp.get("/entries/<entry_id>")
@access.login_required
def get_entry(entry_id: str):
    """Show one entry (someone else's draft is 404); the read is audited."""
    _trajectory, entry = open_entry(g.user, entry_id, detail="api")
    return jsonify(entry_json(entry))


@bp.patch("/entries/<entry_id>")
@access.login_required
def update_entry(entry_id: str):
    """Change an entry from the revision the client last saw; fields left out keep their value.

    A stale revision answers 409 with the current entry and changes nothing.
    The person saving becomes one of the authors, as on the page.
    """
    _trajectory, entry = load_entry(g.user, entry_id, access.WRITE)
    data = json_body()
    errors = unknown_fields(data, set(COMMON) | {"rev"}, raise_now=False)
    rev = expected_rev(data)
    if entry["rev"] != rev:
        raise conflict(entry_json(entry))
    kind = entry["kind"]
    base = entry_forms.form_of(kind, entry_forms.values_of(entry), template_of(entry))
    form = form_data(kind, data, base, errors)
    try:
        saved = service.edit_entry(g.user, entry_id, form, expected_rev=rev, merge=False, via="api")
    except StaleRevision as stale:
        raise conflict(entry_json(stale.current)) from None
    except ValidationError as exc:
        raise invalid(field_errors(kind, exc.errors)) from None
    return jsonify(entry_json(saved))


@bp.post("/entries/<entry_id>/publish")
@access.login_required
def publish_entry(entry_id: str):
    """Publish a draft to the team; publishing twice changes nothing."""
    _trajectory, entry = load_entry(g.user, entry_id, access.WRITE)
    try:
        published = service.publish_entry(g.user, entry_id, via="api")
    except ValidationError as exc:
        raise invalid(field_errors(entry["kind"], exc.errors)) from None
    return jsonify(entry_json(published))


@bp.post("/entries/<entry_id>/contributions")
@access.login_required
def contribute(entry_id: str):
    """Add the user's contribution to one phase of a reflection (no revision needed)."""
    load_entry(g.user, entry_id, access.WRITE)  # refusals before any detail of the body
    data = json_body()
    unknown_fields(data, {"phase", "text"})
    phase, text = data.get("phase"), data.get("text")
    wrong = {k: [_("Send text here.")] for k, v in (("phase", phase), ("text", text))
             if not isinstance(v, str)}
    if wrong:
        raise invalid(wrong)
    saved = add_contribution(g.user, entry_id, phase, text, via="api")
    return jsonify(entry_json(saved)), 201


# -- OpenAPI -------------------------------------------------------------------------

_KIND = {"type": "string", "enum": list(entry_forms.KINDS)}
_FIELDS = {
    "type": "object",
    "description": "Kind-specific fields: " + "; ".join(
        f"{kind}: " + ", ".join(fd.key for fd in defs) for kind, defs in entry_forms.FIELD_DEFS.items()
    ) + ". A reflection also has `model` and `contributions` (read-only here).",
    "additionalProperties": True,
}
_INPUT_FIELDS = {
    "type": "object",
    "description": "Kind-specific fields to set (text, Markdown or ISO dates).",
    "additionalProperties": nullable(STRING),
}
_INPUT = {
    "date": DATE,
    "tags": {"type": "array", "items": {"type": "string", "maxLength": entry_forms.MAX_TAG_CHARS}},
    "goal_ids": {"type": "array", "items": STRING},
    "internal": {"type": "boolean"},
    "breach_of_rules": {"type": "boolean"},
    "fields": _INPUT_FIELDS,
}

SCHEMAS = {
    "Entry": {
        "type": "object",
        "required": ["id", "rev", "trajectory_id", "kind", "status", "date", "authors", "fields"],
        "properties": {
            "id": STRING,
            "rev": REV,
            "trajectory_id": STRING,
            "pupil_id": nullable(STRING),
            "kind": _KIND,
            "status": {"type": "string", "enum": ["draft", "published"]},
            "date": nullable(DATE),
            "authors": {"type": "array", "items": STRING},
            "created_by": STRING,
            "tags": {"type": "array", "items": STRING},
            "goal_ids": {"type": "array", "items": STRING},
            "fields": _FIELDS,
            "html": HTML,
            "template": nullable({"type": "object", "description": "Plugin template reference."}),
            "answers": {"type": "object", "description": "Structured template answers."},
            "internal": {"type": "boolean"},
            "breach_of_rules": {"type": "boolean"},
            "comment_count": {"type": "integer", "minimum": 0},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "updated_by": nullable(STRING),
        },
    },
    "EntryCreate": {
        "type": "object",
        "required": ["kind", "date"],
        "additionalProperties": False,
        "properties": dict(
            _INPUT,
            kind=_KIND,
            publish={"type": "boolean", "description": "Publish at once (default: a draft)."},
            co_author_ids={"type": "array", "items": STRING,
                           "description": "Team members writing it with you."},
            model={"type": "string", "description": "Reflections: the reflection model "
                                                     "(default korthagen)."},
            contributions={"type": "array", "description": "Reflections: your first "
                                                           "contributions.",
                           "items": {"type": "object", "required": ["phase", "text"],
                                     "properties": {"phase": STRING, "text": STRING}}},
        ),
    },
    "EntryUpdate": {
        "type": "object",
        "required": ["rev"],
        "additionalProperties": False,
        "properties": dict(_INPUT, rev=REV),
    },
    "Contribution": {
        "type": "object",
        "required": ["phase", "text"],
        "additionalProperties": False,
        "properties": {"phase": STRING, "text": STRING},
    },
}

_ENTRY = path_param("entry_id", "The entry's id.")

PATHS = {
    "/trajectories/{trajectory_id}/entries": {
        "parameters": [path_param("trajectory_id", "The trajectory's id.")],
        "get": dict(operation(
            "listEntries", "List the entries you may see", tag="entries",
            ok=(200, "Published entries and your own drafts, newest first.", listing_of("Entry")),
        ), parameters=[
            {"name": "kind", "in": "query", "required": False, "schema": _KIND},
            {"name": "author_id", "in": "query", "required": False, "schema": STRING},
            {"name": "tag", "in": "query", "required": False, "schema": STRING},
            {"name": "goal_id", "in": "query", "required": False, "schema": STRING},
        ]),
        "post": operation(
            "createEntry", "Write an entry", tag="entries",
            ok=(201, "The new entry.", ref("Entry")), body=ref("EntryCreate"),
            errors=(401, 403, 404),
            description="Team members. A draft is visible to its authors only.",
        ),
    },
    "/entries/{entry_id}": {
        "parameters": [_ENTRY],
        "get": operation("getEntry", "Show an entry", tag="entries",
                         ok=(200, "The entry.", ref("Entry")),
                         description="Someone else's draft answers 404."),
        "patch": operation(
            "updateEntry", "Change an entry", tag="entries",
            ok=(200, "The changed entry.", ref("Entry")), body=ref("EntryUpdate"),
            errors=(401, 403, 404, 409),
            description="Send the rev you last saw; a stale one answers 409 with the "
                        "current entry and changes nothing. Fields left out keep their value.",
        ),
    },
    "/entries/{entry_id}/publish": {
        "parameters": [_ENTRY],
        "post": operation("publishEntry", "Publish a draft to the team", tag="entries",
                          ok=(200, "The published entry.", ref("Entry")),
                          errors=(400, 401, 403, 404)),
    },
    "/entries/{entry_id}/contributions": {
        "parameters": [_ENTRY],
        "post": operation(
            "addContribution", "Add your contribution to a reflection", tag="entries",
            ok=(201, "The reflection with your contribution.", ref("Entry")),
            body=ref("Contribution"), errors=(401, 403, 404),
            description="Contributions are appended, so no revision is needed.",
        ),
    },
}
