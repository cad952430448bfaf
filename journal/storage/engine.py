"""The database engine: TinyDB's API over a storage that must never lose a word.

This module is the only place that knows how documents reach the disk. The
rest of the journal talks to :class:`Database` (tables with TinyDB's API, a
``by()`` lookup and :meth:`Database.transaction`) through the repositories in
:mod:`journal.storage.store`. How the bytes are kept is in
:mod:`journal.storage.durable`; docs/storage.md has the design and operations.

Interface contract (what the repositories rely on):

* ``Database(path)`` opens or creates the database in folder ``path``
  (recovering from a crash, running migrations after a backup);
  ``Database(None)`` keeps everything in memory (tests), with the same
  transaction semantics.
* ``db.table(name)`` returns a TinyDB :class:`~tinydb.table.Table` with an
  extra ``by(field, value)`` returning the documents whose ``field`` equals
  ``value``, from an index dict (``field`` may also be a path such as
  ``members[].user_id``: the documents it reaches ``value`` in). TinyDB queries that test a field for
  equality (alone or inside ``&``) use the same indexes.
* ``with db.transaction():`` holds an exclusive, reentrant lock across threads
  and processes; reads inside see every committed write. All writes inside
  are committed together, durably (one checksummed log record, flushed to
  disk), when the outermost block exits; if the block raises, none of them
  happens. A TinyDB call outside a transaction is its own transaction.
* ``db.close()`` releases files and locks.
* Failures raise :class:`~journal.storage.errors.StorageWriteError` (disk
  full, read-only folder: nothing was saved, nothing earlier is lost) or
  :class:`~journal.storage.errors.CorruptionError` (refuses to open).

Extra operations: :meth:`Database.compact` (after an erasure, so old text
leaves the live files) and :meth:`Database.backup_to`.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document
from tinydb.table import Table

from .durable import SCALARS
from .indexes import parse_path
from .durable import DurableStorage
from .errors import CorruptionError
from .errors import SchemaError
from .errors import StorageError
from .errors import StorageWriteError
from .table_view import TableView
from .table_view import clone

__all__ = [
    "CorruptionError",
    "Database",
    "JournalTable",
    "SchemaError",
    "StorageError",
    "StorageWriteError",
    "clone",
]


def _equalities(query_hash) -> Iterator[tuple[str, object]]:
    """Yield ``(field, value)`` for each top-level ``where(field) == value`` in a query."""
    if not isinstance(query_hash, tuple) or not query_hash:
        return
    if query_hash[0] == "==" and len(query_hash) == 3:
        path, value = query_hash[1], query_hash[2]
        if len(path) == 1 and isinstance(path[0], str) and type(value) in SCALARS:
            yield path[0], value
    elif query_hash[0] == "and":
        for part in query_hash[1]:
            yield from _equalities(part)


class JournalTable(Table):
    """A TinyDB table over :class:`DurableStorage`.

    Every read runs under the storage's thread lock after catching up with
    other processes, and every write inside a transaction; ids are handed
    out under the cross-process lock. There is no query cache to go stale:
    equality queries use index dicts instead.
    """

    def __init__(self, storage: DurableStorage, name: str, cache_size: int = 0,
                 persist_empty: bool = False):
        super().__init__(storage, name, cache_size=0, persist_empty=persist_empty)

    # -- reads -----------------------------------------------------------------

    def by(self, field: str, value) -> list[Document]:
        """Return the documents whose ``field`` equals ``value`` (index-backed), in id order.

        ``field`` may be a path (``members[].user_id``, ``authors[]``): then the
        documents are those it reaches ``value`` in (see :mod:`.indexes`), and
        ``value`` must be a JSON scalar.
        """
        with self._storage.reading():
            return [Document(d, int(i)) for i, d in self._by_ids(field, (value,))]

    def by_readonly(self, field: str, values: Iterable) -> list[dict]:
        """Like :meth:`by` for each of ``values`` in turn, returning the stored documents
        themselves, unwrapped and uncopied (wrapping copies every one). Never modify them."""
        with self._storage.reading():
            return [d for _i, d in self._by_ids(field, values)]

    def change_stamp(self) -> tuple:
        """Return a token that changes whenever a document of this table is added, changed
        or removed, by any process (compare tokens for equality only)."""
        with self._storage.reading():
            return self._storage.stamp(self.name)

    def change_stamps(self, field: str, values: Iterable) -> dict:
        """Return, per value, a token that changes whenever a document reaching it in
        ``field`` (before or after the change) is added, changed or removed.

        For values derived from documents: keep them with the stamps they were
        computed under and reuse them only while the stamps are equal.
        """
        with self._storage.reading():
            return {v: self._storage.stamp(self.name, field, v) for v in values}

    def _by_ids(self, field: str, values: Iterable) -> list[tuple[str, dict]]:
        """``(id, stored document)`` for each value, in id order (read lock held)."""
        storage = self._storage
        path = parse_path(field) is not None
        docs = storage.tables.get(self.name)
        out: list[tuple[str, dict]] = []
        for value in values:
            if type(value) in SCALARS:
                ids = storage.lookup(self.name, field, value) if docs else None
                if ids:
                    out.extend((i, docs[i]) for i in sorted(ids, key=int))
            elif path:
                raise TypeError(f"a path index ({field}) looks up JSON scalars only")
            elif docs:
                missing = object()
                out.extend((i, d) for i, d in docs.items() if d.get(field, missing) == value)
        return out

    def select(self, predicate) -> list[Document]:
        """Return the documents for which ``predicate(doc)`` is true.

        Faster than ``search`` with a lambda: no query object, and only the
        documents that match are wrapped. ``predicate`` must not modify them.
        """
        with self._storage.reading():
            docs = self._storage.tables.get(self.name, {})
            return [Document(d, int(i)) for i, d in docs.items() if predicate(d)]

    def documents_readonly(self) -> list[dict]:
        """Return the stored documents themselves, unwrapped and uncopied.

        For read-only scans over a whole table (search, statistics), where
        wrapping every document costs more than the scan. Never modify them.
        """
        with self._storage.reading():
            return list(self._storage.tables.get(self.name, {}).values())

    def _matching(self, cond) -> list[str]:
        """Return the ids (str) of the documents matching ``cond`` (storage lock held)."""
        docs = self._storage.tables.get(self.name)
        if not docs:
            return []
        best = None
        for field, value in _equalities(getattr(cond, "_hash", None)):
            ids = self._storage.lookup(self.name, field, value)
            if not ids:
                return []
            if best is None or len(ids) < len(best):
                best = ids
        if best is not None:
            return [i for i in sorted(best, key=int) if cond(docs[i])]
        return [i for i, d in docs.items() if cond(d)]

    def search(self, cond) -> list[Document]:
        """Return the documents matching ``cond`` (equality tests use the indexes)."""
        with self._storage.reading():
            docs = self._storage.tables.get(self.name, {})
            return [Document(docs[i], int(i)) for i in self._matching(cond)]

    def get(self, cond=None, doc_id=None, doc_ids=None):
        """Like TinyDB's ``get``, under the read lock and using the indexes."""
        with self._storage.reading():
            if doc_id is None and doc_ids is None and cond is not None:
                found = self._matching(cond)
                if not found:
                    return None
                return Document(self._storage.tables[self.name][found[0]], int(found[0]))
            return super().get(cond, doc_id, doc_ids)

    def __len__(self) -> int:
        with self._storage.reading():
            return len(self._storage.tables.get(self.name, {}))

    def __iter__(self) -> Iterator[Document]:
        with self._storage.reading():
            docs = self._storage.tables.get(self.name, {})
            return iter([Document(d, int(i)) for i, d in docs.items()])

    def _read_table(self) -> dict:
        # Only called by TinyDB's own methods, which run under reading() here.
        return self._storage.tables.get(self.name, {})

    # -- writes ----------------------------------------------------------------

    def _get_next_id(self) -> int:
        return self._storage.allocate_id(self.name)

    def _update_table(self, updater) -> None:
        storage = self._storage
        with storage.transaction():
            view = TableView(storage.tables.get(self.name, {}))
            updater(view)
            if view.cleared:
                storage.stage_table(self.name, {})
            for doc_id, doc in list(view.changes()):
                storage.stage(self.name, doc_id, doc)

    def insert(self, document: Mapping) -> int:
        """Insert a document and return its id (committed unless in a transaction)."""
        with self._storage.transaction():
            return super().insert(document)

    def insert_multiple(self, documents: Iterable[Mapping]) -> list[int]:
        """Insert several documents in one atomic commit."""
        with self._storage.transaction():
            return super().insert_multiple(documents)

    def update(self, fields, cond=None, doc_ids=None) -> list[int]:
        """Update matching documents atomically (equality conditions use the indexes)."""
        with self._storage.transaction():
            if doc_ids is None:
                doc_ids = self._all_or_matching(cond)
            return super().update(fields, doc_ids=doc_ids)

    def update_multiple(self, updates) -> list[int]:
        """Apply several ``(fields, cond)`` updates in one atomic commit."""
        updates = list(updates)
        with self._storage.transaction():
            candidates: set[str] = set()
            for _fields, cond in updates:
                candidates.update(self._matching(cond))
            updated: list[int] = []

            def updater(table):
                for doc_id in sorted(candidates, key=int):
                    for fields, cond in updates:
                        doc = table[int(doc_id)]
                        if cond(doc):
                            updated.append(int(doc_id))
                            if callable(fields):
                                fields(doc)
                            else:
                                doc.update(fields)

            self._update_table(updater)
            return updated

    def replace_by(self, field: str, value, document: Mapping) -> list[int]:
        """Make each document whose ``field`` equals ``value`` (index-backed) equal to
        ``document``, atomically; return their ids. Nothing stored is copied first:
        a whole new version needs no copy-on-write view (``document`` is not kept)."""
        storage = self._storage
        with storage.transaction():
            ids = [doc_id for doc_id, _doc in self._by_ids(field, (value,))]
            for doc_id in ids:
                storage.stage(self.name, doc_id, document)
            return [int(doc_id) for doc_id in ids]

    def upsert(self, document: Mapping, cond=None) -> list[int]:
        """Update matching documents or insert ``document``, atomically."""
        with self._storage.transaction():
            return super().upsert(document, cond)

    def remove(self, cond=None, doc_ids=None) -> list[int]:
        """Remove matching documents atomically."""
        if cond is None and doc_ids is None:
            raise RuntimeError("Use truncate() to remove all documents")
        with self._storage.transaction():
            if doc_ids is None:
                doc_ids = self._all_or_matching(cond)
            return super().remove(doc_ids=doc_ids)

    def truncate(self) -> None:
        """Remove every document of the table (ids are never reused)."""
        with self._storage.transaction():
            self._storage.stage_table(self.name, {})

    def _all_or_matching(self, cond) -> list[int]:
        if cond is None:
            return [int(i) for i in self._storage.tables.get(self.name, {})]
        return [int(i) for i in self._matching(cond)]


class Database(TinyDB):
    """A TinyDB database on :class:`DurableStorage`. See the module docstring.

    :param path: the data folder, or ``None`` for an in-memory database.
    :param backup_dir: where backups taken before migrations go (default:
        ``backups`` next to the data folder).
    :param schema_version: the document schema expected (default: the
        journal's, see :mod:`journal.storage.migrations`).
    :param migrations: ``{version: function(tables)}`` (default: the journal's).
    """

    table_class = JournalTable
    default_table_name = "_default"

    def __init__(self, path: str | Path | None, *, backup_dir=None,
                 schema_version: int | None = None, migrations: dict | None = None):
        from . import migrations as journal_migrations

        if schema_version is None:
            schema_version = journal_migrations.SCHEMA_VERSION
        if migrations is None:
            migrations = journal_migrations.MIGRATIONS
        self.path = Path(path) if path is not None else None
        storage = DurableStorage(path, schema_version=schema_version, migrations=migrations,
                                 backup_dir=backup_dir)
        super().__init__(storage=lambda: storage)

    def table(self, name: str, **kwargs) -> JournalTable:
        """Return the table called ``name`` (created on first write)."""
        return super().table(name, **kwargs)

    def tables(self) -> set[str]:
        """Return the names of the tables that exist."""
        with self.storage.reading():
            return set(self.storage.tables)

    def drop_table(self, name: str) -> None:
        """Remove a table and all its documents."""
        self._tables.pop(name, None)
        with self.storage.transaction():
            if name in self.storage.tables:
                self.storage.stage_table(name, None)

    def drop_tables(self) -> None:
        """Remove every table."""
        self._tables.clear()
        with self.storage.transaction():
            for name in list(self.storage.tables):
                self.storage.stage_table(name, None)

    def transaction(self):
        """Hold the write lock for a read-modify-write spanning several calls.

        Everything written inside is committed together when the outermost
        block exits, or not at all if it raises.
        """
        return self.storage.transaction()

    def change_number(self) -> tuple:
        """Return a value that changes with every committed write, from any process.

        Caches of derived data (the search index) compare it to know whether
        they must look at the documents again.
        """
        with self.storage.reading():
            return (self.storage.origin, self.storage.seq)

    def compact(self) -> None:
        """Rewrite the snapshot and drop the change log now.

        Call it after erasing data (a parent's or the school's request) so
        the old text is gone from the live files.
        """
        self.storage.compact()

    def backup_to(self, target) -> dict:
        """Write a consistent backup file while others keep working; see ``journal backup``."""
        return self.storage.backup_to(target)

    def close(self) -> None:
        """Close the underlying storage."""
        super().close()
