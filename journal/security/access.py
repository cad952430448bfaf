"""Access decisions: the one place that says who may do what.

Every view declares its decision with one of the decorators below. A request to
an endpoint without a declared decision is refused (deny by default), and
``tests/security/test_route_inventory.py`` fails when a route lacks one.

Roles (a person can hold several):

* ``teacher`` (leraar) and ``support`` (ondersteuner) see only the trajectories
  they are members of, and write in them;
* ``coordinator`` (zorgcoördinator) sees and manages every trajectory of the
  school, and writes entries where a member;
* ``admin`` (beheerder) manages accounts and settings, and reads pupil content
  only when also a member.

A leersteuncentrum's journal (``JOURNAL_INSTANCE_KIND = "centre"``) knows
``support`` (the centre's ondersteuners), ``director`` and ``admin``, and holds no
pupil files: every action on a trajectory is refused there, whatever the role.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import NoReturn

from flask import abort
from flask import g
from flask import has_app_context
from flask import has_request_context
from flask import redirect
from flask import request
from flask import url_for

from ..errors import Forbidden
from ..errors import NotFound
from .audit import audit

#: The roles of a school's journal.
SCHOOL_ROLES = ("teacher", "support", "coordinator", "admin")
#: The roles of a centre's journal (docs/centre.md).
CENTRE_ROLES = ("support", "director", "admin")
#: Every role either kind of journal knows, in display order.
ROLES = ("teacher", "support", "coordinator", "director", "admin")


def instance_roles() -> tuple[str, ...]:
    """Return the roles of this journal: a school's, or a centre's."""
    from ..config import is_centre

    return CENTRE_ROLES if has_app_context() and is_centre() else SCHOOL_ROLES

#: Actions on a trajectory and everything in it.
READ, WRITE, MANAGE = "read", "write", "manage"


def has_role(user: dict | None, *roles: str) -> bool:
    """Return whether ``user`` holds any of ``roles``."""
    return bool(user) and any(r in user.get("roles", ()) for r in roles)


def is_member(user: dict | None, trajectory: dict) -> bool:
    """Return whether ``user`` is on the team of ``trajectory``."""
    return bool(user) and any(m["user_id"] == user["id"] for m in trajectory.get("members", ()))


def reads_every_trajectory(user: dict | None) -> bool:
    """Return whether ``user`` may read every trajectory of the school (a care coordinator).

    Anyone else reads at most the trajectories they are on the team of, so
    lists for them start from their memberships (an index lookup) instead of
    the whole school; every trajectory listed still passes :func:`can`.
    """
    return bool(user) and user.get("active", False) and has_role(user, "coordinator")


def can(user: dict | None, action: str, trajectory: dict | None = None) -> bool:
    """Decide whether ``user`` may do ``action`` (to ``trajectory``).

    Deny by default: an unknown action, an inactive user or a missing
    trajectory means no.

    :param action: ``read``, ``write`` or ``manage`` on a trajectory;
        ``open_trajectory``, ``admin``, ``overview`` or ``audit`` without one.
    """
    if not user or not user.get("active", False):
        return False
    if _in_centre():
        # A centre keeps no pupil files: its people read them in each school, over the link.
        return action == "admin" and has_role(user, "admin") or (
            action == "audit" and has_role(user, "director", "admin"))
    if trajectory is None:
        return {
            "open_trajectory": has_role(user, "coordinator", "support", "teacher"),
            "admin": has_role(user, "admin"),
            "overview": has_role(user, "coordinator"),
            "audit": has_role(user, "coordinator", "admin"),
        }.get(action, False)
    member = is_member(user, trajectory) and has_role(user, "teacher", "support", "coordinator")
    coordinator = has_role(user, "coordinator")
    if action == READ:
        return member or coordinator
    if action == WRITE:
        return member
    if action == MANAGE:
        return coordinator or (member and has_role(user, "support"))
    return False


def _in_centre() -> bool:
    from ..config import is_centre

    return has_app_context() and is_centre()


def _mark(view: Callable, decision: str) -> Callable:
    view.access_decision = decision
    return view


def declared(view: Callable, decision: str) -> Callable:
    """Mark ``view`` with an access decision made elsewhere (``"signed"``: a request signed
    by a linked journal, checked by :func:`journal.federation.signing.signed`)."""
    return _mark(view, decision)


def public(view: Callable) -> Callable:
    """Declare a view open to everyone (login page, static help)."""
    return _mark(view, "public")


def login_required(view: Callable) -> Callable:
    """Declare a view open to any signed-in user; it checks finer rights itself
    through :func:`require` or shows only what :func:`can` allows."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            return _to_login()
        return view(*args, **kwargs)

    return _mark(wrapped, "login")


def role_required(*roles: str) -> Callable:
    """Declare a view for users holding one of ``roles``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = g.get("user")
            if user is None:
                return _to_login()
            if not has_role(user, *roles):
                deny(user, "role", status=403)
            return view(*args, **kwargs)

        return _mark(wrapped, "role:" + ",".join(roles))

    return decorator


def check_role(user: dict | None, *roles: str) -> None:
    """Raise :class:`~journal.errors.Forbidden` (audited) unless ``user`` is active and
    holds one of ``roles``; :func:`role_required` for services."""
    if not (user and user.get("active", False) and has_role(user, *roles)):
        deny(user, "role", status=403)


def check_allowed(user: dict | None, action: str) -> None:
    """Raise :class:`~journal.errors.Forbidden` (audited) unless ``user`` may do ``action``.

    For the actions without a trajectory (``open_trajectory``, ``overview``, …; see :func:`can`).
    """
    if not can(user, action):
        deny(user, action, status=403)


def check(user: dict | None, action: str, trajectory: dict | None) -> None:
    """Raise unless ``user`` may do ``action`` to ``trajectory``; the service-side decision.

    A trajectory the user may not read raises :class:`~journal.errors.NotFound`, so
    its existence does not leak; one they may read but not change raises
    :class:`~journal.errors.Forbidden`. Both refusals are audited.
    """
    if trajectory is None:
        raise NotFound("trajectory")
    if can(user, action, trajectory):
        if has_request_context():
            g.pupil_read = g.get("pupil_read") or (trajectory["id"], trajectory.get("pupil_id") or "")
        return
    deny(user, action, object_type="trajectory", object_id=trajectory["id"],
         pupil_id=trajectory.get("pupil_id") or "",
         status=403 if can(user, READ, trajectory) else 404)


def require(action: str, trajectory: dict | None) -> None:
    """:func:`check` for the signed-in user of the current request."""
    check(g.get("user"), action, trajectory)


def deny(user: dict | None, what: str, *, object_type: str = "route", object_id: str = "",
         pupil_id: str = "", status: int = 404) -> NoReturn:
    """Audit that ``user`` was refused and raise :class:`NotFound` (or, with
    ``status=403``, :class:`Forbidden`).

    The one way a refusal is recorded, for services and views alike, so it is
    recorded once whoever asked (page, API, plugin, command). Without an
    ``object_id`` a refusal inside a request names the endpoint.

    :param what: a short, content-free reason (``draft``, ``role``, an action name).
    """
    if has_request_context():
        g.refusal_audited = True
        object_id = object_id or request.endpoint or ""
    audit("denied", object_type=object_type, object_id=object_id[:64], pupil_id=pupil_id,
          outcome=str(status), user_id=user["id"] if user else None, detail=what)
    raise (Forbidden if status == 403 else NotFound)(what)


def _to_login():
    if request.blueprint == "api" or request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path))


def enforce_declared(app) -> None:
    """Refuse requests to endpoints that declared no access decision, audit every
    refusal of a signed-in user to reach an object by id, and every read of pupil
    data that no view recorded itself."""

    @app.before_request
    def deny_undeclared():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "access_decision", None) is None:
            abort(403)
        return None

    @app.after_request
    def audit_refusals(response):
        if response.status_code in (403, 404) and not g.get("refusal_audited"):
            _audit_refused_route(response.status_code)
        elif request.method == "GET" and response.status_code == 200 and not g.get("read_audited"):
            _audit_unrecorded_read()
        return response


def _audit_unrecorded_read() -> None:
    """Record a successful read of a pupil's data that no view audited with more detail.

    A read is one where :func:`check` allowed a trajectory, or the URL names a pupil;
    forms that show the current text (edit pages) are reads too.
    """
    if g.get("user") is None or not request.endpoint:
        return
    args = request.view_args or {}
    trajectory_id, pupil_id = g.get("pupil_read") or ("", "")
    pupil_id = pupil_id or str(args.get("pupil_id", ""))[:64]
    if not (trajectory_id or pupil_id):
        return
    ids = {k[:-3]: str(v)[:64] for k, v in args.items() if k.endswith("_id")}
    object_type, object_id = next(reversed(ids.items()), ("trajectory", trajectory_id))
    audit("view", object_type=object_type, object_id=object_id, pupil_id=pupil_id,
          detail=request.endpoint[:80])


def _audit_refused_route(status: int) -> None:
    """Record a 403/404 on a route with ids in its URL that no view audited itself
    (a view that says "not found" for someone else's object is a refused attempt too)."""
    if g.get("user") is None or not request.endpoint or not request.view_args:
        return
    ids = {k: str(v)[:64] for k, v in request.view_args.items() if k.endswith("_id")}
    if not ids:
        return
    trajectory_id = ids.get("trajectory_id", "")
    audit("denied", object_type="trajectory" if trajectory_id else "route",
          object_id=trajectory_id or next(iter(ids.values())), outcome=str(status),
          detail=request.endpoint[:80])
