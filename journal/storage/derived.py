"""Values derived from stored documents, reused while what they were derived from is unchanged.

A school-wide page (the coordinator's patterns) reads tens of thousands of
documents to compute a little per trajectory. :class:`Derived` keeps each such
value with the *change stamps* it was computed under
(:meth:`~journal.storage.store.Collection.change_stamps`: tokens the storage
changes with every document change, from any process, a restore or a reload)
and hands it out again only while the stamps are equal. Unlike a cache with a
lifetime it cannot go stale: a change through any path changes a stamp.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from threading import Lock


class Derived:
    """Derived values per key, each kept with the stamps it was computed under.

    :param limit: keep at most this many values (the oldest computed go first), for values
        per view rather than per document.
    """

    def __init__(self, limit: int | None = None):
        self._held: dict[Hashable, tuple[Hashable, object]] = {}
        self._lock = Lock()
        self.limit = limit

    def get_many(self, stamps: dict[Hashable, Hashable],
                 compute: Callable[[list[Hashable]], dict[Hashable, object]]) -> dict:
        """Return the value of every key in ``stamps`` (key -> its current stamp).

        Keys whose value is missing or was computed under another stamp are
        computed again, together, by ``compute(keys)`` (it returns key -> value).
        Read the stamps *before* the documents: a value computed from newer
        documents than its stamp is only computed once more, never served stale.
        """
        held = self._held
        out, missing = {}, []
        for key, stamp in stamps.items():
            found = held.get(key)
            if found is not None and found[0] == stamp:
                out[key] = found[1]
            else:
                missing.append(key)
        if missing:
            fresh = compute(missing)
            with self._lock:
                for key in missing:
                    value = fresh[key]
                    held.pop(key, None)  # to the end: the newest
                    held[key] = (stamps[key], value)
                    out[key] = value
                while self.limit is not None and len(held) > self.limit:
                    del held[next(iter(held))]
        return out

    def get(self, key: Hashable, stamp: Hashable, compute: Callable[[], object]):
        """Return the value of one ``key`` (see :meth:`get_many`)."""
        return self.get_many({key: stamp}, lambda _keys: {key: compute()})[key]

    def forget(self, keys: Iterable[Hashable] | None = None) -> None:
        """Drop the values of ``keys`` (all values without keys), e.g. to measure a cold start."""
        with self._lock:
            if keys is None:
                self._held.clear()
            else:
                for key in keys:
                    self._held.pop(key, None)
