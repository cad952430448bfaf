"""The lifecycle of a trajectory: what each phase asks for, and what is still missing.

:mod:`journal.process.phases` says what a phase is about; this module checks the
trajectory against it. Closing is the strict step: a trajectory closes only
when every goal has a final evaluation and the "wat werkt" handover sheet is
published, because the teacher must be able to carry on alone. A care
coordinator may close anyway, with a reason that is kept in the phase history
(for example when the pupil left the school mid-year).

Phase changes happen here (:func:`change_phase`), because closing depends on
the goals and the handover sheet; the trajectory service itself knows nothing
of either.

It also finds what needs a user's attention on the start page: reflections
waiting for their contribution (overdue goals, drafts and quiet trajectories
come from the goal, entry and trajectory services).
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import handover
from . import phases
from . import today
from .text import plain_text
from .text import shorten
from .trajectories import load_trajectory

#: Longest reason for closing a trajectory despite what is missing.
MAX_REASON = 500
#: A published reflection asks for contributions this many days after its date.
REFLECTION_OPEN_DAYS = 14


def goal_unevaluated(goal: dict) -> bool:
    """Return whether a goal still lacks a final evaluation.

    Final means: at least one dated evaluation, and the goal no longer ongoing.
    """
    return goal.get("status") == "ongoing" or not goal.get("evaluations")


def close_problems(trajectory: dict) -> list[dict]:
    """Return what is missing before ``trajectory`` can close, as ``{key, text, goal_id}``.

    ``key`` is ``goal`` (one per goal without a final evaluation) or
    ``handover`` (no published handover sheet). Empty when it can close.
    """
    out = []
    goals = sorted(get_store().goals.find(trajectory_id=trajectory["id"]),
                   key=lambda g: g.get("review_date") or "")
    for goal in goals:
        if goal_unevaluated(goal):
            text = shorten(plain_text((goal.get("html") or {}).get("text", "")), 80)
            out.append({"key": "goal", "goal_id": goal["id"],
                        "text": _("Goal “%(goal)s” has no final evaluation yet.", goal=text)})
    if not handover.is_published(handover.sheet_of(trajectory)):
        out.append({"key": "handover", "goal_id": None,
                    "text": _("The “what works” handover sheet is not published yet.")})
    return out


def may_override(user: dict | None) -> bool:
    """Return whether ``user`` may close a trajectory although something is missing."""
    return access.has_role(user, "coordinator")


def check_close(trajectory: dict, actor: dict, override_reason: str,
                errors: dict[str, list[str]]) -> dict | None:
    """Check that ``trajectory`` may close now; record problems in ``errors``.

    :param override_reason: a coordinator's reason to close anyway ("" for none).
    :return: the override to keep in the phase history
        (``{"reason", "missing": [keys]}``), or ``None`` when nothing was missing.
    """
    problems = close_problems(trajectory)
    reason = " ".join((override_reason or "").split())
    if not problems:
        return None
    if reason and may_override(actor):
        if len(reason) > MAX_REASON:
            add_error(errors, "override_reason",
                      _("Use at most %(n)d characters.", n=MAX_REASON))
            return None
        return {"reason": reason, "missing": sorted({p["key"] for p in problems})}
    for problem in problems:
        add_error(errors, "close_missing", problem["text"])
    if reason:
        add_error(errors, "override_reason",
                  _("Only a care coordinator can close a trajectory while something is missing."))
    return None


def waiting_reflections(user: dict, trajectories: list[dict]) -> list[dict]:
    """Return reflections waiting for ``user``'s contribution, oldest first.

    A reflection waits for a member who may write in its (open) trajectory,
    has not contributed to it yet, and either is named as a co-author of the
    draft someone else started, or sees a published reflection dated in the
    last :data:`REFLECTION_OPEN_DAYS` days to which others contributed.

    :return: ``[{"entry", "trajectory"}]``.
    """
    writable = {t["id"]: t for t in trajectories
                if access.is_member(user, t) and access.can(user, access.WRITE, t)
                and not phases.is_closed(t)}
    if not writable:
        return []
    since = (today() - timedelta(days=REFLECTION_OPEN_DAYS)).isoformat()
    uid = user["id"]

    def waits(entry: dict) -> bool:
        if entry.get("kind") != "reflection":
            return False
        contributions = (entry.get("fields") or {}).get("contributions") or ()
        if any(c.get("author_id") == uid for c in contributions):
            return False
        if entry.get("status") == "draft":
            return uid in entry.get("authors", ()) and entry.get("created_by") != uid
        return ((entry.get("date") or "") >= since and entry.get("created_by") != uid
                and any(c.get("author_id") != uid for c in contributions))

    found = get_store().entries.find_in("trajectory_id", list(writable), predicate=waits)
    found.sort(key=lambda e: (e.get("date") or "", e.get("created_at") or ""))
    return [{"entry": e, "trajectory": writable[e["trajectory_id"]]} for e in found]


def change_phase(actor: dict, trajectory_id: str, phase: str, *,
                 expected_rev: int | None = None, confirm_close: bool = False,
                 override_reason: str = "") -> dict:
    """Move a trajectory to ``phase`` and record the change.

    Closing needs ``confirm_close``, and what :func:`close_problems` finds
    missing (unevaluated goals, no published handover sheet) refuses it,
    unless a care coordinator gives ``override_reason`` (kept in the history).
    A closed trajectory is reopened by moving it to any open phase.

    :raise NotFound: no such trajectory, or one ``actor`` may not read.
    :raise Forbidden: ``actor`` may not manage it.
    :raise ValidationError: unknown phase, same phase, closing unconfirmed or
        something missing (``close_missing``).
    :raise StaleRevision: someone saved the trajectory after ``expected_rev``.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.MANAGE)
    errors: dict[str, list[str]] = {}
    if phases.get(phase) is None:
        add_error(errors, "phase", _("Choose a phase from the list."))
    elif phase == trajectory.get("phase"):
        add_error(errors, "phase", _("The trajectory is already in this phase."))
    elif phase == phases.CLOSED and not confirm_close:
        add_error(errors, "confirm_close", _("Confirm that you want to close the trajectory."))
    override = None
    if phase == phases.CLOSED and phase != trajectory.get("phase"):
        override = check_close(trajectory, actor, override_reason, errors)
    if errors:
        raise ValidationError(errors)

    on = today().isoformat()

    def apply(doc: dict) -> None:
        change = {"from": doc.get("phase"), "to": phase, "on": on, "at": utcnow(), "by": actor["id"]}
        if override:
            change["override"] = override
        doc.setdefault("phase_history", []).append(change)
        doc["phase"] = phase
        doc["closed_on"] = on if phase == phases.CLOSED else None

    updated = get_store().trajectories.update(trajectory["id"], apply, expected_rev=expected_rev,
                                              actor_id=actor["id"])
    audit("update", object_type="trajectory", object_id=trajectory["id"],
          pupil_id=updated.get("pupil_id") or "", user_id=actor["id"],
          detail="phase:override" if override else "phase")
    return updated
