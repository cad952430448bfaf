"""The OpenID Connect providers a school connects, and what they publish.

A provider comes from the config (``JOURNAL_OIDC_PROVIDERS``, read-only in the
web admin) or from the admin page (kept in the ``oidc_providers`` setting).
Its discovery document (``<issuer>/.well-known/openid-configuration``) and
its key set (JWKS) are fetched over HTTPS and cached per process; an issuer
must be ``https://`` except on loopback (tests, development).
"""

from __future__ import annotations

import ipaddress
import os
import re
import threading
import time
from urllib.parse import urlsplit

import requests
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..storage import get_store

SETTING = "oidc_providers"
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
NAME_MAX = 60
#: Standard ``amr`` values (RFC 8176) that mean more than one factor was used.
MFA_AMR_VALUES = ("mfa", "otp", "hwk", "swk", "sc", "fpt", "face", "iris", "retina", "vbm")
#: How long a discovery document or key set is trusted before it is fetched again.
CACHE_SECONDS = 3600

_cache: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


class ProviderError(Exception):
    """A provider that cannot be used (bad configuration, unreachable, bad metadata).

    :ivar reason: a short, content-free code for the audit log.
    """

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


def is_loopback_host(host: str | None) -> bool:
    """Return whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secure_url(url: str) -> bool:
    """Return whether ``url`` may be used for a provider: HTTPS, or HTTP on loopback."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and is_loopback_host(parts.hostname)


def _secret(value):
    if isinstance(value, dict) and "$env" in value:
        return os.environ.get(str(value["$env"]), "")
    return value or ""


def _normalise(raw: dict, source: str) -> dict:
    acr = raw.get("mfa_acr_values") or []
    if isinstance(acr, str):
        acr = acr.split()
    return {
        "id": str(raw.get("id", "")),
        "name": str(raw.get("name") or raw.get("id", "")),
        "issuer": str(raw.get("issuer", "")).rstrip("/"),
        "client_id": str(raw.get("client_id", "")),
        "client_secret": _secret(raw.get("client_secret")),
        "scopes": str(raw.get("scopes") or "openid email profile"),
        "enabled": bool(raw.get("enabled", True)),
        "allow_signup": bool(raw.get("allow_signup", False)),
        "trust_mfa": bool(raw.get("trust_mfa", False)),
        "mfa_acr_values": [str(v) for v in acr],
        "source": source,
    }


def all_providers() -> list[dict]:
    """Return every provider: those in the config first, then the admin's (same id: config wins)."""
    out: dict[str, dict] = {}
    for raw in current_app.config.get("JOURNAL_OIDC_PROVIDERS") or []:
        provider = _normalise(raw, "config")
        out.setdefault(provider["id"], provider)
    for raw in get_store().settings.get(SETTING) or []:
        provider = _normalise(raw, "admin")
        out.setdefault(provider["id"], provider)
    return list(out.values())


def enabled_providers() -> list[dict]:
    """Return the providers offered on the sign-in page."""
    return [p for p in all_providers() if p["enabled"] and not problems(p)]


def get_provider(provider_id: str) -> dict | None:
    """Return the provider with this id, or ``None``."""
    return next((p for p in all_providers() if p["id"] == provider_id), None)


def issuers() -> dict[str, dict]:
    """Return every provider by its issuer."""
    return {p["issuer"]: p for p in all_providers()}


def problems(provider: dict, *, taken: set[str] | None = None) -> dict[str, list[str]]:
    """Return what is wrong with a provider's settings, as messages per field."""
    errors: dict[str, list[str]] = {}
    if not PROVIDER_ID.match(provider["id"]):
        errors["id"] = [str(_l("Use 2 to 40 lower-case letters, digits or dashes."))]
    elif taken and provider["id"] in taken:
        errors["id"] = [str(_l("Another provider already has this id."))]
    if not provider["name"].strip() or len(provider["name"]) > NAME_MAX:
        errors["name"] = [str(_l("Give a name of at most %(n)s characters.", n=NAME_MAX))]
    if not secure_url(provider["issuer"]):
        errors["issuer"] = [str(_l("The issuer must be an https:// address (http:// only on "
                                   "this machine, for tests)."))]
    if not provider["client_id"].strip():
        errors["client_id"] = [str(_l("Fill in the client id the provider gave you."))]
    if "openid" not in provider["scopes"].split():
        errors["scopes"] = [str(_l("The scopes must include openid."))]
    return errors


def stored_providers() -> list[dict]:
    """Return the providers the admin page keeps (as stored)."""
    return [dict(p) for p in get_store().settings.get(SETTING) or []]


def save_provider(provider: dict, *, replace_id: str | None = None) -> None:
    """Store an admin-made provider (new, or replacing the one with ``replace_id``)."""
    stored = [p for p in stored_providers() if p.get("id") != (replace_id or provider["id"])]
    record = {k: v for k, v in provider.items() if k != "source"}
    stored.append(record)
    stored.sort(key=lambda p: p["id"])
    get_store().settings.set(SETTING, stored)
    forget(provider["issuer"])


def delete_provider(provider_id: str) -> None:
    """Remove an admin-made provider."""
    get_store().settings.set(SETTING, [p for p in stored_providers() if p.get("id") != provider_id])


# -- what the provider publishes -------------------------------------------------


def _timeout() -> float:
    return float(current_app.config.get("JOURNAL_OIDC_TIMEOUT_SECONDS", 10))


def http_get_json(url: str) -> dict:
    """GET a JSON document from a provider (HTTPS or loopback only, no redirects)."""
    if not secure_url(url):
        raise ProviderError("insecure_url")
    try:
        response = requests.get(url, timeout=_timeout(), allow_redirects=False,
                                headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderError("unreachable", str(error)) from None
    if not isinstance(data, dict):
        raise ProviderError("bad_metadata")
    return data


def _cached(key: str, fetch, *, force: bool = False) -> dict:
    with _lock:
        hit = _cache.get(key)
    if hit and not force and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = fetch()
    with _lock:
        _cache[key] = (time.monotonic(), value)
    return value


def forget(issuer: str = "") -> None:
    """Drop cached metadata and keys (of one issuer, or all)."""
    with _lock:
        for key in [k for k in _cache if not issuer or k.endswith(" " + issuer)]:
            del _cache[key]


def metadata(provider: dict, *, force: bool = False) -> dict:
    """Return the provider's discovery document, checked: the same issuer, secure endpoints."""

    def fetch() -> dict:
        data = http_get_json(provider["issuer"] + "/.well-known/openid-configuration")
        if str(data.get("issuer", "")).rstrip("/") != provider["issuer"]:
            raise ProviderError("issuer_mismatch")
        for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not secure_url(str(data.get(field, ""))):
                raise ProviderError("bad_metadata", field)
        end = data.get("end_session_endpoint")
        if end and not secure_url(str(end)):
            data.pop("end_session_endpoint")
        return data

    return _cached("metadata " + provider["issuer"], fetch, force=force)


def jwks(provider: dict, *, force: bool = False) -> dict:
    """Return the provider's key set (JWKS)."""
    uri = metadata(provider)["jwks_uri"]
    data = _cached("jwks " + provider["issuer"], lambda: http_get_json(uri), force=force)
    if not isinstance(data.get("keys"), list):
        raise ProviderError("bad_jwks")
    return data
