"""The transfer package for a change of school."""

from __future__ import annotations

import json

import pytest

from journal.privacy import transfer
from journal.storage import get_store

EN = {"Accept-Language": "en"}


@pytest.fixture
def coordinator(app, users, login):
    return login(app.test_client(), "coordinator")


def _url(school, tail=""):
    return f"/privacy/pupils/{school['lotte']['id']}/transfer{tail}"


def test_no_package_before_the_parents_were_informed(app, users, school):
    with pytest.raises(transfer.TransferRefused):
        transfer.build(school["lotte"]["id"])


def test_no_package_when_the_parents_object(app, users, school):
    transfer.record_decision(users["coordinator"], school["lotte"]["id"], informed_on="2025-05-02",
                             objection=True)
    with pytest.raises(transfer.TransferRefused):
        transfer.build(school["lotte"]["id"])


def test_package_leaves_out_breaches_internal_drafts_comments_and_restricted(app, users, school):
    transfer.record_decision(users["coordinator"], school["lotte"]["id"], informed_on="2025-05-02",
                             objection=False)
    text = json.dumps(transfer.build(school["lotte"]["id"]), ensure_ascii=False)
    assert "werkte samen met Jonas" in text and "Lotte leest zelfstandig" in text
    # The pupil's and the parents' voice goes along: what helps, in their words.
    assert "voorlezen met een vinger" in text and "lezen thuis elke avond mee" in text
    assert "Thuis lezen we samen" in text  # a parent's reaction is their voice too
    assert "Mama van Lotte" in text and "personal_links" not in text  # no links to this school
    for absent in ("duwde een klasgenoot", "Intern overleg", "Nog niet af", "Jonas helpt haar",
                   "Taalontwikkelingsstoornis", "breach_of_rules", "Frans"):
        assert absent not in text, absent


def test_what_stays_behind_is_counted_per_reason(app, users, school):
    assert transfer.left_out(school["lotte"]["id"]) == {
        "breach_of_rules": 1, "internal": 1, "drafts": 1, "comments": 1, "restricted": 1,
        "included": 1}


def test_page_records_the_decision_with_validation(coordinator, school):
    bad = coordinator.post(_url(school), headers=EN, data={"informed_on": "gisteren"})
    assert bad.status_code == 400
    assert b"Use a date like" in bad.data and b"Choose whether the parents object" in bad.data
    assert b'value="gisteren"' in bad.data
    coordinator.post(_url(school), data={"informed_on": "2025-05-02", "objection": "yes"})
    decision = transfer.latest_decision(school["lotte"]["id"])
    assert decision["objection"] is True and decision["informed_on"] == "2025-05-02"
    refused = coordinator.post(_url(school, "/package"), data={"format": "json"})
    assert refused.status_code == 302
    assert not [r for r in get_store().audit.all() if r["action"] == "export"]


def test_package_download_after_no_objection_with_names_removed(coordinator, school):
    coordinator.post(_url(school), data={"informed_on": "2025-05-02", "objection": "no"})
    page = coordinator.get(_url(school), headers=EN)
    assert b'value="Jonas" checked' in page.data
    response = coordinator.post(_url(school, "/package"), data={"format": "json", "redact": ["Jonas"]})
    data = response.get_json()
    assert data["parents_informed_on"] == "2025-05-02"
    assert "Jonas" not in response.get_data(as_text=True)
    record = [r for r in get_store().audit.all() if r["action"] == "export"][-1]
    assert record["detail"].startswith("transfer:json")


@pytest.mark.parametrize("who", ["teacher", "support", "admin"])
def test_only_the_coordinator_handles_transfers(app, users, login, school, who):
    client = login(app.test_client(), who)
    assert client.get(_url(school)).status_code == 403
    assert client.post(_url(school, "/package")).status_code == 403
