"""Goals: small, time-bound aims with an owner, a review date and dated evaluations.

A goal past its review date while still ongoing is *overdue*: pages show it
with a badge in words, not colour alone. Every change keeps the old version in
the revision history, and a save based on an old revision never overwrites a
newer one (:class:`~journal.storage.StaleRevision`).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import NotFound
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import new_id
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import clean_markdown
from . import parse_iso_date
from . import today
from .trajectories import load_trajectory

STATUSES = ("ongoing", "achieved", "adjusted", "stopped")
STATUS_LABELS = {
    "ongoing": _l("Ongoing"),
    "achieved": _l("Achieved"),
    "adjusted": _l("Adjusted"),
    "stopped": _l("Stopped"),
}
MAX_TEXT = 4000


def is_overdue(goal: dict, on: date | None = None) -> bool:
    """Return whether an ongoing goal's review date has passed."""
    review = goal.get("review_date")
    return (goal.get("status") == "ongoing" and bool(review)
            and review < (on or today()).isoformat())


def goals_for(trajectory_id: str) -> list[dict]:
    """Return a trajectory's goals: ongoing first, then by review date."""
    goals = get_store().goals.find(trajectory_id=trajectory_id)
    return sorted(goals, key=lambda g: (g.get("status") != "ongoing",
                                        g.get("review_date") or "9999", g.get("created_at", "")))


def next_review_dates(trajectory_ids: list[str]) -> dict[str, str]:
    """Return ``{trajectory id: earliest review date of its ongoing goals}`` (those with one)."""
    out: dict[str, str] = {}
    for goal in get_store().goals.find_in_readonly(
            "trajectory_id", trajectory_ids,
            predicate=lambda g: g.get("status") == "ongoing" and bool(g.get("review_date"))):
        tid = goal["trajectory_id"]
        if tid not in out or goal["review_date"] < out[tid]:
            out[tid] = goal["review_date"]
    return out


def next_review_date(trajectory_id: str) -> str | None:
    """Return the earliest review date of the trajectory's ongoing goals."""
    return next_review_dates([trajectory_id]).get(trajectory_id)


def overdue_goals(trajectories: list[dict], on: date | None = None) -> list[dict]:
    """Return the overdue goals of ``trajectories``, longest overdue first."""
    ids = [t["id"] for t in trajectories]
    goals = get_store().goals.find_in("trajectory_id", ids, predicate=lambda g: is_overdue(g, on))
    return sorted(goals, key=lambda g: g["review_date"])


def load_goal(actor: dict | None, goal_id: str, action: str = access.READ, *,
              trajectory_id: str | None = None) -> tuple[dict, dict]:
    """Return ``(trajectory, goal)`` once ``actor`` may do ``action`` to the goal's trajectory.

    :param trajectory_id: the trajectory the goal must belong to (pages name both);
        it is checked first, so a refusal names the trajectory as before.
    :raise NotFound: no such goal (in that trajectory), or a trajectory ``actor`` may
        not read (audited).
    :raise Forbidden: ``actor`` may read the trajectory but not do ``action`` (audited).
    """
    store = get_store()
    if trajectory_id is not None:
        trajectory = load_trajectory(actor, trajectory_id, action)
        goal = store.goals.get(goal_id)
        if goal is None or goal.get("trajectory_id") != trajectory["id"]:
            raise NotFound("goal")
        return trajectory, goal
    goal = store.goals.require(goal_id)
    return load_trajectory(actor, goal["trajectory_id"], action), goal


def clean(data: dict, trajectory: dict) -> dict:
    """Validate goal fields (``text``, ``owner_id``, ``review_date``, ``status``).

    The owner is someone on the trajectory's team.

    :raise ValidationError: with messages per field.
    """
    errors: dict[str, list[str]] = {}
    html: dict = {}
    text = clean_markdown(data.get("text"), "text", errors, html,
                          missing=_("Describe the goal."), max_chars=MAX_TEXT)
    owner_id = data.get("owner_id") or ""
    if owner_id not in {m["user_id"] for m in trajectory.get("members", ())}:
        add_error(errors, "owner_id", _("Choose an owner from the team."))
    review_date = parse_iso_date(data.get("review_date"), "review_date", errors, required=True)
    status = data.get("status") or "ongoing"
    if status not in STATUSES:
        add_error(errors, "status", _("Choose a status from the list."))
    if errors:
        raise ValidationError(errors)
    return {"text": text, "html": html, "owner_id": owner_id, "review_date": review_date,
            "status": status}


def create_goal(actor: dict, trajectory_id: str, data: dict) -> dict:
    """Add a goal to a trajectory (not to a closed one).

    :raise NotFound: no such trajectory, or one ``actor`` may not read.
    :raise Forbidden: ``actor`` may not write in it.
    :raise ValidationError: with messages per field.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.WRITE)
    if trajectory.get("phase") == "closed":
        raise ValidationError({"text": [_("This trajectory is closed. Reopen it to add goals.")]})
    values = clean(dict(data, status="ongoing"), trajectory)
    values.update(trajectory_id=trajectory["id"], pupil_id=trajectory.get("pupil_id"),
                  evaluations=[], created_by=actor["id"])
    goal = get_store().goals.create(values, actor_id=actor["id"])
    audit("create", object_type="goal", object_id=goal["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"])
    return goal


def update_goal(actor: dict, goal_id: str, data: dict, *, expected_rev: int | None) -> dict:
    """Change a goal's text, owner, review date or status.

    :raise NotFound: no such goal, or one ``actor`` may not read.
    :raise Forbidden: ``actor`` may not write in the goal's trajectory.
    :raise ValidationError: with messages per field.
    :raise StaleRevision: someone saved the goal after ``expected_rev``; its
        ``current`` holds their version.
    """
    trajectory, goal = load_goal(actor, goal_id, access.WRITE)
    values = clean(data, trajectory)
    updated = get_store().goals.update(goal["id"], values, expected_rev=expected_rev,
                                       actor_id=actor["id"])
    audit("update", object_type="goal", object_id=goal["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"])
    return updated


def add_evaluation(actor: dict, goal_id: str, data: dict, *,
                   expected_rev: int | None = None) -> dict:
    """Record a dated evaluation (``date``, ``text``, ``status``) and set the goal's status.

    An evaluation that keeps the goal ongoing may move the review date on
    (``next_review_date``), so the goal no longer shows as overdue.

    :raise NotFound: no such goal, or one ``actor`` may not read.
    :raise Forbidden: ``actor`` may not write in the goal's trajectory.
    :raise ValidationError: with messages per field.
    :raise StaleRevision: someone saved the goal after ``expected_rev``.
    """
    trajectory, goal = load_goal(actor, goal_id, access.WRITE)
    errors: dict[str, list[str]] = {}
    on = parse_iso_date(data.get("date"), "date", errors, required=True)
    if on and on > today().isoformat():
        add_error(errors, "date", _("An evaluation cannot lie in the future."))
    html: dict = {}
    text = clean_markdown(data.get("text"), "text", errors, html,
                          missing=_("Write down what you saw and concluded."), max_chars=MAX_TEXT)
    status = data.get("status") or ""
    if status not in STATUSES:
        add_error(errors, "status", _("Choose what the evaluation means for the goal."))
    next_review = parse_iso_date(data.get("next_review_date"), "next_review_date", errors)
    if status == "ongoing" and next_review and on and next_review <= on:
        add_error(errors, "next_review_date",
                  _("The next review date must come after this evaluation."))
    if errors:
        raise ValidationError(errors)

    evaluation = {"id": new_id(), "date": on, "author_id": actor["id"], "text": text,
                  "html": html.get("text", ""), "status": status, "at": utcnow()}

    def apply(doc: dict) -> None:
        doc.setdefault("evaluations", []).append(evaluation)
        doc["status"] = status
        if status == "ongoing" and next_review:
            doc["review_date"] = next_review

    updated = get_store().goals.update(goal["id"], apply, expected_rev=expected_rev,
                                       actor_id=actor["id"])
    audit("update", object_type="goal", object_id=goal["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"], detail="evaluation")
    return updated


def history(goal: dict) -> list[dict]:
    """Return every version of a goal, newest first, each with what changed.

    Each item: ``rev``, ``at``, ``by``, ``document`` and ``changed`` (the
    fields that differ from the version before it).
    """
    versions = [
        {"rev": r["rev"], "document": r["document"]}
        for r in get_store().goals.history(goal["id"])
    ] + [{"rev": goal["rev"], "document": goal}]
    out = []
    previous = None
    for version in versions:
        doc = version["document"]
        changed = []
        if previous is not None:
            for field in ("text", "owner_id", "review_date", "status"):
                if doc.get(field) != previous.get(field):
                    changed.append(field)
            if len(doc.get("evaluations", ())) != len(previous.get("evaluations", ())):
                changed.append("evaluations")
        out.append({"rev": version["rev"], "at": doc.get("updated_at"),
                    "by": doc.get("updated_by"), "document": doc, "changed": changed})
        previous = doc
    return list(reversed(out))
