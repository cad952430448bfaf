"""The phases of a support trajectory and what each one asks of the team.

A trajectory runs from the support request to closing (see docs/glossary.md).
Teams may step back a phase when needed; closing is a deliberate act, and a
closed trajectory can be reopened when a new challenge comes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

INTAKE = "intake"
OBSERVATION = "observation"
GOALS = "goals"
IMPLEMENTATION = "implementation"
FADING_OUT = "fading_out"
CLOSED = "closed"


@dataclass(frozen=True)
class Phase:
    """One phase: its id, its label and what the team does in it."""

    id: str
    label: object
    asks_for: object
    #: entry kinds that fit this phase, offered first on the trajectory page
    suggested_kinds: tuple[str, ...] = ()


PHASES: tuple[Phase, ...] = (
    Phase(INTAKE, _l("Intake"),
          _l("Write down the pupil's educational need and the teacher's learning question, "
             "side by side, and who is on the team."),
          ()),
    Phase(OBSERVATION, _l("Observation"),
          _l("Observe in class, without judging the teacher: where does the pupil get stuck, "
             "how do classmates react, which quick wins are there?"),
          ("observation",)),
    Phase(GOALS, _l("Goals"),
          _l("Set a few small goals together with the team and the parents, each with an "
             "owner and a review date."),
          ("reflection",)),
    Phase(IMPLEMENTATION, _l("Implementation and reflection"),
          _l("Try adaptations in class, agree on what works, and reflect together on the "
             "effect. Review each goal on its date."),
          ("agreement", "reflection", "observation", "one_to_one")),
    Phase(FADING_OUT, _l("Fading out"),
          _l("Hand over: could the teacher carry on alone tomorrow? Record what works and "
             "what the pupil and teacher do without support."),
          ("reflection", "agreement")),
    Phase(CLOSED, _l("Closed"),
          _l("The trajectory is closed. It can be reopened when a new challenge comes."),
          ()),
)

PHASE_IDS: tuple[str, ...] = tuple(p.id for p in PHASES)
_BY_ID = {p.id: p for p in PHASES}


def get(phase_id: str) -> Phase | None:
    """Return the phase with this id, or ``None``."""
    return _BY_ID.get(phase_id)


def label(phase_id: str) -> str:
    """Return the label of a phase (the id itself when unknown)."""
    phase = _BY_ID.get(phase_id)
    return str(phase.label) if phase else phase_id


def position(phase_id: str) -> int:
    """Return the 1-based position of a phase in the process (0 when unknown)."""
    return PHASE_IDS.index(phase_id) + 1 if phase_id in _BY_ID else 0


def next_phase(phase_id: str) -> str | None:
    """Return the phase that usually follows ``phase_id``; ``None`` after closing."""
    pos = position(phase_id)
    return PHASE_IDS[pos] if 0 < pos < len(PHASE_IDS) else None


def open_phases() -> tuple[Phase, ...]:
    """Return every phase except closed (the choices when reopening)."""
    return tuple(p for p in PHASES if p.id != CLOSED)


def is_closed(trajectory: dict) -> bool:
    """Return whether the trajectory is closed."""
    return trajectory.get("phase") == CLOSED


def checklist(trajectory: dict, goals: list[dict], entry_kinds: set[str],
              overdue_count: int = 0) -> list[tuple[bool, str]]:
    """Return what the current phase asks for, as ``(done, text)`` pairs.

    :param goals: the trajectory's goals.
    :param entry_kinds: the kinds of the trajectory's published entries.
    :param overdue_count: how many goals are past their review date.
    """
    phase = trajectory.get("phase")
    items: list[tuple[bool, str]] = []
    if phase == INTAKE:
        if trajectory.get("target") == "pupil":
            items.append((bool((trajectory.get("educational_need") or "").strip()),
                          str(_l("The pupil's educational need is written down."))))
        items.append((bool((trajectory.get("learning_question") or "").strip()),
                      str(_l("The teacher's learning question is written down."))))
        items.append((len(trajectory.get("members", ())) >= 2,
                      str(_l("At least two people are on the team."))))
    elif phase == OBSERVATION:
        items.append(("observation" in entry_kinds,
                      str(_l("There is at least one classroom observation."))))
    elif phase == GOALS:
        items.append((bool(goals), str(_l("There is at least one goal with a review date."))))
    elif phase == IMPLEMENTATION:
        items.append(("agreement" in entry_kinds,
                      str(_l("At least one adaptation is agreed on."))))
        items.append(("reflection" in entry_kinds,
                      str(_l("The team has reflected together at least once."))))
        items.append((overdue_count == 0, str(_l("No goal is past its review date."))))
    elif phase == FADING_OUT:
        ongoing = [g for g in goals if g.get("status") == "ongoing"]
        items.append((not ongoing, str(_l("Every goal has been evaluated and closed."))))
        items.append((overdue_count == 0, str(_l("No goal is past its review date."))))
    return items
