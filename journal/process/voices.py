"""The pupil's and the parents' voice: what they say, in their own words, dated and attributed.

Goals are set together with the school team *and* the parents, and older
pupils take responsibility for their own support. A *voice* is one thing the
pupil or the parents said (what helps, what they want to learn, how they see a
goal), about the trajectory or about one goal. It is written down either by a
staff member (``recorded_by``: a user id) or by the parent or pupil themselves
on their own page (``link_id``: the personal link they used, see
:mod:`journal.process.family_links`; ``recorded_name`` keeps the name on that
link). A voice about a goal may say that they *agree* with the goal: the latest
agreeing voice per speaker is what the goal page shows as "agreed with the
parents / with the pupil, on …".

Voices are statements: they are never edited afterwards (like evaluations), so
a later one is how someone changes their mind.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..security import access
from ..security.audit import audit
from ..storage import get_store
from . import ValidationError
from . import add_error
from . import clean_markdown
from . import parse_iso_date
from . import today
from .trajectories import load_trajectory

SPEAKERS = ("pupil", "parents")
SPEAKER_LABELS = {"pupil": _l("The pupil"), "parents": _l("The parents")}
MAX_TEXT = 4000


# -- reading ---------------------------------------------------------------------------

def voices_for(trajectory_id: str) -> list[dict]:
    """Return every voice of a trajectory (its goals' too), newest first."""
    found = get_store().voices.find(trajectory_id=trajectory_id)
    return sorted(found, key=lambda v: (v.get("date") or "", v.get("created_at") or ""),
                  reverse=True)


def about_goal(voices: list[dict], goal_id: str | None) -> list[dict]:
    """Return the voices about one goal (``None``: about the trajectory as a whole)."""
    return [v for v in voices if v.get("goal_id") == goal_id]


def agreements(voices: list[dict]) -> dict[str, dict[str, dict]]:
    """Return ``{goal id: {speaker: latest agreeing voice}}``.

    A goal missing from the result was not agreed with anyone yet.
    """
    out: dict[str, dict[str, dict]] = {}
    for voice in sorted(voices, key=lambda v: (v.get("date") or "", v.get("created_at") or "")):
        if voice.get("agrees") and voice.get("goal_id"):
            out.setdefault(voice["goal_id"], {})[voice["speaker"]] = voice
    return out


# -- writing ---------------------------------------------------------------------------

def clean(data: dict, trajectory: dict, *, speakers=SPEAKERS, dated: bool = True) -> dict:
    """Validate a voice: ``speaker``, ``date``, ``text``, ``goal_id``, ``agrees``.

    The text may stay empty only when the voice agrees with a goal.

    :param speakers: who may be named as the speaker.
    :param dated: whether a date is asked (a parent's own reaction is dated today).
    :raise ValidationError: with messages per field.
    """
    errors: dict[str, list[str]] = {}
    speaker = data.get("speaker") or ""
    if speaker not in speakers:
        add_error(errors, "speaker", _("Choose whose words these are."))
    on = today().isoformat()
    if dated:
        on = parse_iso_date(data.get("date"), "date", errors, required=True)
        if on and on > today().isoformat():
            add_error(errors, "date", _("This date lies in the future."))
    goal_id = data.get("goal_id") or None
    if goal_id is not None:
        goal = get_store().goals.get(goal_id)
        if goal is None or goal.get("trajectory_id") != trajectory["id"]:
            add_error(errors, "goal_id", _("Choose a goal of this trajectory."))
    agrees = bool(data.get("agrees")) and goal_id is not None
    html: dict = {}
    text = (data.get("text") or "").replace("\r\n", "\n").strip()
    if text or not agrees:
        text = clean_markdown(text, "text", errors, html, max_chars=MAX_TEXT,
                              missing=_("Write down what was said, in their own words."))
    if errors:
        raise ValidationError(errors)
    return {"speaker": speaker, "date": on, "goal_id": goal_id, "agrees": agrees, "text": text,
            "html": html}


def ensure_open(trajectory: dict) -> None:
    """Refuse new voices in a closed trajectory.

    :raise ValidationError: under the key ``text``.
    """
    if trajectory.get("phase") == "closed":
        raise ValidationError({"text": [_("This trajectory is closed. Reopen it to write in "
                                          "it again.")]})


def record_voice(actor: dict, trajectory_id: str, data: dict) -> dict:
    """Write down what the pupil or the parents said (a staff member of the team).

    :raise NotFound: no such trajectory, or ``actor`` may not read it.
    :raise Forbidden: ``actor`` may not write in it.
    :raise ValidationError: with messages per field.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.WRITE)
    ensure_open(trajectory)
    values = clean(data, trajectory)
    return _store(trajectory, values, recorded_by=actor["id"], user_id=actor["id"])


def store_from_page(link: dict, trajectory: dict, values: dict) -> dict:
    """Store a voice the parent or pupil wrote on their own page (already cleaned).

    Callers are the services of :mod:`journal.process.family_page`, which have
    resolved and checked the link.
    """
    return _store(trajectory, values, link_id=link["id"], recorded_name=link.get("name", ""),
                  user_id="link:" + link["id"])


def _store(trajectory: dict, values: dict, *, user_id: str, recorded_by: str | None = None,
           link_id: str | None = None, recorded_name: str = "") -> dict:
    doc = dict(values, trajectory_id=trajectory["id"], pupil_id=trajectory.get("pupil_id"),
               recorded_by=recorded_by, link_id=link_id, recorded_name=recorded_name)
    voice = get_store().voices.create(doc, actor_id=recorded_by)
    audit("create", object_type="voice", object_id=voice["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=user_id,
          detail=f"{voice['speaker']}:{'agrees' if voice['agrees'] else 'says'}")
    return voice
