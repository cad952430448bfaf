"""The search index: words to documents, every document under its trajectory and in date order.

It lives in memory per worker and is brought up to date before each search
(:meth:`SearchIndex.refresh`), so it never shows text that was changed or
erased. Words that read differently per language (template labels) are posted
as ``"<language>:<stem>"``. The first build runs in the background
(:func:`journal.search.build_in_background`) and gives way to requests.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from bisect import insort
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import compress
from operator import is_not

from flask_babel import force_locale

from .plugins.entry_templates.forms import STATUS_LABELS
from .plugins.entry_templates.registry import stored_spec
from .plugins.entry_templates.specs import TemplateSpec
from .plugins.entry_templates.specs import localized
from .search_text import document_text
from .search_text import term_set
from .search_text import terms

#: What is indexed: collection name -> the fields whose text is searched.
INDEXED = ("trajectories", "goals", "entries", "comments")
#: A match of at most this many documents is sorted by date; a larger one (a common word in a
#: whole school) is read in the index's own date order, only as far as the page needs.
SORT_AT_MOST = 2000
#: More changes than this at once (the first build) sort the date order again instead.
REORDER_AT_MOST = 64
#: The first build looks every this many documents whether a request is being answered
#: (one that does not wait for the index), and gives way to it for at most GIVE_WAY_AT_MOST s.
GIVE_WAY_EVERY = 64
GIVE_WAY_AT_MOST = 0.5


class SearchIndex:
    """An inverted index over the searchable collections, refreshed incrementally."""

    def __init__(self, languages: tuple[str, ...] = ("nl",)):
        self.languages = tuple(languages)
        self._lock = threading.Lock()
        self._seen = None
        self._specs: dict[tuple, TemplateSpec] = {}  # snapshots never change once stored
        self._statuses: dict[str, dict[str, str]] = {}
        self._docs: dict[str, dict[str, dict]] = {c: {} for c in INDEXED}
        # the stored documents the last refresh saw, in the storage's order
        self._stored: dict[str, list[dict]] = {c: [] for c in INDEXED}
        self._stamps: dict[str, tuple] = {}
        # requests being answered during the first build, and how many of them wait for it
        self._requests = self._waiting = 0
        self._counting = threading.Lock()
        self._revs: dict[tuple[str, str], int] = {}
        self._terms: dict[tuple[str, str], set[str]] = {}
        self._postings: dict[str, set[tuple[str, str]]] = {}
        # every indexed document under its trajectory: a team member's search looks only there
        self._of_trajectory: dict[str, set[tuple[str, str]]] = {}
        self._trajectory_ids: dict[tuple[str, str], str] = {}
        # what results are sorted by, kept here: reading it from each of a school's documents
        # costs a trip through gigabytes of memory per match
        self._newest: dict[tuple[str, str], tuple] = {}
        # every document's (order key, key), oldest first: a common word's newest matches are
        # found by walking it backwards. Replaced on change, never changed in place, so a
        # search walks its snapshot outside the lock.
        self._order: list[tuple] = []

    @property
    def built(self) -> bool:
        """Whether the index was built once (afterwards a refresh only catches up)."""
        return self._seen is not None

    @property
    def building(self) -> bool:
        """Whether the index is being built for the first time right now (just after start)."""
        return not self.built and self._lock.locked()

    def refresh(self, store) -> dict[str, dict[str, dict]]:
        """Bring the index up to date; return the current documents per collection and id.

        Nothing is scanned when no write was committed since the last refresh, nor a
        collection whose change stamp (:meth:`~journal.storage.store.Collection.change_stamp`)
        did not move.
        """
        with self._held():
            number = store.db.change_number()
            if number == self._seen:
                return self._docs
            current, removed, added = {}, [], []
            for collection in INDEXED:
                stamp = getattr(store, collection).change_stamp()  # before the documents
                if stamp == self._stamps.get(collection):
                    current[collection] = self._docs[collection]
                    continue
                docs, changed, gone = self._changes(collection,
                                                    getattr(store, collection).all_readonly())
                self._stamps[collection] = stamp
                removed += [self._drop((collection, doc_id)) for doc_id in gone]
                for n, doc in enumerate(changed, 1):
                    key = (collection, doc["id"])
                    if self._revs.get(key) != doc.get("rev"):  # a reload brings the same again
                        removed.append(self._drop(key))
                        added.append(self._add(key, collection, doc))
                    if n % GIVE_WAY_EVERY == 0:
                        self._give_way()
                current[collection] = docs
            self._order = _reordered(self._order, [r for r in removed if r], added)
            self._docs, self._seen = current, number
            return current

    def _changes(self, collection: str, stored: list[dict]) -> tuple[dict[str, dict], list[dict],
                                                                     list[str]]:
        """Return ``collection``'s documents by id now, those new or changed since the last
        refresh, and the ids of those gone.

        The storage puts a new object into memory for every change, never changes one in
        place, and keeps a changed document in its place in the table's order. So the two
        lists are compared object by object in C, and only the places that differ are looked
        at in Python: a refresh after a write no longer reads a whole school's documents.
        """
        before = self._stored[collection]
        both = min(len(before), len(stored))
        differ = list(compress(range(both), map(is_not, before, stored)))
        left = [before[i] for i in differ] + before[both:]  # changed, gone or moved
        came = [stored[i] for i in differ] + stored[both:]  # changed, new or moved
        docs = self._docs[collection]
        if left or came:
            docs = dict(docs)  # the last refresh's stays as it was for searches still using it
            for doc in left:
                docs.pop(doc["id"], None)
            for doc in came:
                docs[doc["id"]] = doc
        self._stored[collection] = stored
        return docs, came, [doc["id"] for doc in left if doc["id"] not in docs]

    def _add(self, key: tuple[str, str], collection: str, doc: dict) -> tuple:
        """Index the document ``key``; return its entry in the date order."""
        found = self._document_terms(collection, doc)
        self._terms[key] = found
        self._revs[key] = doc.get("rev")
        for term in found:
            self._postings.setdefault(term, set()).add(key)
        tid = trajectory_of(collection, doc)
        self._trajectory_ids[key] = tid
        self._of_trajectory.setdefault(tid, set()).add(key)
        self._newest[key] = order_key(key, doc)
        return self._newest[key]

    def count_request(self, step: int | None) -> None:
        """Count a request starting (1) or ending (-1) while the first build runs; None: the
        build is over, forget the count."""
        with self._counting:
            self._requests = 0 if step is None else max(0, self._requests + step)

    @contextmanager
    def _held(self):
        """Hold the index's lock; while waiting for it, a request does not make the build
        give way to it (it waits for the build)."""
        if not self._lock.acquire(blocking=False):
            with self._counting:
                self._waiting += 1
            try:
                self._lock.acquire()
            finally:
                with self._counting:
                    self._waiting -= 1
        try:
            yield
        finally:
            self._lock.release()

    def _give_way(self) -> None:
        """Pause while a request that does not wait for the index is being answered (at most
        :data:`GIVE_WAY_AT_MOST`): a teacher's search right after start reads her own
        trajectories itself, and need not share one Python process with the build."""
        deadline = time.monotonic() + GIVE_WAY_AT_MOST
        while self._requests > self._waiting and time.monotonic() < deadline:
            time.sleep(0.002)

    def text(self, collection: str, doc: dict, language: str) -> str:
        """Return the searchable text of ``doc`` as a reader in ``language`` sees it."""
        spec = self._entry_spec(doc) if collection == "entries" else None
        if spec is None:
            return document_text(collection, doc)
        return document_text(collection, doc, localized(spec, language), self._status_labels(language))

    def _document_terms(self, collection: str, doc: dict) -> set[str]:
        if collection != "entries" or self._entry_spec(doc) is None:
            return term_set(document_text(collection, doc))
        found = {language: term_set(self.text(collection, doc, language)) for language in self.languages}
        shared = set.intersection(*found.values())
        return shared | {f"{language}:{term}" for language, terms_of in found.items()
                         for term in terms_of - shared}

    def _entry_spec(self, entry: dict) -> TemplateSpec | None:
        """Return the template snapshot ``entry`` was filled from (None for a free entry)."""
        ref = entry.get("template")
        if not isinstance(ref, dict) or not ref.get("id"):
            return None
        key = (ref["id"], ref.get("version"), ref.get("spec_hash"))
        if key not in self._specs:
            spec = stored_spec(ref)
            if spec is None:
                return None
            self._specs[key] = spec
        return self._specs[key]

    def _status_labels(self, language: str) -> dict[str, str]:
        if language not in self._statuses:
            with force_locale(language):
                self._statuses[language] = {k: str(label) for k, label in STATUS_LABELS.items()}
        return self._statuses[language]

    def _drop(self, key) -> tuple | None:
        """Forget the document ``key``; return its entry in the date order (None: not indexed)."""
        for term in self._terms.pop(key, ()):
            keys = self._postings.get(term)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._postings[term]
        self._revs.pop(key, None)
        tid = self._trajectory_ids.pop(key, None)
        keys = self._of_trajectory.get(tid)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._of_trajectory[tid]
        return self._newest.pop(key, None)

    def match(self, query: str, trajectory_ids: Iterable[str] | None = None,
              language: str = "nl") -> set[tuple[str, str]]:
        """Return the keys of documents containing every word of ``query`` (as read in ``language``).

        :param trajectory_ids: look only at the documents of these trajectories
            (a team member's few, not the whole school's).
        """
        wanted = terms(query)
        if not wanted:
            return set()
        with self._held():
            sets = [self._postings_of(t, language) for t in wanted]
            if trajectory_ids is not None:
                sets.append({k for tid in trajectory_ids for k in self._of_trajectory.get(tid, ())})
            return set.intersection(*sorted(sets, key=len))

    def _postings_of(self, term: str, language: str) -> set[tuple[str, str]]:
        shared = self._postings.get(term, set())
        own = self._postings.get(f"{language}:{term}")
        return shared | own if own else shared

    def newest_first(self, keys: set[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        """Yield ``keys`` (from :meth:`match`) with the newest documents first, lazily.

        A few keys are sorted; many (a word in most of a school's documents) are picked from
        the index's date order, so a page of the newest costs about a page, not all of them.
        A key dropped by a refresh since the match is left out.
        """
        with self._held():
            if len(keys) <= SORT_AT_MOST:
                newest = self._newest
                ordered = sorted((newest[k] for k in keys if k in newest), reverse=True)
                return (key for _, key in ordered)
            order = self._order
        return (key for _, key in reversed(order) if key in keys)


def newest_key(doc: dict) -> str:
    """What search results are ordered by, newest first: the date, else the last change."""
    return doc.get("date") or doc.get("updated_at") or ""


def order_key(key: tuple[str, str], doc: dict) -> tuple[str, tuple[str, str]]:
    """The document ``key``'s place among search results, newest last (ties by key, so
    every way of searching lists equal dates alike)."""
    return newest_key(doc), key


def _reordered(order: list[tuple], removed: list[tuple], added: list[tuple]) -> list[tuple]:
    """Return a new date order: ``order`` without ``removed``, with ``added``."""
    if len(removed) + len(added) > REORDER_AT_MOST:
        gone = set(removed)
        return sorted([e for e in order if e not in gone] + added)
    order = list(order)
    for entry in removed:
        at = bisect_left(order, entry)
        if at < len(order) and order[at] == entry:
            del order[at]
    for entry in added:
        insort(order, entry)
    return order


def trajectory_of(collection: str, doc: dict) -> str:
    """Return the id of the trajectory an indexed document belongs to."""
    return doc.get("id", "") if collection == "trajectories" else doc.get("trajectory_id", "")
