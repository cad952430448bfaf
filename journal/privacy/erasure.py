"""Erasing a pupil, or some of their trajectories, with everything that refers to them.

Gone are: the pupil, their trajectories, goals, entries (with template
answers), comments, the restricted section, privacy requests, the plugins'
rows about them, and every kept earlier version of all of these. What stays
is one audit record without content (who erased which random id, when, how
many documents). Afterwards the storage is compacted so the text is gone from
the live files too; backups keep it until they expire (docs/privacy.md).
"""

from __future__ import annotations


from flask_babel import gettext as _

from ..errors import ValidationError
from ..security.audit import audit
from ..storage import get_store
from . import dossier


def _delete(documents: dict[str, list[dict]]) -> int:
    store = get_store()
    from tinydb import where

    gone = 0
    ids = {d["id"] for docs in documents.values() for d in docs}
    with store.transaction():
        for name, docs in documents.items():
            collection = getattr(store, name, None) if not name.startswith("plugin:") else None
            for doc in docs:
                if collection is not None:
                    collection.delete(doc["id"])
                else:
                    store.db.table(name).remove(where("id") == doc["id"])
                gone += 1
        # Earlier versions whose object is gone (kept by any collection, plugins included).
        store.db.table("revisions").remove(where("object_id").one_of(list(ids)))
    if documents.get("attachments"):
        from ..process.attachments import remove_files

        remove_files(documents["attachments"])  # the records are gone: now their files
    return gone


def _after_erasure() -> None:
    store = get_store()
    from ..search import get_index

    get_index().refresh(store)  # drop the erased words from this worker's search index now
    store.compact()  # the erased text leaves the live files now, not at some later compaction


def erase_pupil(pupil_id: str, *, actor_id: str | None = None, reason: str = "request") -> int:
    """Erase the pupil and everything about them; return how many documents went.

    :param reason: ``request`` (parents or school) or ``retention``; kept in the audit record.
    """
    documents = dossier.pupil_documents(pupil_id)
    gone = _delete(documents)
    audit("erase", object_type="pupil", object_id=pupil_id, pupil_id=pupil_id, user_id=actor_id,
          detail=f"{reason}:{gone}")
    _after_erasure()
    return gone


def erase_trajectories(pupil_id: str | None, trajectory_ids: set[str], *,
                       actor_id: str | None = None, reason: str = "retention") -> int:
    """Erase some trajectories with their goals, entries, comments and notes."""
    documents = dossier.pupil_documents(pupil_id or "", trajectory_ids=set(trajectory_ids))
    gone = _delete(documents)
    for tid in trajectory_ids:
        audit("erase", object_type="trajectory", object_id=tid, pupil_id=pupil_id or "",
              user_id=actor_id, detail=f"{reason}:{gone}")
    _after_erasure()
    return gone


def erase_on_request(actor: dict, pupil_id: str, typed_name: str) -> int:
    """Erase a pupil at the parents' or the school's request, once ``actor`` typed the
    pupil's name to confirm; return how many documents went.

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no such pupil.
    :raise ValidationError: the typed name is not the pupil's (``confirm``).
    """
    pupil = dossier.load_pupil(actor, pupil_id)
    typed = " ".join((typed_name or "").split())
    if typed.casefold() != " ".join(pupil["display_name"].split()).casefold():
        raise ValidationError({"confirm": [_("Type the pupil's name exactly as shown to confirm.")]})
    return erase_pupil(pupil_id, actor_id=actor["id"])
