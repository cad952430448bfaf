"""Retention: what is due after the school's periods, and the admin's confirmation."""

from __future__ import annotations

from datetime import date

import pytest

from journal.privacy import retention
from journal.storage import get_store

EN = {"Accept-Language": "en"}


def test_add_months_keeps_the_end_of_the_month():
    assert retention.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert retention.add_months(date(2023, 6, 30), 24) == date(2025, 6, 30)


def test_closed_trajectory_is_due_after_the_period(app, users, school):
    keys = {i["key"] for i in retention.due(date(2025, 6, 29))}
    assert f"trajectory:{school['older']['id']}" not in keys
    keys = {i["key"] for i in retention.due(date(2025, 6, 30))}
    assert f"trajectory:{school['older']['id']}" in keys
    assert f"trajectory:{school['reading']['id']}" not in keys  # still open


def test_a_pupil_who_left_is_due_as_a_whole(app, users, school):
    get_store().pupils.update(school["lotte"]["id"], {"left_on": "2024-06-30"})
    items = retention.due(date(2025, 7, 1))
    assert [i["key"] for i in items] == [f"pupil:{school['lotte']['id']}"]  # not also the trajectory


def test_the_school_sets_the_periods(app, users, school):
    retention.set_periods(left_months=12, closed_months=6)
    keys = {i["key"] for i in retention.due(date(2024, 1, 1))}
    assert f"trajectory:{school['older']['id']}" in keys


def test_purge_erases_only_what_is_due_and_ticked(app, users, school):
    get_store().pupils.update(school["jonas"]["id"], {"left_on": "2020-01-01"})
    gone = retention.purge({f"trajectory:{school['older']['id']}",
                            f"trajectory:{school['reading']['id']}"},  # not due: ignored
                           actor_id=users["admin"]["id"], today=date(2026, 1, 1))
    store = get_store()
    assert gone >= 1
    assert store.trajectories.get(school["older"]["id"]) is None
    assert store.trajectories.get(school["reading"]["id"])
    assert store.pupils.get(school["jonas"]["id"])  # due, but not ticked
    record = [r for r in store.audit.all() if r["action"] == "erase"][-1]
    assert record["detail"].startswith("retention:")


@pytest.fixture
def admin(app, users, login):
    return login(app.test_client(), "admin")


def test_the_admin_sees_what_is_due_and_confirms(admin, school):
    get_store().pupils.update(school["jonas"]["id"], {"left_on": "2020-01-01"})
    page = admin.get("/privacy/retention", headers=EN)
    assert b"Pupil who left" in page.data and b"Jonas Maes" in page.data
    assert admin.post("/privacy/retention", data={"action": "purge",
                                                  "items": [f"pupil:{school['jonas']['id']}"]}
                      ).status_code == 302
    assert get_store().pupils.get(school["jonas"]["id"]) is None
    assert [r for r in get_store().audit.all() if r["action"] == "purge"]


def test_periods_form_validates(admin, school):
    bad = admin.post("/privacy/retention", headers=EN,
                     data={"action": "periods", "left_months": "-3", "closed_months": "veel"})
    assert bad.status_code == 400 and b"whole number of months" in bad.data
    assert b'value="veel"' in bad.data
    admin.post("/privacy/retention", data={"action": "periods", "left_months": "6",
                                           "closed_months": "36"})
    assert retention.periods() == {"left_months": 6, "closed_months": 36}


@pytest.mark.parametrize("who", ["teacher", "support", "coordinator"])
def test_only_the_admin_purges(app, users, login, school, who):
    client = login(app.test_client(), who)
    assert client.post("/privacy/retention", data={
        "action": "purge", "items": [f"trajectory:{school['older']['id']}"]}).status_code == 403
    assert get_store().trajectories.get(school["older"]["id"])


def test_recording_that_a_pupil_left_makes_the_file_due_after_the_period(
        app, users, login, make_trajectory):
    from journal.privacy import retention
    from journal.storage import get_store

    trajectory = make_trajectory(users["teacher"], (users["support"], "support"))
    pupil = get_store().pupils.require(trajectory["pupil_id"])
    client = login(app.test_client(), "support")
    url = f"/pupils/{pupil['id']}/edit"
    bad = client.post(url, data={"display_name": pupil["display_name"], "class_group": "3B",
                                 "left_on": "eind juni", "rev": pupil["rev"]})
    assert bad.status_code == 400 and 'value="eind juni"' in bad.get_data(as_text=True)
    assert not [d for d in retention.due() if d["key"] == f"pupil:{pupil['id']}"]
    ok = client.post(url, data={"display_name": pupil["display_name"], "class_group": "3B",
                                "left_on": "2020-06-30", "rev": pupil["rev"]})
    assert ok.status_code == 302
    assert get_store().pupils.require(pupil["id"])["left_on"] == "2020-06-30"
    assert [d for d in retention.due() if d["key"] == f"pupil:{pupil['id']}"]
