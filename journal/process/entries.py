"""Journal entries: observations, reflections, agreements and one-to-one moments.

An entry belongs to one trajectory. It starts as a draft that only its
authors see and is published to the team. Every change is kept by the
repository (``Store.entries`` keeps history), and an edit names the revision
it started from: :func:`edit_entry` merges edits that touched different
fields and raises :class:`EditConflict` when two people changed the same one,
so a later save never silently overwrites an earlier one.

Documents are built from explicit fields only; a form can never set the
author, trajectory, pupil or creation date.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass

from flask import abort
from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..security import access
from ..security.audit import audit
from ..storage import StaleRevision
from ..storage import get_store
from . import ValidationError
from . import add_error
from . import parse_iso_date
from . import render_field

#: Entry kinds, in the order the interface offers them.
KINDS = ("observation", "reflection", "agreement", "one_to_one")

#: Kind key -> label.
KIND_LABELS = {
    "observation": _l("Observation"),
    "reflection": _l("Reflection"),
    "agreement": _l("Agreement"),
    "one_to_one": _l("One-to-one moment"),
}

#: Entry status -> label.
STATUS_LABELS = {"draft": _l("draft"), "published": _l("published")}

#: Longest plain-text field (class, lesson, moment, who applies an agreement).
MAX_LINE = 200
#: Tags per entry, and characters per tag.
MAX_TAGS = 20
MAX_TAG_CHARS = 40
#: How often an edit is retried when unrelated saves keep landing in between.
MERGE_ATTEMPTS = 5


@dataclass(frozen=True)
class FieldDef:
    """One kind-specific field of an entry (stored under ``fields[key]``)."""

    key: str
    type: str  # "text" (one line), "markdown" or "date"
    label: object
    required: bool = False
    help: object = ""


#: The editable kind-specific fields. A reflection's contributions and model
#: are handled by :mod:`journal.process.reflection`.
FIELD_DEFS: dict[str, tuple[FieldDef, ...]] = {
    "observation": (
        FieldDef("class_group", "text", _l("Class group")),
        FieldDef("lesson", "text", _l("Lesson or subject")),
        FieldDef("moment", "text", _l("Moment"), help=_l("For example: Monday, third period, group work.")),
        FieldDef("seen", "markdown", _l("What was seen"), required=True,
                 help=_l("Describe what happened, not how you judge it.")),
        FieldDef("quick_wins", "markdown", _l("Quick wins"),
                 help=_l("Small changes in the teaching that could help right away.")),
    ),
    "reflection": (
        FieldDef("conclusions", "markdown", _l("Shared conclusions")),
        FieldDef("next_steps", "markdown", _l("Next steps")),
    ),
    "agreement": (
        FieldDef("what", "markdown", _l("What we agree"), required=True,
                 help=_l("The adaptation or measure, concrete enough to apply tomorrow.")),
        FieldDef("applied_by", "text", _l("Who applies it"), required=True,
                 help=_l("For example: all teachers of 3B, or the Dutch teacher.")),
        FieldDef("from_date", "date", _l("Applies from"), required=True),
        FieldDef("review_date", "date", _l("Until the review on"), required=True),
    ),
    "one_to_one": (
        FieldDef("what", "markdown", _l("What happens one-to-one"), required=True),
        FieldDef("serves_learning_question", "markdown",
                 _l("How it serves the teacher's learning question"), required=True),
        FieldDef("lowers_barriers", "markdown",
                 _l("How it lowers barriers in the long term"), required=True),
        FieldDef("return_to_class", "date", _l("Planned return to the class"), required=True),
    ),
}

#: Fields every kind shares that a user can edit.
COMMON_KEYS = ("date", "tags", "goal_ids", "internal", "breach_of_rules")

#: Labels of the shared fields (history and conflict pages).
COMMON_LABELS = {
    "date": _l("Date"),
    "tags": _l("Tags"),
    "goal_ids": _l("Linked goals"),
    "internal": _l("Internal note"),
    "breach_of_rules": _l("About a breach of school rules"),
    "answers": _l("Template answers"),
    "status": _l("Status"),
    "contributions": _l("Contributions"),
    "authors": _l("Authors"),
}


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


# -- reading ---------------------------------------------------------------

def field_defs(kind: str) -> tuple[FieldDef, ...]:
    """Return the editable kind-specific fields of ``kind``."""
    return FIELD_DEFS[kind]


def label_for(key: str) -> str:
    """Return the label of a value key (``date``, ``fields.seen``, …)."""
    if key.startswith("fields."):
        name = key.split(".", 1)[1]
        for defs in FIELD_DEFS.values():
            for fd in defs:
                if fd.key == name:
                    return str(fd.label)
        return name
    return str(COMMON_LABELS.get(key, key))


def may_see(user: dict | None, entry: dict) -> bool:
    """Return whether ``user`` may see ``entry`` once they may read its trajectory.

    Drafts are visible to their authors only, whatever the user's role.
    """
    if entry.get("status") == "published":
        return True
    return bool(user) and user["id"] in entry.get("authors", ())


def require_visible(trajectory: dict, entry: dict | None, action: str = access.READ) -> dict:
    """Return ``entry`` if the current user may see it and do ``action`` to it, else abort.

    ``trajectory`` is one the user may read. 404 when the entry is missing, belongs
    to another trajectory or is someone else's draft (audited); 403 when the user
    may read it but not do ``action``.
    """
    if entry is None or entry.get("trajectory_id") != trajectory["id"]:
        abort(404)
    if not may_see(g.user, entry):
        audit("denied", object_type="entry", object_id=entry["id"],
              pupil_id=entry.get("pupil_id") or "", outcome="404", detail="draft")
        abort(404)
    if action != access.READ:
        access.require(action, trajectory)
    return entry


def visible_entries(user: dict, trajectory: dict, *, kind: str | None = None,
                    author_id: str | None = None, tag: str | None = None,
                    goal_id: str | None = None) -> list[dict]:
    """Return the entries of ``trajectory`` that ``user`` may see, newest first by date.

    Published entries plus the user's own drafts; the caller has already
    checked that the user may read the trajectory. The filters are optional.
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
    from ..security.access import WRITE
    from ..security.access import can

    store = get_store()
    drafts = store.entries.filter(
        lambda e: e.get("status") == "draft" and user["id"] in e.get("authors", ())
    )
    trajectories = {t["id"]: t for t in store.trajectories.find_in("id", [d["trajectory_id"] for d in drafts])}
    mine = [d for d in drafts if d["trajectory_id"] in trajectories
            and can(user, WRITE, trajectories[d["trajectory_id"]])]
    return sorted(mine, key=lambda e: e.get("updated_at") or "", reverse=True)


# -- parsing a submitted form ------------------------------------------------

def normalise_tag(tag: str) -> str:
    """Return a tag lower-cased, trimmed and with inner whitespace collapsed."""
    return re.sub(r"\s+", " ", tag).strip().lower()


def parse_tags(text: str, errors: dict[str, list[str]] | None = None) -> list[str]:
    """Split comma-separated ``text`` into normalised, unique tags (input order)."""
    tags = []
    for part in (text or "").split(","):
        tag = normalise_tag(part)
        if tag and tag not in tags:
            tags.append(tag)
    if errors is not None:
        if len(tags) > MAX_TAGS:
            add_error(errors, "tags", _("Use at most %(n)d tags.", n=MAX_TAGS))
        if any(len(t) > MAX_TAG_CHARS for t in tags):
            add_error(errors, "tags", _("A tag can be at most %(n)d characters long.", n=MAX_TAG_CHARS))
    return tags


def parse_values(kind: str, form, *, goal_ids: set[str]) -> dict:
    """Turn a submitted form into entry values, or raise :class:`ValidationError`.

    ``form`` is a mapping with ``get``/``getlist`` (a request form or a
    MultiDict). Only known fields are read. Returns a flat mapping of value
    keys (see :func:`values_of`) to values, without rendered HTML.

    :param goal_ids: the ids of the trajectory's goals; others are refused.
    """
    if kind not in KINDS:
        raise ValidationError({"kind": [_("Choose a kind of entry.")]})
    errors: dict[str, list[str]] = {}
    values: dict = {}
    values["date"] = parse_iso_date(form.get("date"), "date", errors, required=True)
    values["tags"] = parse_tags(form.get("tags", ""), errors)
    chosen = [g for g in _getlist(form, "goal_ids") if g]
    if any(g not in goal_ids for g in chosen):
        add_error(errors, "goal_ids", _("Choose goals of this trajectory."))
    values["goal_ids"] = list(dict.fromkeys(g for g in chosen if g in goal_ids))
    values["internal"] = bool(form.get("internal"))
    values["breach_of_rules"] = bool(form.get("breach_of_rules"))
    for fd in FIELD_DEFS[kind]:
        raw = form.get(fd.key, "") or ""
        if fd.type == "date":
            value = parse_iso_date(raw, fd.key, errors, required=fd.required)
        else:
            value = raw.strip() if fd.type == "text" else raw.replace("\r\n", "\n").strip("\n")
            if fd.required and not value.strip():
                add_error(errors, fd.key, _("Fill in this field."))
            if fd.type == "text" and len(value) > MAX_LINE:
                add_error(errors, fd.key, _("Keep this under %(n)d characters.", n=MAX_LINE))
        values["fields." + fd.key] = value
    _check_dates(kind, values, errors)
    if errors:
        raise ValidationError(errors)
    return values


def _check_dates(kind: str, values: dict, errors: dict[str, list[str]]) -> None:
    if kind == "agreement":
        start, review = values.get("fields.from_date"), values.get("fields.review_date")
        if start and review and review < start:
            add_error(errors, "review_date", _("The review comes after the start."))
    if kind == "one_to_one":
        back, day = values.get("fields.return_to_class"), values.get("date")
        if back and day and back < day:
            add_error(errors, "return_to_class",
                      _("The return to the class cannot lie before the one-to-one moment."))


def _getlist(form, name: str) -> list[str]:
    if hasattr(form, "getlist"):
        return form.getlist(name)
    value = form.get(name) or []
    return [value] if isinstance(value, str) else list(value)


def values_of(entry: dict) -> dict:
    """Return the editable values of ``entry`` as a flat mapping of value keys."""
    values = {key: copy.deepcopy(entry.get(key)) for key in COMMON_KEYS}
    for fd in FIELD_DEFS[entry["kind"]]:
        values["fields." + fd.key] = entry.get("fields", {}).get(fd.key) or ("" if fd.type != "date" else None)
    if entry.get("template"):
        values["answers"] = copy.deepcopy(entry.get("answers") or {})
    return values


def form_of(kind: str, values: dict) -> dict:
    """Return form data (the names the entry form uses) showing ``values``."""
    form = {
        "date": values.get("date") or "",
        "tags": ", ".join(values.get("tags") or ()),
        "goal_ids": list(values.get("goal_ids") or ()),
        "internal": bool(values.get("internal")),
        "breach_of_rules": bool(values.get("breach_of_rules")),
    }
    for fd in FIELD_DEFS[kind]:
        form[fd.key] = values.get("fields." + fd.key) or ""
    return form


# -- writing -----------------------------------------------------------------

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


def ensure_open(trajectory: dict) -> None:
    """Refuse new entries in a closed trajectory (reopening it is one click for its team).

    :raise ValidationError: under the key ``trajectory``.
    """
    if trajectory.get("phase") == "closed":
        raise ValidationError({"trajectory": [str(_l(
            "This trajectory is closed. Reopen it to write in it again."))]})


def create_entry(user: dict, trajectory: dict, kind: str, values: dict, *, publish: bool = False,
                 co_author_ids: list[str] = (), fields_extra: dict | None = None,
                 template: dict | None = None, answers: dict | None = None) -> dict:
    """Store a new entry written by ``user`` in ``trajectory`` and return it.

    :param values: from :func:`parse_values`.
    :param co_author_ids: team members who write it together with ``user``
        (anyone else is ignored).
    :param fields_extra: kind-specific data not edited through ``values``
        (a reflection's ``model`` and first ``contributions``).
    :param template: the template reference (``{id, version, plugin, spec_hash}``) or None.
    """
    ensure_open(trajectory)
    members = {m["user_id"] for m in trajectory.get("members", ())}
    authors = [user["id"]] + [uid for uid in dict.fromkeys(co_author_ids)
                              if uid in members and uid != user["id"]]
    doc = {
        "trajectory_id": trajectory["id"],
        "pupil_id": trajectory.get("pupil_id"),
        "kind": kind,
        "status": "published" if publish else "draft",
        "date": None,
        "authors": authors,
        "created_by": user["id"],
        "tags": [],
        "goal_ids": [],
        "fields": copy.deepcopy(fields_extra or {}),
        "html": {},
        "template": copy.deepcopy(template),
        "answers": copy.deepcopy(answers) if template else {},
        "internal": False,
        "breach_of_rules": False,
    }
    _apply(doc, values, user["id"])
    return get_store().entries.create(doc, actor_id=user["id"])


def changed_keys(before: dict, after: dict) -> list[str]:
    """Return the value keys whose value differs between two value mappings."""
    return [k for k in after if before.get(k) != after.get(k)]


def version_at(entry_id: str, rev: int, current: dict) -> dict | None:
    """Return the stored document of ``entry_id`` as it was at revision ``rev``."""
    if current["rev"] == rev:
        return current
    for record in get_store().entries.history(entry_id):
        if record["rev"] == rev:
            return copy.deepcopy(record["document"])
    return None


def edit_entry(user: dict, entry_id: str, values: dict, *, expected_rev: int) -> dict:
    """Save ``user``'s edit of an entry they started at revision ``expected_rev``.

    Three-way merge: only the values the user changed (compared with the
    revision they started from) are written. When someone else saved in
    between and changed *other* fields, both changes are kept. When they
    changed the same field, nothing is written and :class:`EditConflict` is
    raised, so nobody's text is lost.

    :return: the stored entry (unchanged when the user changed nothing).
    :raise EditConflict: someone else changed the same fields.
    :raise ValidationError: a text cannot be rendered.
    """
    store = get_store()
    for _attempt in range(MERGE_ATTEMPTS):
        current = store.entries.require(entry_id)
        base = version_at(entry_id, int(expected_rev), current)
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
            return current
        try:
            return store.entries.update(
                entry_id, lambda doc: _apply(doc, mine, user["id"]),
                expected_rev=current["rev"], actor_id=user["id"],
            )
        except StaleRevision:
            continue  # someone saved while we merged: look again
    current = store.entries.require(entry_id)
    raise EditConflict(current, sorted(values), dict(values))


def publish_problems(entry: dict) -> dict[str, list[str]]:
    """Return what must be filled in before ``entry`` can be published (empty when ready)."""
    errors: dict[str, list[str]] = {}
    if entry["kind"] == "reflection":
        for key in ("conclusions", "next_steps"):
            if not (entry.get("fields", {}).get(key) or "").strip():
                add_error(errors, key, _("A reflection ends in shared conclusions and next steps."))
    return errors


def publish_entry(user: dict, entry_id: str) -> dict:
    """Publish a draft to the team; publishing twice changes nothing.

    :raise ValidationError: the entry is not complete enough to publish.
    """
    store = get_store()
    entry = store.entries.require(entry_id)
    if entry.get("status") == "published":
        return entry
    problems = publish_problems(entry)
    if problems:
        raise ValidationError(problems)

    def publish(doc):
        doc["status"] = "published"
        if user["id"] not in doc["authors"]:
            doc["authors"].append(user["id"])

    return store.entries.update(entry_id, publish, actor_id=user["id"])


# -- history and differences -------------------------------------------------

def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return a line diff as ``(op, line)`` pairs, op being ``" "``, ``"-"`` or ``"+"``."""
    a = (old or "").splitlines()
    b = (new or "").splitlines()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend((" ", line) for line in a[i1:i2])
        else:
            out.extend(("-", line) for line in a[i1:i2])
            out.extend(("+", line) for line in b[j1:j2])
    return out


def as_text(value) -> str:
    """Return a value as text for side-by-side display and diffs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return str(value)


def differences(old: dict, new: dict) -> list[dict]:
    """Describe what changed from document ``old`` to ``new``.

    Returns ``[{key, label, old, new, diff}]`` for the editable values, the
    status, the authors and (for reflections) added contributions.
    """
    out = []
    before, after = values_of(old), values_of(new)
    before["status"] = str(STATUS_LABELS.get(old.get("status"), old.get("status")))
    after["status"] = str(STATUS_LABELS.get(new.get("status"), new.get("status")))
    for key in list(after):
        if before.get(key) != after.get(key):
            a, b = as_text(before.get(key)), as_text(after.get(key))
            out.append({"key": key, "label": label_for(key), "old": a, "new": b, "diff": line_diff(a, b)})
    old_c = {c["id"] for c in old.get("fields", {}).get("contributions", ())}
    added = [c for c in new.get("fields", {}).get("contributions", ()) if c["id"] not in old_c]
    if added:
        out.append({"key": "contributions", "label": label_for("contributions"), "old": "",
                    "new": "\n\n".join(c["text"] for c in added), "added": added,
                    "diff": [("+", line) for c in added for line in c["text"].splitlines()]})
    return out


def history(entry: dict) -> list[dict]:
    """Return the changes of ``entry``, newest first.

    Each item: ``{rev, at, by, old (the document before), changes}``, where
    ``by`` is the id of the user who made the change and ``changes`` comes
    from :func:`differences`.
    """
    records = get_store().entries.history(entry["id"])
    versions = [r["document"] for r in records] + [entry]
    out = []
    for record, newer in zip(records, versions[1:]):
        out.append({
            "rev": newer["rev"],
            "at": record["replaced_at"],
            "by": record["replaced_by"],
            "old": record["document"],
            "changes": differences(record["document"], newer),
        })
    return list(reversed(out))


# -- plugin templates and hooks ------------------------------------------------

def _host():
    from ..plugins.host import get_plugins

    return get_plugins()


def offered_templates(kind: str | None = None) -> list:
    """Return the templates active plugins offer for new entries (of ``kind``)."""
    host = _host()
    return list(host.templates(kind=kind)) if hasattr(host, "templates") else []


def template_for_new(kind: str, template_id: str | None):
    """Return the latest spec of ``template_id`` for a new entry of ``kind``, or ``None``.

    An unknown template, one of a disabled plugin, or one for another kind gives ``None``.
    """
    host = _host()
    if not template_id or not hasattr(host, "template"):
        return None
    spec = host.template(template_id)
    return spec if spec is not None and spec.kind == kind else None


def template_of(entry: dict):
    """Return the spec an existing entry's answers render with, or ``None`` (free entry)."""
    host = _host()
    if not entry.get("template") or not hasattr(host, "spec_for_entry"):
        return None
    found = host.spec_for_entry(entry)
    return found.spec if found is not None else None


def template_ref(spec) -> dict | None:
    """Store the spec's snapshot once and return the reference an entry keeps."""
    return _host().snapshot_for_entry(spec) if spec is not None else None


def template_problems(spec, entry: dict) -> list[str]:
    """Return the problems plugins find with an entry filled from ``spec``."""
    host = _host()
    if spec is None or not hasattr(host, "validate_entry"):
        return []
    return [str(p) for p in host.validate_entry(entry, spec) or ()]


def notify_saved(entry: dict, trajectory: dict, *, created: bool) -> None:
    """Tell the active plugins an entry was saved (their failures never undo the save)."""
    host = _host()
    if hasattr(host, "entry_saved"):
        host.entry_saved(entry, trajectory, created)
    else:
        host.call_all("journal_entry_saved", entry=entry, trajectory=trajectory, created=created)


def tag_suggestions() -> list[str]:
    """Return the tags the active plugins' vocabularies suggest, normalised and unique."""
    host = _host()
    if not hasattr(host, "tag_vocabularies"):
        return []
    tags: list[str] = []
    for vocabulary in host.tag_vocabularies():
        for tag in vocabulary.get("tags", ()):
            tag = normalise_tag(str(tag))
            if tag and tag not in tags:
                tags.append(tag)
    return tags
