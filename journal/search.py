"""Full-text search over everything a user may see, Dutch-aware (the words: :mod:`.search_text`).

The index lives in memory per worker and is brought up to date
on every search by comparing revisions, so it never shows text that was
changed or erased (an erased document simply disappears from the index).

An entry filled from a template is found by what its page shows: the labels
of the chosen options and answered checklist items (from the entry's own
template snapshot), never their keys. Those labels differ per language, so
words found in one language only are posted as ``"<language>:<stem>"`` and a
search looks in the shared words and in those of the reader's language.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from bisect import insort
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from .plugins.entry_templates.forms import STATUS_LABELS
from .plugins.entry_templates.registry import stored_spec
from .plugins.entry_templates.specs import TemplateSpec
from .plugins.entry_templates.specs import localized
from .search_text import WORD
from .search_text import document_text
from .search_text import fold
from .search_text import term_set
from .search_text import terms
from .security.access import READ
from .security.access import can
from .security.access import reads_every_trajectory
from .storage import get_store

#: What is indexed: collection name -> the fields whose text is searched.
INDEXED = ("trajectories", "goals", "entries", "comments")
#: Until the index is built, a search over at most this many trajectories reads them directly.
SCAN_AT_MOST = 50
#: A match of at most this many documents is sorted by date; a larger one (a common word in a
#: whole school) is read in the index's own date order, only as far as the page needs.
SORT_AT_MOST = 2000
#: More changes than this at once (the first build) sort the date order again instead.
REORDER_AT_MOST = 64


@dataclass
class Hit:
    """One search result."""

    collection: str
    doc: dict
    trajectory_id: str
    snippet: str


class SearchIndex:
    """An inverted index over the searchable collections, refreshed incrementally."""

    def __init__(self, languages: tuple[str, ...] = ("nl",)):
        self.languages = tuple(languages)
        self._lock = threading.Lock()
        self._seen = None
        self._specs: dict[tuple, TemplateSpec] = {}  # snapshots never change once stored
        self._statuses: dict[str, dict[str, str]] = {}
        self._docs: dict[str, dict[str, dict]] = {c: {} for c in INDEXED}
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

        Nothing is scanned when no write was committed since the last refresh.
        """
        with self._lock:
            number = store.db.change_number()
            if number == self._seen:
                return self._docs
            current = {c: {d["id"]: d for d in getattr(store, c).all_readonly()} for c in INDEXED}
            gone = [k for k in self._revs if k[1] not in current[k[0]]]
            removed = [self._drop(k) for k in gone]
            added = []
            for collection, docs in current.items():
                for doc_id, doc in docs.items():
                    key = (collection, doc_id)
                    if self._revs.get(key) != doc.get("rev"):
                        removed.append(self._drop(key))
                        found = self._document_terms(collection, doc)
                        self._terms[key] = found
                        self._revs[key] = doc.get("rev")
                        for term in found:
                            self._postings.setdefault(term, set()).add(key)
                        tid = trajectory_of(collection, doc)
                        self._trajectory_ids[key] = tid
                        self._newest[key] = order_key(key, doc)
                        added.append(self._newest[key])
                        self._of_trajectory.setdefault(tid, set()).add(key)
            self._order = _reordered(self._order, [r for r in removed if r], added)
            self._docs, self._seen = current, number
            return current

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
        with self._lock:
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
        with self._lock:
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


def _scan(documents: dict[str, dict[str, dict]], query: str,
          text: Callable[[str, dict], str]) -> set[tuple[str, str]]:
    """Return the keys of ``documents`` whose ``text(collection, doc)`` contains every word of
    ``query``, without an index."""
    wanted = set(terms(query))
    return {(collection, doc_id) for collection, docs in documents.items()
            for doc_id, doc in docs.items()
            if wanted and wanted <= term_set(text(collection, doc))}


def _documents_of(store, trajectory_ids: set[str]) -> dict[str, dict[str, dict]]:
    """The indexed documents of these trajectories, per collection and id (uncopied)."""
    ids = sorted(trajectory_ids)
    return {c: {d["id"]: d for d in getattr(store, c).find_in_readonly(
        "id" if c == "trajectories" else "trajectory_id", ids)} for c in INDEXED}


def get_index() -> SearchIndex:
    """Return the current app's search index (created on first use)."""
    index = current_app.extensions.get("journal.search")
    if index is None:
        languages = tuple(current_app.config["JOURNAL_LANGUAGES"])
        index = current_app.extensions.setdefault("journal.search", SearchIndex(languages))
    return index


def build_in_background(app, then: Callable[[], object] | None = None) -> threading.Thread:
    """Build ``app``'s search index in a background thread (``journal serve`` does at start),
    so the first search does not wait for a whole school to be read; ``then`` runs after."""

    def build():
        with app.app_context():
            try:
                get_index().refresh(get_store())
            except Exception:  # the first search builds it then, and shows the error
                app.logger.exception("building the search index in the background failed")
            if then is not None:
                then()

    thread = threading.Thread(target=build, name="search-index", daemon=True)
    thread.start()
    return thread


def _snippet(text: str, query: str, width: int = 160) -> str:
    folded = fold(text)
    positions = [folded.find(fold(w)[:4]) for w in WORD.findall(query)]
    start = max(0, min((p for p in positions if p >= 0), default=0) - 40)
    piece = " ".join(text[start:start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def search(user: dict, query: str, *, trajectory_id: str = "", kind: str = "", focus_area: str = "",
           tag: str = "", date_from: str = "", date_to: str = "", limit: int = 100, offset: int = 0,
           language: str = "nl") -> list[Hit]:
    """Search what ``user`` may see, newest first; filters narrow the results.

    Drafts are found only by their authors; trajectories the user may not
    read are never searched. ``language`` is the reader's: template labels
    are found (and shown in snippets) as her pages show them. Returns at most
    ``limit`` hits after skipping the ``offset`` newest (a later page).
    """
    from .process.trajectories import readable as readable_trajectories

    store = get_store()
    index = get_index()
    # A coordinator reads the whole school: each hit's trajectory is checked when it comes up
    # (a page's worth), instead of deciding for every trajectory of the school first.
    scope = None if reads_every_trajectory(user) else {t["id"] for t in readable_trajectories(user)}
    if trajectory_id:
        scope = {trajectory_id} & scope if scope is not None else {trajectory_id}
    if scope is not None and index.building and len(scope) <= SCAN_AT_MOST:
        # The index is still being built (just after start): a team member's own
        # trajectories are few, so look through them directly instead of waiting.
        documents = _documents_of(store, scope)
        found = sorted(_scan(documents, query, lambda c, d: index.text(c, d, language)),
                       reverse=True, key=lambda k: order_key(k, documents[k[0]][k[1]]))
    else:
        documents = index.refresh(store)
        found = index.newest_first(index.match(query, scope, language))
    trajectories = documents["trajectories"]
    entries = documents["entries"]
    readable: dict[str, bool] = {}
    # Newest first, and the checks only until the page is full: a common word is in
    # thousands of a school's documents.
    hits = []
    for collection, doc_id in found:
        doc = documents[collection].get(doc_id)
        if doc is None:
            continue
        tid = trajectory_of(collection, doc)
        if tid not in readable:
            trajectory = trajectories.get(tid)
            readable[tid] = trajectory is not None and (
                tid in scope if scope is not None else can(user, READ, trajectory))
        if not readable[tid]:
            continue
        entry = doc if collection == "entries" else entries.get(doc.get("entry_id", ""))
        if collection == "comments" and entry is None:
            continue
        if entry is not None and entry.get("status") == "draft" and user["id"] not in entry.get("authors", []):
            continue
        if kind and (entry is None or entry.get("kind") != kind):
            continue
        if tag and (entry is None or tag.lower() not in entry.get("tags", [])):
            continue
        if focus_area and focus_area not in trajectories[tid].get("focus_areas", []):
            continue
        day = (entry or doc).get("date") or (doc.get("created_at") or "")[:10]
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        if offset:
            offset -= 1
            continue
        hits.append(Hit(collection, doc, tid, ""))
        if len(hits) == limit:
            break
    for hit in hits:  # snippets (and copies) only for what is shown
        hit.doc = dict(hit.doc)
        hit.snippet = _snippet(index.text(hit.collection, hit.doc, language), query)
    return hits
