"""Small pieces the API routes share: loading a trajectory under the access rules, revisions."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from ..security import access
from ..storage import get_store
from .errors import invalid


def trajectory_for(action: str, trajectory_id: str | None) -> dict:
    """Return the trajectory if the current user may do ``action`` to it.

    Aborts 404 when the user may not read it (or it does not exist), 403 when
    they may read but not do ``action`` — the web pages' rule.
    """
    trajectory = get_store().trajectories.get(trajectory_id) if trajectory_id else None
    access.require(action, trajectory)
    return trajectory


def expected_rev(data: dict) -> int:
    """Return the ``rev`` the client last saw, or raise a 400 naming the field."""
    rev = data.get("rev")
    if isinstance(rev, bool) or not isinstance(rev, int) or rev < 1:
        raise invalid({"rev": [_("Send the revision (rev) you last saw, a whole number.")]})
    return rev


def unknown_fields(data: dict, allowed: set[str], *, raise_now: bool = True) -> dict:
    """Refuse fields the client may not set (mass assignment is refused, not ignored).

    Raises a 400 naming them, or with ``raise_now=False`` returns their messages
    so the caller can report them together with other field errors.
    """
    errors = {name: [_("This field cannot be set here.")] for name in sorted(set(data) - allowed)}
    if errors and raise_now:
        raise invalid(errors)
    return errors


def check_strings(data: dict, *, nullable: tuple[str, ...] = ()) -> None:
    """Raise a 400 naming every value in ``data`` that is not a string (or allowed ``None``)."""
    wrong = {key: [_("Send text here.")] for key, value in data.items()
             if not isinstance(value, str) and not (value is None and key in nullable)}
    if wrong:
        raise invalid(wrong)


def listing(items: list[dict]):
    """Answer a list of representations as ``{"items": [...]}``."""
    return jsonify({"items": items})
