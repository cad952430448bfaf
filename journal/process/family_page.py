"""The parents' page and the pupil's page: what the team chose to share, and reactions.

The team chooses per trajectory (one ``family_pages`` document) what its
parents' page shows:

* goals, each in plain words written for the parents and the pupil;
* agreements from the adaptations register that are in place;
* the published handover sheet ("wat werkt");
* entries the team explicitly marks for the parents (published, not internal).

Nothing else ever reaches the page: no observations or notes that were not
marked, no drafts, internal notes, comments, evaluations, restricted section,
staff-only fields, nor what the other parent wrote. The pupil's page (switched
on per trajectory) shows the shared goals and agreements in simpler words.

A parent or the pupil opens the page through their personal link
(:mod:`journal.process.family_links`), can react (a voice, see
:mod:`journal.process.voices`, which lands on the team's timeline) and can
say they agree with a shared goal. The functions here take the link's secret
first, as other services take the acting user: every view and reaction is
audited under ``link:<link id>``.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import NotFound
from ..errors import ValidationError
from ..security import access
from ..security.audit import audit
from ..storage import StaleRevision
from ..storage import get_store
from . import add_error
from . import clean_markdown
from . import today
from . import voices as voice_service
from .family_links import resolve
from .family_settings import settings_of
from .trajectories import load_trajectory

MAX_PLAIN = 1000
#: Which speaker a link's holder is.
SPEAKER_OF = {"parent": "parents", "pupil": "pupil"}
#: How a goal's status reads on the page, in plain words.
PLAIN_STATUS = {
    "ongoing": _l("We are working on this"),
    "achieved": _l("Achieved"),
    "adjusted": _l("We changed this goal"),
    "stopped": _l("We stopped this goal"),
}


# -- what can be shared -------------------------------------------------------------------

def shareable_agreements(trajectory: dict) -> list[dict]:
    """Return the register rows that can go on the page: agreements and free rows, not internal."""
    from .adaptation_rows import rows_for

    return [r for r in rows_for(trajectory)
            if r["origin"] in ("agreement", "free") and not r["internal"]]


def shareable_entries(trajectory: dict) -> list[dict]:
    """Return the entries the team may mark for the parents: published and not internal."""
    entries = get_store().entries.find(trajectory_id=trajectory["id"])
    out = [e for e in entries if e.get("status") == "published" and not e.get("internal")]
    return sorted(out, key=lambda e: (e.get("date") or "", e.get("created_at") or ""),
                  reverse=True)


def save_settings(actor: dict, trajectory_id: str, data: dict,
                  expected_rev: int | None = None) -> dict:
    """Save what the page shares.

    :param data: ``goal_ids``, ``plain_<goal id>`` (the goal in plain words,
        required for a shared goal), ``agreement_keys``, ``entry_ids``,
        ``handover`` and ``pupil_page`` (booleans).
    :param expected_rev: the revision the user started from (0: nothing chosen yet).
    :raise NotFound: no such trajectory, or ``actor`` may not read it.
    :raise Forbidden: ``actor`` may not manage it.
    :raise ValidationError: with messages per field; ``StaleRevision`` when
        someone saved the choices in between.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.MANAGE)
    errors: dict[str, list[str]] = {}
    goal_ids = {g["id"] for g in get_store().goals.find(trajectory_id=trajectory["id"])}
    goals: dict[str, dict] = {}
    for goal_id in dict.fromkeys(data.get("goal_ids") or ()):
        if goal_id not in goal_ids:
            add_error(errors, "goal_ids", _("Choose goals of this trajectory."))
            continue
        html: dict = {}
        text = clean_markdown(data.get("plain_" + goal_id), "plain_" + goal_id, errors, html,
                              missing=_("Write this goal in plain words for the parents and "
                                        "the pupil."), max_chars=MAX_PLAIN)
        goals[goal_id] = {"text": text, "html": html.get("plain_" + goal_id, "")}
    keys = _chosen(data.get("agreement_keys"), {r["key"] for r in shareable_agreements(trajectory)},
                   "agreement_keys", _("Choose agreements from the list."), errors)
    entry_ids = _chosen(data.get("entry_ids"), {e["id"] for e in shareable_entries(trajectory)},
                        "entry_ids", _("Choose published entries from the list."), errors)
    if errors:
        raise ValidationError(errors)
    values = {"goals": goals, "agreement_keys": keys, "entry_ids": entry_ids,
              "handover": bool(data.get("handover")), "pupil_page": bool(data.get("pupil_page"))}
    store = get_store()
    with store.transaction():
        current = settings_of(trajectory["id"])
        if not current["rev"]:
            if expected_rev not in (None, 0):
                raise StaleRevision(current)
            saved = store.family_pages.create(dict(
                values, trajectory_id=trajectory["id"], pupil_id=trajectory.get("pupil_id"),
                created_by=actor["id"]), actor_id=actor["id"])
        else:
            saved = store.family_pages.update(current["id"], values, expected_rev=expected_rev,
                                              actor_id=actor["id"])
    audit("update", object_type="family_page", object_id=trajectory["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"],
          detail=f"goals={len(goals)},agreements={len(keys)},entries={len(entry_ids)},"
                 f"handover={int(values['handover'])},pupil_page={int(values['pupil_page'])}")
    return saved


def _chosen(values, allowed: set[str], field: str, message: str, errors: dict) -> list[str]:
    chosen = [v for v in dict.fromkeys(values or ()) if v]
    if any(v not in allowed for v in chosen):
        add_error(errors, field, message)
    return [v for v in chosen if v in allowed]


# -- what the page shows ------------------------------------------------------------------

def content(trajectory: dict, settings: dict, audience: str) -> dict:
    """Return what the page of ``audience`` (``parent``/``pupil``) shows, as plain data.

    Everything is checked again at reading time: a goal that was removed, an
    agreement or entry that became internal or went back to draft, an
    unpublished handover sheet are simply not there.
    """
    goals = {g["id"]: g for g in get_store().goals.find(trajectory_id=trajectory["id"])}
    shared_goals = [
        {"id": goal_id, "html": plain["html"], "status": goals[goal_id]["status"],
         "status_label": str(PLAIN_STATUS.get(goals[goal_id]["status"], "")),
         "review_date": goals[goal_id].get("review_date")}
        for goal_id, plain in settings.get("goals", {}).items() if goal_id in goals]
    rows = {r["key"]: r for r in shareable_agreements(trajectory)}
    agreements = [
        {"key": key, "html": rows[key]["html"], "text": rows[key]["text"],
         "applied_by": rows[key]["applied_by"], "from_date": rows[key].get("from_date"),
         "review_date": rows[key].get("review_date")}
        for key in settings.get("agreement_keys", ()) if key in rows]
    out = {"goals": shared_goals, "agreements": agreements, "handover": None, "entries": []}
    if audience != "parent":
        return out
    if settings.get("handover"):
        from .handover import sheet_of

        out["handover"] = (sheet_of(trajectory) or {}).get("published")
    entries = {e["id"]: e for e in shareable_entries(trajectory)}
    out["entries"] = [_entry(entries[i]) for i in settings.get("entry_ids", ()) if i in entries]
    return out


def _entry(entry: dict) -> dict:
    """An entry as the parents read it: its kind, date and written parts, nothing else."""
    from .entry_forms import FIELD_DEFS
    from .entry_forms import KIND_LABELS

    html = entry.get("html") or {}
    parts = [(str(fd.label), html[fd.key]) for fd in FIELD_DEFS.get(entry["kind"], ())
             if fd.type == "markdown" and html.get(fd.key)]
    return {"kind": str(KIND_LABELS.get(entry["kind"], "")), "date": entry.get("date"),
            "parts": parts}


def open_page(token: str) -> dict:
    """Return everything one link's page shows, and audit the view.

    :return: ``{link, trajectory, pupil, content, own_voices, agreed}``; ``agreed``
        maps goal ids to this person's latest agreeing voice.
    :raise NotFound: the link does not open a page (see :func:`family_links.resolve`).
    """
    link, trajectory = resolve(token)
    audit("view", object_type="family_page", object_id=trajectory["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id="link:" + link["id"],
          detail=link["audience"])
    return _page(link, trajectory)


def preview(actor: dict, trajectory_id: str, audience: str) -> dict:
    """Return the page of ``audience`` as :func:`open_page` does, for the team to check.

    :raise NotFound: no such trajectory, ``actor`` may not read it, or it is
        not aimed at a pupil (no parents' page).
    """
    trajectory = load_trajectory(actor, trajectory_id, access.READ)
    if not trajectory.get("pupil_id"):
        raise NotFound("family_page")
    audit("view", object_type="family_page", object_id=trajectory["id"],
          pupil_id=trajectory["pupil_id"], user_id=actor["id"], detail="preview:" + audience)
    return _page({"id": "", "audience": audience, "name": ""}, trajectory)


def _page(link: dict, trajectory: dict) -> dict:
    mine = [v for v in get_store().voices.find(link_id=link["id"])
            if link["id"] and v.get("trajectory_id") == trajectory["id"]]
    mine.sort(key=lambda v: v.get("created_at") or "", reverse=True)
    agreed = {goal_id: by[SPEAKER_OF[link["audience"]]]
              for goal_id, by in voice_service.agreements(mine).items()}
    return {"link": link, "trajectory": trajectory,
            "pupil": get_store().pupils.get(trajectory["pupil_id"]),
            "content": content(trajectory, settings_of(trajectory["id"]), link["audience"]),
            "own_voices": mine, "agreed": agreed}


def reactions_per_day() -> int:
    """How many reactions one link may send a day (``JOURNAL_FAMILY_REACTIONS_PER_DAY``)."""
    return int(current_app.config.get("JOURNAL_FAMILY_REACTIONS_PER_DAY", 10))


def _shared_goal(settings: dict, goal_id: str | None, errors: dict) -> str | None:
    if goal_id and goal_id not in settings.get("goals", {}):
        add_error(errors, "goal_id", _("Choose a goal from this page."))
        return None
    return goal_id or None


def _within_limit(link: dict) -> None:
    sent = [v for v in get_store().voices.find(link_id=link["id"])
            if (v.get("created_at") or "")[:10] == today().isoformat()]
    if len(sent) >= reactions_per_day():
        raise ValidationError({"text": [_("You sent many messages today. The team will read "
                                          "them; you can write again tomorrow.")]})


def react(token: str, data: dict) -> dict:
    """Store a reaction (``text``, optionally about a shared ``goal_id``) from the link's holder.

    :raise NotFound: the link does not open a page.
    :raise ValidationError: no text, too long, a goal not on the page, or too
        many reactions today.
    """
    link, trajectory = resolve(token)
    settings = settings_of(trajectory["id"])
    errors: dict[str, list[str]] = {}
    goal_id = _shared_goal(settings, data.get("goal_id"), errors)
    try:
        values = voice_service.clean(
            {"speaker": SPEAKER_OF[link["audience"]], "text": data.get("text"),
             "goal_id": goal_id}, trajectory, dated=False)
    except ValidationError as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                add_error(errors, field, message)
    if errors:
        raise ValidationError(errors)
    _within_limit(link)
    return voice_service.store_from_page(link, trajectory, values)


def agree(token: str, goal_id: str) -> dict:
    """Record that the link's holder agrees with a goal shown on their page.

    :raise NotFound: the link does not open a page, or the goal is not on it.
    """
    link, trajectory = resolve(token)
    if goal_id not in settings_of(trajectory["id"]).get("goals", {}):
        raise NotFound("goal")
    _within_limit(link)
    values = voice_service.clean({"speaker": SPEAKER_OF[link["audience"]], "goal_id": goal_id,
                                  "agrees": True}, trajectory, dated=False)
    return voice_service.store_from_page(link, trajectory, values)
