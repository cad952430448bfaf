"""Accounts: creating, changing and deactivating users (shared by the admin pages and the CLI)."""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l

from .security.access import instance_roles
from .security.passwords import hash_password
from .security.passwords import password_problems
from .storage import get_store

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class AccountError(ValueError):
    """A request about an account that cannot be carried out.

    :ivar errors: messages per field name.
    """

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def generate_password() -> str:
    """Return a random password that is easy to type (four groups of letters and digits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def create_user(username: str, *, roles: list[str], password: str, display_name: str = "",
                actor_id: str | None = None) -> dict:
    """Create an active account; raise :class:`AccountError` on bad input."""
    username = username.strip().lower()
    errors: dict[str, list[str]] = {}
    if not USERNAME.match(username):
        errors["username"] = [str(_l("Use 2 to 40 lower-case letters, digits, dots or dashes."))]
    elif get_store().users.find(username=username):
        errors["username"] = [str(_l("This user name is already taken."))]
    bad_roles = [r for r in roles if r not in instance_roles()]
    if not roles or bad_roles:
        errors["roles"] = [str(_l("Choose at least one role."))]
    problems = password_problems(password, username=username)
    if problems:
        errors["password"] = problems
    if len(display_name) > 80:
        errors["display_name"] = [str(_l("Use at most 80 characters."))]
    if errors:
        raise AccountError(errors)
    return get_store().users.create(
        {
            "username": username,
            "display_name": display_name.strip() or username,
            "roles": [r for r in instance_roles() if r in roles],
            "password_hash": hash_password(password),
            "active": True,
            "locale": None,
        },
        actor_id=actor_id,
    )


def find_user(username: str) -> dict | None:
    """Return the account with this user name, or ``None``."""
    found = get_store().users.find(username=username.strip().lower())
    return found[0] if found else None


def set_password(user: dict, password: str, *, actor_id: str | None = None) -> dict:
    """Give ``user`` a new password (checked against the policy) and end their sessions."""
    from .security.sessions import end_all_sessions

    problems = password_problems(password, username=user["username"])
    if problems:
        raise AccountError({"password": problems})
    updated = get_store().users.update(user["id"], {"password_hash": hash_password(password)},
                                       actor_id=actor_id)
    end_all_sessions(user["id"])
    return updated


def set_active(user: dict, active: bool, *, actor_id: str | None = None) -> dict:
    """Activate or deactivate an account; deactivating ends its sessions and tokens."""
    from .security.sessions import end_all_sessions

    store = get_store()
    updated = store.users.update(user["id"], {"active": active}, actor_id=actor_id)
    if not active:
        end_all_sessions(user["id"])
        for token in store.tokens.find(user_id=user["id"]):
            store.tokens.delete(token["id"])
    return updated
