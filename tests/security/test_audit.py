"""The audit log: what is recorded, who reads it, filters, exports, no editing."""

from __future__ import annotations

import csv
import io

import pytest

from journal.security.audit import audit
from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True, params=["09:59:59", "10:00:00", "20:59:59", "23:59:59"])
def clock(request, monkeypatch):
    """Run every test at several pinned times of day: record times and ids must never
    be confused by a filter or an assertion, whatever the hour (an id "T2" once matched
    "…T21:05" after 20:00 UTC)."""
    from journal.storage import store

    monkeypatch.setattr(store, "utcnow", lambda: f"2026-03-04T{request.param}+00:00")


def test_records_carry_time_user_address_action_object_and_outcome(app, users, login):
    client = app.test_client()
    client.post("/login", data={"username": "teacher", "password": "wrong"},
                environ_base={"REMOTE_ADDR": "198.51.100.4"})
    client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD},
                environ_base={"REMOTE_ADDR": "198.51.100.4"})
    failed, ok = [r for r in get_store().audit.all() if r["action"] in ("login_failed", "login")]
    assert failed["outcome"] == "refused" and failed["address"] == "198.51.100.4"
    assert failed["object_id"] == users["teacher"]["id"]
    assert ok["user_id"] == users["teacher"]["id"] and ok["outcome"] == "ok"
    assert ok["at"].endswith("+00:00")  # UTC


def test_the_log_has_no_way_to_change_or_delete_records(app):
    log = get_store().audit
    assert not any(hasattr(log, name) for name in ("update", "delete", "remove", "clear"))
    editing = [rule.rule for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("audit.") and rule.methods & {"POST", "PUT", "DELETE"}]
    assert editing == []


@pytest.mark.parametrize("who, status", [("coordinator", 200), ("admin", 200),
                                         ("teacher", 403), ("support", 403)])
def test_only_coordinator_and_admin_read_it(app, users, login, who, status):
    client = login(app.test_client(), who)
    assert client.get("/audit/").status_code == status
    assert client.get("/audit/export.csv").status_code == status


def _seed(users):
    audit("view", object_type="trajectory", object_id="traj-one", pupil_id="P1",
          user_id=users["teacher"]["id"])
    audit("view", object_type="trajectory", object_id="traj-two", pupil_id="P2",
          user_id=users["support"]["id"])
    audit("denied", object_type="trajectory", object_id="traj-one", pupil_id="P1", outcome="404",
          user_id=users["outsider_teacher"]["id"])


def test_filters_by_user_pupil_action_and_outcome(app, users, login):
    _seed(users)
    client = login(app.test_client(), "coordinator")
    page = client.get("/audit/?pupil_id=P1", headers=EN)
    assert b"traj-one" in page.data and b"traj-two" not in page.data
    page = client.get("/audit/?user=support", headers=EN)
    assert b"traj-two" in page.data and b"traj-one" not in page.data
    page = client.get("/audit/?action=denied&outcome=404", headers=EN)
    assert b"outsider_teacher" in page.data and b"traj-two" not in page.data


def test_bad_filters_are_explained_next_to_the_field(app, users, login):
    client = login(app.test_client(), "admin")
    page = client.get("/audit/?user=nobody&since=yesterday&action=hack", headers=EN)
    assert page.status_code == 400
    assert b"no account with this user name" in page.data
    assert b"Use a date like" in page.data and b"Choose an action" in page.data
    assert b'value="nobody"' in page.data


def test_date_filters(app, users, login):
    _seed(users)
    client = login(app.test_client(), "admin")
    assert b"traj-one" not in client.get("/audit/?since=2999-01-01").data
    assert b"traj-one" in client.get("/audit/?until=2999-01-01").data


def test_csv_export_follows_the_filters_and_defuses_formulas(app, users, login):
    _seed(users)
    audit("view", object_type="trajectory", object_id="=HYPERLINK(\"x\")", pupil_id="P1",
          user_id=users["teacher"]["id"])
    client = login(app.test_client(), "coordinator")
    response = client.get("/audit/export.csv?pupil_id=P1")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["pupil_id"] for r in rows} == {"P1"}
    assert {r["object_id"] for r in rows} == {"traj-one", "'=HYPERLINK(\"x\")"}


def test_json_export_and_exports_are_themselves_audited(app, users, login):
    _seed(users)
    client = login(app.test_client(), "admin")
    records = client.get("/audit/export.json?action=denied").get_json()
    assert [r["object_id"] for r in records] == ["traj-one"]
    assert set(records[0]) == {"at", "user_id", "address", "action", "object_type", "object_id",
                               "pupil_id", "outcome", "detail"}
    exports = [r for r in get_store().audit.all() if r["action"] == "export"]
    assert exports[-1]["object_type"] == "audit" and exports[-1]["detail"] == "json"


def test_unknown_export_format_is_not_found(app, users, login):
    assert login(app.test_client(), "admin").get("/audit/export.xml").status_code == 404


def test_no_password_or_session_secret_reaches_the_log(app, users, login):
    client = login(app.test_client(), "teacher")
    with client.session_transaction() as cookie_session:
        sid = cookie_session["sid"]
    client.post("/account/", data={"current_password": TEST_PASSWORD, "new_password": "een nieuwe lange zin",
                                   "confirm_password": "een nieuwe lange zin"})
    dump = str(get_store().audit.all())
    assert TEST_PASSWORD not in dump and "een nieuwe lange zin" not in dump and sid not in dump
