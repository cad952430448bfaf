"""Password storage (argon2id at or above OWASP's parameters) and the password policy."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from journal.security.passwords import MIN_LENGTH
from journal.security.passwords import hash_password
from journal.security.passwords import password_problems
from journal.security.passwords import verify_password
from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD


def test_hashes_are_argon2id_at_owasp_parameters_or_stronger():
    stored = hash_password("een lange zin als wachtwoord")
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert verify_password(stored, "een lange zin als wachtwoord")
    assert not verify_password(stored, "een lange zin als wachtwoord ")
    assert not verify_password("not a hash", "x")


@pytest.mark.parametrize("password", ["Password123", "qwerty123", "welkom", "1234567"])
def test_short_and_common_passwords_are_refused(app, password):
    assert password_problems(password)


def test_the_user_name_is_not_a_password(app):
    assert password_problems("juf.annelies", username="Juf.Annelies")


@pytest.mark.parametrize("password", [
    "x" * MIN_LENGTH + "q",        # no composition rules
    "lange zin zonder hoofdletters of cijfers",
    "ü" * 64,                      # long, non-ASCII
    "a" * 200,
])
def test_long_passwords_without_composition_rules_are_accepted(app, password):
    assert password_problems(password) == []


def test_weak_old_hashes_are_upgraded_at_login(client, users):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(TEST_PASSWORD)
    get_store().users.update(users["teacher"]["id"], {"password_hash": weak})
    assert client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD}
                       ).status_code == 302
    assert get_store().users.get(users["teacher"]["id"])["password_hash"] != weak
