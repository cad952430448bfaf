"""Full-text search over everything a user may see, Dutch-aware, newest first.

The words are :mod:`.search_text`'s, the index :mod:`.search_index`'s: it lives
in memory per worker and is brought up to date before every search, so it
never shows text that was changed or erased.

An entry filled from a template is found by what its page shows: the labels
of the chosen options and answered checklist items (from the entry's own
template snapshot), never their keys. Those labels differ per language, so
words found in one language only are posted as ``"<language>:<stem>"`` and a
search looks in the shared words and in those of the reader's language.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask import request_started
from flask import request_tearing_down

from .search_index import INDEXED
from .search_index import SearchIndex
from .search_index import order_key
from .search_index import trajectory_of
from .search_text import WORD
from .search_text import fold
from .search_text import term_set
from .search_text import terms
from .security.access import READ
from .security.access import can
from .security.access import reads_every_trajectory
from .storage import get_store

#: Until the index is built, a search over at most this many trajectories reads them directly.
SCAN_AT_MOST = 50


@dataclass
class Hit:
    """One search result."""

    collection: str
    doc: dict
    trajectory_id: str
    snippet: str


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
    so the first search does not wait for a whole school to be read; ``then`` runs after.

    While it builds, it gives way to every request being answered (one Python process runs
    both): the first pages and searches after a start are not slowed down by it.
    """
    with app.app_context():
        index = get_index()

    def started(_sender, **_extra):
        index.count_request(1)

    def ended(_sender, **_extra):
        index.count_request(-1)

    request_started.connect(started, app, weak=False)
    request_tearing_down.connect(ended, app, weak=False)

    def build():
        with app.app_context():
            try:
                # First what a search during the build reads: the documents of a few
                # trajectories, through the storage's indexes (built on their first use).
                _documents_of(get_store(), {""})
                index.refresh(get_store())
            except Exception:  # the first search builds it then, and shows the error
                app.logger.exception("building the search index in the background failed")
            finally:
                request_started.disconnect(started, app)
                request_tearing_down.disconnect(ended, app)
                index.count_request(None)
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

    index = get_index()
    # A coordinator reads the whole school: each hit's trajectory is checked when it comes up
    # (a page's worth), instead of deciding for every trajectory of the school first.
    scope = None if reads_every_trajectory(user) else {t["id"] for t in readable_trajectories(user)}
    if trajectory_id:
        scope = {trajectory_id} & scope if scope is not None else {trajectory_id}
    store = get_store()
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
