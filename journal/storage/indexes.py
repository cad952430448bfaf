"""Index dicts over the in-memory tables: ``value -> ids of the documents``.

An index is built on first use per table and field and then kept exact by
:meth:`Indexes.changed`, which :class:`~journal.storage.durable.DurableStorage`
calls for every document it puts into or takes out of memory: a commit, a
rollback, another process's change read from the log. Loading (a restore, a
migration, another process's compaction that changed the data) and dropping a
table throw the indexes away, and they are rebuilt on the next lookup. No
index can therefore disagree with the documents, whatever path the change took.

A field is a top-level name (``trajectory_id``) or a path into the document:
``template.id`` follows a nested dict, and ``[]`` means "each element of this
list", so ``members[].user_id`` finds a trajectory under the id of every team
member and ``authors[]`` an entry under each author. Only hashable JSON scalars
are indexed; a document whose path reaches none is simply not in the index.
"""

from __future__ import annotations

from functools import lru_cache

#: Values that go into index dicts (hashable JSON scalars).
SCALARS = (str, int, float, bool, type(None))
_MISSING = object()


@lru_cache(maxsize=256)
def parse_path(field: str) -> tuple[tuple[str, bool], ...] | None:
    """Return the steps of a path field (``(key, each element?)``), or None for a plain name."""
    if "." not in field and not field.endswith("[]"):
        return None
    steps = []
    for part in field.split("."):
        each = part.endswith("[]")
        steps.append((part[:-2] if each else part, each))
    return tuple(steps)


def values_at(doc: dict, steps: tuple[tuple[str, bool], ...]) -> list:
    """Return the scalar values ``steps`` reach in ``doc`` (see the module docstring)."""
    current = [doc]
    for key, each in steps:
        reached = []
        for item in current:
            if not isinstance(item, dict):
                continue
            value = item.get(key, _MISSING)
            if value is _MISSING:
                continue
            if not each:
                reached.append(value)
            elif isinstance(value, list):
                reached.extend(value)
        current = reached
    return [v for v in current if type(v) in SCALARS]


class Indexes:
    """The index dicts of one storage: ``{table: {field: (steps, {value: {doc id}})}}``.

    Call every method with the storage's thread lock held.
    """

    def __init__(self):
        self._tables: dict[str, dict[str, tuple]] = {}

    def clear(self) -> None:
        """Forget every index (the tables were reloaded)."""
        self._tables = {}

    def drop(self, table: str) -> None:
        """Forget the indexes of ``table`` (it was dropped, emptied or restored)."""
        self._tables.pop(table, None)

    def lookup(self, docs: dict[str, dict], table: str, field: str, value) -> set | None:
        """Return the ids of ``table``'s documents (``docs``) whose ``field`` reaches ``value``."""
        per_table = self._tables.get(table)
        if per_table is None:
            per_table = self._tables[table] = {}
        built = per_table.get(field)
        if built is None:
            steps = parse_path(field)
            index: dict = {}
            for doc_id, doc in docs.items():
                _add(index, self._keys(steps, field, doc), doc_id)
            built = per_table[field] = (steps, index)
        return built[1].get(value)

    def changed(self, table: str, doc_id: str, old: dict | None, new: dict | None) -> None:
        """Move ``doc_id`` from the values of its ``old`` version to those of its ``new`` one."""
        per_table = self._tables.get(table)
        if not per_table:
            return
        for field, (steps, index) in per_table.items():
            if old is not None:
                for v in self._keys(steps, field, old):
                    ids = index.get(v)
                    if ids is not None:
                        ids.discard(doc_id)
                        if not ids:
                            del index[v]
            if new is not None:
                _add(index, self._keys(steps, field, new), doc_id)

    @staticmethod
    def _keys(steps, field: str, doc: dict):
        if steps is None:  # a plain field: the common, fast case
            v = doc.get(field, _MISSING)
            return (v,) if v is not _MISSING and type(v) in SCALARS else ()
        return values_at(doc, steps)


def _add(index: dict, values, doc_id: str) -> None:
    for v in values:
        ids = index.get(v)
        if ids is None:
            index[v] = {doc_id}
        else:
            ids.add(doc_id)
