"""Loaded documents share equal strings (a large school's memory), and stay exactly as stored."""

from __future__ import annotations

import json
import zlib

from journal.storage.cache import CACHE


def _fill(db) -> list[dict]:
    docs = [{"trajectory_id": "t-7", "kind": "observation", "n": n,
             "fields": {"what": "Koptelefoon tijdens zelfstandig werk"}, "tags": ["rust"]}
            for n in range(3)]
    for doc in docs:
        db.table("entries").insert(doc)
    db.compact()
    db.close()
    return docs


def _assert_shared(db, docs: list[dict]) -> None:
    loaded = sorted(db.table("entries").all(), key=lambda d: d["n"])
    assert [dict(d) for d in loaded] == docs
    first, second, third = loaded
    assert first["trajectory_id"] is second["trajectory_id"] is third["trajectory_id"]
    assert first["fields"]["what"] is third["fields"]["what"]
    assert first["tags"][0] is second["tags"][0]
    assert next(iter(first["fields"])) is next(iter(second["fields"]))  # nested field names


def test_documents_share_equal_strings_after_a_start_with_or_without_the_load_cache(
        open_db, data_dir):
    docs = _fill(open_db())
    (data_dir / CACHE).unlink()  # a start that parses the snapshot
    _assert_shared(open_db(), docs)
    assert json.loads((data_dir / CACHE).read_bytes().split(b"\n", 1)[0])["strings"] == "shared"
    _assert_shared(open_db(), docs)  # from the load cache the next time


def test_a_load_cache_written_before_strings_were_shared_is_replaced_once(open_db, data_dir):
    docs = _fill(open_db())
    cache = data_dir / CACHE
    head, body = cache.read_bytes().split(b"\n", 1)
    older = {k: v for k, v in json.loads(head).items() if k != "strings"}
    older.update(crc=zlib.crc32(body), bytes=len(body))
    cache.write_bytes(json.dumps(older).encode() + b"\n" + body)

    _assert_shared(open_db(), docs)
    assert json.loads(cache.read_bytes().split(b"\n", 1)[0])["strings"] == "shared"
