"""Who sees which entry, and loading an entry for someone.

An entry is seen by whoever may read its trajectory, except a draft: only its
authors see it, whatever their role. Anyone else is told it does not exist
(:class:`~journal.errors.NotFound`), and the refusal is audited.
"""

from __future__ import annotations

from ..errors import NotFound
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import AUTHOR
from .entry_forms import normalise_tag
from .trajectories import load_trajectory


def may_see(user: dict | None, entry: dict) -> bool:
    """Return whether ``user`` may see ``entry`` once they may read its trajectory.

    Drafts are visible to their authors only, whatever the user's role.
    """
    if entry.get("status") == "published":
        return True
    return bool(user) and user["id"] in entry.get("authors", ())


def require_visible(actor: dict | None, trajectory: dict, entry: dict | None,
                    action: str = access.READ) -> dict:
    """Return ``entry`` once ``actor`` may see it and do ``action`` to it.

    ``trajectory`` is one ``actor`` may read.

    :raise NotFound: the entry is missing, belongs to another trajectory, or is
        someone else's draft (that refusal is audited).
    :raise Forbidden: ``actor`` may see it but not do ``action`` (audited).
    """
    if entry is None or entry.get("trajectory_id") != trajectory["id"]:
        raise NotFound("entry")
    if not may_see(actor, entry):
        access.deny(actor, "draft", object_type="entry", object_id=entry["id"],
                    pupil_id=entry.get("pupil_id") or "")
    if action != access.READ:
        access.check(actor, action, trajectory)
    return entry


def load_entry(actor: dict | None, entry_id: str, action: str = access.READ, *,
               trajectory_id: str | None = None) -> tuple[dict, dict]:
    """Return ``(trajectory, entry)`` once ``actor`` may see the entry and do ``action`` to it.

    The one way services load an entry for someone; nothing is audited but a refusal.

    :param trajectory_id: the trajectory the caller reached the entry through (a
        page's URL); the entry must belong to it.
    :raise NotFound: see :func:`load_trajectory` and :func:`require_visible`.
    :raise Forbidden: ``actor`` may see the entry but not do ``action``.
    """
    entry = get_store().entries.get(entry_id)
    trajectory = load_trajectory(actor, trajectory_id or (entry or {}).get("trajectory_id") or "",
                                 access.READ)
    return trajectory, require_visible(actor, trajectory, entry, action)


def open_entry(actor: dict | None, entry_id: str, *, trajectory_id: str | None = None,
               detail: str = "") -> tuple[dict, dict]:
    """:func:`load_entry` to read it, and audit that ``actor`` viewed it.

    :param detail: what was viewed, content-free (``history``, ``api``).
    """
    trajectory, entry = load_entry(actor, entry_id, trajectory_id=trajectory_id)
    audit("view", object_type="entry", object_id=entry["id"], pupil_id=entry.get("pupil_id") or "",
          user_id=actor["id"], detail=detail)
    return trajectory, entry


def visible_entries(user: dict, trajectory: dict, *, kind: str | None = None,
                    author_id: str | None = None, tag: str | None = None,
                    goal_id: str | None = None) -> list[dict]:
    """Return the entries of ``trajectory`` that ``user`` may see, newest first by date.

    Published entries plus the user's own drafts; the caller has already
    checked that the user may read the trajectory (:func:`load_trajectory`).
    The filters are optional.
    """
    entries = get_store().entries.find(trajectory_id=trajectory["id"])
    tag = normalise_tag(tag) if tag else None
    out = [
        e for e in entries
        if may_see(user, e)
        and (kind is None or e.get("kind") == kind)
        and (author_id is None or author_id in e.get("authors", ()))
        and (tag is None or tag in e.get("tags", ()))
        and (goal_id is None or goal_id in e.get("goal_ids", ()))
    ]
    return sorted(out, key=lambda e: (e.get("date") or "", e.get("created_at") or ""), reverse=True)


def drafts_of(user: dict) -> list[dict]:
    """Return ``user``'s drafts in trajectories they may still write in, last changed first."""
    store = get_store()
    drafts = store.entries.find_in(AUTHOR, [user["id"]],
                                   predicate=lambda e: e.get("status") == "draft")
    trajectories = {t["id"]: t for t in store.trajectories.find_in("id", [d["trajectory_id"] for d in drafts])}
    mine = [d for d in drafts if d["trajectory_id"] in trajectories
            and access.can(user, access.WRITE, trajectories[d["trajectory_id"]])]
    return sorted(mine, key=lambda e: e.get("updated_at") or "", reverse=True)
