"""Links between a school's journal and a centre's: the records both sides keep.

A link record (collection ``federation_links``), the same id on both sides::

    {"id": "…", "side": "school" | "centre",        # which side *this* journal is
     "peer_name": "…", "peer_url": "https://…",      # the other side
     "peer_public_key": "…",                          # its Ed25519 key for this link
     "private_key": "-----BEGIN PRIVATE KEY-----…",   # ours (never leaves this journal)
     "shares": {"caseload": bool, "library": bool, "patterns": bool},
     "status": "active" | "revoked", "linked_by", "revoked_at", "revoked_by"}

``shares`` is decided by the school's admin; the school keeps the deciding copy
and refuses what is off, the centre keeps the last copy it was told (to show
it and to leave out what a school does not share). A revoked link keeps no
private key and is refused on every call; it is kept so the refusal can say so.
"""

from __future__ import annotations

import logging

from flask import current_app

from ..errors import NotFound
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from ..storage.store import utcnow

logger = logging.getLogger(__name__)

#: What a school can share with a centre, each on or off per link.
SHARES = ("caseload", "library", "patterns")


def clean_shares(values) -> dict[str, bool]:
    """Return a full ``shares`` mapping from the names that are on (anything else is off)."""
    on = set(values or ())
    return {name: name in on for name in SHARES}


def active_links() -> list[dict]:
    """Return the active links, by the other side's name."""
    links = get_store().federation_links.find(status="active")
    return sorted(links, key=lambda link: link.get("peer_name", "").lower())


def all_links() -> list[dict]:
    """Return every link, revoked ones included, newest first."""
    return sorted(get_store().federation_links.all(), key=lambda l: l.get("created_at", ""),
                  reverse=True)


def sharing(share: str) -> list[dict]:
    """Return the active links on which ``share`` is on."""
    return [link for link in active_links() if (link.get("shares") or {}).get(share)]


def require_active(link_id: str) -> dict:
    """Return an active link. :raise NotFound: no such link, or it was revoked."""
    link = get_store().federation_links.get(link_id)
    if link is None or link.get("status") != "active":
        raise NotFound("federation_link")
    return link


def _manageable(actor: dict, link_id: str) -> dict:
    """Return the active link ``link_id`` once ``actor`` is known to be an administrator,
    the only role that makes, changes or ends links on either side."""
    access.check_role(actor, "admin")
    return require_active(link_id)


def create(*, link_id: str, side: str, peer_name: str, peer_url: str, peer_public_key: str,
           private_key: str, shares: dict[str, bool], actor_id: str) -> dict:
    """Store a new, active link (pairing does the checking)."""
    link = get_store().federation_links.create({
        "id": link_id, "side": side, "peer_name": peer_name, "peer_url": peer_url.rstrip("/"),
        "peer_public_key": peer_public_key, "private_key": private_key, "shares": shares,
        "status": "active", "linked_by": actor_id, "revoked_at": None, "revoked_by": None,
    }, actor_id=actor_id or None)
    return link


def set_shares(actor: dict, link_id: str, shares: dict[str, bool]) -> dict:
    """Change what the school shares on the active link ``link_id`` and tell the centre
    (best effort).

    :return: the updated link.
    :raise Forbidden: ``actor`` is not an administrator (audited).
    :raise NotFound: no such active link.
    """
    link = _manageable(actor, link_id)
    updated = get_store().federation_links.update(link["id"], {"shares": shares},
                                                  actor_id=actor["id"])
    audit("update", object_type="federation_link", object_id=link["id"], user_id=actor["id"],
          detail="shares:" + ",".join(name for name in SHARES if shares[name]))
    tell_peer(updated, "/federation/v1/shares", {"shares": shares})
    _forget_cached(link["id"])
    return updated


def record_shares(link: dict, shares) -> dict:
    """Keep what a school says it shares (the centre's copy)."""
    if not isinstance(shares, dict):
        shares = {}
    clean = {name: shares.get(name) is True for name in SHARES}
    return get_store().federation_links.update(link["id"], {"shares": clean})


def revoke(actor: dict, link_id: str) -> dict:
    """End the active link ``link_id`` from this side: refuse its calls from now on, forget
    its keys and whatever it brought (cached caseloads, the school's library examples), and
    tell the other side (best effort: it is refused either way).

    :raise Forbidden: ``actor`` is not an administrator (audited).
    :raise NotFound: no such active link.
    """
    link = _manageable(actor, link_id)
    told = tell_peer(link, "/federation/v1/revoke", {})
    revoked = _end(link, actor["id"])
    audit("delete", object_type="federation_link", object_id=link["id"], user_id=actor["id"],
          detail="revoked" + ("" if told else ":peer_not_told"))
    return revoked


def revoked_by_peer(link: dict) -> dict:
    """The other side revoked the link: end it here too."""
    revoked = _end(link, "")
    audit("delete", object_type="federation_link", object_id=link["id"], user_id="",
          detail="revoked_by_peer")
    return revoked


def _end(link: dict, actor_id: str) -> dict:
    store = get_store()
    with store.transaction():
        revoked = store.federation_links.update(link["id"], {
            "status": "revoked", "private_key": "", "revoked_at": utcnow(),
            "revoked_by": actor_id}, actor_id=actor_id or None)
        for example in store.network_examples.find(link_id=link["id"]):
            store.network_examples.delete(example["id"])
    _forget_cached(link["id"])
    return revoked


def _forget_cached(link_id: str) -> None:
    cache = current_app.extensions.get("journal.caseload_cache")
    if cache is not None:
        cache.forget_link(link_id)


def timeout() -> float:
    """Seconds a call to the other side may take."""
    return float(current_app.config["JOURNAL_FEDERATION_TIMEOUT_SECONDS"])


def skew() -> int:
    """Seconds a signature's time may differ from ours."""
    return int(current_app.config["JOURNAL_FEDERATION_CLOCK_SKEW_SECONDS"])


def tell_peer(link: dict, path: str, payload: dict) -> bool:
    """Make a signed call whose answer does not matter; return whether it was accepted."""
    from .client import Peer
    from .client import Unreachable
    from .client import call

    if not link.get("private_key"):
        return False
    try:
        call(Peer.of(link), "POST", path, payload, timeout=timeout(), skew=skew())
    except Unreachable as error:
        logger.warning("link %s: %s not accepted (%s)", link["id"], path, error.reason)
        return False
    return True


def ask_peer(link: dict, method: str, path: str, payload: dict | None = None) -> dict:
    """Make a signed call to the other side of ``link`` and return its answer.

    :raise journal.federation.client.Unreachable: see there.
    """
    from .client import Peer
    from .client import call

    return call(Peer.of(link), method, path, payload, timeout=timeout(), skew=skew())


def check(actor: dict, link_id: str) -> str:
    """Ask the other side whether the active link ``link_id`` works; return ``""`` or the
    reason it does not.

    :raise Forbidden: ``actor`` is not an administrator (audited).
    :raise NotFound: no such active link.
    """
    from .client import Unreachable

    link = _manageable(actor, link_id)
    try:
        ask_peer(link, "POST", "/federation/v1/hello", {})
    except Unreachable as error:
        reason = error.reason
    else:
        reason = ""
    audit("view", object_type="federation_link", object_id=link["id"], user_id=actor["id"],
          outcome="ok" if not reason else "unreachable", detail=f"check:{reason}"[:60])
    return reason
