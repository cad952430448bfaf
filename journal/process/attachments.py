"""Attachments: photos, scans and PDF files on entries, agreements, the handover sheet
and practice examples.

What an ondersteuner works with is often visual (a photo of a pictogram day
schedule, a step-by-step card). Every upload is checked and re-encoded first
(:mod:`journal.process.uploads`); PDF files are only ever served as downloads.

The files are written durably (:mod:`journal.storage.files`) before the
record that refers to them is saved. An attachment record belongs to one
*owner*: ``entry`` (entry id), ``adaptation`` (register row key), ``handover``
(trajectory id) or ``practice`` (practice example id). Who may see a file is
decided by :func:`may_see`, the same decision as for its owner; :func:`add`,
:func:`load` and :func:`delete` take the acting user first and audit.
"""

from __future__ import annotations

import errno

from flask import current_app
from flask_babel import gettext as _

from ..errors import Forbidden
from ..errors import NotFound
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.files import referenced
from ..storage.files import sha256
from .adaptation_rows import find_row
from .entry_access import may_see as may_see_entry
from .trajectories import load_trajectory
from .uploads import Prepared
from .uploads import file_store
from .uploads import prepare
from .uploads import refuse
OWNER_TYPES = ("entry", "adaptation", "handover", "practice")
#: Who may see and add the pictures of practice examples (no trajectory: the shared library).
PRACTICE_ROLES = ("teacher", "support", "coordinator")

MIME = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def write(prepared: list[Prepared]) -> None:
    """Write the files durably; on a full disk remove what was written and refuse."""
    files = file_store()
    written: list[str] = []
    try:
        for item in prepared:
            item.stored = {"file": {"name": files.put(item.data), "sha256": sha256(item.data),
                                    "size": len(item.data)}}
            written.append(item.stored["file"]["name"])
            if item.thumb is not None:
                item.stored["thumb"] = {"name": files.put(item.thumb),
                                        "sha256": sha256(item.thumb), "size": len(item.thumb)}
                written.append(item.stored["thumb"]["name"])
    except OSError as error:
        files.delete(written)
        current_app.logger.error("attachment write failed: %s", error.strerror)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            refuse(_("The server's disk is full, so the file could not be saved. "
                      "Your text is kept; try again later or without the file."))
        refuse(_("The file could not be saved on the server. Your text is kept; try again."))


def record(prepared: list[Prepared], *, actor: dict, owner_type: str, owner_id: str,
           trajectory: dict | None) -> list[dict]:
    """Save the records of written files (the last step: the files are on disk already)."""
    if owner_type not in OWNER_TYPES:
        raise ValueError(owner_type)
    store = get_store()
    docs = []
    with store.transaction():
        for item in prepared:
            docs.append(store.attachments.create({
                "owner_type": owner_type, "owner_id": owner_id,
                "trajectory_id": (trajectory or {}).get("id"),
                "pupil_id": (trajectory or {}).get("pupil_id"),
                "kind": item.kind, "format": item.fmt, "name": item.name,
                "caption": item.caption, "width": item.width, "height": item.height,
                "file": item.stored["file"], "thumb": item.stored.get("thumb"),
                "created_by": actor["id"],
            }, actor_id=actor["id"]))
    for doc in docs:
        _audit("create", doc, actor)
    return docs


def stage(uploads: list[tuple[str, bytes, str]], trajectory: dict | None = None) -> list[Prepared]:
    """Check and durably write uploads that go with a form saved next (an entry, an agreement).

    Call :func:`record` once the owner exists, or :func:`discard` if it was not saved.
    """
    if not uploads:
        return []
    if trajectory is not None and trajectory.get("phase") == "closed":
        refuse(_("This trajectory is closed. Reopen it to add files."))
    prepared = prepare(uploads)
    write(prepared)
    return prepared


def discard(prepared: list[Prepared]) -> None:
    """Remove the written files of uploads whose owner was not saved after all."""
    file_store().delete([info["name"] for item in prepared for info in item.stored.values()])


def owner_exists(actor: dict | None, trajectory: dict, owner_type: str, owner_id: str) -> bool:
    """Return whether ``owner_id`` names an owner in ``trajectory`` that ``actor`` may see:
    an entry of it, a row of its adaptations register, or its handover sheet."""
    if owner_type == "entry":
        entry = get_store().entries.get(owner_id)
        return entry is not None and entry.get("trajectory_id") == trajectory["id"] and \
            may_see_entry(actor, entry)
    if owner_type == "adaptation":
        return find_row(trajectory, owner_id) is not None
    return owner_type == "handover" and owner_id == trajectory["id"]


def add(actor: dict, trajectory_id: str | None, owner_type: str, owner_id: str,
        uploads: list[tuple[str, bytes, str]]) -> list[dict]:
    """Check, write and record uploads for one owner.

    :param trajectory_id: the owner's trajectory, which ``actor`` must be able to
        write in; ``None`` for a practice example (any member of staff).
    :raise NotFound: no such trajectory or owner (or one ``actor`` may not see).
    :raise Forbidden: ``actor`` may not write in the trajectory (audited).
    :raise ValidationError: a file is refused (``attachments``: why, per file).
    """
    if owner_type == "practice":
        access.check_role(actor, *PRACTICE_ROLES)
        trajectory = None
    else:
        trajectory = load_trajectory(actor, trajectory_id or "", access.WRITE)
        if not owner_exists(actor, trajectory, owner_type, owner_id):
            raise NotFound(owner_type)
    if trajectory is not None and trajectory.get("phase") == "closed":
        refuse(_("This trajectory is closed. Reopen it to add files."))
    prepared = prepare(uploads)
    write(prepared)
    return record(prepared, actor=actor, owner_type=owner_type, owner_id=owner_id,
                  trajectory=trajectory)


# -- reading -------------------------------------------------------------------------------

def of_owner(owner_type: str, owner_id: str) -> list[dict]:
    """Return the attachments of one owner, oldest first."""
    docs = get_store().attachments.find(owner_type=owner_type, owner_id=owner_id)
    return sorted(docs, key=lambda d: (d["created_at"], d["id"]))


def of_owners(owner_type: str, owner_ids) -> dict[str, list[dict]]:
    """Return ``{owner id: attachments}`` for many owners at once."""
    out: dict[str, list[dict]] = {}
    for doc in get_store().attachments.find_in("owner_id", list(owner_ids)):
        if doc["owner_type"] == owner_type:
            out.setdefault(doc["owner_id"], []).append(doc)
    for docs in out.values():
        docs.sort(key=lambda d: (d["created_at"], d["id"]))
    return out


def may_see(user: dict | None, doc: dict | None, trajectory: dict | None) -> bool:
    """Return whether ``user`` may see the attachment ``doc`` (its owner's decision)."""
    if doc is None:
        return False
    if doc["owner_type"] == "practice":
        return doc.get("trajectory_id") is None and access.has_role(
            user, "teacher", "support", "coordinator") and bool(user.get("active"))
    if trajectory is None or doc.get("trajectory_id") != trajectory["id"]:
        return False
    if not access.can(user, access.READ, trajectory):
        return False
    entry_id = None
    if doc["owner_type"] == "entry":
        entry_id = doc["owner_id"]
    elif doc["owner_type"] == "adaptation" and doc["owner_id"].startswith("entry."):
        entry_id = doc["owner_id"].split(".")[1]
    if entry_id is not None:
        entry = get_store().entries.get(entry_id)
        return entry is not None and entry.get("trajectory_id") == trajectory["id"] and \
            may_see_entry(user, entry)
    return True


def load(actor: dict, trajectory_id: str | None, attachment_id: str) -> tuple[dict | None, dict]:
    """Return ``(trajectory, attachment)`` once ``actor`` may see the file.

    :param trajectory_id: the trajectory in the file's address; ``None`` for a
        picture of a practice example.
    :raise NotFound: no such file, or one ``actor`` may not see (audited).
    """
    trajectory = load_trajectory(actor, trajectory_id) if trajectory_id is not None else None
    doc = get_store().attachments.get(attachment_id)
    if doc is not None and trajectory is None and doc["owner_type"] != "practice":
        doc = None
    if not may_see(actor, doc, trajectory):
        access.deny(actor, "attachment", object_type="attachment", object_id=attachment_id,
                    pupil_id=(trajectory or {}).get("pupil_id") or "")
    return trajectory, doc


def may_change(user: dict | None, doc: dict, trajectory: dict | None) -> bool:
    """Return whether ``user`` may remove the attachment (who added it, or a manager)."""
    if not may_see(user, doc, trajectory):
        return False
    if doc["owner_type"] == "practice":
        return doc.get("created_by") == user["id"] or access.has_role(user, "coordinator")
    return access.can(user, access.WRITE, trajectory) and (
        doc.get("created_by") == user["id"] or access.can(user, access.MANAGE, trajectory))


def read(doc: dict, part: str = "file") -> bytes:
    """Return the bytes of the attachment (``file`` or ``thumb``)."""
    info = doc.get(part) or doc["file"]
    return file_store().read(info["name"])


def mimetype(doc: dict) -> str:
    """The type the file is served with."""
    return MIME.get(doc.get("format"), "application/octet-stream")


def open_file(actor: dict, doc: dict, part: str = "file", *, download: bool = False) -> bytes:
    """Return the bytes of the file ``actor`` may see (see :func:`load`) and record that
    they looked at it (``part``: ``file`` or ``thumb``) or downloaded it.

    :raise FileNotFoundError: the file is gone from the disk.
    """
    data = read(doc, part)
    _audit("view", doc, actor, detail=f"attachment:{'download' if download else part}")
    return data


# -- removing ------------------------------------------------------------------------------

def delete(actor: dict, trajectory_id: str, attachment_id: str) -> dict:
    """Remove one attachment: the record first, then its files.

    Whoever added it may remove it, and whoever manages the trajectory.

    :return: the removed record.
    :raise NotFound: no such file, or one ``actor`` may not see (audited).
    :raise Forbidden: ``actor`` may see the file but not remove it (audited).
    """
    trajectory, doc = load(actor, trajectory_id, attachment_id)
    if not may_change(actor, doc, trajectory):
        access.check(actor, access.MANAGE, trajectory)
        raise Forbidden("attachment")
    get_store().attachments.delete(doc["id"])
    remove_files([doc])
    _audit("delete", doc, actor)
    return doc


def delete_for_owner(owner_type: str, owner_id: str, *, actor: dict | None = None) -> int:
    """Remove every attachment of one owner (the owner itself is being removed)."""
    docs = of_owner(owner_type, owner_id)
    store = get_store()
    with store.transaction():
        for doc in docs:
            store.attachments.delete(doc["id"])
    remove_files(docs)
    for doc in docs:
        _audit("delete", doc, actor or {"id": ""})
    return len(docs)


def remove_files(docs) -> int:
    """Delete the files of attachment records that are gone (erasure, retention)."""
    return file_store().delete(referenced(docs))


def _audit(action: str, doc: dict, actor: dict, detail: str = "") -> None:
    audit(action, object_type="attachment", object_id=doc["id"],
          pupil_id=doc.get("pupil_id") or "", user_id=actor.get("id") or None,
          detail=detail or f"{doc['owner_type']}:{doc['kind']}")
