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

Beside the ids, an index keeps a *change stamp* for each value someone asked
the stamp of, and every table one for itself (:meth:`Indexes.stamp`): a token
that changes whenever a document reaching that value (or any document of the
table) is added, changed or removed, through the same :meth:`Indexes.changed`
calls. Stamps come from one clock and are never handed out twice. Values derived
from documents (the coordinator's patterns per trajectory) are reused only
while the stamps they were computed under are unchanged, so they cannot go
stale either.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import count

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


class Index:
    """One field's index: the ids per value, and when each value asked for last changed."""

    __slots__ = ("steps", "ids", "stamps")

    def __init__(self, steps):
        self.steps = steps
        self.ids: dict = {}     # value -> {doc id}
        # value -> tick of its last change, only for values someone asked the stamp of
        # (trajectory ids), not for every session or token a worker ever saw
        self.stamps: dict = {}


class Indexes:
    """The index dicts of one storage: ``{table: {field: Index}}``, and change stamps.

    Call every method with the storage's thread lock held.
    """

    def __init__(self):
        self._tables: dict[str, dict[str, Index]] = {}
        self._clock = count(1)  # ticks are never reused, whatever is cleared
        self._epoch = next(self._clock)
        self._table_ticks: dict[str, int] = {}

    def clear(self) -> None:
        """Forget every index (the tables were reloaded)."""
        self._tables = {}
        self._table_ticks = {}
        self._epoch = next(self._clock)

    def drop(self, table: str) -> None:
        """Forget the indexes of ``table`` (it was dropped, emptied or restored)."""
        self._tables.pop(table, None)
        self._table_ticks[table] = next(self._clock)

    def stamp(self, docs: dict[str, dict], table: str, field: str | None = None,
              value=None) -> object:
        """Return a token that changes whenever a document of ``table`` is added, changed or
        removed: any document, or with ``field``, one that reaches ``value`` there (before
        or after the change). Compare tokens for equality only.
        """
        if field is None:
            return (self._epoch, self._table_ticks.get(table, 0))
        self.lookup(docs, table, field, value)  # the index must exist to see changes
        stamps = self._tables[table][field].stamps
        tick = stamps.get(value)
        if tick is None:  # watched from now on; a fresh tick was never handed out before
            tick = stamps[value] = next(self._clock)
        return tick

    def lookup(self, docs: dict[str, dict], table: str, field: str, value) -> set | None:
        """Return the ids of ``table``'s documents (``docs``) whose ``field`` reaches ``value``."""
        per_table = self._tables.get(table)
        if per_table is None:
            per_table = self._tables[table] = {}
        index = per_table.get(field)
        if index is None:
            steps = parse_path(field)
            index = per_table[field] = Index(steps)
            for doc_id, doc in docs.items():
                _add(index.ids, self._keys(steps, field, doc), doc_id)
        return index.ids.get(value)

    def changed(self, table: str, doc_id: str, old: dict | None, new: dict | None) -> None:
        """Move ``doc_id`` from the values of its ``old`` version to those of its ``new`` one,
        and stamp the table and those values as changed."""
        tick = self._table_ticks[table] = next(self._clock)
        per_table = self._tables.get(table)
        if not per_table:
            return
        for field, index in per_table.items():
            ids_of, stamps, steps = index.ids, index.stamps, index.steps
            if old is not None:
                for v in self._keys(steps, field, old):
                    if v in stamps:
                        stamps[v] = tick
                    ids = ids_of.get(v)
                    if ids is not None:
                        ids.discard(doc_id)
                        if not ids:
                            del ids_of[v]
            if new is not None:
                values = self._keys(steps, field, new)
                for v in values:
                    if v in stamps:
                        stamps[v] = tick
                _add(ids_of, values, doc_id)

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
