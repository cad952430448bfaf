"""Signing in and out, sessions and passwords."""

from journal.plugins.testing import TEST_PASSWORD


def test_login_page_is_dutch_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert b'lang="nl"' in page.data


def test_start_page_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_and_logout(client, users):
    response = client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_keeps_user_name_and_says_why(client, users):
    response = client.post("/login", data={"username": "teacher", "password": "nope"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert b"wrong password" in response.data
    assert b'value="teacher"' in response.data


def test_logout_ends_the_session_on_the_server(app, users, login):
    client = login(app.test_client(), "teacher")
    stolen = client.get_cookie("journal_session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("journal_session", stolen)
    assert thief.get("/").status_code == 302
