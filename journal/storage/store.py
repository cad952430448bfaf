"""Repositories: the only door between the journal and its database.

Views, services, the API and plugins never touch TinyDB; they call the
repositories on :class:`Store`. Every update is a read-modify-write inside one
:meth:`~journal.storage.engine.Database.transaction`, so two people (threads or
processes) can never overwrite each other silently: an update that names the
revision it started from fails with :class:`StaleRevision` when someone else
saved in between.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from collections.abc import Iterable
from datetime import datetime
from datetime import timezone

from ..errors import NotFound  # noqa: F401 (re-exported: storage callers catch it)
from ..errors import StaleRevision  # noqa: F401
from .audit_trail import AuditTrail
from .derived import Derived
from .engine import Database
from .engine import clone
from .migrations import SCHEMA_VERSION  # the stored documents' schema version (re-exported)


#: Paths the journal looks documents up by, besides plain fields (see :mod:`.indexes`);
#: ``find_in(TEAM_MEMBER, [user_id])`` is index-backed and kept exact like a field.
TEAM_MEMBER = "members[].user_id"  # trajectories, by the user id of each team member
AUTHOR = "authors[]"               # entries, by each of their authors


def new_id() -> str:
    """Return a random, non-sequential, URL-safe document id."""
    return secrets.token_urlsafe(12)


def utcnow() -> str:
    """Return the current UTC time as an ISO 8601 string (seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Collection:
    """A repository for one kind of document, keyed by a random ``id``.

    :param db: the database.
    :param name: the TinyDB table name.
    :param history: keep every previous version in the ``revisions`` table.
    """

    def __init__(self, db: Database, name: str, *, history: bool = False):
        self.db = db
        self.name = name
        self.history_kept = history

    @property
    def table(self):
        """The TinyDB table behind this collection."""
        return self.db.table(self.name)

    def get(self, id: str) -> dict | None:
        """Return a copy of the document with this id, or ``None``."""
        found = self.table.by_readonly("id", (id,))
        return clone(found[0]) if found else None

    def require(self, id: str) -> dict:
        """Return the document with this id or raise :class:`NotFound`."""
        return clone(self._stored(id))

    def _stored(self, id: str) -> dict:
        """Return the stored document with this id, uncopied (never modify it), or raise
        :class:`NotFound`."""
        found = self.table.by_readonly("id", (id,))
        if not found:
            raise NotFound(f"{self.name}/{id}")
        return found[0]

    def find(self, **fields) -> list[dict]:
        """Return copies of the documents whose fields equal the given values."""
        if not fields:
            return self.all()
        (first, value), *rest = fields.items()
        docs = self.table.by_readonly(first, (value,))
        return [clone(d) for d in docs if all(d.get(k) == v for k, v in rest)]

    def find_in(self, field: str, values: Iterable,
                predicate: Callable[[dict], bool] | None = None) -> list[dict]:
        """Return copies of the documents whose ``field`` is one of ``values``.

        :param predicate: keep only documents for which it is true; it sees the
            stored document (do not modify it) and runs before anything is copied,
            so a narrow filter over many documents stays fast.
        """
        return [clone(doc) for doc in self.find_in_readonly(field, values, predicate)]

    def find_in_readonly(self, field: str, values: Iterable,
                         predicate: Callable[[dict], bool] | None = None) -> list[dict]:
        """Like :meth:`find_in`, but return the stored documents *without copying*.

        For read-only passes over many documents (counts, dates, statistics),
        where copying costs more than the work. Callers must never modify what
        they get back.
        """
        docs = self.table.by_readonly(field, dict.fromkeys(values))
        return docs if predicate is None else [d for d in docs if predicate(d)]

    def change_stamp(self) -> tuple:
        """Return a token that changes with every change to this collection, from any process
        (see :meth:`change_stamps`)."""
        return self.table.change_stamp()

    def change_stamps(self, field: str, values: Iterable) -> dict:
        """Return, per value, a token that changes whenever a document whose ``field`` is (or
        was) that value is created, changed or deleted, from any process.

        Values derived from documents are kept with these tokens and reused only
        while they are equal (:class:`~journal.storage.derived.Derived`): exact
        like the indexes, never stale.
        """
        return self.table.change_stamps(field, values)

    def all(self) -> list[dict]:
        """Return copies of every document."""
        return [clone(d) for d in self.table.all()]

    def all_readonly(self) -> list[dict]:
        """Return every document *without copying*: for read-only scans (search, statistics).

        Callers must never modify what they get back.
        """
        return self.table.documents_readonly()

    def filter(self, predicate: Callable[[dict], bool]) -> list[dict]:
        """Return copies of the documents for which ``predicate`` is true."""
        return [clone(d) for d in self.table.select(predicate)]

    def create(self, doc: dict, *, actor_id: str | None = None) -> dict:
        """Store a new document and return it with ``id``, ``rev`` and timestamps set."""
        doc = clone(doc)
        now = utcnow()
        doc.setdefault("id", new_id())
        doc["rev"] = 1
        doc.setdefault("created_at", now)
        doc["updated_at"] = now
        doc["updated_by"] = actor_id
        with self.db.transaction():
            self.table.insert(doc)
        return doc

    def update(
        self,
        id: str,
        changes: dict | Callable[[dict], None],
        *,
        expected_rev: int | None = None,
        actor_id: str | None = None,
    ) -> dict:
        """Change a document atomically and return its new version.

        :param changes: a mapping of fields to set, or a function that edits a
            copy of the current document in place.
        :param expected_rev: the revision the caller started from; if the
            stored one differs, nothing changes and :class:`StaleRevision` is raised.
        :param actor_id: the user making the change, kept in the history.
        :raise NotFound: no such document.
        """
        with self.db.transaction():
            current = self._stored(id)  # only read; kept below as an encoded copy
            if expected_rev is not None and int(expected_rev) != current["rev"]:
                raise StaleRevision(clone(current))
            new = clone(current)
            if callable(changes):
                changes(new)
            else:
                new.update(changes)
            new["id"] = id
            new["rev"] = current["rev"] + 1
            new["updated_at"] = utcnow()
            new["updated_by"] = actor_id
            if self.history_kept:
                self.db.table("revisions").insert(
                    {
                        "id": new_id(),
                        "collection": self.name,
                        "object_id": id,
                        "rev": current["rev"],
                        "replaced_at": new["updated_at"],
                        "replaced_by": actor_id,
                        "document": current,
                    }
                )
            self.table.replace_by("id", id, new)
        return new

    def delete(self, id: str) -> None:
        """Remove the document (and its kept history) for good."""
        with self.db.transaction():
            self.table.remove(_by_id(id))
            if self.history_kept:
                self.db.table("revisions").remove(_revisions_of(self.name, id))

    def history(self, id: str) -> list[dict]:
        """Return the earlier versions of a document, oldest first."""
        revs = [
            clone(r)
            for r in self.db.table("revisions").by_readonly("object_id", (id,))
            if r["collection"] == self.name
        ]
        return sorted(revs, key=lambda r: r["rev"])


def _by_id(id: str):
    from tinydb import where

    return where("id") == id


def _revisions_of(collection: str, id: str):
    from tinydb import where

    return (where("object_id") == id) & (where("collection") == collection)


class AuditLog:
    """The append-only audit trail; it has no update or delete method on purpose.

    The records live in their own file, not among the documents
    (:mod:`journal.storage.audit_trail`): a year holds millions of them.
    """

    def __init__(self, db: Database):
        self.db = db
        self.trail = AuditTrail(db.path)

    def append(self, record: dict) -> None:
        """Add one record; ``id`` and ``at`` (UTC) are set here.

        Inside a transaction the record is written when the transaction
        commits, right before its changes, and not at all if it fails.
        """
        record = dict(record, id=new_id(), at=utcnow())
        storage = self.db.storage
        if storage.in_transaction():
            storage.before_commit(lambda: self.trail.append(record))
        else:
            self.trail.append(record)

    def all(self) -> list[dict]:
        """Return every record, oldest first (for small instances and tests)."""
        return self.trail.all()

    def adopt_legacy(self) -> int:
        """Move the records an older journal kept among the documents into the trail.

        Runs on open; a crash half-way repeats it harmlessly (records are merged by id).
        :return: how many records were moved.
        """
        if self.db.storage.read_only or "audit" not in self.db.tables():
            return 0
        records = sorted(self.db.table("audit").documents_readonly(),
                         key=lambda r: r.get("at", ""))
        added = self.trail.append_many(records, ignore_known=True)
        self.db.drop_table("audit")
        self.db.compact()  # the records leave the snapshot and the log
        return added


class Settings:
    """Instance-wide settings set at runtime (enabled plugins, school name, …)."""

    def __init__(self, db: Database):
        self.db = db

    def get(self, key: str, default=None):
        """Return the stored value for ``key`` or ``default``."""
        found = self.db.table("settings").by_readonly("key", (key,))
        return clone(found[0]["value"]) if found else default

    def set(self, key: str, value) -> None:
        """Store ``value`` under ``key``."""
        from tinydb import where

        with self.db.transaction():
            self.db.table("settings").upsert({"key": key, "value": value}, where("key") == key)


class Store:
    """All repositories of one journal instance."""

    def __init__(self, db: Database):
        self.db = db
        self.users = Collection(db, "users")
        self.pupils = Collection(db, "pupils", history=True)
        self.trajectories = Collection(db, "trajectories", history=True)
        self.goals = Collection(db, "goals", history=True)
        self.entries = Collection(db, "entries", history=True)
        self.comments = Collection(db, "comments", history=True)
        self.tokens = Collection(db, "tokens")
        self.sessions = Collection(db, "sessions")
        self.throttle = Collection(db, "throttle")  # failed sign-ins per account and address
        # sign-ins under way at an OpenID provider: state, nonce, PKCE verifier (10 minutes)
        self.oidc_pending = Collection(db, "oidc_pending")
        # diagnoses, reports, health: only for the roles the school configures
        self.restricted_notes = Collection(db, "restricted_notes", history=True)
        # parents' requests (inspection, transfer objection): the register a DPO keeps
        self.privacy_requests = Collection(db, "privacy_requests")
        # practice examples shared with and imported from other schools (no pupil data)
        self.practice_examples = Collection(db, "practice_examples")
        # the adaptations register (free rows, and ratings/promotion of rows derived from entries)
        self.adaptations = Collection(db, "adaptations", history=True)
        # the "wat werkt" handover sheet, one per trajectory
        self.handovers = Collection(db, "handovers", history=True)
        self.template_snapshots = Collection(db, "template_snapshots")
        # focus areas and reflection models plugins contributed, kept for old records
        self.vocabulary_snapshots = Collection(db, "vocabulary_snapshots")
        # a school's own entry templates (journal.process.school_templates); each save a version
        self.school_templates = Collection(db, "school_templates", history=True)
        # photos, scans and PDFs on entries, agreements, handover sheets and practice examples;
        # the files live in <instance>/files (journal.storage.files)
        self.attachments = Collection(db, "attachments")
        # what the pupil and the parents said, about the trajectory or a goal (never edited)
        self.voices = Collection(db, "voices")
        # the parents' and the pupil's page: what the team shares (one per trajectory), and
        # the personal links that open it (only a digest of each secret is kept)
        self.family_pages = Collection(db, "family_pages", history=True)
        self.family_links = Collection(db, "family_links")
        # links between a school's journal and a centre's (journal.federation): the other
        # side's address and public key, this side's private key, what the school shares
        self.federation_links = Collection(db, "federation_links")
        # signed calls already seen (link, nonce), kept while a replay could still be on time
        self.federation_nonces = Collection(db, "federation_nonces")
        # a centre's one-time pairing codes (hashed), valid for minutes
        self.pairing_codes = Collection(db, "pairing_codes")
        # a centre's network library: anonymised practice examples published by linked schools
        self.network_examples = Collection(db, "network_examples")
        # planned class visits in trajectories (journal.process.visits)
        self.visits = Collection(db, "visits", history=True)
        # personal calendar feeds: hashed secret, owner, privacy choice (journal.reminders.feeds)
        self.calendar_feeds = Collection(db, "calendar_feeds")
        # e-mail digests: one record per person and period, sent once (journal.reminders.digests)
        self.digests = Collection(db, "digests")
        self.settings = Settings(db)
        self._derived: dict[str, Derived] = {}
        self.audit = AuditLog(db)
        self.audit.adopt_legacy()

    def plugin_table(self, plugin_name: str) -> Collection:
        """Return the private collection of one plugin (``plugin:<name>``)."""
        return Collection(self.db, f"plugin:{plugin_name}")

    def derived(self, name: str, limit: int | None = None) -> Derived:
        """Return the :class:`~journal.storage.derived.Derived` values kept under ``name``
        (at most ``limit`` of them, when it is created)."""
        found = self._derived.get(name)
        if found is None:
            found = self._derived.setdefault(name, Derived(limit))
        return found

    def transaction(self):
        """Group several repository calls into one atomic unit.

        Everything written inside is saved together when the block ends, or
        nothing is if it raises.
        """
        return self.db.transaction()

    def compact(self) -> None:
        """Rewrite the database files now, so erased or replaced text leaves them.

        Call it at the end of an erasure (a parent's or the school's request).
        """
        self.db.compact()

    def close(self) -> None:
        """Close the database and the audit trail."""
        self.audit.trail.close()
        self.db.close()
