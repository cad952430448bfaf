"""Pairing a school with a centre: a one-time code shown at the centre, typed in at the school.

1. The centre's admin asks for a code (:func:`new_code`): 12 letters and digits
   in three groups, valid ``JOURNAL_FEDERATION_PAIRING_MINUTES`` (15), used once.
   The centre keeps only its SHA-256, with a fresh key pair and link id.
2. The school's admin types the centre's address and the code
   (:func:`pair_with_centre`). The school makes its own key pair and sends the
   code, its name, address, public key and what it shares to
   ``<centre>/federation/v1/pair`` (HTTPS, or HTTP on loopback only).
3. The centre (:func:`redeem`) finds the code by its hash, deletes it first
   (single use), checks it has not expired, stores the link and answers with
   the link id, its name and public key, and a confirmation: HMAC-SHA256 keyed
   with the code over both public keys and the link id, so the school knows the
   answer comes from whoever showed the code. Failures count against the
   sign-in throttle (per address, and for pairing as a whole).

From then on every call is signed (:mod:`journal.federation.signing`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import requests
from flask import current_app
from flask_babel import gettext as _

from ..errors import ValidationError
from ..security import access
from ..security import throttle
from ..security.audit import audit
from ..signin.providers import secure_url
from ..storage import get_store
from ..storage.store import new_id
from . import keys
from . import links

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 12
#: The throttle's account key for pairing as a whole (codes are short: bound all guessing).
THROTTLE_KEY = "federation:pairing"
MAX_NAME = 120
MAX_URL = 300
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


class PairingRefused(Exception):
    """The centre refuses a pairing; ``reason``: ``throttled``, ``bad_request``, ``unknown_code``."""

    def __init__(self, reason: str, wait: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


def normalise_code(typed: str) -> str:
    """Return a typed code without spaces and dashes, in capitals."""
    return re.sub(r"[\s\-]", "", typed or "").upper()[:40]


def _hash(code: str) -> str:
    return hashlib.sha256(("pairing:" + code).encode()).hexdigest()


def confirmation(code: str, link_id: str, centre_key: str, school_key: str) -> str:
    """Return the centre's proof that it knew the code, bound to both keys."""
    message = f"{link_id}|{centre_key}|{school_key}".encode()
    return hmac.new(code.encode(), message, hashlib.sha256).hexdigest()


# -- at the centre ---------------------------------------------------------------------

def new_code(actor: dict) -> tuple[str, int]:
    """Make a pairing code; return it (grouped for reading) and its minutes of validity.

    :raise Forbidden: ``actor`` is not the centre's administrator (audited).
    """
    access.check_role(actor, "admin")
    minutes = int(current_app.config["JOURNAL_FEDERATION_PAIRING_MINUTES"])
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    store = get_store()
    now = time.time()
    with store.transaction():
        for expired in store.pairing_codes.filter(lambda c: c["expires"] < now):
            store.pairing_codes.delete(expired["id"])  # an unused code's private key goes too
        record = store.pairing_codes.create({
            "id": _hash(code), "link_id": new_id(), "private_key": keys.new_private_key(),
            "expires": now + minutes * 60, "created_by": actor["id"]})
    audit("create", object_type="pairing_code", object_id=record["link_id"], user_id=actor["id"])
    return "-".join(code[i:i + 4] for i in range(0, CODE_LENGTH, 4)), minutes


def pending_codes() -> int:
    """Return how many codes are still valid (shown on the centre's page)."""
    now = time.time()
    return sum(1 for c in get_store().pairing_codes.all() if c["expires"] > now)


def redeem(payload: dict, *, address: str) -> dict:
    """Pair a school that presents a code; return the centre's answer.

    :raise PairingRefused: throttled, malformed, or the code is unknown, used or expired.
    """
    wait = throttle.wait_seconds(THROTTLE_KEY, address)
    if wait:
        audit("denied", object_type="pairing_code", outcome="429", user_id="", detail="throttled")
        raise PairingRefused("throttled", wait)
    code = normalise_code(str(payload.get("code") or ""))
    name = " ".join(str(payload.get("name") or "").split())[:MAX_NAME]
    url = str(payload.get("url") or "").strip()
    school_key = payload.get("public_key")
    shares = payload.get("shares")
    if (not _CODE.match(code) or not name or len(url) > MAX_URL or not secure_url(url)
            or not keys.is_public_key(school_key)):
        _failed(address, "bad_request")
        raise PairingRefused("bad_request")
    store = get_store()
    with store.transaction():
        record = store.pairing_codes.get(_hash(code))
        if record is not None:
            store.pairing_codes.delete(record["id"])  # single use, whatever follows
    if record is None or record["expires"] < time.time():
        _failed(address, "unknown_code")
        raise PairingRefused("unknown_code")
    throttle.record_success(THROTTLE_KEY)
    link = links.create(link_id=record["link_id"], side="centre", peer_name=name, peer_url=url,
                        peer_public_key=school_key, private_key=record["private_key"],
                        shares=links.clean_shares(k for k, v in (shares or {}).items() if v is True)
                        if isinstance(shares, dict) else links.clean_shares(()),
                        actor_id=record["created_by"])
    audit("create", object_type="federation_link", object_id=link["id"], user_id="",
          detail="paired")
    centre_key = keys.public_key_text(record["private_key"])
    return {"link_id": link["id"], "name": current_app.config["JOURNAL_SCHOOL_NAME"],
            "public_key": centre_key,
            "confirm": confirmation(code, link["id"], centre_key, school_key)}


def _failed(address: str, reason: str) -> None:
    throttle.record_failure(THROTTLE_KEY, address)
    audit("denied", object_type="pairing_code", outcome="403", user_id="", detail=reason)


# -- at the school -----------------------------------------------------------------------

def pair_with_centre(actor: dict, *, centre_url: str, code: str, shares: dict[str, bool],
                     own_url: str, own_name: str) -> dict:
    """Link this school to the centre at ``centre_url`` with the code its admin showed.

    :param own_url: this journal's address as the centre will call it.
    :raise Forbidden: ``actor`` is not the school's administrator (audited).
    :raise ValidationError: on ``centre_url`` or ``code``, saying what went wrong.
    """
    access.check_role(actor, "admin")
    centre_url = (centre_url or "").strip().rstrip("/")
    typed = normalise_code(code)
    errors: dict[str, list[str]] = {}
    if not centre_url or len(centre_url) > MAX_URL or not secure_url(centre_url):
        errors["centre_url"] = [_("Enter the centre's address, starting with https://.")]
    if not _CODE.match(typed):
        errors["code"] = [_("Enter the %(n)d letters and digits of the code the centre shows "
                            "(dashes may stay).", n=CODE_LENGTH)]
    if errors:
        raise ValidationError(errors)
    private_key = keys.new_private_key()
    own_key = keys.public_key_text(private_key)
    payload = {"code": typed, "name": own_name or own_url, "url": own_url,
               "public_key": own_key, "shares": shares}
    timeout = links.timeout()
    try:
        response = requests.post(centre_url + "/federation/v1/pair", json=payload,
                                 timeout=timeout, allow_redirects=False)
    except requests.RequestException:
        audit("denied", object_type="federation_link", outcome="unreachable",
              user_id=actor["id"], detail="pairing")
        raise ValidationError({"centre_url": [_(
            "The centre cannot be reached at this address. Check the address and try again.")]})
    answer = _json(response)
    if response.status_code != 200:
        audit("denied", object_type="federation_link", outcome=str(response.status_code),
              user_id=actor["id"], detail=f"pairing:{answer.get('error', '')}"[:60])
        if response.status_code == 429:
            raise ValidationError({"code": [_("Too many wrong codes were tried at the centre. "
                                              "Wait a few minutes, then ask for a new code.")]})
        if answer.get("error") == "unknown_code":
            raise ValidationError({"code": [_("The centre does not accept this code: it is "
                                              "wrong, already used or expired. Ask for a new "
                                              "one.")]})
        raise ValidationError({"centre_url": [_(
            "This address does not answer as a centre's journal.")]})
    link_id = answer.get("link_id")
    centre_key = answer.get("public_key")
    if (not isinstance(link_id, str) or not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", link_id)
            or not keys.is_public_key(centre_key)
            or get_store().federation_links.get(link_id) is not None
            or not hmac.compare_digest(str(answer.get("confirm", "")),
                                       confirmation(typed, link_id, centre_key, own_key))):
        audit("denied", object_type="federation_link", outcome="untrusted", user_id=actor["id"],
              detail="pairing:confirmation")
        raise ValidationError({"centre_url": [_(
            "The answer from this address cannot be trusted, so no link was made.")]})
    name = " ".join(str(answer.get("name") or "").split())[:MAX_NAME] or centre_url
    link = links.create(link_id=link_id, side="school", peer_name=name, peer_url=centre_url,
                        peer_public_key=centre_key, private_key=private_key, shares=shares,
                        actor_id=actor["id"])
    audit("create", object_type="federation_link", object_id=link_id, user_id=actor["id"],
          detail="paired:" + ",".join(k for k in links.SHARES if shares.get(k)))
    return link


def _json(response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
