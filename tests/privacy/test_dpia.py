"""DPIA help: data inventory and the role/access matrix derived from the access rules; every
table the journal keeps is in the inventory, in the privacy guide and in the data model."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from journal.privacy import dpia
from journal.storage.store import Collection


def _matrix():
    return {row["role"]: row for row in dpia.access_matrix()}


def test_matrix_follows_the_access_rules(app):
    m = _matrix()
    assert m["teacher"]["read_member"] and not m["teacher"]["read_other"]
    assert m["coordinator"]["read_other"] and m["coordinator"]["manage_other"]
    assert not m["admin"]["read_member"] and m["admin"]["admin"]
    assert m["support"]["manage_member"] and not m["teacher"]["manage_member"]
    assert not m["teacher"]["restricted_member"] and m["support"]["restricted_member"]


def test_matrix_follows_the_schools_restricted_roles(app):
    from journal.storage import get_store

    get_store().settings.set("restricted_roles", ["coordinator"])
    assert not _matrix()["support"]["restricted_member"]


def test_inventory_counts_documents_and_names_retention(app, users, school):
    rows = {r["table"]: r for r in dpia.inventory()}
    assert rows["pupils"]["documents"] == 2
    assert "12 months" in rows["pupils"]["retention"]
    assert rows["plugin:tos_instruction"]["documents"] == 1


@pytest.mark.parametrize("who, status", [("coordinator", 200), ("admin", 200), ("teacher", 403)])
def test_page_and_exports(app, users, login, who, status):
    client = login(app.test_client(), who)
    assert client.get("/privacy/dpia").status_code == status
    response = client.get("/privacy/dpia.csv")
    assert response.status_code == status
    if status == 200:
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) == 5 and rows[0][0] == "role"
        data = client.get("/privacy/dpia.json").get_json()
        assert {"inventory", "access_matrix"} <= set(data)


# -- every table the journal keeps is in the inventory and in the docs ------------------

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _kept_tables(store) -> set[str]:
    """Every table a Store keeps: its collections (read from the Store itself, so a new one
    counts at once), the earlier versions the collections keep, the settings and the audit log."""
    collections = {c.name for c in vars(store).values() if isinstance(c, Collection)}
    assert {"users", "entries", "visits", "digests"} <= collections  # the Store is read right
    return collections | {"revisions", "settings", "audit"}


def _names_in(markdown: str, section: str) -> set[str]:
    """The `code` names in the tables of one section of a Markdown file."""
    part = markdown.split(section, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in part.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([a-z_:<>]+)`", row)}


def test_the_inventory_names_every_table_the_journal_keeps(app):
    from journal.storage import get_store

    listed = [row[0] for row in dpia.INVENTORY]
    kept = _kept_tables(get_store())
    assert sorted(kept - set(listed)) == [], "tables missing from journal.privacy.dpia.INVENTORY"
    assert sorted(set(listed) - kept) == [], "INVENTORY names tables the journal does not keep"
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize("doc, section", [("privacy.md", "## What is stored, and where"),
                                          ("data-model.md", "# Data model")])
def test_the_docs_name_every_table_the_journal_keeps(app, doc, section):
    from journal.storage import get_store

    documented = _names_in((DOCS / doc).read_text(encoding="utf-8"), section)
    missing = _kept_tables(get_store()) | {"plugin:<name>"}
    assert sorted(missing - documented) == [], f"tables not described in docs/{doc}"


def test_the_dpia_page_counts_the_federation_and_reminder_tables(app, users, login):
    from journal.security.audit import audit
    from journal.storage import get_store

    store = get_store()
    store.federation_links.create({"side": "school", "peer_name": "De Brug", "status": "active"})
    store.calendar_feeds.create({"user_id": users["teacher"]["id"], "digest": "x" * 64})
    audit("export", object_type="dpia", user_id=users["admin"]["id"], detail="test")
    audit_records = len(store.audit.all())
    rows = {r["table"]: r for r in dpia.inventory()}
    assert rows["federation_links"]["documents"] == 1 and rows["calendar_feeds"]["documents"] == 1
    assert rows["audit"]["documents"] == audit_records > 0  # the trail's own file is counted
    assert rows["pairing_codes"]["documents"] == 0
    page = login(app.test_client(), "coordinator").get("/privacy/dpia").get_data(as_text=True)
    assert "<code>federation_links</code>" in page and "<code>network_examples</code>" in page
