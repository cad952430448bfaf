"""Entries: list and write observations, reflections, agreements and one-to-one moments.

The rules are the entry pages' own: drafts are visible to their authors only
(anyone else gets 404), writing needs the right to write in the trajectory,
and an update names the revision the client last saw. Unlike the page, which
offers a merge, the API answers a stale revision with 409 and changes nothing.
"""

from __future__ import annotations

from flask import abort
from flask import g
from flask import jsonify
from flask import request
from flask_babel import gettext as _

from ..process import ValidationError
from ..process import comments as comment_service
from ..process import entries as service
from ..process import reflection as reflection_service
from ..security import access
from ..security.audit import audit
from ..storage import StaleRevision
from ..storage import get_store
from . import bp
from .errors import conflict
from .errors import invalid
from .errors import json_body
from .helpers import expected_rev
from .helpers import listing
from .helpers import trajectory_for
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


def entry_json(entry: dict) -> dict:
    """Return the API representation of an entry."""
    return {
        "id": entry["id"],
        "rev": entry["rev"],
        "trajectory_id": entry["trajectory_id"],
        "pupil_id": entry.get("pupil_id"),
        "kind": entry["kind"],
        "status": entry.get("status"),
        "date": entry.get("date"),
        "authors": entry.get("authors", []),
        "created_by": entry.get("created_by"),
        "tags": entry.get("tags", []),
        "goal_ids": entry.get("goal_ids", []),
        "fields": entry.get("fields", {}),
        "html": entry.get("html", {}),
        "template": entry.get("template"),
        "answers": entry.get("answers") or {},
        "internal": bool(entry.get("internal")),
        "breach_of_rules": bool(entry.get("breach_of_rules")),
        "comment_count": comment_service.count_for(entry["id"]),
        "created_at": entry.get("created_at"),
        "updated_at": entry.get("updated_at"),
        "updated_by": entry.get("updated_by"),
    }


def load_entry(entry_id: str, action: str = access.READ) -> tuple[dict, dict]:
    """Return ``(trajectory, entry)`` after the entry pages' checks, or abort.

    404 when the user may not read the trajectory or the entry is someone
    else's draft; 403 when they may read but not do ``action``.
    """
    entry = get_store().entries.get(entry_id)
    trajectory = trajectory_for(access.READ, entry["trajectory_id"] if entry else None)
    return trajectory, service.require_visible(trajectory, entry, action)


def _audit(action: str, entry: dict, detail: str = "api") -> None:
    audit(action, object_type="entry", object_id=entry["id"],
          pupil_id=entry.get("pupil_id") or "", detail=detail)


# -- from JSON to the values the service parses ---------------------------------

def _form(kind: str, data: dict, base: dict, errors: dict[str, list[str]]) -> dict:
    """Check JSON types and return form data for :func:`service.parse_values`.

    :param base: form data to start from (an existing entry's, or empty).
    :param errors: field errors found so far; raised together with these.
    """
    errors = dict(errors)
    form = dict(base)
    if "date" in data:
        if data["date"] is not None and not isinstance(data["date"], str):
            errors["date"] = [_("Use a date like 2025-03-31.")]
        form["date"] = data["date"]
    if "tags" in data:
        tags = data["tags"]
        if not _strings(tags):
            errors["tags"] = [_("Send a list of tags.")]
        elif any("," in tag for tag in tags):
            errors["tags"] = [_("A tag cannot contain a comma.")]
        else:
            form["tags"] = ", ".join(tags)
    if "goal_ids" in data:
        if not _strings(data["goal_ids"]):
            errors["goal_ids"] = [_("Send a list of ids.")]
        form["goal_ids"] = data["goal_ids"]
    for flag in ("internal", "breach_of_rules"):
        if flag in data:
            if not isinstance(data[flag], bool):
                errors[flag] = [_("Send true or false.")]
            form[flag] = data[flag] is True
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        errors["fields"] = [_("Send an object with the fields of this kind of entry.")]
        fields = {}
    allowed = {fd.key for fd in service.field_defs(kind)}
    for key, value in fields.items():
        if key not in allowed:
            errors["fields." + key] = [_("This field cannot be set here.")]
        elif value is not None and not isinstance(value, str):
            errors["fields." + key] = [_("Send text here.")]
        else:
            form[key] = value or ""
    if errors:
        raise invalid(errors)
    return form


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _field_errors(kind: str, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Name kind-specific fields as the JSON does (``fields.seen``), not as the form does."""
    names = {fd.key for fd in service.field_defs(kind)} | {"conclusions", "next_steps"}
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key.startswith("phase_"):
            key = "contributions"
        elif key in names:
            key = "fields." + key
        out.setdefault(key, []).extend(messages)
    return out


def _goal_ids(trajectory: dict) -> set[str]:
    return {goal["id"] for goal in get_store().goals.find(trajectory_id=trajectory["id"])}


def _reflection_extra(data: dict) -> dict:
    """Return a new reflection's model and first contributions, or raise a 400."""
    model_id = data.get("model", "korthagen")
    model = reflection_service.model_by_id(model_id) if isinstance(model_id, str) else None
    if model is None:
        raise invalid({"model": [_("Choose a reflection model.")]})
    given = data.get("contributions", [])
    if not (isinstance(given, list) and all(
            isinstance(c, dict) and isinstance(c.get("phase"), str)
            and isinstance(c.get("text"), str) for c in given)):
        raise invalid({"contributions": [_("Send a list of {phase, text}.")]})
    try:
        contributions = [reflection_service.make_contribution(g.user, c["phase"], c["text"], model)
                         for c in given]
    except ValidationError as exc:
        raise invalid({"contributions": [m for ms in exc.errors.values() for m in ms]}) from None
    return {"model": model["id"], "contributions": contributions}


# -- routes ----------------------------------------------------------------------

@bp.get("/trajectories/<trajectory_id>/entries")
@access.login_required
def list_entries(trajectory_id: str):
    """List the entries the user may see: published ones and their own drafts, newest first.

    Optional filters in the query: ``kind``, ``author_id``, ``tag``, ``goal_id``.
    """
    trajectory = trajectory_for(access.READ, trajectory_id)
    filters = {key: request.args.get(key) or None
               for key in ("kind", "author_id", "tag", "goal_id")}
    entries = service.visible_entries(g.user, trajectory, **filters)
    audit("view", object_type="trajectory", object_id=trajectory["id"],
          pupil_id=trajectory.get("pupil_id") or "", detail="api:entries")
    return listing([entry_json(e) for e in entries])


@bp.post("/trajectories/<trajectory_id>/entries")
@access.login_required
def create_entry(trajectory_id: str):
    """Write a new entry: a draft only its authors see, or published with ``publish``."""
    trajectory = trajectory_for(access.WRITE, trajectory_id)
    data = json_body()
    kind = data.get("kind")
    if kind not in service.KINDS:
        raise invalid({"kind": [_("Choose a kind of entry.")]})
    allowed = set(COMMON) | set(CREATE_ONLY) | ({"model"} if kind == "reflection" else set())
    errors = unknown_fields(data, allowed, raise_now=False)
    if kind != "reflection" and "contributions" in data:
        errors["contributions"] = [_("Only reflections take contributions.")]
    publish = data.get("publish", False)
    co_authors = data.get("co_author_ids", [])
    if not isinstance(publish, bool) or not _strings(co_authors):
        raise invalid({name: [_("Send true or false.") if name == "publish"
                              else _("Send a list of ids.")]
                       for name, ok in (("publish", isinstance(publish, bool)),
                                        ("co_author_ids", _strings(co_authors))) if not ok})
    form = _form(kind, data, service.form_of(kind, {}), errors)
    try:
        values = service.parse_values(kind, form, goal_ids=_goal_ids(trajectory))
        extra = _reflection_extra(data) if kind == "reflection" else {}
        if publish:
            fields = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("fields.")}
            problems = service.publish_problems({"kind": kind, "fields": fields})
            if problems:
                raise ValidationError(problems)
        entry = service.create_entry(g.user, trajectory, kind, values, publish=publish,
                                     co_author_ids=co_authors, fields_extra=extra)
    except ValidationError as exc:
        raise invalid(_field_errors(kind, exc.errors)) from None
    _audit("create", entry)
    service.notify_saved(entry, trajectory, created=True)
    return jsonify(entry_json(entry)), 201


@bp.get("/entries/<entry_id>")
@access.login_required
def get_entry(entry_id: str):
    """Show one entry (someone else's draft is 404); the read is audited."""
    _trajectory, entry = load_entry(entry_id)
    _audit("view", entry)
    return jsonify(entry_json(entry))


@bp.patch("/entries/<entry_id>")
@access.login_required
def update_entry(entry_id: str):
    """Change an entry from the revision the client last saw; fields left out keep their value.

    A stale revision answers 409 with the current entry and changes nothing.
    The person saving becomes one of the authors, as on the page.
    """
    trajectory, entry = load_entry(entry_id, access.WRITE)
    data = json_body()
    errors = unknown_fields(data, set(COMMON) | {"rev"}, raise_now=False)
    rev = expected_rev(data)
    kind = entry["kind"]
    store = get_store()
    # One transaction: the revision check and the save cannot be split by another save.
    with store.transaction():
        current = store.entries.require(entry["id"])
        if current["rev"] != rev:
            raise conflict(entry_json(current))
        form = _form(kind, data, service.form_of(kind, service.values_of(current)), errors)
        try:
            values = service.parse_values(kind, form, goal_ids=_goal_ids(trajectory))
            saved = service.edit_entry(g.user, entry["id"], values, expected_rev=rev)
        except StaleRevision as stale:
            raise conflict(entry_json(stale.current)) from None
        except ValidationError as exc:
            raise invalid(_field_errors(kind, exc.errors)) from None
    if saved["rev"] > current["rev"]:
        _audit("update", saved)
        service.notify_saved(saved, trajectory, created=False)
    return jsonify(entry_json(saved))


@bp.post("/entries/<entry_id>/publish")
@access.login_required
def publish_entry(entry_id: str):
    """Publish a draft to the team; publishing twice changes nothing."""
    trajectory, entry = load_entry(entry_id, access.WRITE)
    try:
        published = service.publish_entry(g.user, entry["id"])
    except ValidationError as exc:
        raise invalid(_field_errors(entry["kind"], exc.errors)) from None
    if published["rev"] != entry["rev"]:
        _audit("update", published, detail="api:publish")
        service.notify_saved(published, trajectory, created=False)
    return jsonify(entry_json(published))


@bp.post("/entries/<entry_id>/contributions")
@access.login_required
def contribute(entry_id: str):
    """Add the user's contribution to one phase of a reflection (no revision needed)."""
    trajectory, entry = load_entry(entry_id, access.WRITE)
    if entry["kind"] != "reflection":
        abort(404)
    data = json_body()
    unknown_fields(data, {"phase", "text"})
    phase, text = data.get("phase"), data.get("text")
    wrong = {k: [_("Send text here.")] for k, v in (("phase", phase), ("text", text))
             if not isinstance(v, str)}
    if wrong:
        raise invalid(wrong)
    saved = reflection_service.add_contribution(g.user, entry["id"], phase, text)
    _audit("update", saved, detail="api:contribution")
    service.notify_saved(saved, trajectory, created=False)
    return jsonify(entry_json(saved)), 201


# -- OpenAPI -------------------------------------------------------------------------

_KIND = {"type": "string", "enum": list(service.KINDS)}
_FIELDS = {
    "type": "object",
    "description": "Kind-specific fields: " + "; ".join(
        f"{kind}: " + ", ".join(fd.key for fd in defs) for kind, defs in service.FIELD_DEFS.items()
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
    "tags": {"type": "array", "items": {"type": "string", "maxLength": service.MAX_TAG_CHARS}},
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
