"""DPIA help: data inventory and the role/access matrix derived from the access rules."""

from __future__ import annotations

import csv
import io

import pytest

from journal.privacy import dpia


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
