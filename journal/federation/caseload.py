"""What needs an ondersteuner now, answered by a school for its linked centre.

The centre names the person by the identities her centre account is linked to
(issuer + subject at an OpenID provider). The school looks for its own account
linked to one of them (:func:`journal.signin.identities.find_user`: never by
e-mail), and answers only with what that account may see here: the open
trajectories she is a team member of (her own rights, not a coordinator's),
and only when she holds the ondersteuner role in this school. Each trajectory
that appears in an answer is audited as viewed by her through the centre.

An item says what, when, which trajectory and where to go (a path in this
school's journal); no entry text crosses the link, a goal only as its first
line, a planned class visit as its time slot and short purpose (the line meant
for calendars, free of pupil details).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask import request
from flask import url_for

from ..errors import Forbidden
from ..process import goals as goal_service
from ..process import lifecycle
from ..process import phases
from ..process import today
from ..process import trajectories as trajectory_service
from ..process import visits as visit_service
from ..process.text import first_line
from ..security.audit import audit
from ..signin import identities as identity_service

#: Identities read from one question (a person has few).
MAX_IDENTITIES = 5
#: The longest text of an item (a goal's first line, a trajectory's title).
MAX_TEXT = 80


def _identities(raw) -> list[tuple[str, str]]:
    out = []
    for item in (raw if isinstance(raw, list) else [])[:MAX_IDENTITIES]:
        if not isinstance(item, dict):
            continue
        issuer, subject = item.get("issuer"), item.get("subject")
        if (isinstance(issuer, str) and isinstance(subject, str) and 0 < len(issuer) <= 300
                and 0 < len(subject) <= identity_service.SUBJECT_MAX):
            out.append((issuer, subject))
    return out


def local_account(raw_identities) -> dict | None:
    """Return this school's active ondersteuner account linked to one of the identities."""
    for issuer, subject in _identities(raw_identities):
        user = identity_service.find_user(issuer, subject)
        if user is not None:
            if user.get("active") and "support" in user.get("roles", ()):
                return user
            return None
    return None


def _path(endpoint: str, **args) -> str:
    """A path in this journal, relative to its address (the centre adds the address)."""
    path = url_for(endpoint, **args)
    root = request.script_root
    return path[len(root):] if root and path.startswith(root) else path


def _short(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def account_for(link: dict, payload: dict, question: str) -> dict | None:
    """Return the account a centre's ``question`` (``caseload``, ``calendar``) is about,
    or ``None`` when there is none here (refusals audited).

    :raise Forbidden: the school does not share caseloads on this link.
    """
    if not (link.get("shares") or {}).get("caseload"):
        audit("denied", object_type="federation_link", object_id=link["id"], outcome="403",
              user_id="", detail=f"{question}:not_shared")
        raise Forbidden("caseload")
    user = local_account(payload.get("identities"))
    if user is None:
        audit("denied", object_type="federation_link", object_id=link["id"], outcome="404",
              user_id="", detail=f"{question}:no_account")
    return user


def audit_reads(link: dict, user: dict, pupil_of: dict[str, str], question: str,
                count: int) -> None:
    """Audit each trajectory (id -> pupil id) an answer showed ``user`` through the centre,
    and the answer itself."""
    for trajectory_id, pupil_id in pupil_of.items():
        audit("view", object_type="trajectory", object_id=trajectory_id, pupil_id=pupil_id,
              user_id=user["id"], detail=f"centre_{question}:{link['id']}")
    audit("view", object_type="federation_link", object_id=link["id"], user_id=user["id"],
          detail=f"{question}:{count}")


def answer(link: dict, payload: dict) -> dict:
    """Answer the centre's question "what needs this person now" (the signed call's body).

    :raise Forbidden: the school does not share caseloads on this link.
    """
    user = account_for(link, payload, "caseload")
    if user is None:
        return {"known": False, "items": []}
    items = items_for(user)
    audit_reads(link, user, {i["trajectory_id"]: i.pop("_pupil_id") for i in items}, "caseload",
                len(items))
    return {"known": True, "items": items}


def items_for(user: dict) -> list[dict]:
    """Return what needs ``user`` now in the trajectories she is a member of, soonest first.

    Kinds: ``goal_overdue``, ``goal_due`` (review within ``JOURNAL_CASELOAD_NEAR_DAYS``),
    ``reflection`` (waiting for her contribution), ``visit`` (a planned class visit from
    today to ``JOURNAL_CASELOAD_NEAR_DAYS`` ahead; ``time`` is its slot, ``text`` its
    purpose), ``quiet`` (no activity for ``JOURNAL_STALE_TRAJECTORY_DAYS``).
    """
    mine = [t for t in trajectory_service.get_member_of(user) if not phases.is_closed(t)]
    by_id = {t["id"]: t for t in mine}
    pupils = {t["id"]: trajectory_service.pupil_of(t) for t in mine}
    near = (today() + timedelta(days=int(current_app.config["JOURNAL_CASELOAD_NEAR_DAYS"])))

    def item(kind: str, trajectory: dict, due: str, path: str, text: str = "",
             time: str = "") -> dict:
        return {"kind": kind, "trajectory_id": trajectory["id"],
                "trajectory": _short(trajectory_service.display_title(
                    trajectory, pupils[trajectory["id"]])),
                "text": _short(text), "due": due or "", "time": time, "path": path,
                "_pupil_id": trajectory.get("pupil_id") or ""}

    out = []
    for trajectory in mine:
        for goal in goal_service.goals_for(trajectory["id"]):
            review = goal.get("review_date") or ""
            if goal.get("status") != "ongoing" or not review or review > near.isoformat():
                continue
            kind = "goal_overdue" if goal_service.is_overdue(goal) else "goal_due"
            out.append(item(kind, trajectory, review,
                            _path("goals.show", trajectory_id=trajectory["id"],
                                  goal_id=goal["id"]), first_line(goal.get("text", ""))))
    for waiting in lifecycle.waiting_reflections(user, mine):
        entry = waiting["entry"]
        out.append(item("reflection", by_id[entry["trajectory_id"]], entry.get("date") or "",
                        _path("entries.show", trajectory_id=entry["trajectory_id"],
                              entry_id=entry["id"])))
    for visit in visit_service.planned_between(mine, today(), near):
        out.append(item("visit", by_id[visit["trajectory_id"]], visit["date"],
                        _path("trajectories.show", trajectory_id=visit["trajectory_id"],
                              _anchor=f"visit-{visit['id']}"),
                        visit.get("purpose") or "", _slot(visit)))
    days = int(current_app.config["JOURNAL_STALE_TRAJECTORY_DAYS"])
    for trajectory, last in trajectory_service.stale(mine, days):
        out.append(item("quiet", trajectory, last,
                        _path("trajectories.show", trajectory_id=trajectory["id"])))
    return sorted(out, key=lambda i: (i["due"] or "9999", i["kind"]))


def _slot(visit: dict) -> str:
    """A visit's time slot as ``HH:MM`` or ``HH:MM-HH:MM`` (empty without a time)."""
    start, end = visit.get("start_time") or "", visit.get("end_time") or ""
    return f"{start}-{end}" if start and end else start
