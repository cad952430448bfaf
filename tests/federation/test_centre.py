"""A centre's journal: its own roles, no pupil pages or services, its admin and start pages."""

from __future__ import annotations

import pytest

from journal.errors import NotFound
from journal.plugins.testing import make_test_app
from journal.process import trajectories as trajectory_service
from journal.storage import get_store
from tests.support.federation import make_user


@pytest.fixture
def centre(tmp_path):
    application = make_test_app(tmp_path, JOURNAL_INSTANCE_KIND="centre")
    with application.app_context():
        yield application


def _signed_in(centre, username: str, roles: list[str]):
    from journal.plugins.testing import TEST_PASSWORD

    make_user(centre, username, roles)
    client = centre.test_client()
    assert client.post("/login", data={"username": username,
                                       "password": TEST_PASSWORD}).status_code == 302
    return client


SCHOOL_PAGES = ["/t/", "/t/new", "/pupils/", "/search/?q=a", "/patterns/", "/practice/",
                "/privacy/", "/admin/plugins/", "/api/v1/trajectories", "/admin/centres/",
                "/federation/v1/caseload", "/federation/v1/calendar", "/federation/v1/patterns"]


@pytest.mark.parametrize("roles", [["support"], ["director"], ["admin"]])
def test_no_pupil_page_exists_in_a_centre(centre, roles):
    client = _signed_in(centre, "person", roles)
    for path in SCHOOL_PAGES:
        assert client.get(path).status_code in (404, 405), path


def test_pupil_services_refuse_in_a_centre_whatever_the_role(centre):
    user = make_user(centre, "jonas", ["support", "admin"])
    trajectory = get_store().trajectories.create({
        "members": [{"user_id": user["id"], "role": "support"}], "pupil_id": None})
    with pytest.raises(NotFound):
        trajectory_service.load_trajectory(user, trajectory["id"])
    assert trajectory_service.get_visible(user) == []


def test_a_centre_offers_its_own_roles(centre):
    client = _signed_in(centre, "beheer", ["admin"])
    page = client.get("/admin/accounts/new").get_data(as_text=True)
    assert 'value="director"' in page and 'value="support"' in page
    assert 'value="teacher"' not in page and 'value="coordinator"' not in page
    from journal.accounts import AccountError
    from journal.accounts import create_user

    with pytest.raises(AccountError):
        create_user("juf", roles=["teacher"], password="a long enough passphrase 42")


def test_each_role_starts_on_its_page_and_sees_its_menu(centre):
    support = _signed_in(centre, "jonas", ["support"])
    assert support.get("/").headers["Location"].endswith("/centre/")
    assert support.get("/centre/").headers["Location"].endswith("/centre/caseload")
    page = support.get("/centre/caseload").get_data(as_text=True)
    assert "My caseload" in page and "Trajectories" not in page
    director = _signed_in(centre, "katrien", ["director"])
    assert director.get("/centre/").headers["Location"].endswith("/centre/patterns")
    assert director.get("/centre/caseload").status_code == 403
    assert support.get("/centre/patterns").status_code == 403
    admin = _signed_in(centre, "dirk", ["admin"])
    assert admin.get("/centre/").headers["Location"].endswith("/centre/admin/schools")
    for client in (support, director):
        assert client.get("/centre/admin/schools").status_code == 403
        assert client.post("/centre/admin/schools/code").status_code == 403


def test_the_admin_makes_a_pairing_code_shown_once(centre):
    admin = _signed_in(centre, "dirk", ["admin"])
    page = admin.post("/centre/admin/schools/code").get_data(as_text=True)
    import re

    code = re.search(r'id="pairing-code">([A-Z0-9-]+)<', page)[1]
    assert len(code) == 14 and code.count("-") == 2
    again = admin.get("/centre/admin/schools").get_data(as_text=True)
    assert code not in again and "1 code is still valid" in again
    assert any(r["object_type"] == "pairing_code" for r in get_store().audit.all())


def test_init_centre_makes_a_centre_instance_and_a_demo_centre(tmp_path):
    from pathlib import Path

    from journal.cli.instance import initialise

    instance = Path(tmp_path) / "c"
    accounts = initialise(instance, demo=True, centre=True)
    assert "JOURNAL_INSTANCE_KIND = 'centre'" in (instance / "config.py").read_text()
    assert {r for a in accounts.values() for r in a["roles"]} == {"support", "director", "admin"}
