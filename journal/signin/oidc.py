"""The OpenID Connect authorisation code flow, with Authlib's client.

:func:`begin` makes the authorisation URL (PKCE with S256, a random ``state``
and ``nonce``) and keeps what the callback needs in the ``oidc_pending``
collection, on the server: the PKCE verifier never travels in a cookie, and a
callback URL works once (its record is deleted before anything else happens,
so a second use of the same URL is refused even from a copied cookie). The
pending record is bound to the browser that started the flow by a random value
the view keeps in the (signed) cookie, so a callback URL planted in someone
else's browser does not sign them in (login CSRF).

:func:`complete` exchanges the code and checks the ID token: its signature
against the provider's JWKS (keys fetched again once for an unknown ``kid``),
then ``iss``, ``aud``, ``azp``, ``exp``, ``iat``, ``nonce`` and ``at_hash``
(Authlib's :class:`~authlib.oidc.core.CodeIDToken`), with the clock skew bounded
by ``JOURNAL_OIDC_CLOCK_SKEW_SECONDS``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from flask import current_app
from joserfc import jwt
from joserfc.errors import ClaimError
from joserfc.errors import ExpiredTokenError
from joserfc.errors import InvalidKeyIdError
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..storage import get_store
from . import providers as registry
from .providers import ProviderError

#: Minutes between leaving for the provider and coming back.
PENDING_MINUTES = 10
#: What a flow is for: signing in, or linking the signed-in user's account.
PURPOSES = ("login", "link")


class SignInError(Exception):
    """A sign-in through a provider that did not succeed.

    :ivar reason: a short, content-free code (for the audit log and the message shown).
    """

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class Outcome:
    """A checked sign-in: who the provider says it is, and what the flow was for."""

    provider: dict
    claims: dict
    id_token: str
    purpose: str
    next_url: str
    user_id: str | None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def new_binding() -> str:
    """Return a random value that ties pending flows to one browser."""
    return secrets.token_urlsafe(24)


def clock_skew() -> int:
    """Return the seconds of clock difference tolerated on ``exp`` and ``iat``."""
    return max(0, min(int(current_app.config.get("JOURNAL_OIDC_CLOCK_SKEW_SECONDS", 60)), 300))


def _client(provider: dict, redirect_uri: str, meta: dict | None = None) -> OAuth2Session:
    method = "none"
    if provider["client_secret"]:
        supported = (meta or {}).get("token_endpoint_auth_methods_supported") or [
            "client_secret_basic"]
        method = "client_secret_basic" if "client_secret_basic" in supported else "client_secret_post"
    return OAuth2Session(
        provider["client_id"], provider["client_secret"] or None, scope=provider["scopes"],
        redirect_uri=redirect_uri, code_challenge_method="S256",
        token_endpoint_auth_method=method,
    )


def _purge_expired() -> None:
    store = get_store()
    cutoff = (_now() - timedelta(minutes=PENDING_MINUTES)).isoformat()
    for record in store.oidc_pending.filter(lambda r: r.get("started", "") < cutoff):
        store.oidc_pending.delete(record["id"])


def begin(provider: dict, *, redirect_uri: str, binding: str, purpose: str = "login",
          next_url: str = "/", user_id: str | None = None) -> str:
    """Start a flow and return the provider's authorisation URL to send the browser to.

    :param binding: the browser's random binding (see :func:`new_binding`).
    :param user_id: for ``purpose="link"``, the signed-in user who links their account.
    :raise ProviderError: the provider cannot be reached or publishes bad metadata.
    """
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    meta = registry.metadata(provider)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    client = _client(provider, redirect_uri, meta)
    url, _ = client.create_authorization_url(
        meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier)
    client.close()
    _purge_expired()
    get_store().oidc_pending.create({
        "id": _digest(state), "provider_id": provider["id"], "binding": _digest(binding),
        "nonce": nonce, "code_verifier": verifier, "redirect_uri": redirect_uri,
        "purpose": purpose, "next": next_url, "user_id": user_id,
        "started": _now().isoformat(),
    })
    return url


def complete(provider: dict, args: dict, *, binding: str | None) -> Outcome:
    """Finish a flow from the callback's query ``args``; return the checked claims.

    :raise SignInError: with a reason such as ``unknown_state`` (also a second use of
        the same callback URL), ``provider_error``, ``token_request``,
        ``bad_signature``, ``wrong_audience``, ``expired``, ``nonce`` …
    """
    state = str(args.get("state") or "")
    store = get_store()
    record = store.oidc_pending.get(_digest(state)) if state else None
    if record is None:
        raise SignInError("unknown_state")
    store.oidc_pending.delete(record["id"])  # one use only, whatever happens next
    if not binding or not hmac.compare_digest(record["binding"], _digest(binding)):
        raise SignInError("other_browser")
    if record["provider_id"] != provider["id"]:
        raise SignInError("unknown_state")
    started = datetime.fromisoformat(record["started"])
    if _now() - started > timedelta(minutes=PENDING_MINUTES):
        raise SignInError("too_late")
    if args.get("error"):
        raise SignInError("provider_error", str(args.get("error"))[:40])
    code = str(args.get("code") or "")
    if not code:
        raise SignInError("no_code")
    try:
        meta = registry.metadata(provider)
    except ProviderError as error:
        raise SignInError("provider_unreachable", error.reason) from None
    client = _client(provider, record["redirect_uri"], meta)
    try:
        token = client.fetch_token(
            meta["token_endpoint"], grant_type="authorization_code", code=code,
            code_verifier=record["code_verifier"], timeout=registry._timeout(),
            allow_redirects=False)
    except Exception as error:  # noqa: BLE001 - any failure of the back channel is the same to the user
        raise SignInError("token_request", type(error).__name__) from None
    finally:
        client.close()
    id_token = token.get("id_token")
    if not id_token:
        raise SignInError("no_id_token")
    claims = verify_id_token(provider, id_token, nonce=record["nonce"],
                             access_token=token.get("access_token"))
    return Outcome(provider=provider, claims=claims, id_token=id_token,
                   purpose=record["purpose"], next_url=record["next"], user_id=record["user_id"])


def _decode(provider: dict, id_token: str, algorithms: list[str]):
    try:
        keys = KeySet.import_key_set(registry.jwks(provider))
        try:
            return jwt.decode(id_token, keys, algorithms=algorithms)
        except InvalidKeyIdError:  # the provider may have rolled its keys: fetch them once more
            keys = KeySet.import_key_set(registry.jwks(provider, force=True))
            return jwt.decode(id_token, keys, algorithms=algorithms)
    except ProviderError as error:
        raise SignInError("provider_unreachable", error.reason) from None
    except (JoseError, ValueError, TypeError) as error:
        raise SignInError("bad_signature", type(error).__name__) from None


def verify_id_token(provider: dict, id_token: str, *, nonce: str,
                    access_token: str | None = None) -> dict:
    """Check an ID token's signature and claims; return its claims.

    :raise SignInError: ``bad_signature``, ``wrong_issuer``, ``wrong_audience``,
        ``expired``, ``issued_in_future``, ``nonce`` or ``bad_claims``.
    """
    meta = registry.metadata(provider)
    algorithms = [a for a in meta.get("id_token_signing_alg_values_supported") or ["RS256"]
                  if a != "none"]
    token = _decode(provider, id_token, algorithms)
    skew = clock_skew()
    options = {
        "iss": {"essential": True, "value": provider["issuer"]},
        "aud": {"essential": True, "value": provider["client_id"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    params = {"nonce": nonce, "client_id": provider["client_id"]}
    if access_token:
        params["access_token"] = access_token
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(leeway=skew)
    except ExpiredTokenError:
        raise SignInError("expired") from None
    except ClaimError as error:
        reason = {"iss": "wrong_issuer", "aud": "wrong_audience", "azp": "wrong_audience",
                  "exp": "expired", "nonce": "nonce", "iat": "issued_in_future"}.get(
            error.claim, "bad_claims")
        raise SignInError(reason, error.claim) from None
    except JoseError as error:
        raise SignInError("bad_claims", type(error).__name__) from None
    data = dict(claims)
    # Belt and braces over the library: the checks this journal relies on, spelled out.
    audience = data["aud"] if isinstance(data["aud"], list) else [data["aud"]]
    if provider["client_id"] not in audience:
        raise SignInError("wrong_audience")
    now = time.time()
    if not isinstance(data["exp"], (int, float)) or data["exp"] + skew < now:
        raise SignInError("expired")
    if not isinstance(data["iat"], (int, float)) or data["iat"] - skew > now:
        raise SignInError("issued_in_future")
    if not hmac.compare_digest(str(data.get("nonce", "")), nonce):
        raise SignInError("nonce")
    if not isinstance(data.get("sub"), str) or not data["sub"] or len(data["sub"]) > 255:
        raise SignInError("bad_claims", "sub")
    return data


def end_session_url(provider: dict, *, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """Return the provider's RP-initiated logout URL, if it advertises ``end_session_endpoint``."""
    try:
        endpoint = registry.metadata(provider).get("end_session_endpoint")
    except ProviderError:
        return None
    if not endpoint:
        return None
    from authlib.common.urls import add_params_to_uri

    params = [("client_id", provider["client_id"]),
              ("post_logout_redirect_uri", post_logout_redirect_uri)]
    if id_token:
        params.insert(0, ("id_token_hint", id_token))
    return add_params_to_uri(endpoint, params)
