"""Login throttling per account and per address, persisted in the database."""

from __future__ import annotations

import pytest

from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD

from .conftest import ago
from .conftest import audit_actions


def _attempt(client, username, password="wrong password", address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       headers={"Accept-Language": "en"}, environ_base={"REMOTE_ADDR": address})


def _unlock_all():
    store = get_store()
    for record in store.throttle.all():
        if record.get("locked_until"):
            store.throttle.update(record["id"], {"locked_until": ago(seconds=1)})


def test_five_failures_lock_the_account_even_for_the_right_password(client, users):
    for _ in range(4):
        assert _attempt(client, "teacher").status_code == 401
    assert _attempt(client, "teacher").status_code == 401  # the fifth failure locks
    response = _attempt(client, "teacher", TEST_PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.data
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/").status_code == 302  # not signed in
    assert audit_actions(action="login_failed", outcome="throttled")


def test_the_lock_is_per_account_and_follows_the_account_across_addresses(client, users):
    for n in range(5):
        _attempt(client, "teacher", address=f"10.0.0.{n}")
    assert _attempt(client, "teacher", TEST_PASSWORD, address="10.9.9.9").status_code == 429
    assert _attempt(client, "support", TEST_PASSWORD, address="10.9.9.9").status_code == 302


def test_when_the_lock_expires_the_right_password_works_and_resets_the_count(client, users):
    for _ in range(5):
        _attempt(client, "teacher")
    _unlock_all()
    assert _attempt(client, "teacher", TEST_PASSWORD).status_code == 302
    assert get_store().throttle.filter(lambda r: r["kind"] == "account") == []


def test_each_failure_after_the_lock_doubles_it(client, users):
    for _ in range(5):
        _attempt(client, "teacher")
    first = get_store().throttle.filter(lambda r: r["kind"] == "account")[0]
    _unlock_all()
    _attempt(client, "teacher")
    second = get_store().throttle.filter(lambda r: r["kind"] == "account")[0]
    # 1 minute after the fifth failure, 2 minutes after the sixth.
    assert 55 <= _seconds(first) <= 60
    assert 115 <= _seconds(second) <= 120


def _seconds(record):
    from datetime import datetime

    return (datetime.fromisoformat(record["locked_until"])
            - datetime.fromisoformat(record["last_at"])).total_seconds()


def test_unknown_user_names_are_throttled_alike(client, users):
    # Otherwise the lock would tell an attacker which names exist.
    for _ in range(5):
        _attempt(client, "nobody")
    assert _attempt(client, "nobody").status_code == 429


def test_failures_are_forgotten_after_an_hour_without_failures(client, users):
    for _ in range(4):
        _attempt(client, "teacher")
    store = get_store()
    for record in store.throttle.all():
        store.throttle.update(record["id"], {"last_at": ago(minutes=61)})
    _attempt(client, "teacher")
    account = store.throttle.filter(lambda r: r["kind"] == "account")[0]
    assert account["failures"] == 1 and account["locked_until"] is None


class TestPerAddress:
    @pytest.fixture
    def app_config(self):
        return {"JOURNAL_THROTTLE_ADDRESS_FAILURES": 3}

    def test_one_address_guessing_many_accounts_is_stopped(self, client, users):
        for name in ("teacher", "support", "coordinator"):
            _attempt(client, name, address="192.0.2.7")
        response = _attempt(client, "admin", TEST_PASSWORD, address="192.0.2.7")
        assert response.status_code == 429
        # Colleagues at other addresses are not affected.
        assert _attempt(client, "admin", TEST_PASSWORD, address="192.0.2.8").status_code == 302


def test_counters_keep_hashes_not_names_or_addresses(client, users):
    _attempt(client, "teacher", address="192.0.2.55")
    dump = str(get_store().throttle.all())
    assert "teacher" not in dump and "192.0.2.55" not in dump


def test_counters_survive_a_restart(tmp_path, test_password_hash):
    from journal.plugins.testing import make_test_app

    config = {"JOURNAL_IN_MEMORY": False, "JOURNAL_DATA_DIR": str(tmp_path / "data")}
    first = make_test_app(tmp_path, **config)
    with first.app_context():
        get_store().users.create({"username": "t", "display_name": "T", "roles": ["teacher"],
                                  "password_hash": test_password_hash, "active": True})
        client = first.test_client()
        for _ in range(5):
            _attempt(client, "t")
        get_store().close()
    second = make_test_app(tmp_path, **config)
    with second.app_context():
        assert _attempt(second.test_client(), "t", TEST_PASSWORD).status_code == 429
        get_store().close()


def test_the_proxys_loopback_address_is_not_counted(client, users):
    # Without JOURNAL_PROXY_HOPS everyone behind the proxy shares 127.0.0.1.
    for n in range(40):
        _attempt(client, f"nobody{n}", address="127.0.0.1")
    assert _attempt(client, "teacher", TEST_PASSWORD, address="127.0.0.1").status_code == 302


class TestBehindAProxy:
    @pytest.fixture
    def app_config(self):
        return {"JOURNAL_PROXY_HOPS": 1, "JOURNAL_THROTTLE_ADDRESS_FAILURES": 2}

    def test_the_forwarded_client_address_is_throttled_and_audited(self, client, users):
        headers = {"X-Forwarded-For": "203.0.113.9"}
        for name in ("support", "coordinator"):
            client.post("/login", data={"username": name, "password": "x"}, headers=headers,
                        environ_base={"REMOTE_ADDR": "127.0.0.1"})
        response = client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD},
                               headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert response.status_code == 429
        assert get_store().audit.all()[-1]["address"] == "203.0.113.9"
