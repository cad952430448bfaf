"""The network library: anonymised practice examples that schools share through their centre.

A school publishes the exact file its staff reviewed
(:mod:`journal.process.practice`: every name removed, the reviewed text's
fingerprint checked) to a centre it shares the library with. The centre keeps
it (collection ``network_examples``) and offers it to every school that shares
the library too; another school adopts it through its own practice service,
as if the file had been imported (validated again, audited), and can then use
it in a trajectory through its entries service. The file export and import
stay as the way without a link.

Centre record::

    {"id", "link_id" (the publishing school's link), "school" (its name then),
     "content" (the practice example file), "title", "kind", "focus_areas",
     "digest", "published_on"}
"""

from __future__ import annotations

import re

from ..errors import Forbidden
from ..errors import NotFound
from ..process import practice
from ..process import practice_file
from ..process import practice_library
from ..process import today
from ..security import access
from ..security.audit import audit
from ..storage import get_store
from . import links

#: How many examples one listing carries at most (newest first).
MAX_LISTED = 200

_EXAMPLE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def is_example_id(value) -> bool:
    """Return whether ``value`` looks like the id of a centre's example (what a listing may carry)."""
    return isinstance(value, str) and bool(_EXAMPLE_ID.match(value))


def _require_library(link: dict) -> None:
    if not (link.get("shares") or {}).get("library"):
        audit("denied", object_type="federation_link", object_id=link["id"], outcome="403",
              user_id="", detail="library:not_shared")
        raise Forbidden("library")


# -- at the centre -----------------------------------------------------------------------

def publish(link: dict, payload: dict) -> dict:
    """Keep an example a school publishes (the signed call); validated like an imported file.

    :raise Forbidden: the school does not share the library.
    :raise journal.errors.ValidationError: the content is not a valid practice example.
    """
    _require_library(link)
    content = payload.get("content")
    text = practice_file.dumps(content if isinstance(content, dict) else {})
    values = practice_file.parse_file(text.encode("utf-8"))
    digest = practice_file.digest(text)
    store = get_store()
    existing = store.network_examples.find(link_id=link["id"], digest=digest)
    if existing:
        return {"id": existing[0]["id"], "new": False}
    example = store.network_examples.create({
        "link_id": link["id"], "school": link.get("peer_name", ""), "content": content,
        "title": values["title"], "kind": values["kind"], "focus_areas": values["focus_areas"],
        "digest": digest, "published_on": today().isoformat()})
    audit("create", object_type="network_example", object_id=example["id"], user_id="",
          detail=f"published:{link['id']}")
    return {"id": example["id"], "new": True}


def offered() -> list[dict]:
    """Return the examples of schools that share the library now, newest first."""
    sharing = {link["id"] for link in links.sharing("library")}
    examples = [e for e in get_store().network_examples.all() if e["link_id"] in sharing]
    return sorted(examples, key=lambda e: e.get("created_at", ""), reverse=True)[:MAX_LISTED]


def summary(example: dict, link: dict | None = None) -> dict:
    """Return what a listing shows of an example (``own``: published by ``link``'s school)."""
    return {"id": example["id"], "title": example["title"], "kind": example["kind"],
            "focus_areas": example.get("focus_areas", []), "school": example.get("school", ""),
            "published_on": example.get("published_on", ""),
            "own": link is not None and example["link_id"] == link["id"]}


def listing(link: dict) -> dict:
    """Answer a school's question for the library (the signed call)."""
    _require_library(link)
    return {"examples": [summary(e, link) for e in offered()]}


def _offered_example(example_id: str) -> dict:
    example = get_store().network_examples.get(example_id)
    if example is None or example["link_id"] not in {l["id"] for l in links.sharing("library")}:
        raise NotFound("network_example")
    return example


def fetch(link: dict, example_id: str) -> dict:
    """Answer a school's question for one example's file (the signed call)."""
    _require_library(link)
    example = _offered_example(example_id)
    audit("view", object_type="network_example", object_id=example["id"], user_id="",
          detail=f"fetched:{link['id']}")
    return {"example": summary(example, link), "content": example["content"]}


def withdraw(link: dict, example_id: str) -> dict:
    """Take an example out of the library at its school's request (the signed call)."""
    example = get_store().network_examples.get(example_id)
    if example is None or example["link_id"] != link["id"]:
        raise NotFound("network_example")
    get_store().network_examples.delete(example_id)
    audit("delete", object_type="network_example", object_id=example_id, user_id="",
          detail=f"withdrawn:{link['id']}")
    return {"withdrawn": True}


def remove(actor: dict, example_id: str) -> None:
    """Take an example out of the library (the centre's admin)."""
    get_store().network_examples.require(example_id)  # NotFound for an unknown id
    get_store().network_examples.delete(example_id)
    audit("delete", object_type="network_example", object_id=example_id, user_id=actor["id"])


# -- at the school ---------------------------------------------------------------------------

def publish_to_centre(actor: dict, link: dict, content: dict) -> dict:
    """Send a reviewed example file to the centre of ``link``, and keep it as shared here.

    :raise Forbidden: this school does not share the library on that link.
    :raise journal.federation.client.Unreachable: the centre did not take it.
    """
    if not (link.get("shares") or {}).get("library"):
        raise Forbidden("library")
    answer = links.ask_peer(link, "POST", "/federation/v1/library", {"content": content})
    audit("export", object_type="practice_example", object_id=str(answer.get("id", ""))[:64],
          user_id=actor["id"], detail=f"centre:{link['id']}")
    digest = practice_file.digest(practice_file.dumps(content))
    if not get_store().practice_examples.find(file_digest=digest):
        practice.record_export(actor, content)
    return answer


def browse(link: dict) -> list[dict]:
    """Return the examples the centre of ``link`` offers (a live, signed call).

    :raise journal.federation.client.Unreachable: see there.
    """
    answer = links.ask_peer(link, "GET", "/federation/v1/library")
    examples = answer.get("examples")
    return [clean_summary(e) for e in examples if isinstance(e, dict)][:MAX_LISTED] \
        if isinstance(examples, list) else []


def clean_summary(raw: dict) -> dict:
    """Return a listing item from the other side, with only well-formed values kept."""
    def text(value, limit):
        return " ".join(value.split())[:limit] if isinstance(value, str) else ""

    areas = raw.get("focus_areas") if isinstance(raw.get("focus_areas"), list) else []
    return {"id": raw["id"] if is_example_id(raw.get("id")) else "",
            "title": text(raw.get("title"), practice_file.MAX_TITLE),
            "kind": raw.get("kind") if raw.get("kind") in practice_file.KINDS else "",
            "focus_areas": [text(a.get("label"), 80) for a in areas[:practice_file.MAX_AREAS]
                            if isinstance(a, dict)],
            "school": text(raw.get("school"), 120),
            "published_on": text(raw.get("published_on"), 10),
            "own": raw.get("own") is True}


def _library_link(actor: dict, link_id: str, example_id: str) -> dict:
    """Return the active link ``link_id`` on which this school shares the library, once
    ``actor`` may take examples in or out and ``example_id`` is one a centre could give.

    :raise Forbidden: ``actor`` is neither a care coordinator nor an ondersteuner (audited).
    :raise NotFound: no such active link, it does not share the library, or no such example.
    """
    access.check_role(actor, *practice.IMPORTERS)
    if not is_example_id(example_id):
        raise NotFound("network_example")
    link = links.require_active(link_id)
    if not (link.get("shares") or {}).get("library"):
        raise NotFound("federation_link")
    return link


def adopt_from_centre(actor: dict, link_id: str, example_id: str) -> dict:
    """Fetch an example from the centre of ``link_id`` and adopt it here, through the practice
    service (validated and kept as if its file had been imported, then adopted; both audited).

    :return: the example in this school's library.
    :raise Forbidden, NotFound: see :func:`_library_link`.
    :raise journal.errors.ValidationError: the centre's file is not a valid example.
    :raise journal.federation.client.Unreachable: see there.
    """
    link = _library_link(actor, link_id, example_id)
    answer = links.ask_peer(link, "GET", f"/federation/v1/library/{example_id}")
    content = answer.get("content")
    data = practice_file.dumps(content if isinstance(content, dict) else {}).encode("utf-8")
    stored, _new = practice.import_file(actor, data)
    audit("create", object_type="practice_example", object_id=stored["id"], user_id=actor["id"],
          detail=f"from_centre:{link['id']}")
    return practice_library.adopt(actor, stored["id"])


def withdraw_from_centre(actor: dict, link_id: str, example_id: str) -> None:
    """Ask the centre of ``link_id`` to take one of this school's examples out of its library.

    :raise Forbidden, NotFound: see :func:`_library_link`.
    :raise journal.federation.client.Unreachable: see there.
    """
    link = _library_link(actor, link_id, example_id)
    links.ask_peer(link, "POST", f"/federation/v1/library/{example_id}/withdraw", {})
    audit("delete", object_type="practice_example", object_id=example_id[:64],
          user_id=actor["id"], detail=f"withdrawn_at_centre:{link['id']}")
