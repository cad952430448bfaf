"""The last step of every change to an entry: one audit record, one word to the plugins.

Every service that changes an entry (writing, editing, publishing, contributing
to a reflection, moving to a newer template version) ends with :func:`saved`,
so whichever way the change came in (a page, the API, a plugin, practice
adoption) it is audited once and ``journal_entry_saved`` is called once.
"""

from __future__ import annotations

from ..plugins.host import get_plugins
from ..security.audit import audit


def saved(actor: dict, entry: dict, trajectory: dict, *, created: bool, detail: str = "") -> None:
    """Record that ``actor`` created or changed ``entry`` and tell the active plugins.

    :param detail: what kind of change, content-free (``publish``, ``api:contribution``).
    """
    audit("create" if created else "update", object_type="entry", object_id=entry["id"],
          pupil_id=entry.get("pupil_id") or "", user_id=actor["id"], detail=detail)
    notify_saved(entry, trajectory, created=created)


def notify_saved(entry: dict, trajectory: dict, *, created: bool) -> None:
    """Tell the active plugins an entry was saved (their failures never undo the save)."""
    get_plugins().entry_saved(entry, trajectory, created)


def detail_of(via: str, change: str = "") -> str:
    """Return the audit detail for a ``change`` that came in ``via`` a surface (``api``).

    ``detail_of("api", "publish") == "api:publish"``; the pages leave ``via`` empty.
    """
    return ":".join(part for part in (via, change) if part)
