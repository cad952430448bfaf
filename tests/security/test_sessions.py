"""Server-side sessions: new id at login, idle and absolute timeouts, real logout,
password change and deactivation ending sessions, hardened cookies."""

from __future__ import annotations

from journal.accounts import set_active
from journal.security.sessions import create_token
from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD

from .conftest import ago


def _cookie(client) -> str:
    return client.get_cookie("journal_session").value


def test_login_issues_a_new_session_and_ends_the_one_the_browser_had(app, users, login):
    attacker = login(app.test_client(), "outsider_teacher")
    planted = _cookie(attacker)
    victim = app.test_client()
    victim.set_cookie("journal_session", planted)  # session fixation attempt
    login(victim, "teacher")
    assert _cookie(victim) != planted
    # The planted cookie does not give the attacker the victim's session.
    replay = app.test_client()
    replay.set_cookie("journal_session", planted)
    assert replay.get("/").status_code == 302


def test_session_record_keeps_a_hash_not_the_id(app, users, login, sessions_of):
    client = login(app.test_client(), "teacher")
    with client.session_transaction() as cookie_session:
        sid = cookie_session["sid"]
    records = sessions_of(users["teacher"])
    assert len(records) == 1
    assert sid not in str(records)


def test_idle_timeout_ends_the_session(app, users, login, sessions_of):
    client = login(app.test_client(), "teacher")
    record = sessions_of(users["teacher"])[0]
    get_store().sessions.update(record["id"], {"last_seen": ago(minutes=31)})
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert sessions_of(users["teacher"]) == []
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert b"Your session has ended" in page.data


def test_activity_within_the_idle_limit_keeps_the_session_alive(app, users, login, sessions_of):
    client = login(app.test_client(), "teacher")
    record = sessions_of(users["teacher"])[0]
    get_store().sessions.update(record["id"], {"last_seen": ago(minutes=25)})
    assert client.get("/").status_code == 200
    refreshed = sessions_of(users["teacher"])[0]
    assert refreshed["last_seen"] > ago(minutes=1)


def test_absolute_timeout_ends_even_an_active_session(app, users, login, sessions_of):
    client = login(app.test_client(), "teacher")
    record = sessions_of(users["teacher"])[0]
    get_store().sessions.update(record["id"], {"started": ago(hours=8, minutes=1),
                                               "last_seen": ago(minutes=2)})
    assert client.get("/").status_code == 302
    assert sessions_of(users["teacher"]) == []


def test_logout_deletes_the_server_record_and_clears_site_data(app, users, login, sessions_of):
    client = login(app.test_client(), "teacher")
    stolen = _cookie(client)
    response = client.post("/logout")
    assert "cache" in response.headers["Clear-Site-Data"]
    assert sessions_of(users["teacher"]) == []
    thief = app.test_client()
    thief.set_cookie("journal_session", stolen)
    assert thief.get("/").status_code == 302


def test_password_change_ends_the_other_sessions_only(app, users, login, sessions_of):
    laptop = login(app.test_client(), "teacher")
    phone = login(app.test_client(), "teacher")
    assert len(sessions_of(users["teacher"])) == 2
    response = laptop.post("/account/", data={"current_password": TEST_PASSWORD,
                                              "new_password": "a quite long new passphrase",
                                              "confirm_password": "a quite long new passphrase"})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert len(sessions_of(users["teacher"])) == 1


def test_deactivation_ends_sessions_and_tokens(app, users, login, sessions_of):
    client = login(app.test_client(), "teacher")
    _, secret = create_token(users["teacher"], "script")
    set_active(users["teacher"], False)
    assert client.get("/").status_code == 302
    assert sessions_of(users["teacher"]) == []
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                                 ).status_code == 401


def test_a_deactivated_users_surviving_session_is_refused(app, users, login):
    client = login(app.test_client(), "teacher")
    # Even if a session record survived, an inactive account is no one.
    get_store().users.update(users["teacher"]["id"], {"active": False})
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(app, users):
    client = app.test_client()
    response = client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; see the next test


def test_session_cookie_is_secure_behind_https(tmp_path, users, test_password_hash):
    from journal.plugins.testing import make_test_app

    secure_app = make_test_app(tmp_path / "secure", SESSION_COOKIE_SECURE=True)
    with secure_app.app_context():
        get_store().users.create({"username": "t", "display_name": "T", "roles": ["teacher"],
                                  "password_hash": test_password_hash, "active": True})
        response = secure_app.test_client().post(
            "/login", data={"username": "t", "password": TEST_PASSWORD}, base_url="https://localhost")
        assert "Secure" in response.headers["Set-Cookie"]
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
