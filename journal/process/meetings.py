"""Meetings (overleg): the talk with the parents, the MDO, the class council, the CLB.

A meeting is an entry of kind ``meeting`` (see
:data:`journal.process.entry_forms.FIELD_DEFS`): its ``date`` is the day it
was held (calendar feeds read it there), ``fields.meeting_type`` one of
:data:`~journal.process.entry_forms.MEETING_TYPES`, ``fields.participants``
the team members who took part (user ids), ``fields.others`` other
participants by name and role, ``fields.decided`` what was decided, and
``fields.changed_agreements`` the agreement entries it changed; the goals it
changed are the entry's ``goal_ids``. This module gives the choices a meeting
form offers and reads a meeting back for pages, the print view and the CLB
synthesis.
"""

from __future__ import annotations

from markupsafe import Markup

from ..storage import get_store
from .entry_forms import MEETING_TYPES
from .trajectories import users_by_id


def _agreements(trajectory: dict) -> list[dict]:
    found = get_store().entries.find(trajectory_id=trajectory["id"])
    out = [e for e in found if e.get("kind") == "agreement" and e.get("status") == "published"]
    return sorted(out, key=lambda e: (e.get("date") or "", e.get("created_at") or ""))


def options_for(trajectory: dict) -> dict[str, list[tuple[str, str]]]:
    """Return what a meeting's ``multi`` fields offer in ``trajectory``: ``[(value, label)]``."""
    team = users_by_id(m["user_id"] for m in trajectory.get("members", ()))
    people = sorted(((uid, u["display_name"]) for uid, u in team.items()),
                    key=lambda pair: pair[1].lower())
    agreements = [(e["id"], _short(e)) for e in _agreements(trajectory)]
    return {"participants": people, "changed_agreements": agreements}


def choices_for(trajectory: dict) -> dict[str, set[str]]:
    """Return the values a meeting's ``multi`` fields accept (for ``parse_values``)."""
    return {key: {value for value, _label in pairs}
            for key, pairs in options_for(trajectory).items()}


def _short(entry: dict, limit: int = 90) -> str:
    html = (entry.get("html") or {}).get("what", "")
    text = " ".join(Markup(html).striptags().split()) or (entry.get("fields") or {}).get("what", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def type_label(key: str) -> str:
    """Return the label of a kind of meeting ("" for none)."""
    return str(dict(MEETING_TYPES).get(key, ""))


def describe(entry: dict) -> dict[str, str]:
    """Return a meeting's kind, team participants and changed agreements as readable text."""
    fields = entry.get("fields") or {}
    people = users_by_id(fields.get("participants") or ())
    agreements = {e["id"]: _short(e) for e in get_store().entries.find_in(
        "id", fields.get("changed_agreements") or ())}
    return {
        "meeting_type": type_label(fields.get("meeting_type", "")),
        "participants": ", ".join(people[uid]["display_name"]
                                  for uid in fields.get("participants") or () if uid in people),
        "changed_agreements": "; ".join(agreements[i] for i in fields.get("changed_agreements")
                                        or () if i in agreements),
    }


def field_text(entry: dict, fd) -> str:
    """Return a ``choice`` or ``multi`` field of an entry as people read it (names, not ids)."""
    value = (entry.get("fields") or {}).get(fd.key)
    if fd.type == "choice":
        return str(dict(fd.options).get(value, value or ""))
    return describe(entry).get(fd.key, "")


def meetings_in(entries: list[dict]) -> list[dict]:
    """Return the published meetings among ``entries``, oldest first."""
    found = [e for e in entries if e.get("kind") == "meeting" and e.get("status") == "published"]
    return sorted(found, key=lambda e: (e.get("date") or "", e.get("created_at") or ""))
