"""Everything the journal stores about one pupil, found by following ids."""

from __future__ import annotations

from ..security import access
from ..security.audit import audit
from ..storage import get_store

#: Who handles the parents' requests (copies, transfer, erasure).
HANDLERS = ("coordinator",)

#: Core collections that hold a pupil's data, in the order they are reported.
COLLECTIONS = ("pupils", "trajectories", "goals", "entries", "comments", "restricted_notes",
               "privacy_requests", "adaptations", "handovers", "attachments", "voices",
               "family_pages", "family_links", "visits")


def load_pupil(actor: dict, pupil_id: str) -> dict:
    """Return the pupil for a care coordinator handling a request about them.

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no such pupil.
    """
    access.check_role(actor, *HANDLERS)
    return get_store().pupils.require(pupil_id)


def record_reading(actor: dict, pupil: dict, detail: str, *, action: str = "view") -> None:
    """Write the audit record of ``actor`` reviewing (or, with ``action="export"``,
    handing out) what the journal holds about ``pupil``."""
    audit(action, object_type="pupil", object_id=pupil["id"], pupil_id=pupil["id"],
          user_id=actor["id"], detail=detail)


def plugin_tables(store) -> list[str]:
    """Return the names of the plugins' own tables (``plugin:<name>``)."""
    return sorted(t for t in store.db.tables() if t.startswith("plugin:"))


def pupil_documents(pupil_id: str, *, trajectory_ids: set[str] | None = None) -> dict[str, list[dict]]:
    """Return every stored document about the pupil, per collection or plugin table.

    A document belongs to the pupil when it names the pupil, one of their
    trajectories, entries or goals (top-level ``pupil_id``, ``trajectory_id``,
    ``entry_id`` or ``goal_id``). Plugins must keep one of those fields on
    their own documents (docs/plugins.md).

    :param trajectory_ids: only these trajectories (retention of one closed
        trajectory); default every trajectory of the pupil.
    """
    store = get_store()
    out: dict[str, list[dict]] = {name: [] for name in COLLECTIONS}
    if trajectory_ids is None:
        pupil = store.pupils.get(pupil_id)
        out["pupils"] = [pupil] if pupil else []
        out["trajectories"] = store.trajectories.find(pupil_id=pupil_id)
        out["privacy_requests"] = store.privacy_requests.find(pupil_id=pupil_id)
        whole_pupil = True
    else:
        out["trajectories"] = store.trajectories.find_in("id", trajectory_ids)
        whole_pupil = False
    tids = {t["id"] for t in out["trajectories"]}

    def belongs(doc: dict) -> bool:
        return (whole_pupil and pupil_id and doc.get("pupil_id") == pupil_id) or \
            doc.get("trajectory_id") in tids

    out["goals"] = store.goals.filter(belongs)
    out["entries"] = store.entries.filter(belongs)
    eids = {e["id"] for e in out["entries"]}
    gids = {g["id"] for g in out["goals"]}
    out["comments"] = store.comments.filter(lambda c: belongs(c) or c.get("entry_id") in eids)
    out["restricted_notes"] = store.restricted_notes.filter(belongs)
    out["adaptations"] = store.adaptations.filter(belongs)  # the register, promotions included
    out["handovers"] = store.handovers.filter(belongs)
    out["attachments"] = store.attachments.filter(belongs)  # their files go with them
    out["voices"] = store.voices.filter(belongs)  # what the pupil and parents said
    out["family_pages"] = store.family_pages.filter(belongs)  # what was shared with them
    out["family_links"] = store.family_links.filter(belongs)  # their personal links
    out["visits"] = store.visits.filter(belongs)
    for table in plugin_tables(store):
        found = [dict(d) for d in store.db.table(table).all()
                 if belongs(d) or d.get("entry_id") in eids or d.get("goal_id") in gids]
        if found:
            out[table] = found
    return out


def history_of(documents: dict[str, list[dict]]) -> list[dict]:
    """Return the kept earlier versions of the given documents (revision records)."""
    ids = {(name, d["id"]) for name, docs in documents.items() for d in docs}
    store = get_store()
    return [dict(r) for r in store.db.table("revisions").all()
            if (r.get("collection"), r.get("object_id")) in ids]


def count(documents: dict[str, list[dict]]) -> int:
    """Return how many documents ``documents`` holds."""
    return sum(len(docs) for docs in documents.values())
