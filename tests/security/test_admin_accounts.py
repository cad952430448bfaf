"""Administrators manage accounts in the web interface."""

from __future__ import annotations

import re

import pytest

from journal.security import throttle
from journal.security.sessions import create_token
from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(app, users, login):
    return login(app.test_client(), "admin")


def _user(name):
    return get_store().users.find(username=name)[0]


@pytest.mark.parametrize("who", ["teacher", "support", "coordinator"])
def test_only_administrators_reach_the_account_pages(app, users, login, who):
    client = login(app.test_client(), who)
    assert client.get("/admin/accounts/").status_code == 403
    assert client.post("/admin/accounts/new", data={"username": "x", "roles": "admin"}
                       ).status_code == 403
    assert client.post(f"/admin/accounts/{users['admin']['id']}/reset-password").status_code == 403
    assert len(get_store().users.all()) == len(users)


def test_the_list_shows_every_account(admin, users):
    page = admin.get("/admin/accounts/", headers=EN)
    for name in users:
        assert name.encode() in page.data


def test_create_an_account_with_a_generated_password_shown_once(app, admin):
    page = admin.post("/admin/accounts/new", headers=EN, data={
        "username": "Juf.Annelies", "display_name": "Annelies", "roles": ["teacher", "support"]})
    assert page.status_code == 200
    password = re.search(rb'<code class="secret">([^<]+)</code>', page.data).group(1).decode()
    created = _user("juf.annelies")
    assert created["roles"] == ["teacher", "support"] and created["active"]
    assert created["password_hash"].startswith("$argon2id$")
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "juf.annelies", "password": password}
                      ).status_code == 302


def test_create_refuses_bad_input_next_to_the_fields_and_keeps_it(admin, users):
    page = admin.post("/admin/accounts/new", headers=EN, data={
        "username": "teacher", "display_name": "Dubbel", "roles": [], "password": "kort"})
    assert page.status_code == 400
    assert b"already taken" in page.data
    assert b"Choose at least one role" in page.data
    assert b"at least 8 characters" in page.data
    assert b'value="Dubbel"' in page.data


def test_edit_changes_name_and_roles_but_nothing_else(admin, users):
    teacher = users["teacher"]
    response = admin.post(f"/admin/accounts/{teacher['id']}", data={
        "display_name": "Meester Tom", "roles": ["teacher", "coordinator", "superuser"],
        "rev": teacher["rev"], "username": "hijacked", "password_hash": "x", "active": "0"})
    assert response.status_code == 302
    stored = get_store().users.get(teacher["id"])
    assert stored["display_name"] == "Meester Tom"
    assert stored["roles"] == ["teacher", "coordinator"]
    assert stored["username"] == "teacher" and stored["password_hash"] == teacher["password_hash"]
    assert stored["active"] is True


def test_a_stale_edit_is_not_saved(admin, users):
    teacher = users["teacher"]
    get_store().users.update(teacher["id"], {"display_name": "Changed meanwhile"})
    admin.post(f"/admin/accounts/{teacher['id']}", data={
        "display_name": "Mine", "roles": ["teacher"], "rev": teacher["rev"]})
    assert get_store().users.get(teacher["id"])["display_name"] == "Changed meanwhile"


def test_the_last_administrator_keeps_the_role_and_stays_active(admin, users):
    me = users["admin"]
    page = admin.post(f"/admin/accounts/{me['id']}", headers=EN,
                      data={"display_name": "", "roles": ["teacher"], "rev": me["rev"]})
    assert page.status_code == 400 and b"last active administrator" in page.data
    admin.post(f"/admin/accounts/{me['id']}/deactivate")
    assert get_store().users.get(me["id"])["active"] is True


def test_deactivate_ends_sessions_and_keys_and_reactivate_restores_sign_in(app, admin, users, login):
    teacher_client = login(app.test_client(), "teacher")
    _, secret = create_token(users["teacher"], "script")
    admin.post(f"/admin/accounts/{users['teacher']['id']}/deactivate")
    assert teacher_client.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                                 ).status_code == 401
    refused = app.test_client().post("/login", data={"username": "teacher", "password": TEST_PASSWORD})
    assert refused.status_code == 401
    admin.post(f"/admin/accounts/{users['teacher']['id']}/reactivate")
    login(app.test_client(), "teacher")


def test_reset_password_shows_a_new_one_ends_sessions_and_lifts_a_lock(app, admin, users, login):
    teacher_client = login(app.test_client(), "teacher")
    for _ in range(6):
        throttle.record_failure("teacher", "10.0.0.1")
    page = admin.post(f"/admin/accounts/{users['teacher']['id']}/reset-password")
    password = re.search(rb'<code class="secret">([^<]+)</code>', page.data).group(1).decode()
    assert teacher_client.get("/").status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "teacher", "password": password},
                      environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 302


def test_reset_of_a_lost_second_factor(admin, users):
    get_store().users.update(users["support"]["id"], {"totp_secret": "JBSWY3DPEHPK3PXP"})
    admin.post(f"/admin/accounts/{users['support']['id']}/reset-totp")
    assert not get_store().users.get(users["support"]["id"])["totp_secret"]


def test_account_changes_are_audited_without_names(admin, users):
    admin.post("/admin/accounts/new", data={"username": "nieuw", "roles": ["teacher"]})
    records = [r for r in get_store().audit.all() if r["action"] == "account"]
    assert records and records[-1]["detail"] == "create"
    assert "nieuw" not in str(records)


def test_security_settings_page_sets_required_and_restricted_roles(admin, users):
    page = admin.get("/admin/security", headers=EN)
    assert b"Roles that must use two-step sign-in" in page.data
    admin.post("/admin/security", data={"totp_roles": ["coordinator", "admin", "bogus"],
                                        "restricted_roles": ["coordinator", "admin"]})
    settings = get_store().settings
    assert settings.get("totp_required_roles") == ["coordinator", "admin"]
    assert settings.get("restricted_roles") == ["coordinator"]  # administrators are not care staff
