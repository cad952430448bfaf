"""Writing entries: observations, reflections, agreements and one-to-one moments.

The rules of every change to an entry live here, whichever way it comes in
(a page, the API, a plugin through :mod:`journal.plugins.api`, practice
adoption). Each service takes the acting user first, loads the trajectory or
entry for them (:func:`~journal.process.trajectories.load_trajectory`,
:func:`~journal.process.entry_access.load_entry`), validates the form data
(:mod:`journal.process.entry_forms`), stores, and ends with
:func:`journal.process.entry_events.saved`: one audit record and one
``journal_entry_saved`` call. Refusals are domain errors (:mod:`journal.errors`).

An entry starts as a draft that only its authors see and is published to the
team. The repository keeps every earlier version, and an edit names the
revision it started from: :func:`edit_entry` merges edits that touched
different fields and raises :class:`EditConflict` when two people changed the
same one, so a later save never silently overwrites an earlier one.

Documents are built from explicit fields only; form data can never set the
author, trajectory, pupil or creation date.
"""

from __future__ import annotations

import copy

from flask_babel import gettext as _

from ..errors import StaleRevision
from ..security import access
from ..storage import get_store
from . import ValidationError
from . import add_error
from . import attachments
from . import render_field
from . import reflection
from .entry_access import load_entry
from .entry_events import detail_of
from .entry_events import saved
from .entry_forms import FIELD_DEFS
from .entry_forms import fields_of
from .entry_forms import parse_values
from .entry_forms import template_answers
from .entry_forms import values_of
from .entry_history import version_at
from .entry_plugins import template_for_new
from .entry_plugins import template_of
from .entry_plugins import template_problems
from .entry_plugins import template_ref
from .entry_plugins import upgrade_offer
from .entry_plugins import upgraded_data
from .trajectories import load_trajectory

#: How often an edit is retried when unrelated saves keep landing in between.
MERGE_ATTEMPTS = 5


class EditConflict(StaleRevision):
    """Someone else changed the same fields since the user's revision.

    :ivar current: the document as stored now.
    :ivar keys: the value keys (``date``, ``fields.seen``, …) both sides changed.
    :ivar mine: the user's values, merged with the other person's changes to
        fields the user did not touch: what the merge form starts from.
    """

    def __init__(self, current: dict, keys: list[str], mine: dict):
        super().__init__(current)
        self.keys = keys
        self.mine = mine


# -- rules shared by the changes -------------------------------------------------

def ensure_open(trajectory: dict) -> None:
    """Refuse new entries in a closed trajectory (reopening it is one click for its team).

    :raise ValidationError: under the key ``trajectory``.
    """
    if trajectory.get("phase") == "closed":
        raise ValidationError({"trajectory": [
            _("This trajectory is closed. Reopen it to write in it again.")]})


def goal_ids_of(trajectory: dict) -> set[str]:
    """Return the ids of the trajectory's goals (the only goals an entry may link to)."""
    return {goal["id"] for goal in get_store().goals.find(trajectory_id=trajectory["id"])}


def publish_problems(entry: dict) -> dict[str, list[str]]:
    """Return what must be filled in before ``entry`` can be published (empty when ready)."""
    errors: dict[str, list[str]] = {}
    if entry["kind"] == "reflection":
        for key in ("conclusions", "next_steps"):
            if not (entry.get("fields", {}).get(key) or "").strip():
                add_error(errors, key, _("A reflection ends in shared conclusions and next steps."))
    return errors


def _parse(kind: str, data, trajectory: dict, errors: dict) -> dict:
    """Return the values in ``data``, adding what is wrong to ``errors``."""
    try:
        from .meetings import choices_for

        return parse_values(kind, data, goal_ids=goal_ids_of(trajectory),
                            choices=choices_for(trajectory) if kind == "meeting" else None)
    except ValidationError as exc:
        errors.update(exc.errors)
        return {}


def _check_template(spec, kind: str, data, values: dict, errors: dict) -> None:
    """Read the template answers in ``data`` into ``values``; ask the plugins when all else is fine."""
    if spec is None:
        return
    answers, answer_errors = template_answers(spec, data)
    errors.update(answer_errors)
    values["answers"] = answers
    if errors:
        return
    problems = template_problems(spec, {
        "kind": kind, "answers": answers, "tags": values.get("tags", []),
        "template": {"id": spec.id, "version": spec.version, "plugin": spec.plugin},
        "fields": fields_of(values),
    })
    if problems:
        errors["template"] = problems


def _apply(doc: dict, values: dict, user_id: str) -> None:
    """Set ``values`` on ``doc`` (rendering Markdown fields) and add the user as author."""
    errors: dict[str, list[str]] = {}
    markdown = {fd.key for fd in FIELD_DEFS[doc["kind"]] if fd.type == "markdown"}
    doc.setdefault("fields", {})
    doc.setdefault("html", {})
    for key, value in values.items():
        if key.startswith("fields."):
            name = key.split(".", 1)[1]
            doc["fields"][name] = value
            if name in markdown:
                render_field(doc["html"], name, value or "", errors)
        else:
            doc[key] = copy.deepcopy(value)
    if errors:
        raise ValidationError(errors)
    if user_id not in doc.setdefault("authors", []):
        doc["authors"].append(user_id)


# -- writing a new entry ---------------------------------------------------------------

def entry_document(author: dict, trajectory: dict, kind: str, values: dict, *,
                   publish: bool = False, co_author_ids=(), fields_extra: dict | None = None,
                   template: dict | None = None) -> dict:
    """Return a new entry's document (not stored), its Markdown rendered.

    The building block of :func:`create_entry`; on its own only for arranging
    data (the test fixtures), since it checks no access and records nothing.

    :param values: from :func:`~journal.process.entry_forms.parse_values`.
    :param co_author_ids: team members who write it with ``author`` (others are ignored).
    :param fields_extra: kind-specific data not edited through ``values``
        (a reflection's ``model`` and first ``contributions``).
    :param template: the template reference (``{id, version, plugin, spec_hash}``) or None.
    :raise ValidationError: a text cannot be rendered.
    """
    members = {m["user_id"] for m in trajectory.get("members", ())}
    authors = [author["id"]] + [uid for uid in dict.fromkeys(co_author_ids)
                                if uid in members and uid != author["id"]]
    doc = {
        "trajectory_id": trajectory["id"],
        "pupil_id": trajectory.get("pupil_id"),
        "kind": kind,
        "status": "published" if publish else "draft",
        "date": None,
        "authors": authors,
        "created_by": author["id"],
        "tags": [],
        "goal_ids": [],
        "fields": copy.deepcopy(fields_extra or {}),
        "html": {},
        "template": copy.deepcopy(template),
        "answers": {},
        "internal": False,
        "breach_of_rules": False,
    }
    _apply(doc, values, author["id"])
    return doc


def create_entry(actor: dict, trajectory_id: str, kind: str, data, *, publish: bool = False,
                 co_author_ids=(), model_id: str | None = None, contributions=(),
                 template_id: str | None = None, uploads=(), via: str = "") -> dict:
    """Write a new entry by ``actor`` in a trajectory they may write in, and return it.

    :param data: form data (see :mod:`journal.process.entry_forms`): ``date``,
        ``tags``, ``goal_ids``, ``internal``, ``breach_of_rules``, the kind's
        fields and, with a template, its inputs.
    :param publish: publish at once (a reflection then needs its conclusions);
        otherwise a draft only its authors see.
    :param co_author_ids: team members writing it with ``actor``; anyone else is ignored.
    :param model_id: a reflection's model (see :mod:`journal.process.reflection`).
    :param contributions: a reflection's first contributions, ``[{"phase", "text"}]``.
    :param template_id: the plugin template it is filled from (unknown: a free entry).
    :param uploads: files to attach, ``[(name, bytes, caption)]``.
    :param via: the surface it came through, for the audit record (``api``).
    :raise NotFound, Forbidden: ``actor`` may not write in the trajectory.
    :raise ValidationError: with messages per form field (``phase_<key>`` for a
        contribution, ``template`` for the plugins' objections).
    """
    trajectory = load_trajectory(actor, trajectory_id, access.WRITE)
    ensure_open(trajectory)
    spec = template_for_new(kind, template_id)
    errors: dict[str, list[str]] = {}
    values = _parse(kind, data, trajectory, errors)
    extra = {}
    if kind == "reflection":
        model = reflection.model_by_id(model_id)
        if model is None:
            add_error(errors, "model", _("Choose a reflection model."))
        else:
            try:
                extra = {"model": model["id"],
                         "contributions": reflection.first_contributions(actor, model, contributions)}
            except ValidationError as exc:
                errors.update(exc.errors)
    elif contributions:
        add_error(errors, "contributions", _("Only reflections take contributions."))
    if publish and not errors:
        errors.update(publish_problems({"kind": kind, "fields": fields_of(values)}))
    _check_template(spec, kind, data, values, errors)
    if errors:
        raise ValidationError(errors)
    doc = entry_document(actor, trajectory, kind, values, publish=publish,
                         co_author_ids=co_author_ids, fields_extra=extra)
    staged = attachments.stage(list(uploads), trajectory)
    try:
        doc["template"] = template_ref(spec)
        entry = get_store().entries.create(doc, actor_id=actor["id"])
    except BaseException:
        attachments.discard(staged)
        raise
    attachments.record(staged, actor=actor, owner_type="entry", owner_id=entry["id"],
                       trajectory=trajectory)
    saved(actor, entry, trajectory, created=True, detail=detail_of(via))
    return entry


# -- changing an entry ---------------------------------------------------------------

def changed_keys(before: dict, after: dict) -> list[str]:
    """Return the value keys whose value differs between two value mappings."""
    return [k for k in after if before.get(k) != after.get(k)]


def edit_entry(actor: dict, entry_id: str, data, *, expected_rev: int,
               trajectory_id: str | None = None, merge: bool = True, via: str = "") -> dict:
    """Save ``actor``'s edit of an entry they started at revision ``expected_rev``.

    Three-way merge: only the values the actor changed (compared with the
    revision they started from) are written. When someone else saved in
    between and changed *other* fields, both changes are kept. When they
    changed the same field, nothing is written and :class:`EditConflict` is
    raised, so nobody's text is lost.

    :param data: the complete form data (see :func:`create_entry`).
    :param trajectory_id: the trajectory the entry was reached through.
    :param merge: ``False`` refuses any save in between (:class:`StaleRevision`), as the API does.
    :return: the stored entry (unchanged when the actor changed nothing).
    :raise NotFound, Forbidden: ``actor`` may not see or change the entry.
    :raise ValidationError: with messages per form field.
    :raise EditConflict: someone else changed the same fields.
    """
    trajectory, entry = load_entry(actor, entry_id, access.WRITE, trajectory_id=trajectory_id)
    if not merge and entry["rev"] != expected_rev:
        raise StaleRevision(entry)
    errors: dict[str, list[str]] = {}
    values = _parse(entry["kind"], data, trajectory, errors)
    _check_template(template_of(entry), entry["kind"], data, values, errors)
    if errors:
        raise ValidationError(errors)
    stored, written = _merge(actor, entry_id, values, int(expected_rev), merge=merge)
    if written:
        saved(actor, stored, trajectory, created=False, detail=detail_of(via))
    return stored


def _merge(actor: dict, entry_id: str, values: dict, expected_rev: int, *,
           merge: bool) -> tuple[dict, bool]:
    """Write the values ``actor`` changed since ``expected_rev`` (see :func:`edit_entry`).

    :return: the stored entry, and whether anything was written.
    """
    store = get_store()
    for _attempt in range(MERGE_ATTEMPTS):
        current = store.entries.require(entry_id)
        if not merge and current["rev"] != expected_rev:
            raise StaleRevision(current)
        base = version_at(entry_id, expected_rev, current)
        if base is None:
            raise EditConflict(current, sorted(values), dict(values))
        base_values = values_of(base)
        mine = {k: v for k, v in values.items() if k in changed_keys(base_values, values)}
        now = values_of(current)
        theirs = changed_keys(base_values, now)
        clashes = [k for k in mine if k in theirs and now.get(k) != mine[k]]
        if clashes:
            merged = dict(now)
            merged.update(mine)
            raise EditConflict(current, clashes, merged)
        if not mine:
            return current, False
        try:
            return store.entries.update(
                entry_id, lambda doc: _apply(doc, mine, actor["id"]),
                expected_rev=current["rev"], actor_id=actor["id"],
            ), True
        except StaleRevision:
            if not merge:
                raise
            continue  # someone saved while we merged: look again
    current = store.entries.require(entry_id)
    raise EditConflict(current, sorted(values), dict(values))


def publish_entry(actor: dict, entry_id: str, *, trajectory_id: str | None = None,
                  via: str = "") -> dict:
    """Publish a draft to the team; publishing twice changes nothing.

    :raise NotFound, Forbidden: ``actor`` may not see or change the entry.
    :raise ValidationError: the entry is not complete enough to publish.
    """
    trajectory, entry = load_entry(actor, entry_id, access.WRITE, trajectory_id=trajectory_id)
    if entry.get("status") == "published":
        return entry
    problems = publish_problems(entry)
    if problems:
        raise ValidationError(problems)

    def publish(doc):
        doc["status"] = "published"
        if actor["id"] not in doc["authors"]:
            doc["authors"].append(actor["id"])

    published = get_store().entries.update(entry_id, publish, actor_id=actor["id"])
    saved(actor, published, trajectory, created=False, detail=detail_of(via, "publish"))
    return published


def upgrade_template(actor: dict, entry_id: str, *, expected_rev: int,
                     trajectory_id: str | None = None, via: str = "") -> dict:
    """Move an entry's template answers to the newest template version, on request only.

    Possible only when the plugin converts the answers; the old version stays
    in the revision history.

    :raise NotFound, Forbidden: ``actor`` may not see or change the entry.
    :raise ValidationError: no newer version this entry can move to (key ``template``).
    :raise StaleRevision: the entry changed since ``expected_rev``; nothing is changed.
    """
    from ..plugins.entry_templates.registry import UpgradeNotAvailable

    trajectory, entry = load_entry(actor, entry_id, access.WRITE, trajectory_id=trajectory_id)
    offer = upgrade_offer(entry)
    try:
        if offer is None:
            raise UpgradeNotAvailable("no upgrade offered")
        changes = upgraded_data(entry, offer["to_version"])
    except UpgradeNotAvailable:
        raise ValidationError({"template": [
            _("This entry cannot be moved to a newer template version.")]}) from None
    upgraded = get_store().entries.update(entry_id, changes, expected_rev=expected_rev,
                                          actor_id=actor["id"])
    saved(actor, upgraded, trajectory, created=False, detail=detail_of(via, "upgrade"))
    return upgraded
