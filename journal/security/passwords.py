"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 256

# argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane). Stronger
# settings (argon2-cffi's default is 64 MiB, t=3, p=4) cost about four times the
# time and memory per sign-in, which a small school server under a burst of
# sign-ins feels, for no gain the throttling does not already give.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Return whether ``password`` matches ``stored_hash`` (never, for an account without
    a password, such as one made at a first sign-in through a provider)."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Return whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords, lower-cased."""
    text = resources.files("journal").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problems(password: str, *, username: str = "") -> list[str]:
    """Return what is wrong with a new password, as messages for the user.

    No composition rules (OWASP ASVS V6.2.5): length, and not a common or
    guessable password.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Use at least %(n)s characters (15 or more is better).", n=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Use at most %(n)s characters.", n=MAX_LENGTH)))
    lowered = password.lower()
    if lowered in common_passwords() or (username and lowered == username.lower()):
        problems.append(str(_l("This password is too common or too easy to guess.")))
    return problems
