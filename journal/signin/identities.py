"""Who a provider's person is in the journal: accounts linked by (issuer, subject).

The user record keeps its linked identities as a list::

    "identities": [{"provider": "school-entra", "issuer": "https://login.../v2.0",
                    "subject": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
                    "linked_at": "2026-12-05T15:00:00+00:00"}]

A person is found by the pair (issuer, ``sub``) only, never by e-mail: e-mail
addresses are reused, renamed and (at some providers) chosen by the user. One
pair belongs to one account at most. A record without ``identities`` has none
(no migration needed).

Also here: accounts made at a first sign-in (no role until an admin grants
one), the per-role password switch and the provider's MFA claim.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..security.access import ROLES
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import utcnow
from . import providers as registry

SETTING_PASSWORD_OFF = "password_disabled_roles"
SUBJECT_MAX = 255


class IdentityError(ValueError):
    """A link, unlink or setting that cannot be carried out; ``errors`` per field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def identities_of(user: dict) -> list[dict]:
    """Return the identities linked to ``user``."""
    return list(user.get("identities") or [])


def find_user(issuer: str, subject: str) -> dict | None:
    """Return the account linked to (``issuer``, ``subject``), or ``None``."""
    issuer = issuer.rstrip("/")
    found = get_store().users.filter(lambda u: any(
        i.get("issuer") == issuer and i.get("subject") == subject
        for i in u.get("identities") or ()))
    return found[0] if found else None


def link(actor: dict, user: dict, provider: dict, subject: str) -> dict:
    """Link (``provider``'s issuer, ``subject``) to ``user``; return the updated user.

    :param actor: the admin, or the user themselves after signing in at the provider.
    :raise IdentityError: a bad subject, or one already linked to another account.
    """
    subject = subject.strip()
    if not subject or len(subject) > SUBJECT_MAX:
        raise IdentityError({"subject": [str(_l("Fill in the subject id the provider uses "
                                                "for this person."))]})
    owner = find_user(provider["issuer"], subject)
    if owner is not None and owner["id"] != user["id"]:
        raise IdentityError({"subject": [str(_l("This identity is already linked to another "
                                                "account."))]})
    if owner is not None:
        return owner
    identity = {"provider": provider["id"], "issuer": provider["issuer"], "subject": subject,
                "linked_at": utcnow()}

    def add(doc):
        doc["identities"] = [*(doc.get("identities") or []), identity]

    updated = get_store().users.update(user["id"], add, actor_id=actor["id"])
    audit("account", object_type="user", object_id=user["id"], user_id=actor["id"],
          detail=f"identity_link:{provider['id']}")
    return updated


def unlink(actor: dict, user: dict, issuer: str, subject: str) -> dict:
    """Remove one linked identity from ``user``.

    :raise IdentityError: it would leave the last administrator without a way in.
    """
    remaining = [i for i in identities_of(user)
                 if not (i.get("issuer") == issuer and i.get("subject") == subject)]
    if len(remaining) == len(identities_of(user)):
        return user
    if not _admins_keep_a_way_in(password_disabled_roles(), changed={user["id"]: remaining}):
        raise IdentityError({"identity": [str(_l(
            "Administrators sign in only through a provider, and this is the last link of an "
            "administrator: keep it, or turn passwords for administrators on first."))]})
    provider_id = next((i.get("provider", "") for i in identities_of(user)
                        if i.get("issuer") == issuer and i.get("subject") == subject), "")
    updated = get_store().users.update(user["id"], {"identities": remaining},
                                       actor_id=actor["id"])
    audit("account", object_type="user", object_id=user["id"], user_id=actor["id"],
          detail=f"identity_unlink:{provider_id}")
    return updated


_NOT_NAME = re.compile(r"[^a-z0-9._-]+")


def _free_username(claims: dict) -> str:
    base = str(claims.get("preferred_username") or claims.get("email") or "").split("@")[0]
    base = _NOT_NAME.sub("", base.lower()).strip("._-")[:30] or "user"
    if len(base) < 2:
        base = f"user-{base}"
    users = get_store().users
    candidate = base
    while users.find(username=candidate):
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


def create_from_claims(provider: dict, claims: dict) -> dict:
    """Make an account for a first sign-in the provider allows: no role, no password.

    Until an admin grants a role the person sees only the "waiting for a role" page.
    """
    name = str(claims.get("name") or "").strip()[:80]
    username = _free_username(claims)
    user = get_store().users.create({
        "username": username, "display_name": name or username, "roles": [],
        "password_hash": None, "active": True, "locale": None,
        "identities": [{"provider": provider["id"], "issuer": provider["issuer"],
                        "subject": claims["sub"], "linked_at": utcnow()}],
    })
    audit("account", object_type="user", object_id=user["id"], user_id=user["id"],
          detail=f"create_from_provider:{provider['id']}")
    return user


# -- passwords per role --------------------------------------------------------


def password_disabled_roles() -> list[str]:
    """Return the roles whose members may not sign in with a password."""
    stored = get_store().settings.get(SETTING_PASSWORD_OFF)
    if stored is None:
        stored = current_app.config.get("JOURNAL_PASSWORD_DISABLED_ROLES") or []
    return [r for r in ROLES if r in stored]


def password_allowed(user: dict | None) -> bool:
    """Return whether ``user`` may sign in with a password (none of their roles forbids it)."""
    return bool(user) and not set(user.get("roles", ())) & set(password_disabled_roles())


def _usable_link(identity: dict, enabled: dict[str, dict]) -> bool:
    provider = enabled.get(identity.get("issuer", ""))
    return provider is not None


def _admins_keep_a_way_in(disabled: list[str], changed: dict[str, list] | None = None) -> bool:
    """Return whether some active admin can still sign in with ``disabled`` roles password-less."""
    changed = changed or {}
    enabled = {p["issuer"]: p for p in registry.enabled_providers()}
    for user in get_store().users.all():
        if not user.get("active") or "admin" not in user.get("roles", ()):
            continue
        if not set(user["roles"]) & set(disabled) and user.get("password_hash"):
            return True
        links = changed.get(user["id"], identities_of(user))
        if any(_usable_link(i, enabled) for i in links):
            return True
    return False


def set_password_disabled_roles(actor: dict, roles: list[str]) -> list[str]:
    """Switch password sign-in off for ``roles`` (and on for the others).

    :raise IdentityError: no administrator would keep a way in (no enabled provider
        linked to an active administrator).
    """
    roles = [r for r in ROLES if r in roles]
    if not _admins_keep_a_way_in(roles):
        raise IdentityError({"password_disabled_roles": [str(_l(
            "Passwords cannot be switched off for administrators yet: first link an account "
            "at an enabled sign-in provider to at least one administrator, so an administrator "
            "can always get in."))]})
    get_store().settings.set(SETTING_PASSWORD_OFF, roles)
    audit("account", object_type="settings", object_id="security", user_id=actor["id"],
          detail="password_roles")
    return roles


# -- the provider's second factor ------------------------------------------------


def mfa_claimed(provider: dict, claims: dict) -> bool:
    """Return whether the provider says the person used more than one factor, and the
    admin trusts that provider's claim."""
    if not provider.get("trust_mfa"):
        return False
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if any(str(value) in registry.MFA_AMR_VALUES for value in amr):
        return True
    acr = claims.get("acr")
    return bool(acr) and str(acr) in provider.get("mfa_acr_values", [])
