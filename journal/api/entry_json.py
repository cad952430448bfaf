"""An entry in JSON: its representation, and a request's JSON as the entry services' form data.

The API speaks JSON (``{"fields": {"seen": …}, "tags": [...]}``); the entry
services read form data (:mod:`journal.process.entry_forms`). These helpers
check the JSON's types, translate it, and name the services' field errors as
the JSON does (``fields.seen``, ``contributions``).
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..process import comments as comment_service
from ..process import entry_forms
from .errors import invalid


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


def form_data(kind: str, data: dict, base: dict, errors: dict[str, list[str]]) -> dict:
    """Check JSON types and return form data for the entry services.

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
        if not strings(tags):
            errors["tags"] = [_("Send a list of tags.")]
        elif any("," in tag for tag in tags):
            errors["tags"] = [_("A tag cannot contain a comma.")]
        else:
            form["tags"] = tags
    if "goal_ids" in data:
        if not strings(data["goal_ids"]):
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
    allowed = {fd.key for fd in entry_forms.field_defs(kind)}
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


def strings(value) -> bool:
    """Return whether ``value`` is a list of strings."""
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def field_errors(kind: str, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Name kind-specific fields as the JSON does (``fields.seen``), not as the form does."""
    names = {fd.key for fd in entry_forms.field_defs(kind)} | {"conclusions", "next_steps"}
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key.startswith("phase_"):
            key = "contributions"
        elif key in names:
            key = "fields." + key
        out.setdefault(key, []).extend(messages)
    return out


def contributions_of(data: dict) -> list[dict]:
    """Return a new reflection's first contributions, or raise a 400 when they are not ``[{phase, text}]``."""
    given = data.get("contributions", [])
    if not (isinstance(given, list) and all(
            isinstance(c, dict) and isinstance(c.get("phase"), str)
            and isinstance(c.get("text"), str) for c in given)):
        raise invalid({"contributions": [_("Send a list of {phase, text}.")]})
    return given
