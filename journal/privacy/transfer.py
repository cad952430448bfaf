"""The transfer package for a change of school.

Flemish rules (decree on pupils' legal status; circular BaO/2014/05): only
data about the pupil's educational career, only in the pupil's interest, not
when the parents object after inspection, and data about breaches of school
rules never. So the package leaves out entries marked as a breach of school
rules, internal entries, drafts, staff comments, the restricted section,
plugin data and the personal links to this school's parents' page, and it can only be made once the parents were informed and did
not object. The mandatory CLB report travels through the CLB, not through
this package.
"""

from __future__ import annotations

from ..security.audit import audit
from ..storage import get_store
from . import dossier
from . import export


class TransferRefused(Exception):
    """The package may not be made (the parents objected or were not informed)."""


def may_transfer(entry: dict) -> bool:
    """Return whether an entry may go to the next school."""
    return (entry.get("status") == "published" and not entry.get("internal")
            and not entry.get("breach_of_rules"))


def left_out(pupil_id: str) -> dict[str, int]:
    """Return how many of the pupil's items stay behind, per reason."""
    docs = dossier.pupil_documents(pupil_id)
    entries = docs["entries"]
    return {
        "breach_of_rules": sum(1 for e in entries if e.get("breach_of_rules")),
        "internal": sum(1 for e in entries if e.get("internal") and not e.get("breach_of_rules")),
        "drafts": sum(1 for e in entries if e.get("status") != "published"
                      and not e.get("internal") and not e.get("breach_of_rules")),
        "comments": len(docs["comments"]),
        "restricted": len(docs["restricted_notes"]),
        "included": sum(1 for e in entries if may_transfer(e)),
    }


def record_decision(pupil_id: str, *, informed_on: str, objection: bool, actor: dict) -> dict:
    """Record that the parents were informed (on a date) and whether they object."""
    request = get_store().privacy_requests.create(
        {"pupil_id": pupil_id, "kind": "transfer", "informed_on": informed_on,
         "objection": bool(objection), "recorded_by": actor["id"]}, actor_id=actor["id"])
    audit("update", object_type="transfer_decision", object_id=request["id"], pupil_id=pupil_id,
          detail="objection" if objection else "no_objection")
    return request


def latest_decision(pupil_id: str) -> dict | None:
    """Return the most recent recorded transfer decision for the pupil."""
    found = [r for r in get_store().privacy_requests.find(pupil_id=pupil_id)
             if r.get("kind") == "transfer"]
    return max(found, key=lambda r: r["created_at"], default=None)


def build(pupil_id: str) -> dict:
    """Return the transfer package as plain data.

    :raise TransferRefused: no decision recorded yet, or the parents objected.
    """
    decision = latest_decision(pupil_id)
    if decision is None:
        raise TransferRefused("parents not informed")
    if decision["objection"]:
        raise TransferRefused("parents object")
    package = export.build(pupil_id, with_history=False, with_restricted=False,
                           entry_filter=may_transfer)
    package.pop("plugin_data", None)
    for trajectory in package["trajectories"]:
        # Links to this school's parents' page are access, not the pupil's school career.
        trajectory.pop("personal_links", None)
        for entry in trajectory["entries"]:
            for key in ("comments", "internal", "breach_of_rules", "status"):
                entry.pop(key, None)
    package["parents_informed_on"] = decision["informed_on"]
    return package
