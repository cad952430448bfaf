"""An ondersteuner's caseload across the schools linked to her centre.

For each linked school that shares caseloads, the centre asks (a signed call,
all schools at once, each bounded by ``JOURNAL_FEDERATION_TIMEOUT_SECONDS``)
what needs her now, naming her by the identities her centre account is linked
to; the school answers with her own rights there
(:mod:`journal.federation.caseload`). Answers stay in memory for
``JOURNAL_CASELOAD_CACHE_SECONDS`` (60) at most and are never stored; ending a
link forgets its answers at once. A school that does not answer in time is
shown as not reachable; the others still show.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from dataclasses import field

from flask import current_app

from ..federation import client
from ..federation import links
from ..security.audit import audit

#: The kinds of items a school sends.
KINDS = ("goal_overdue", "goal_due", "reflection", "visit", "quiet")
_ID = "[A-Za-z0-9_-]{1,64}"
_PATH = re.compile(rf"^/t/{_ID}((/(goals|entries)/{_ID})|#visit-{_ID})?$")
_TIME = re.compile(r"^\d{2}:\d{2}(-\d{2}:\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ITEMS = 200


class CaseloadCache:
    """Answers per (centre user, link, question), kept in memory for a short time only.

    The question is ``caseload`` or a calendar feed's (:mod:`.calendar`).
    """

    def __init__(self, seconds: int):
        self.seconds = seconds
        self._answers: dict[tuple[str, str, str], tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str, link_id: str, question: str = "caseload") -> dict | None:
        """Return a fresh answer, or ``None``."""
        key = (user_id, link_id, question)
        with self._lock:
            found = self._answers.get(key)
            if found is None or found[0] < time.monotonic():
                self._answers.pop(key, None)
                return None
            return found[1]

    def put(self, user_id: str, link_id: str, answer: dict, question: str = "caseload") -> None:
        """Keep an answer for a short while."""
        if self.seconds > 0:
            with self._lock:
                self._answers[(user_id, link_id, question)] = (time.monotonic() + self.seconds,
                                                               answer)

    def forget_link(self, link_id: str) -> None:
        """Drop every answer of one school (its link ended or changed)."""
        with self._lock:
            for key in [k for k in self._answers if k[1] == link_id]:
                del self._answers[key]

    def forget_user(self, user_id: str) -> None:
        """Drop every answer for one person (she asked to refresh)."""
        with self._lock:
            for key in [k for k in self._answers if k[0] == user_id]:
                del self._answers[key]


@dataclass
class SchoolCaseload:
    """One school's part of the caseload.

    ``status``: ``ok``, ``not_shared`` (the school shares no caseloads),
    ``no_account`` (no ondersteuner account of hers is linked there) or
    ``unreachable`` (no trusted answer in time).
    """

    link_id: str
    school: str
    url: str
    status: str
    items: list[dict] = field(default_factory=list)


def cache() -> CaseloadCache:
    """Return the app's in-memory cache of the schools' answers."""
    return current_app.extensions["journal.caseload_cache"]


def identities_of(user: dict) -> list[dict]:
    """Return the identities the centre names ``user`` by (issuer and subject only)."""
    return [{"issuer": i["issuer"], "subject": i["subject"]}
            for i in user.get("identities") or () if i.get("issuer") and i.get("subject")]


def clean_item(raw, base_url: str) -> dict | None:
    """Return an item from a school with only well-formed values, its link made absolute;
    ``None`` for anything else (a school's answer is not trusted blindly)."""
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
        return None
    path = raw.get("path")
    if not isinstance(path, str) or not _PATH.fullmatch(path):
        return None

    def text(value) -> str:
        return " ".join(value.split())[:80] if isinstance(value, str) else ""

    def matching(key: str, pattern: re.Pattern) -> str:
        value = raw.get(key)
        return value if isinstance(value, str) and pattern.fullmatch(value) else ""

    return {"kind": raw["kind"], "trajectory": text(raw.get("trajectory")),
            "text": text(raw.get("text")), "due": matching("due", _DATE),
            "time": matching("time", _TIME), "url": base_url.rstrip("/") + path}


def caseload(user: dict, *, refresh: bool = False) -> list[SchoolCaseload]:
    """Return ``user``'s caseload per linked school, asking the schools not in the cache.

    :param refresh: ask every school again, whatever is cached.
    """
    if refresh:
        cache().forget_user(user["id"])
    out: dict[str, SchoolCaseload] = {}
    sharing = []
    for link in links.active_links():
        out[link["id"]] = SchoolCaseload(link["id"], link["peer_name"], link["peer_url"], "ok")
        if (link.get("shares") or {}).get("caseload"):
            sharing.append(link)
        else:
            out[link["id"]].status = "not_shared"
    answers, asked = ask_schools(user, sharing, "/federation/v1/caseload",
                                 {"identities": identities_of(user)})
    for link_id, answer in answers.items():
        part = out[link_id]
        if isinstance(answer, client.Unreachable):
            part.status = "not_shared" if answer.status == 403 else "unreachable"
        else:
            _fill(part, answer)
    audit("view", object_type="caseload", user_id=user["id"],
          detail=f"schools:{len(out)}:asked:{asked}")
    return list(out.values())


def ask_schools(user: dict, sharing: list[dict], path: str, payload: dict,
                question: str = "caseload") -> tuple[dict, int]:
    """Ask every school in ``sharing`` the same signed question about ``user``, all at once.

    A fresh answer in the cache is used instead of a call; new answers are kept.
    Returns the answers (or :class:`client.Unreachable`) by link id, and how many
    schools were actually called.
    """
    kept = cache()
    answers, calls = {}, {}
    for link in sharing:
        cached = kept.get(user["id"], link["id"], question)
        if cached is not None:
            answers[link["id"]] = cached
        else:
            calls[link["id"]] = (client.Peer.of(link), "POST", path, payload)
    for link_id, answer in client.call_each(calls, timeout=links.timeout(),
                                            skew=links.skew()).items():
        if not isinstance(answer, client.Unreachable):
            kept.put(user["id"], link_id, answer, question)
        answers[link_id] = answer
    return answers, len(calls)


def _fill(part: SchoolCaseload, answer: dict) -> None:
    if answer.get("known") is not True:
        part.status = "no_account"
        return
    raw = answer.get("items") if isinstance(answer.get("items"), list) else []
    items = [clean_item(i, part.url) for i in raw[:MAX_ITEMS]]
    part.items = [i for i in items if i is not None]
