"""Small pieces the API routes share: loading a trajectory under the access rules, revisions."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

from flask import jsonify
from flask_babel import gettext as _

from ..security import access
from ..storage import StaleRevision
from ..storage import get_store
from .errors import conflict
from .errors import invalid
from .errors import json_body


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


def change_from_revision(fields: Iterable[str], save: Callable[[dict, int], dict],
                         as_json: Callable[[dict], dict], *, current: dict | None = None,
                         keep: Iterable[str] | None = None,
                         check: Callable[[dict], object] | None = None, status: int = 200):
    """Answer a change a client makes from the revision it last saw (a PATCH, or a POST
    that changes one document), the same way for every resource.

    Reads the JSON body; refuses fields other than ``fields`` and ``rev``, and a missing
    ``rev`` (400); ``check`` checks the JSON types of the fields sent (raising a 400).
    With ``current`` (the stored document), the ``keep`` fields (default: ``fields``)
    that were left out keep their value. Then ``save(values, rev)`` calls the service.

    :return: the response: ``as_json`` of the saved document with ``status``; a stale
        revision answers 409 with ``as_json`` of the current version, so a client can merge.
    """
    data = json_body()
    unknown_fields(data, set(fields) | {"rev"})
    rev = expected_rev(data)
    sent = {key: value for key, value in data.items() if key != "rev"}
    if check is not None:
        check(sent)
    values = {} if current is None else \
        {key: current.get(key) for key in (fields if keep is None else keep)}
    values.update(sent)
    try:
        saved = save(values, rev)
    except StaleRevision as stale:
        raise conflict(as_json(stale.current)) from None
    return jsonify(as_json(saved)), status


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
