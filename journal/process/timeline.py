"""A trajectory's timeline: entries, goal evaluations, voices and phase changes, newest first."""

from __future__ import annotations

from . import entry_access
from . import entry_forms


def _entries_for(actor: dict, trajectory: dict, filters: dict, kinds: tuple[str, ...]) -> list[dict]:
    kind = filters["kind"] if filters["kind"] in kinds else None
    if filters["view"] == "condensed":
        kind = "agreement"
    elif filters["kind"] and kind is None:
        return []  # a non-entry kind (evaluations, phase changes) was asked for
    return entry_access.visible_entries(
        actor, trajectory, kind=kind, author_id=filters["author"] or None,
        tag=filters["tag"] or None, goal_id=filters["goal"] or None,
    )


def timeline(actor: dict, trajectory: dict, goals: list[dict], filters: dict,
             voices: list[dict] = ()) -> list[dict]:
    """Return the timeline of ``trajectory`` as ``actor`` may see it, newest first,
    narrowed by ``filters`` (``kind``, ``author``, ``tag``, ``goal``, ``view``).

    Items are entries (``type`` "entry"), goal evaluations ("evaluation"),
    what the pupil or parents said ("voice", their reactions on their page
    included) and phase changes ("phase"); the kind filter also accepts the
    last three. Tags only belong to entries, so a tag filter shows entries only.
    """
    kinds = tuple(entry_forms.KINDS)
    items = [{"type": "entry", "date": e.get("date") or e.get("created_at", "")[:10],
              "at": e.get("created_at", ""), "entry": e}
             for e in _entries_for(actor, trajectory, filters, kinds)]
    condensed = filters["view"] == "condensed"
    author, kind = filters["author"], filters["kind"]
    if not condensed and not filters["tag"] and kind in ("", "evaluation"):
        for goal in goals:
            if filters["goal"] and goal["id"] != filters["goal"]:
                continue
            for evaluation in goal.get("evaluations", ()):
                if author and evaluation.get("author_id") != author:
                    continue
                items.append({"type": "evaluation", "date": evaluation["date"],
                              "at": evaluation.get("at", ""), "goal": goal,
                              "evaluation": evaluation})
    if not condensed and not filters["tag"] and kind in ("", "voice"):
        for voice in voices:
            if (filters["goal"] and voice.get("goal_id") != filters["goal"]) or \
                    (author and voice.get("recorded_by") != author):
                continue
            items.append({"type": "voice", "date": voice["date"],
                          "at": voice.get("created_at", ""), "voice": voice})
    if not condensed and not filters["tag"] and not filters["goal"] and kind in ("", "phase"):
        for change in trajectory.get("phase_history", ()):
            if author and change.get("by") != author:
                continue
            items.append({"type": "phase", "date": change["on"], "at": change.get("at", ""),
                          "change": change})
    return sorted(items, key=lambda i: (i["date"] or "", i["at"] or ""), reverse=True)
