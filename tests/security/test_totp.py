"""The optional second factor (TOTP): enrolment, login with a code, replay,
school-required roles, turning it off."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pyotp

from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD

from .conftest import ago


def _pending_secret(user):
    record = get_store().sessions.find(user_id=user["id"])[0]
    return record["totp_pending"]


def _enrol(client, user):
    client.get("/account/totp")
    secret = _pending_secret(user)
    response = client.post("/account/totp", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def _code(secret, steps=0):
    return pyotp.TOTP(secret).at(datetime.now(timezone.utc) + timedelta(seconds=30 * steps))


def test_enrolment_shows_a_key_and_needs_a_right_code(app, users, login):
    client = login(app.test_client(), "teacher")
    page = client.get("/account/totp", headers={"Accept-Language": "en"})
    secret = _pending_secret(users["teacher"])
    assert page.status_code == 200
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)).encode() in page.data
    assert b"otpauth://totp/" in page.data
    wrong = client.post("/account/totp", data={"code": "000000"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 400
    assert b"This code is not right" in wrong.data and b'aria-invalid="true"' in wrong.data
    assert not get_store().users.get(users["teacher"]["id"]).get("totp_secret")
    assert client.post("/account/totp", data={"code": _code(secret)}).status_code == 302
    assert get_store().users.get(users["teacher"]["id"])["totp_secret"] == secret


def test_the_pending_key_is_kept_on_the_server_not_in_the_cookie(app, users, login):
    client = login(app.test_client(), "teacher")
    client.get("/account/totp")
    secret = _pending_secret(users["teacher"])
    with client.session_transaction() as cookie_session:
        assert secret not in str(dict(cookie_session))


def test_login_asks_for_the_code_after_the_password(app, users, login):
    secret = _enrol(login(app.test_client(), "teacher"), users["teacher"])
    client = app.test_client()
    response = client.post("/login?next=/account/tokens",
                           data={"username": "teacher", "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/").status_code == 302  # not signed in before the code
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 401
    right = client.post("/login/code", data={"code": _code(secret, 1)})
    assert right.status_code == 302 and right.headers["Location"].endswith("/account/tokens")
    assert client.get("/").status_code == 200
    records = [r for r in get_store().audit.all() if r["action"] == "login" and r["detail"] == "totp"]
    assert len(records) == 1


def test_a_code_cannot_be_used_twice(app, users, login):
    secret = _enrol(login(app.test_client(), "teacher"), users["teacher"])
    code = _code(secret, 1)
    first = app.test_client()
    first.post("/login", data={"username": "teacher", "password": TEST_PASSWORD})
    assert first.post("/login/code", data={"code": code}).status_code == 302
    second = app.test_client()
    second.post("/login", data={"username": "teacher", "password": TEST_PASSWORD})
    assert second.post("/login/code", data={"code": code}).status_code == 401


def test_the_code_step_expires(app, users, login):
    secret = _enrol(login(app.test_client(), "teacher"), users["teacher"])
    client = app.test_client()
    client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD})
    with client.session_transaction() as cookie_session:
        pending = dict(cookie_session["pending_2fa"], at=ago(minutes=6))
        cookie_session["pending_2fa"] = pending
    response = client.post("/login/code", data={"code": _code(secret, 1)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302


def test_code_step_without_password_step_goes_back_to_login(client, users):
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_codes_count_towards_the_account_lock(app, users, login):
    secret = _enrol(login(app.test_client(), "teacher"), users["teacher"])
    client = app.test_client()
    client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD})
    for _ in range(5):
        client.post("/login/code", data={"code": "000000"})
    response = client.post("/login/code", data={"code": _code(secret, 1)})
    assert response.status_code == 429


def test_school_can_require_a_second_factor_for_a_role(app, users, login):
    get_store().settings.set("totp_required_roles", ["coordinator"])
    coordinator = login(app.test_client(), "coordinator")
    response = coordinator.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/totp")
    assert coordinator.get("/account/tokens").status_code == 302
    page = coordinator.get("/account/totp", headers={"Accept-Language": "en"})
    assert b"Your school requires two-step sign-in" in page.data
    secret = _pending_secret(users["coordinator"])
    coordinator.post("/account/totp", data={"code": _code(secret)})
    assert coordinator.get("/").status_code == 200
    # Other roles are not confined.
    assert login(app.test_client(), "teacher").get("/").status_code == 200


def test_required_roles_come_from_the_config_when_not_set(app, users, login):
    app.config["JOURNAL_TOTP_REQUIRED_ROLES"] = ["admin"]
    assert login(app.test_client(), "admin").get("/").status_code == 302


def test_turning_it_off_needs_the_password_and_is_refused_when_required(app, users, login):
    client = login(app.test_client(), "teacher")
    _enrol(client, users["teacher"])
    client.post("/account/totp/disable", data={"password": "wrong"})
    assert get_store().users.get(users["teacher"]["id"])["totp_secret"]
    get_store().settings.set("totp_required_roles", ["teacher"])
    assert client.post("/account/totp/disable", data={"password": TEST_PASSWORD}).status_code == 403
    get_store().settings.set("totp_required_roles", [])
    client.post("/account/totp/disable", data={"password": TEST_PASSWORD})
    assert not get_store().users.get(users["teacher"]["id"])["totp_secret"]
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "teacher", "password": TEST_PASSWORD}
                      ).headers["Location"].endswith("/")


def test_enrolling_ends_the_users_other_sessions(app, users, login):
    laptop = login(app.test_client(), "teacher")
    phone = login(app.test_client(), "teacher")
    _enrol(laptop, users["teacher"])
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
