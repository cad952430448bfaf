"""Signed calls between linked journals: HTTP Message Signatures (RFC 9421) with Ed25519.

Every call from one side of a link to the other is signed with the caller's
private key for that link; every answer is signed with the answering side's
key and names the request's nonce, so neither can be forged, changed or
replayed on the way. The library ``http-message-signatures`` builds and checks
the standard signature base; this module decides what is covered and refuses:

=================  ===========================================================
reason             the call
=================  ===========================================================
``unsigned``       carries no signature (or a malformed one)
``unknown_link``   names a link this journal does not have
``revoked``        names a link that was revoked (on either side)
``bad_signature``  has a signature that the link's public key does not verify,
                   or that does not cover method, path, query and body digest
``bad_digest``     has a body that differs from the signed digest (tampered)
``clock_skew``     was signed too long ago, or in the future
                   (``JOURNAL_FEDERATION_CLOCK_SKEW_SECONDS``)
``replay``         repeats a nonce already seen on this link
=================  ===========================================================

A refusal answers 401 with the reason and is audited (``denied``, object type
``federation_link``). Covered components of a request: ``@method``, ``@path``,
``@query``, ``content-digest`` (RFC 9530, SHA-256), with the parameters
``created``, ``keyid`` (the link id), ``nonce`` and ``tag``; of an answer:
``@status`` and ``content-digest``, with the request's nonce.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from functools import wraps
from urllib.parse import quote

from flask import Response
from flask import current_app
from flask import request
from http_message_signatures import HTTPMessageSigner
from http_message_signatures import HTTPMessageSignaturesException
from http_message_signatures import HTTPMessageVerifier
from http_message_signatures import InvalidSignature
from http_message_signatures import MappingKeyResolver
from http_message_signatures import algorithms

from ..errors import JournalError
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from . import keys

TAG = "journal-federation"
REQUEST_COMPONENTS = ("@method", "@path", "@query", "content-digest")
RESPONSE_COMPONENTS = ("@status", "content-digest")
#: The largest body a signed call may carry.
MAX_BODY_BYTES = 512 * 1024


class Refused(Exception):
    """A signed call (or its answer) that is not accepted; ``reason`` is a code from the table."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Request:
    """The message interface the signature library reads (method, absolute URL, headers)."""

    method: str
    url: str
    headers: dict


@dataclass
class Answer:
    """An answer as the signature library reads it (status, headers, the request it answers)."""

    status_code: int
    headers: dict
    request: object | None = None


def _signer(link_id: str, private_pem: str) -> HTTPMessageSigner:
    resolver = MappingKeyResolver(public_keys={}, private_keys={
        link_id: keys.load_private_key(private_pem)})
    return HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=resolver)


def sign_request(message, *, link_id: str, private_pem: str, nonce: str, body: bytes) -> None:
    """Sign an outgoing request in place (``message``: a requests ``PreparedRequest``)."""
    _signer(link_id, private_pem).sign(
        message, key_id=link_id, nonce=nonce, tag=TAG, body=body,
        created=datetime.now(timezone.utc), covered_component_ids=REQUEST_COMPONENTS)


def sign_answer(status: int, headers: dict, body: bytes, *, link_id: str, private_pem: str,
                nonce: str) -> dict:
    """Return ``headers`` with the signature of an answer (status, body digest, the request's nonce)."""
    message = Answer(status, dict(headers))
    _signer(link_id, private_pem).sign(
        message, key_id=link_id, nonce=nonce, tag=TAG, body=body,
        created=datetime.now(timezone.utc), covered_component_ids=RESPONSE_COMPONENTS)
    return message.headers


def _verifier(link_id: str, public_text: str) -> HTTPMessageVerifier:
    resolver = MappingKeyResolver(public_keys={link_id: keys.load_public_key(public_text)},
                                  private_keys={})
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
    # Freshness is checked below with the journal's own setting and reason code.
    verifier.max_clock_skew = timedelta(days=3650)
    return verifier


def _skew() -> int:
    return int(current_app.config["JOURNAL_FEDERATION_CLOCK_SKEW_SECONDS"])


def check_fresh(created, skew: int) -> None:
    """Refuse a signature made more than ``skew`` seconds before or after now."""
    if not isinstance(created, int) or abs(time.time() - created) > skew:
        raise Refused("clock_skew")


def verify(message, *, link_id: str, public_text: str, body: bytes, components, skew: int):
    """Verify one message's signature by the link's peer; return the library's result.

    :raise Refused: ``bad_signature``, ``bad_digest`` or ``clock_skew``.
    """
    verifier = _verifier(link_id, public_text)
    try:
        (result,) = verifier.verify(message, max_age=None, expect_tag=TAG,
                                    require_components=components)
    except (InvalidSignature, HTTPMessageSignaturesException, ValueError):
        raise Refused("bad_signature") from None
    if result.parameters.get("keyid") != link_id:
        raise Refused("bad_signature")
    try:
        verifier.verify_body(message, [result], body)
    except (InvalidSignature, HTTPMessageSignaturesException, ValueError):
        raise Refused("bad_digest") from None
    check_fresh(result.parameters.get("created"), skew)
    if not result.nonce or len(result.nonce) > 100:
        raise Refused("bad_signature")
    return result


def claimed_link_id(headers) -> str:
    """Return the link id a request names in its signature (unverified), or ``""``."""
    raw = headers.get("Signature-Input", "")
    marker = 'keyid="'
    start = raw.find(marker)
    if start < 0:
        return ""
    end = raw.find('"', start + len(marker))
    value = raw[start + len(marker):end] if end > 0 else ""
    return value if value.replace("-", "").replace("_", "").isalnum() and len(value) <= 64 else ""


# -- the receiving side -------------------------------------------------------------------

def _incoming() -> _Request:
    path = quote(request.script_root + request.path, safe="/-_.~")
    query = request.query_string.decode("latin-1")
    return _Request(request.method, f"https://journal.invalid{path}" + (f"?{query}" if query
                                                                          else ""),
                    {k: v for k, v in request.headers.items()})


def _remember_nonce(link_id: str, nonce: str, skew: int) -> None:
    """Record ``nonce`` for the link; refuse one seen before. Forget nonces that can no
    longer arrive on time (older than twice the allowed skew)."""
    store = get_store()
    key = hashlib.sha256(f"{link_id}|{nonce}".encode()).hexdigest()
    now = time.time()
    with store.transaction():
        if store.federation_nonces.get(key) is not None:
            raise Refused("replay")
        store.federation_nonces.create({"id": key, "link_id": link_id, "seen_at": now})
    last = current_app.extensions.get("journal.federation.nonce_purge", 0.0)
    if now - last > 60:
        current_app.extensions["journal.federation.nonce_purge"] = now
        for old in store.federation_nonces.filter(lambda d: d["seen_at"] < now - 2 * skew):
            store.federation_nonces.delete(old["id"])


def verify_incoming() -> tuple[dict, str, bytes]:
    """Check the current request's signature; return ``(link, nonce, body)``.

    :raise Refused: see the table above.
    """
    if "Signature" not in request.headers or "Signature-Input" not in request.headers:
        raise Refused("unsigned")
    link_id = claimed_link_id(request.headers)
    if not link_id:
        raise Refused("unsigned")
    link = get_store().federation_links.get(link_id)
    if link is None:
        raise Refused("unknown_link")
    if link.get("status") != "active":
        raise Refused("revoked")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Refused("bad_digest")
    body = request.get_data(cache=True)
    skew = _skew()
    result = verify(_incoming(), link_id=link_id, public_text=link["peer_public_key"],
                    body=body, components=REQUEST_COMPONENTS, skew=skew)
    _remember_nonce(link_id, result.nonce, skew)
    return link, result.nonce, body


def signed_json(link: dict, nonce: str, payload: dict, status: int = 200) -> Response:
    """Return a JSON answer signed with this side's key for ``link``."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = sign_answer(status, {"Content-Type": "application/json"}, body,
                          link_id=link["id"], private_pem=link["private_key"], nonce=nonce)
    return Response(body, status=status, headers=headers)


def signed(view):
    """Declare a view for signed calls from a linked journal (access decision ``signed``).

    The view is called as ``view(link, payload, **url_args)`` with the verified link and
    the JSON body (``{}`` when empty) and returns a JSON-able dict, which goes back
    signed. A refused call answers 401 unsigned and is audited; a domain error
    (:mod:`journal.errors`) from the view answers its status, signed.
    """

    @wraps(view)
    def wrapped(**kwargs):
        try:
            link, nonce, body = verify_incoming()
        except Refused as refusal:
            audit("denied", object_type="federation_link",
                  object_id=claimed_link_id(request.headers), outcome="401", user_id="",
                  detail=f"signature:{refusal.reason}")
            return Response(json.dumps({"error": refusal.reason}), status=401,
                            mimetype="application/json")
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return signed_json(link, nonce, {"error": "bad_payload"}, 400)
        try:
            answer = view(link, payload, **kwargs)
        except JournalError as error:
            return signed_json(link, nonce, {"error": type(error).__name__.lower()}, error.status)
        return signed_json(link, nonce, answer)

    return access.declared(wrapped, "signed")
