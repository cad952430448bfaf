"""Calling the other side of a link: one signed call, or one to each of several journals at once.

Workers never touch Flask or the store: a :class:`Peer` carries everything a
call needs, taken from the link record beforehand, so calls to many schools run
in parallel threads and a school that does not answer costs one timeout, not
one per school.
"""

from __future__ import annotations

import json
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from dataclasses import dataclass

import requests

from . import signing

logger = logging.getLogger(__name__)

#: The largest answer accepted from the other side.
MAX_ANSWER_BYTES = 2 * 1024 * 1024
#: At most this many calls at once.
MAX_PARALLEL = 8


class Unreachable(Exception):
    """The other side did not answer, or answered in a way that is not trusted.

    :ivar reason: a short code: ``timeout``, ``connection``, ``too_large``,
        ``bad_answer_signature``, ``not_json``, or ``refused:<status>:<error>``.
    """

    def __init__(self, reason: str, status: int = 0, error: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.error = error


@dataclass(frozen=True)
class Peer:
    """The other side of one link, as a call needs it."""

    link_id: str
    base_url: str
    private_key: str       # this side's key for the link (PEM)
    peer_public_key: str   # the other side's key
    name: str = ""

    @classmethod
    def of(cls, link: dict) -> "Peer":
        """Return the peer of a stored link record."""
        return cls(link["id"], link["peer_url"], link["private_key"], link["peer_public_key"],
                   link.get("peer_name", ""))


def call(peer: Peer, method: str, path: str, payload: dict | None = None, *,
         timeout: float, skew: int, session: requests.Session | None = None) -> dict:
    """Make one signed call and return the verified JSON answer.

    :param path: below the peer's address, starting with ``/`` (query string included).
    :raise Unreachable: no answer in time, an answer that is not signed by the peer for
        this very request, or a refusal (any status but 200).
    """
    body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
    prepared = requests.Request(method, peer.base_url.rstrip("/") + path, data=body or None,
                                headers={"Content-Type": "application/json",
                                         "Accept": "application/json"}).prepare()
    nonce = secrets.token_urlsafe(18)
    signing.sign_request(prepared, link_id=peer.link_id, private_pem=peer.private_key,
                         nonce=nonce, body=body)
    http = session or requests.Session()
    try:
        response = http.send(prepared, timeout=timeout, allow_redirects=False, stream=True)
        try:
            content = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
        finally:
            response.close()
    except requests.Timeout:
        raise Unreachable("timeout") from None
    except (requests.RequestException, OSError):
        raise Unreachable("connection") from None
    finally:
        if session is None:
            http.close()
    if len(content) > MAX_ANSWER_BYTES:
        raise Unreachable("too_large")
    if response.status_code == 401 and "Signature" not in response.headers:
        # The other side refused our signature; its answer cannot be signed for a link it
        # does not trust (revoked, unknown).
        raise Unreachable(f"refused:401:{_error_of(content)}", 401, _error_of(content))
    try:
        verified = signing.verify(
            signing.Answer(response.status_code, response.headers, prepared),
            link_id=peer.link_id, public_text=peer.peer_public_key, body=content,
            components=signing.RESPONSE_COMPONENTS, skew=skew)
    except signing.Refused:
        raise Unreachable("bad_answer_signature") from None
    # The answer's signature carries our nonce: it answers this request, not an old one.
    if verified.nonce != nonce:
        raise Unreachable("bad_answer_signature")
    if response.status_code != 200:
        error = _error_of(content)
        raise Unreachable(f"refused:{response.status_code}:{error}", response.status_code, error)
    try:
        answer = json.loads(content)
    except ValueError:
        raise Unreachable("not_json") from None
    if not isinstance(answer, dict):
        raise Unreachable("not_json")
    return answer


def _error_of(content: bytes) -> str:
    try:
        error = json.loads(content).get("error", "")
    except (ValueError, AttributeError):
        return ""
    return error[:40] if isinstance(error, str) else ""


def call_each(calls: dict, *, timeout: float, skew: int) -> dict:
    """Make several calls at once; return ``{key: answer or Unreachable}``.

    :param calls: ``{key: (peer, method, path, payload)}``.
    """
    if not calls:
        return {}
    out: dict = {}
    pool = ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(calls)))
    try:
        futures = {pool.submit(call, peer, method, path, payload, timeout=timeout, skew=skew): key
                   for key, (peer, method, path, payload) in calls.items()}
        # requests' timeout bounds each connect and each read; this bounds a slow trickle.
        done, late = wait(futures, timeout=timeout * 2 + 1)
        for future in done:
            error = future.exception()
            if error is not None and not isinstance(error, Unreachable):
                logger.exception("federation call failed", exc_info=error)
                error = Unreachable("error")
            out[futures[future]] = error if error is not None else future.result()
        for future in late:
            out[futures[future]] = Unreachable("timeout")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return out
