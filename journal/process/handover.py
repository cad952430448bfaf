"""The "wat werkt" handover sheet: one page that lets the teacher carry on without support.

One sheet per trajectory (collection ``handovers``), with four Markdown parts:
the pupil's need in a paragraph, the adaptations that work and how to apply
them, what to do when it goes wrong, and whom to contact. It is drafted from
what was recorded (the educational need, the working rows of the adaptations
register, the team) and edited by the team with revision checks: a save based
on an old revision raises :class:`~journal.storage.StaleRevision` and changes
nothing.

Publishing copies the working version into ``published``; everyone who may
read the trajectory reads the published copy, while members who may write in
the trajectory keep editing the working version and publish again when it is
ready.
"""

from __future__ import annotations

import copy
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..security import access
from ..security.audit import audit
from ..storage import StaleRevision
from ..storage import get_store
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import render_field
from . import today
from .adaptation_rows import rows_for
from .trajectories import display_title
from .trajectories import load_trajectory
from .trajectories import record_view
from .trajectories import users_by_id

#: The parts of a sheet, in order: key, heading, help for the person writing it.
PARTS = (
    ("need", _l("What this pupil needs"),
     _l("The pupil's educational need in one paragraph, in everyday words.")),
    ("works", _l("What works, and how to apply it"),
     _l("The adaptations that work, each concrete enough to apply tomorrow.")),
    ("when_wrong", _l("When it goes wrong"),
     _l("Signals to watch for and what to do then, step by step.")),
    ("contacts", _l("Whom to contact"),
     _l("Who knows the pupil and can help, and how to reach them.")),
)
PART_KEYS = tuple(key for key, _label, _help in PARTS)
MAX_PART = 6000
#: Download formats: ``md`` (Markdown) and ``json``.
EXPORT_FORMATS = ("md", "json")

_ROLE_WORDS = {
    "teacher": _l("Teacher"),
    "support": _l("Learning-support specialist"),
    "coordinator": _l("Care coordinator"),
}


def sheet_of(trajectory: dict) -> dict | None:
    """Return the trajectory's sheet, or ``None`` when nobody started one."""
    found = get_store().handovers.find(trajectory_id=trajectory["id"])
    return found[0] if found else None


def is_published(sheet: dict | None) -> bool:
    """Return whether the sheet has a published version."""
    return bool(sheet and sheet.get("published"))


def reads_working_version(actor: dict | None, trajectory: dict) -> bool:
    """Return whether ``actor`` works on the sheet (sees the working version), not
    only reads the published one: whoever may write in the trajectory."""
    return access.can(actor, access.WRITE, trajectory)


def has_unpublished_changes(sheet: dict | None) -> bool:
    """Return whether the working version differs from the published one."""
    return bool(sheet and sheet.get("published")
                and sheet["published"].get("fields") != sheet.get("fields"))


# -- drafting ------------------------------------------------------------------

def draft(trajectory: dict) -> dict:
    """Return the four parts drafted from what was recorded (nothing is saved).

    Returns ``{part: text, "source_keys": [register row keys used]}``.
    Internal entries are left out: the sheet is read by everyone on the team.
    """
    need = (trajectory.get("educational_need") or "").strip()
    if not need and trajectory.get("target") != "pupil":
        need = (trajectory.get("learning_question") or "").strip()

    rows = [r for r in rows_for(trajectory) if not r["internal"]]
    working = [r for r in rows if r["summary"]["working"]]
    failing = [r for r in rows if r["summary"]["verdict"] == "does_not_work"]
    works_lines = [_bullet(r) for r in working]

    wrong_lines = []
    if failing:
        wrong_lines.append(_("Avoid (this did not work):"))
        wrong_lines.extend(f"- {r['text']}" for r in failing)

    people = users_by_id(m["user_id"] for m in trajectory.get("members", ()))
    contact_lines = []
    for member in trajectory.get("members", ()):
        person = people.get(member["user_id"])
        if person:
            contact_lines.append(f"- {person['display_name']} ({_ROLE_WORDS.get(member['role'], member['role'])})")
    return {
        "need": need,
        "works": "\n".join(works_lines),
        "when_wrong": "\n".join(wrong_lines),
        "contacts": "\n".join(contact_lines),
        "source_keys": [r["key"] for r in working],
    }


def _bullet(row: dict) -> str:
    line = f"- **{row['text']}**"
    if row.get("category_label"):
        line += f" ({row['category_label']})"
    how = []
    if row.get("applied_by"):
        how.append(_("Applied by: %(who)s.", who=row["applied_by"]))
    if row.get("note"):
        how.append(row["note"])
    for rating in row.get("ratings", ()):
        if rating.get("works") == "yes" and rating.get("note"):
            how.append(rating["note"])
    if how:
        line += "  \n  " + " ".join(how)
    return line


# -- changing ------------------------------------------------------------------

def clean(data: dict) -> tuple[dict, dict]:
    """Validate the four parts; return ``(fields, html)``.

    Empty parts are allowed in the working version; :func:`publish` asks for all.

    :raise ValidationError: with messages per part.
    """
    errors: dict[str, list[str]] = {}
    fields: dict = {}
    html: dict = {}
    for key in PART_KEYS:
        text = (data.get(key) or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_PART:
            add_error(errors, key, _("Use at most %(n)d characters.", n=MAX_PART))
        fields[key] = text
        render_field(html, key, text, errors)
    if errors:
        raise ValidationError(errors)
    return fields, html


def save(actor: dict, trajectory_id: str, data: dict, *, expected_rev: int | None) -> dict:
    """Save the working version of the sheet (creating the sheet the first time).

    :param expected_rev: the revision the user started from; 0 when there was
        no sheet yet.
    :raise NotFound: no such trajectory, or one ``actor`` may not read.
    :raise Forbidden: ``actor`` may not write in it.
    :raise ValidationError: with messages per part.
    :raise StaleRevision: someone saved the sheet after ``expected_rev``.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.WRITE)
    fields, html = clean(data)
    store = get_store()
    source_keys = [k for k in (data.get("source_keys") or ()) if isinstance(k, str)]
    with store.transaction():
        sheet = sheet_of(trajectory)
        if sheet is None:
            if expected_rev not in (None, 0):
                raise StaleRevision({"rev": 0, "fields": {}})
            sheet = store.handovers.create({
                "trajectory_id": trajectory["id"], "pupil_id": trajectory.get("pupil_id"),
                "fields": fields, "html": html, "source_keys": source_keys,
                "published": None, "created_by": actor["id"],
            }, actor_id=actor["id"])
            action = "create"
        else:
            changes = {"fields": fields, "html": html}
            if source_keys:
                changes["source_keys"] = source_keys
            sheet = store.handovers.update(sheet["id"], changes, expected_rev=expected_rev,
                                           actor_id=actor["id"])
            action = "update"
    _audit(action, sheet, trajectory, actor)
    return sheet


def publish_problems(sheet: dict | None) -> dict[str, list[str]]:
    """Return what must be filled in before the sheet can be published."""
    errors: dict[str, list[str]] = {}
    fields = (sheet or {}).get("fields") or {}
    for key, label, _help in PARTS:
        if not (fields.get(key) or "").strip():
            add_error(errors, key, _("Fill in “%(part)s” before publishing.", part=label))
    return errors


def publish(actor: dict, trajectory_id: str, *, expected_rev: int | None) -> dict:
    """Publish the working version: from now on everyone on the trajectory reads it.

    :raise NotFound: no such trajectory, or one ``actor`` may not read.
    :raise Forbidden: ``actor`` may not write in it.
    :raise ValidationError: a part is empty (or there is no sheet).
    :raise StaleRevision: someone saved the sheet after ``expected_rev``.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.WRITE)
    sheet = sheet_of(trajectory)
    problems = publish_problems(sheet)
    if problems:
        raise ValidationError(problems)

    def apply(doc: dict) -> None:
        doc["published"] = {"fields": copy.deepcopy(doc["fields"]),
                            "html": copy.deepcopy(doc["html"]), "at": utcnow(),
                            "on": today().isoformat(), "by": actor["id"], "rev": doc["rev"] + 1}

    updated = get_store().handovers.update(sheet["id"], apply, expected_rev=expected_rev,
                                           actor_id=actor["id"])
    _audit("update", updated, trajectory, actor, detail="publish")
    return updated


def version_for(sheet: dict | None, *, working: bool) -> dict | None:
    """Return ``{fields, html}`` of the working or the published version (``None`` if absent)."""
    if sheet is None:
        return None
    if working:
        return {"fields": sheet.get("fields") or {}, "html": sheet.get("html") or {}}
    return sheet.get("published")


# -- exporting -----------------------------------------------------------------

def to_markdown(title: str, version: dict, *, published_on: str | None = None) -> str:
    """Return the sheet as a Markdown document (what the download holds)."""
    lines = [f"# {_('What works')}: {title}", ""]
    if published_on:
        lines += [_("Published on %(date)s", date=published_on), ""]
    for key, label, _help in PARTS:
        lines += [f"## {label}", "", (version["fields"].get(key) or "—").strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def to_json(trajectory: dict, title: str, sheet: dict, version: dict) -> dict:
    """Return the sheet as plain data (the JSON download): the Markdown of each part."""
    published = sheet.get("published") or {}
    return {
        "kind": "handover",
        "trajectory_id": trajectory["id"],
        "title": title,
        "published_on": published.get("on"),
        "rev": sheet["rev"],
        "parts": [{"key": key, "heading": str(label), "markdown": version["fields"].get(key, "")}
                  for key, label, _help in PARTS],
    }


def export(actor: dict, trajectory_id: str, fmt: str) -> tuple[str, str, str] | None:
    """Return the sheet as ``actor`` may read it, as a download: ``(file name, body, mimetype)``.

    Members who work on the sheet get the working version, everyone else the
    published one. The download is audited.

    :param fmt: one of :data:`EXPORT_FORMATS`.
    :return: ``None`` when there is nothing to download (no such format, no sheet yet).
    :raise NotFound: no such trajectory, or one ``actor`` may not read.
    """
    trajectory = load_trajectory(actor, trajectory_id, access.READ)
    sheet = sheet_of(trajectory)
    working = reads_working_version(actor, trajectory)
    version = version_for(sheet, working=working)
    if fmt not in EXPORT_FORMATS or version is None:
        return None
    record_view(actor, trajectory, f"handover:{fmt}", action="export")
    title = display_title(trajectory)
    filename = f"handover-{trajectory['id']}.{fmt}"
    if fmt == "json":
        body = json.dumps(to_json(trajectory, title, sheet, version), ensure_ascii=False, indent=2)
        return filename, body, "application/json"
    published = (sheet.get("published") or {}) if not working else {}
    return filename, to_markdown(title, version, published_on=published.get("on")), "text/markdown"


def _audit(action: str, sheet: dict, trajectory: dict, actor: dict, detail: str = "") -> None:
    audit(action, object_type="handover", object_id=sheet["id"],
          pupil_id=trajectory.get("pupil_id") or "", user_id=actor["id"], detail=detail)
