"""The adaptations register, changed: free adaptations, teachers' ratings, promotions.

Rows and what they hold are described in :mod:`journal.process.adaptation_rows`
(reading never writes). Per teacher, a rating says whether the adaptation is
feasible in their lessons and whether it works (``yes``/``no``/``unknown``),
with a note. In secondary school the pupil has many teachers who are not all
on the team, so a member can record a rating for a named teacher too.

A coordinator (anyone with the MANAGE right) can promote an adaptation to the
class or the whole school: it joins the school-wide list "Onze afspraken voor
iedereen", in words without pupil data, and keeps the link to its source.

Every change takes the acting user first, loads the trajectory with the right
it needs, and writes its audit record.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import NotFound
from ..plugins.entry_templates.specs import ITEM_STATUSES
from ..plugins.entry_templates.specs import STICORDI
from ..security import access
from ..security.audit import audit
from ..storage import StaleRevision
from ..storage import get_store
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import attachments
from . import clean_markdown
from . import today
from .adaptation_rows import ANSWERS
from .adaptation_rows import DEFAULT_STATUS
from .adaptation_rows import find_row
from .adaptation_rows import free_key
from .trajectories import load_trajectory
from .trajectories import record_view

MAX_TEXT = 2000
MAX_LINE = 200
MAX_NOTE = 500
MAX_RATINGS = 40


def load_row(actor: dict, trajectory_id: str, key: str,
             action: str = access.READ) -> tuple[dict, dict]:
    """Return ``(trajectory, row)`` once ``actor`` may do ``action`` to the trajectory.

    :raise NotFound: no such trajectory or row, or a trajectory ``actor`` may not read.
    :raise Forbidden: ``actor`` may read the trajectory but not do ``action``.
    """
    trajectory = load_trajectory(actor, trajectory_id, action)
    row = find_row(trajectory, key or "")
    if row is None:
        raise NotFound("adaptation")
    return trajectory, row


def view_row(actor: dict, trajectory_id: str, key: str) -> tuple[dict, dict | None]:
    """Return the trajectory and the row ``key`` (``None`` when it is gone) for reading;
    a found row's reading is recorded."""
    trajectory = load_trajectory(actor, trajectory_id, access.READ)
    row = find_row(trajectory, key or "")
    if row is not None:
        record_view(actor, trajectory, "adaptation")
    return trajectory, row


def _clean_choice(value: str, allowed, field: str, errors: dict, message: str) -> str:
    value = value or ""
    if value and value not in allowed:
        add_error(errors, field, message)
        return ""
    return value


def clean_free(data: dict, trajectory: dict) -> dict:
    """Validate a free adaptation (``text``, ``category``, ``applied_by``, ``status``, ``goal_ids``).

    :raise ValidationError: with messages per field.
    """
    errors: dict[str, list[str]] = {}
    html: dict = {}
    text = clean_markdown(data.get("text"), "text", errors, html,
                          missing=_("Describe the adaptation."), max_chars=MAX_TEXT)
    values = {"text": text, "html": html}
    values.update(_clean_common(data, trajectory, errors))
    status = _clean_choice(data.get("status"), ITEM_STATUSES, "status", errors,
                           _("Choose a status from the list."))
    values["status"] = status or DEFAULT_STATUS
    if errors:
        raise ValidationError(errors)
    return values


def _clean_common(data: dict, trajectory: dict, errors: dict) -> dict:
    category = _clean_choice(data.get("category"), STICORDI, "category", errors,
                             _("Choose a category from the list."))
    applied_by = " ".join((data.get("applied_by") or "").split())
    if len(applied_by) > MAX_LINE:
        add_error(errors, "applied_by", _("Keep this under %(n)d characters.", n=MAX_LINE))
    goal_ids = [g for g in dict.fromkeys(data.get("goal_ids") or ()) if g]
    known = {g["id"] for g in get_store().goals.find(trajectory_id=trajectory["id"])}
    if any(g not in known for g in goal_ids):
        add_error(errors, "goal_ids", _("Choose goals of this trajectory."))
    return {"category": category, "applied_by": applied_by,
            "goal_ids": [g for g in goal_ids if g in known]}


def add_free(actor: dict, trajectory_id: str, data: dict,
             uploads: list[tuple[str, bytes, str]] = ()) -> dict:
    """Write a free adaptation in the register of a trajectory (not a closed one).

    :param uploads: files to attach, ``(name, bytes, caption)``; checked after the
        text (so a refused file is the only message) and written before the row.
    :raise NotFound: no such trajectory, or one ``actor`` may not read.
    :raise Forbidden: ``actor`` may not write in it.
    :raise ValidationError: with messages per field (``attachments`` for the files).
    """
    trajectory = load_trajectory(actor, trajectory_id, access.WRITE)
    if trajectory.get("phase") == "closed":
        raise ValidationError({"text": [_("This trajectory is closed. Reopen it to add "
                                          "adaptations.")]})
    values = clean_free(data, trajectory)
    staged = attachments.stage(list(uploads), trajectory)
    values.update(trajectory_id=trajectory["id"], pupil_id=trajectory.get("pupil_id"),
                  origin="free", ratings=[], scope="pupil", promotion=None,
                  date=today().isoformat(), created_by=actor["id"])
    store = get_store()
    try:
        with store.transaction():
            doc = store.adaptations.create(values, actor_id=actor["id"])
            doc = store.adaptations.update(doc["id"], {"source_key": free_key(doc["id"])},
                                           actor_id=actor["id"])
    except Exception:
        attachments.discard(staged)
        raise
    _audit("create", doc, trajectory, actor)
    attachments.record(staged, actor=actor, owner_type="adaptation", owner_id=doc["source_key"],
                       trajectory=trajectory)
    return doc


def update_row(actor: dict, trajectory_id: str, key: str, data: dict, *,
               expected_rev: int | None) -> dict:
    """Change what the register says about a row.

    A free row: its text, category, who applies it, status and goals. A row
    from an entry: its category and who applies it (and an agreement's status);
    its text stays in the entry.

    :raise NotFound: no such row or trajectory (or one ``actor`` may not read).
    :raise Forbidden: ``actor`` may not write in the trajectory.
    :raise ValidationError: with messages per field.
    :raise StaleRevision: someone saved the row after ``expected_rev`` (0: the
        row had no stored document yet).
    """
    trajectory, row = load_row(actor, trajectory_id, key, access.WRITE)
    errors: dict[str, list[str]] = {}
    if row["origin"] == "free":
        values = clean_free(data, trajectory)
    else:
        values = _clean_common(data, trajectory, errors)
        values.pop("goal_ids")  # an entry's goals are set in the entry
        if row["origin"] == "agreement":
            values["status"] = _clean_choice(data.get("status"), ITEM_STATUSES, "status", errors,
                                             _("Choose a status from the list.")) or DEFAULT_STATUS
        if errors:
            raise ValidationError(errors)
    store = get_store()
    with store.transaction():
        doc = _stored_for(trajectory, row, actor, expected_rev)
        updated = store.adaptations.update(doc["id"], values, expected_rev=doc["rev"],
                                           actor_id=actor["id"])
    _audit("update", updated, trajectory, actor)
    return updated


def _stored_for(trajectory: dict, row: dict, actor: dict, expected_rev: int | None) -> dict:
    """Return the row's stored document, creating it for a derived row on first change.

    :raise StaleRevision: the stored revision is not ``expected_rev``.
    """
    store = get_store()
    with store.transaction():
        found = store.adaptations.find(source_key=row["key"], trajectory_id=trajectory["id"])
        if found:
            doc = found[0]
            if expected_rev is not None and int(expected_rev) != doc["rev"]:
                raise StaleRevision(doc)
            return doc
        if expected_rev not in (None, 0):
            raise StaleRevision({"rev": 0})
        return store.adaptations.create({
            "trajectory_id": trajectory["id"], "pupil_id": trajectory.get("pupil_id"),
            "source_key": row["key"], "origin": row["origin"], "entry_id": row["entry_id"],
            "field": row["field"], "item": row["item"], "category": "", "applied_by": "",
            "status": "", "ratings": [], "scope": "pupil", "promotion": None,
            "created_by": actor["id"],
        }, actor_id=actor["id"])


def rating_key(actor: dict, teacher: str) -> str:
    """Return whose rating this is: the actor themselves, or a named teacher."""
    teacher = " ".join((teacher or "").split())
    return f"label:{teacher.casefold()}" if teacher else f"user:{actor['id']}"


def rate(actor: dict, trajectory_id: str, key: str, data: dict) -> dict:
    """Record one teacher's view of an adaptation: feasible?, works?, a note.

    ``teacher`` empty means the actor rates for themselves; a name (for
    example "Frans – mevr. Peeters") records it for a teacher who is not on the
    team. A later rating for the same teacher replaces theirs only, so
    teachers rating at the same time never overwrite each other.

    :raise NotFound: no such row or trajectory (or one ``actor`` may not read).
    :raise Forbidden: ``actor`` may not write in the trajectory.
    :raise ValidationError: with messages per field.
    """
    trajectory, row = load_row(actor, trajectory_id, key, access.WRITE)
    errors: dict[str, list[str]] = {}
    teacher = " ".join((data.get("teacher") or "").split())
    if len(teacher) > 80:
        add_error(errors, "teacher", _("Keep this under %(n)d characters.", n=80))
    feasible = data.get("feasible") or "unknown"
    works = data.get("works") or "unknown"
    if feasible not in ANSWERS:
        add_error(errors, "feasible", _("Choose an answer from the list."))
    if works not in ANSWERS:
        add_error(errors, "works", _("Choose an answer from the list."))
    note = (data.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        add_error(errors, "note", _("Use at most %(n)d characters.", n=MAX_NOTE))
    if errors:
        raise ValidationError(errors)
    teacher_key = rating_key(actor, teacher)
    rating = {"key": teacher_key, "teacher": teacher, "user_id": actor["id"], "feasible": feasible,
              "works": works, "note": note, "at": utcnow()}

    def apply(doc: dict) -> None:
        ratings = [r for r in doc.get("ratings") or () if r.get("key") != teacher_key]
        if len(ratings) >= MAX_RATINGS:
            raise ValidationError({"teacher": [_("This adaptation has the most ratings it can "
                                                 "hold.")]})
        ratings.append(rating)
        doc["ratings"] = ratings

    store = get_store()
    with store.transaction():
        doc = _stored_for(trajectory, row, actor, None)
        updated = store.adaptations.update(doc["id"], apply, actor_id=actor["id"])
    _audit("update", updated, trajectory, actor, detail="rating")
    return updated


def promote(actor: dict, trajectory_id: str, key: str, data: dict, *,
            expected_rev: int | None) -> dict:
    """Make an adaptation part of everyday care for the class or the whole school.

    :param data: ``scope`` (``class``/``school``), ``class_group`` (for a
        class), ``text`` (Markdown: the adaptation as everyone will read it,
        without pupil names or diagnoses).
    :raise NotFound: no such row or trajectory (or one ``actor`` may not read).
    :raise Forbidden: ``actor`` may not manage the trajectory.
    :raise ValidationError: with messages per field.
    :raise StaleRevision: someone saved the row after ``expected_rev``.
    """
    trajectory, row = load_row(actor, trajectory_id, key, access.MANAGE)
    errors: dict[str, list[str]] = {}
    scope = data.get("scope") or ""
    if scope not in ("class", "school"):
        add_error(errors, "scope", _("Choose the class group or the whole school."))
    class_group = " ".join((data.get("class_group") or "").split())
    if scope == "class" and not class_group:
        add_error(errors, "class_group", _("Fill in the class group."))
    elif len(class_group) > 40:
        add_error(errors, "class_group", _("Keep this under %(n)d characters.", n=40))
    html: dict = {}
    text = clean_markdown(data.get("text"), "text", errors, html,
                          missing=_("Write the adaptation as everyone will read it."),
                          max_chars=MAX_TEXT)
    if errors:
        raise ValidationError(errors)
    promotion = {"scope": scope, "class_group": class_group if scope == "class" else "",
                 "text": text, "html": html["text"], "category": row.get("category") or "",
                 "by": actor["id"], "at": utcnow(), "source_key": row["key"],
                 "trajectory_id": trajectory["id"]}
    store = get_store()
    with store.transaction():
        doc = _stored_for(trajectory, row, actor, expected_rev)
        updated = store.adaptations.update(
            doc["id"], {"scope": scope, "promotion": promotion}, expected_rev=doc["rev"],
            actor_id=actor["id"])
    _audit("update", updated, trajectory, actor, detail="promote")
    return updated


def demote(actor: dict, trajectory_id: str, key: str) -> dict | None:
    """Take an adaptation off the school-wide list again (it stays in the register).

    :return: the changed document, or ``None`` when it was not on the list.
    :raise NotFound: no such row or trajectory (or one ``actor`` may not read).
    :raise Forbidden: ``actor`` may not manage the trajectory.
    """
    trajectory, row = load_row(actor, trajectory_id, key, access.MANAGE)
    if not row.get("doc_id") or row.get("scope") == "pupil":
        return None
    updated = get_store().adaptations.update(row["doc_id"], {"scope": "pupil", "promotion": None},
                                             actor_id=actor["id"])
    _audit("update", updated, trajectory, actor, detail="demote")
    return updated


def _audit(action: str, doc: dict, trajectory: dict, actor: dict, detail: str = "") -> None:
    audit(action, object_type="adaptation", object_id=doc["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"], detail=detail)
