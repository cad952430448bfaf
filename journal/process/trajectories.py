"""Trajectories: who a support trajectory is for, what it is about, who is on it.

The pupil's educational need and the teacher's learning question stand side by
side. Members carry a role in the trajectory (teacher, support, coordinator);
access follows from membership (see :mod:`journal.security.access`). Phase
changes are kept in ``phase_history`` so the team sees how the trajectory ran.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..plugins.host import get_plugins
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import TEAM_MEMBER
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import parse_iso_date
from . import render_field
from . import today
from . import phases
from . import pupils as pupil_service

TARGETS = ("pupil", "teacher", "team")
TARGET_LABELS = {
    "pupil": _l("Pupil"),
    "teacher": _l("Teacher"),
    "team": _l("Team"),
}
#: Roles a person can hold in a trajectory (a subset of their account roles).
MEMBER_ROLES = ("teacher", "support", "coordinator")
MARKDOWN_FIELDS = ("educational_need", "learning_question")
MAX_TITLE = 120


def focus_areas() -> list[dict]:
    """Return the focus-area vocabulary: ``[{"id", "label"}]``, core first, then plugins'.

    The vocabulary lives in :mod:`journal.plugins.vocabularies`, served by the plugin host.
    """
    return list(get_plugins().focus_areas())


def focus_area_labels() -> dict[str, str]:
    """Return ``{focus area id: label}``, also of areas whose plugin is gone (their last label)."""
    return get_plugins().focus_area_labels()


# -- reading -------------------------------------------------------------------

def readable(user: dict | None) -> list[dict]:
    """Return the stored trajectories ``user`` may read, *uncopied*: never modify them.

    For a teacher or ondersteuner this looks up their own teams (an index),
    so it costs the same in a small school and a large one.
    """
    store = get_store()
    if access.reads_every_trajectory(user):
        candidates = store.trajectories.all_readonly()
    elif user:
        candidates = store.trajectories.find_in_readonly(TEAM_MEMBER, [user["id"]])
    else:
        return []
    return [t for t in candidates if access.can(user, access.READ, t)]


def get_visible(user: dict | None) -> list[dict]:
    """Return the trajectories ``user`` may read, most recently changed first."""
    return get_store().trajectories.find_in("id", [t["id"] for t in visible_readonly(user)])


def visible_readonly(user: dict | None) -> list[dict]:
    """Like :func:`get_visible`, but the stored trajectories, *uncopied*: never modify them
    (for pages and answers that only show a whole school's list)."""
    return sorted(readable(user), key=lambda t: t.get("updated_at", ""), reverse=True)


def list_page(user: dict | None, *, phase: str = "", show_closed: bool = False, page: int = 1,
              size: int = 100) -> tuple[list[dict], int, int]:
    """Return one page of the trajectories ``user`` may read, most recently changed first.

    Only the page is copied (the coordinator's list holds the whole school).
    ``phase`` keeps that phase; without it closed trajectories count only with
    ``show_closed``. Returns ``(trajectories, page, pages)``, the page clamped.
    """
    found = sorted((t for t in readable(user) if (t.get("phase") == phase if phase else
                                                  show_closed or not phases.is_closed(t))),
                   key=lambda t: t.get("updated_at", ""), reverse=True)
    pages = max(1, -(-len(found) // size))
    page = min(pages, max(1, page))
    shown = found[(page - 1) * size:page * size]
    return get_store().trajectories.find_in("id", [t["id"] for t in shown]), page, pages


def get_member_of(user: dict | None) -> list[dict]:
    """Return the readable trajectories ``user`` is on the team of."""
    return [t for t in get_visible(user) if access.is_member(user, t)]


def load_trajectory(actor: dict | None, trajectory_id: str, action: str = access.READ) -> dict:
    """Return the trajectory ``trajectory_id`` once ``actor`` may do ``action`` to it.

    The one way services load a trajectory for someone.

    :raise NotFound: it does not exist, or ``actor`` may not read it (audited).
    :raise Forbidden: ``actor`` may read it but not do ``action`` (audited).
    """
    trajectory = get_store().trajectories.require(trajectory_id)
    access.check(actor, action, trajectory)
    return trajectory


def record_view(actor: dict, trajectory: dict, detail: str = "", *, action: str = "view") -> None:
    """Write the audit record of ``actor`` reading (or, with ``action="export"``,
    downloading) ``trajectory`` or one of its pages, named by ``detail``."""
    audit(action, object_type="trajectory", object_id=trajectory["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"], detail=detail)


def view_trajectory(actor: dict, trajectory_id: str, detail: str = "") -> dict:
    """:func:`load_trajectory` to read it, and :func:`record_view` (the page ``detail``)."""
    trajectory = load_trajectory(actor, trajectory_id, access.READ)
    record_view(actor, trajectory, detail)
    return trajectory


def _public_user(user: dict) -> dict:
    keep = ("id", "username", "display_name", "roles", "active")
    return {k: user.get(k) for k in keep}


def people_for(trajectory: dict) -> dict[str, dict]:
    """Return ``{user_id: user}`` for everyone who appears in the trajectory.

    Members, its creator, authors of entries and comments, goal owners and
    evaluators, who wrote down what the pupil or parents said; secrets (password hashes) are left out.
    """
    store = get_store()
    ids = {m["user_id"] for m in trajectory.get("members", ())}
    ids.add(trajectory.get("created_by"))
    ids.update(h.get("by") for h in trajectory.get("phase_history", ()))
    in_it = [trajectory["id"]]
    for entry in store.entries.find_in_readonly("trajectory_id", in_it):
        ids.update(entry.get("authors", ()))
        ids.add(entry.get("created_by"))
        for contribution in (entry.get("fields") or {}).get("contributions", ()) or ():
            ids.add(contribution.get("author_id"))
    for comment in store.comments.find_in_readonly("trajectory_id", in_it):
        ids.add(comment.get("author_id"))
    for goal in store.goals.find_in_readonly("trajectory_id", in_it):
        ids.add(goal.get("owner_id"))
        ids.update(e.get("author_id") for e in goal.get("evaluations", ()))
    ids.update(v.get("recorded_by") for v in store.voices.find(trajectory_id=trajectory["id"]))
    return users_by_id(ids)


def users_by_id(ids) -> dict[str, dict]:
    """Return ``{user_id: user}`` (without secrets) for the given ids."""
    wanted = sorted({i for i in ids if i})
    return {u["id"]: _public_user(u) for u in get_store().users.find_in("id", wanted)}


def pupil_of(trajectory: dict) -> dict | None:
    """Return the pupil a trajectory is aimed at, or ``None``."""
    pupil_id = trajectory.get("pupil_id")
    return get_store().pupils.get(pupil_id) if pupil_id else None


def pupils_of(trajectories: list[dict]) -> dict[str, dict]:
    """Return ``{pupil_id: pupil}`` for the pupils of ``trajectories``, *uncopied*: only read."""
    return {p["id"]: p for p in get_store().pupils.find_in_readonly(
        "id", [t["pupil_id"] for t in trajectories if t.get("pupil_id")])}


def display_title(trajectory: dict, pupil: dict | None = None) -> str:
    """Return a short name for a trajectory: its title, else its pupil."""
    if trajectory.get("title"):
        return trajectory["title"]
    if trajectory.get("pupil_id"):
        return pupil_service.label(pupil or pupil_of(trajectory))
    return str(TARGET_LABELS.get(trajectory.get("target"), ""))


def eligible_members() -> list[dict]:
    """Return the active users who can be on a trajectory's team, by name."""
    users = [
        u for u in get_store().users.all()
        if u.get("active") and any(r in MEMBER_ROLES for r in u.get("roles", ()))
    ]
    return sorted((_public_user(u) for u in users), key=lambda u: u["display_name"].lower())


def default_member_role(user: dict) -> str:
    """Return the role a user takes on a trajectory they open themselves."""
    for role in ("support", "teacher", "coordinator"):
        if role in user.get("roles", ()):
            return role
    return "teacher"


def last_activity(trajectory: dict) -> str:
    """Return the date of the latest published entry (or the start date, or creation)."""
    dates = [
        e.get("date") or e.get("created_at", "")[:10]
        for e in get_store().entries.find_in_readonly("trajectory_id", [trajectory["id"]])
        if e.get("status") == "published"
    ]
    dates = [d for d in dates if d]
    if dates:
        return max(dates)
    return trajectory.get("start_date") or trajectory.get("created_at", "")[:10]


def stale(trajectories: list[dict], days: int, on: date | None = None) -> list[tuple[dict, str]]:
    """Return ``(trajectory, last activity date)`` for open trajectories quiet for ``days`` days."""
    limit = ((on or today()) - timedelta(days=days)).isoformat()
    out = []
    for trajectory in trajectories:
        if phases.is_closed(trajectory):
            continue
        last = last_activity(trajectory)
        if last and last < limit:
            out.append((trajectory, last))
    return sorted(out, key=lambda pair: pair[1])


# -- changing ------------------------------------------------------------------

def clean(data: dict, *, actor: dict, existing: dict | None = None) -> tuple[dict, dict | None]:
    """Validate trajectory fields.

    :param data: ``target``, ``pupil_id`` (or ``"new"`` with ``new_pupil`` =
        ``{"display_name", "class_group"}``), ``title``, ``educational_need``,
        ``learning_question``, ``focus_areas`` (ids), ``members``
        (``[{"user_id", "role"}]``), ``start_date``, ``planned_end_date``.
    :param existing: the stored trajectory when editing.
    :return: the cleaned fields and the new pupil's fields (or ``None``).
    :raise ValidationError: with messages per field.
    """
    errors: dict[str, list[str]] = {}
    values: dict = {}
    new_pupil = None

    target = data.get("target") or ""
    if target not in TARGETS:
        add_error(errors, "target", _("Choose who the support is aimed at."))
    values["target"] = target

    pupil_id = data.get("pupil_id") or ""
    values["pupil_id"] = None
    if target == "pupil":
        if pupil_id == "new":
            try:
                new_pupil = pupil_service.clean(data.get("new_pupil") or {})
            except ValidationError as exc:
                for field, messages in exc.errors.items():
                    for message in messages:
                        add_error(errors, "new_pupil_" + field, message)
        elif not pupil_id:
            add_error(errors, "pupil_id", _("Choose a pupil or add a new one."))
        else:
            allowed = {p["id"] for p in pupil_service.visible_pupils(actor)}
            if existing and existing.get("pupil_id"):
                allowed.add(existing["pupil_id"])
            if pupil_id not in allowed:
                add_error(errors, "pupil_id", _("Choose a pupil from the list."))
            values["pupil_id"] = pupil_id

    title = " ".join((data.get("title") or "").split())
    if len(title) > MAX_TITLE:
        add_error(errors, "title", _("Use at most %(n)d characters.", n=MAX_TITLE))
    elif not title and target in ("teacher", "team"):
        add_error(errors, "title", _("Give the trajectory a short title, for example the class "
                                     "or the theme."))
    values["title"] = title

    html: dict = {}
    for field in MARKDOWN_FIELDS:
        text = (data.get(field) or "").strip()
        values[field] = text
        render_field(html, field, text, errors)
    values["html"] = html

    known = {a["id"] for a in focus_areas()}
    kept_unknown = set(existing.get("focus_areas", ())) - known if existing else set()
    chosen = list(dict.fromkeys(data.get("focus_areas") or ()))
    if any(a not in known and a not in kept_unknown for a in chosen):
        add_error(errors, "focus_areas", _("Choose focus areas from the list."))
    values["focus_areas"] = [a for a in chosen if a in known or a in kept_unknown]

    values["members"] = _clean_members(data.get("members") or [], errors)

    values["start_date"] = parse_iso_date(data.get("start_date"), "start_date", errors,
                                          required=True)
    values["planned_end_date"] = parse_iso_date(data.get("planned_end_date"),
                                                "planned_end_date", errors)
    if (values["start_date"] and values["planned_end_date"]
            and values["planned_end_date"] < values["start_date"]):
        add_error(errors, "planned_end_date", _("The planned end lies before the start."))

    if errors:
        raise ValidationError(errors)
    return values, new_pupil


def _clean_members(members: list[dict], errors: dict) -> list[dict]:
    eligible = {u["id"]: u for u in eligible_members()}
    out: dict[str, str] = {}
    for member in members:
        user = eligible.get(member.get("user_id"))
        role = member.get("role")
        if user is None or role not in MEMBER_ROLES or role not in user["roles"]:
            add_error(errors, "members", _("Choose team members and a role each of them holds."))
            continue
        out[user["id"]] = role
    if not out and "members" not in errors:
        add_error(errors, "members", _("A trajectory needs at least one team member."))
    return [{"user_id": uid, "role": role} for uid, role in out.items()]


def create_trajectory(actor: dict, data: dict) -> dict:
    """Open a trajectory in the intake phase; the person opening it joins the team.

    :raise Forbidden: ``actor`` may not open trajectories (audited).
    :raise ValidationError: with messages per field.
    """
    access.check_allowed(actor, "open_trajectory")
    data = dict(data)
    members = list(data.get("members") or [])
    if not any(m.get("user_id") == actor["id"] for m in members):
        members.insert(0, {"user_id": actor["id"], "role": default_member_role(actor)})
    data["members"] = members
    values, new_pupil = clean(data, actor=actor)
    store = get_store()
    with store.transaction():
        if new_pupil is not None:
            pupil = pupil_service.create_pupil(actor, new_pupil)
            values["pupil_id"] = pupil["id"]
        now = utcnow()
        values.update(
            phase=phases.INTAKE,
            phase_history=[{"from": None, "to": phases.INTAKE, "on": today().isoformat(),
                            "at": now, "by": actor["id"]}],
            closed_on=None,
            created_by=actor["id"],
        )
        trajectory = store.trajectories.create(values, actor_id=actor["id"])
    audit("create", object_type="trajectory", object_id=trajectory["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"])
    return trajectory


def update_trajectory(actor: dict, trajectory_id: str, data: dict, *,
                      expected_rev: int | None = None) -> dict:
    """Change a trajectory's settings and team (not its phase; see
    :func:`journal.process.lifecycle.change_phase`).

    :raise NotFound: no such trajectory, or one ``actor`` may not read.
    :raise Forbidden: ``actor`` may not manage it.
    :raise ValidationError: with messages per field.
    :raise StaleRevision: someone saved the trajectory after ``expected_rev``.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.MANAGE)
    values, new_pupil = clean(data, actor=actor, existing=trajectory)
    store = get_store()
    with store.transaction():
        if new_pupil is not None:
            values["pupil_id"] = pupil_service.create_pupil(actor, new_pupil)["id"]
        updated = store.trajectories.update(trajectory["id"], values, expected_rev=expected_rev,
                                            actor_id=actor["id"])
    audit("update", object_type="trajectory", object_id=trajectory["id"],
          pupil_id=updated.get("pupil_id") or "", user_id=actor["id"], detail="settings")
    return updated

