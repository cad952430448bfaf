"""Equal strings in the loaded documents become one object each.

Parsed separately, the documents repeat the same strings as separate objects:
ids (a trajectory's in each of its entries, an author's in everything she
wrote), dates, kinds and statuses, nested field names, and the texts that
revisions keep of earlier versions. At 50,000 entries that is 268 MB of the
575 MB the documents take (docs/performance.md). Sharing them is invisible to
everyone else: strings cannot change.

The pass costs about 1.5 s of CPU at 50,000 entries, so it runs only where the
snapshot's JSON is parsed (a start without a valid load cache); the load cache,
a pickle, keeps one object per shared string, so later starts and the
documents a compaction writes again keep the sharing for free.
"""

from __future__ import annotations


def share_strings(tables: dict[str, dict[str, dict]]) -> None:
    """Make equal strings (field names and values) in ``tables``' documents one object each.

    Each document is replaced in its table by an equal one, one at a time (so no
    second copy of the whole school is ever held).
    """
    memo: dict[str, str] = {}
    one = memo.setdefault

    def shared(value):
        kind = type(value)
        if kind is str:
            return one(value, value)
        if kind is dict:
            return {one(k, k): shared(v) for k, v in value.items()}
        if kind is list:
            return [shared(v) for v in value]
        return value

    for docs in tables.values():
        for doc_id, doc in docs.items():
            docs[doc_id] = shared(doc)
