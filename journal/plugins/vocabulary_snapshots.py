"""Stored copies of the focus areas and reflection models plugins contributed.

A trajectory keeps focus-area ids and a reflection keeps its model's id; the
labels and phases come from plugins. Without a copy they would vanish when a
plugin is disabled or uninstalled, and old pages would show raw ids. So, like
entry templates (:mod:`journal.plugins.entry_templates.registry`), each item a
plugin contributes is stored in the ``vocabulary_snapshots`` collection when
the host first sees it and again when it changes (id ``"<kind>:<item id>"``);
lookups fall back to the stored copy. The core's own items are never stored:
they are always there.
"""

from __future__ import annotations

import hashlib
import json
import logging

from journal.storage import StorageError
from journal.storage import get_store

log = logging.getLogger("journal.plugins")

#: What is kept: focus areas (``FocusArea``) and reflection models (``ReflectionModel``).
KINDS = ("focus_area", "reflection_model")


def _digest(item: dict) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def remember(seen: dict[str, str], kind: str, items: list[dict], core: set[str]) -> None:
    """Store each item not contributed by the ``core`` plugins, if new or changed.

    :param seen: the host's memory of what it stored (key -> digest), so a
        page view does not read the collection again for items it already stored.
    """
    for item in items:
        if item.get("plugin") in core:
            continue
        key, digest = f"{kind}:{item['id']}", _digest(item)
        if seen.get(key) == digest:
            continue
        try:
            _store(key, kind, item, digest)
        except StorageError:  # a full disk must not break the page that lists them
            log.exception("could not store the %s snapshot %s", kind, item["id"])
            continue
        seen[key] = digest


def _store(key: str, kind: str, item: dict, digest: str) -> None:
    snapshots = get_store().vocabulary_snapshots
    with get_store().transaction():
        stored = snapshots.get(key)
        doc = {"kind": kind, "item_id": item["id"], "plugin": item.get("plugin", ""),
               "item": item, "hash": digest}
        if stored is None:
            snapshots.create(dict(doc, id=key))
        elif stored["hash"] != digest:
            snapshots.update(key, doc)


def stored(kind: str) -> list[dict]:
    """Return the stored copies of ``kind`` (items as the plugins last gave them)."""
    return [doc["item"] for doc in get_store().vocabulary_snapshots.find(kind=kind)]


def stored_item(kind: str, item_id: str) -> dict | None:
    """Return the stored copy of one item, or None."""
    doc = get_store().vocabulary_snapshots.get(f"{kind}:{item_id}")
    return doc["item"] if doc else None
