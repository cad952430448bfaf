"""Schema versions of the stored documents and the migrations between them.

The schema version is kept in the snapshot header. When the journal opens a
database with an older version it first writes a backup to
``<instance>/backups/before-schema-<old>-to-<new>-<time>.jbak``, then runs
each migration in order on the in-memory tables, then writes a new snapshot
(so the upgrade is all-or-nothing: a crash or an exception leaves the old
files as they were). A database with a *newer* version than the code is
refused rather than touched.

To change the shape of stored documents:

1. write a function ``def to_2(tables): ...`` that edits documents in place;
   ``tables`` is ``{table name: {doc id: document}}`` (plain dicts);
2. register it: ``MIGRATIONS[2] = to_2``, which makes ``SCHEMA_VERSION`` 2;
3. test it on a database written at version 1 (see tests/storage/test_migrations.py).

A migration must be deterministic and must not fail on documents it has
already seen in the new shape (a restore may bring back older backups).
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import SchemaError

Migration = Callable[[dict], None]

#: ``{target version: migration}``; version 1 is the first shape (no migration).
MIGRATIONS: dict[int, Migration] = {}

#: The schema version this code writes and expects.
SCHEMA_VERSION: int = max(MIGRATIONS, default=1)


def run_migrations(tables: dict, current: int, target: int, registry: dict) -> list[int]:
    """Run the migrations from ``current`` up to ``target`` on ``tables``; return the versions run.

    :raise SchemaError: a migration in between is missing.
    """
    done = []
    for version in range(current + 1, target + 1):
        migration = registry.get(version)
        if migration is None:
            raise SchemaError(f"No migration is registered to reach schema version {version}.")
        migration(tables)
        done.append(version)
    return done
