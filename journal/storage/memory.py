"""The durable engine's in-memory copy: changing documents, undoing, ids, index lookups.

It is one part of :class:`~journal.storage.durable.DurableStorage` (a mixin): it
works on the state ``DurableStorage.__init__`` sets up and calls the other parts'
methods through ``self``.
"""

from __future__ import annotations

import json
import sys

from .log import encode_str

_intern = sys.intern


def intern_keys(doc: dict) -> dict:
    """Return ``doc`` with its keys interned (one shared string per field name)."""
    # Shared key objects make dict lookups take the identity fast path and
    # save memory: every entry repeats the same dozen field names.
    return {_intern(k): v for k, v in doc.items()}


class Memory:
    """Documents in memory: staged changes with their undo entries, fresh ids, index lookups."""

    def lookup(self, table: str, field: str, value) -> set | None:
        """Return the ids of ``table``'s documents whose ``field`` equals (or, for a path
        with ``[]``, reaches) ``value``; see :mod:`.indexes`.

        The index is built on first use and kept exact on every change.
        Call with the thread lock held (inside :meth:`reading`).
        """
        return self._indexes.lookup(self.tables.get(table, {}), table, field, value)

    def stamp(self, table: str, field: str | None = None, value=None) -> object:
        """Return the change stamp of ``table`` (or of its documents reaching ``value`` in
        ``field``); see :meth:`.indexes.Indexes.stamp`. Call inside :meth:`reading`."""
        return self._indexes.stamp(self.tables.get(table, {}), table, field, value)

    # -- changing memory -------------------------------------------------------

    def _put(self, name: str, doc_id: str, doc: dict | None):
        """Set (or with ``None`` delete) one document in memory; return the old one."""
        table = self.tables.get(name)
        if table is None:
            table = self.tables[name] = {}
        old = table.get(doc_id)
        if doc is None:
            if old is not None:
                del table[doc_id]
        else:
            table[doc_id] = doc
            n = int(doc_id) + 1
            if n > self.next_ids.get(name, 1):
                self.next_ids[name] = n
        self._indexes.changed(name, doc_id, old, doc)
        return old

    def _table_op(self, name: str, docs: dict | None):
        """Drop a table (``None``) or make it exist and empty (``{}``); return the old one."""
        old = self.tables.pop(name, None)
        if docs is not None:
            self.tables[name] = {}
        self._indexes.drop(name)
        return old

    def allocate_id(self, name: str) -> int:
        """Return a fresh document id for ``name`` (inside a transaction)."""
        self._require_transaction()
        table = self.tables.get(name, {})
        n = self.next_ids.get(name, 1)
        while str(n) in table:
            n += 1
        self.next_ids[name] = n + 1
        return n

    def stage(self, name: str, doc_id: str, doc: dict | None) -> None:
        """Make one change inside the current transaction.

        The document is encoded first, so a value JSON cannot hold raises
        here and changes nothing. Memory then holds exactly what a reload
        from disk would give.
        """
        self._require_transaction()
        if doc is not None:
            text = encode_str(doc)
            op = f"[{encode_str(name)},{encode_str(doc_id)},{text}]"
            doc = intern_keys(json.loads(text))
        else:
            op = f"[{encode_str(name)},{encode_str(doc_id)},null]"
        created = name not in self.tables
        old = self._put(name, doc_id, doc)
        self._undo.append((name, doc_id, old, created))
        self._ops.append(op)

    def stage_table(self, name: str, docs: dict | None) -> None:
        """Drop table ``name`` (``None``) or empty it (``{}``) inside the transaction."""
        self._require_transaction()
        op = f"[{encode_str(name)},null,{'null' if docs is None else '{}'}]"
        created = name not in self.tables
        old = self._table_op(name, docs)
        self._undo.append((name, None, old, created))
        self._ops.append(op)

    def _rollback_to(self, savepoint: int) -> None:
        while len(self._undo) > savepoint:
            name, doc_id, old, created = self._undo.pop()
            self._ops.pop()
            if doc_id is None:
                self._indexes.drop(name)
                if old is None:
                    self.tables.pop(name, None)
                else:
                    self.tables[name] = old
                continue
            self._put(name, doc_id, old)
            if created and not self.tables.get(name):
                self.tables.pop(name, None)
