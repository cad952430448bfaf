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

from datetime import date

from flask_babel import gettext as _

from ..errors import ValidationError
from ..security.audit import audit
from ..storage import get_store
from . import dossier
from . import export
from . import redaction


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


def record_decision(actor: dict, pupil_id: str, *, informed_on: str, objection) -> dict:
    """Record that the parents were informed (on a date) and whether they object.

    :param objection: ``"yes"``/``"no"`` (a form) or a bool.
    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no such pupil.
    :raise ValidationError: the date cannot be read, or whether they object is not said.
    """
    dossier.load_pupil(actor, pupil_id)
    errors: dict[str, list[str]] = {}
    try:
        informed_on = date.fromisoformat((informed_on or "").strip()).isoformat()
    except ValueError:
        errors["informed_on"] = [_("Use a date like 2025-03-31.")]
    objects = {"yes": True, "no": False}.get(objection, objection)
    if not isinstance(objects, bool):
        errors["objection"] = [_("Choose whether the parents object.")]
    if errors:
        raise ValidationError(errors)
    request = get_store().privacy_requests.create(
        {"pupil_id": pupil_id, "kind": "transfer", "informed_on": informed_on,
         "objection": objects, "recorded_by": actor["id"]}, actor_id=actor["id"])
    audit("update", object_type="transfer_decision", object_id=request["id"], pupil_id=pupil_id,
          user_id=actor["id"], detail="objection" if objects else "no_objection")
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


def review(actor: dict, pupil_id: str) -> tuple[dict, dict | None, list]:
    """Return ``(pupil, latest decision, names to review)`` for the transfer page.

    Names are offered for review only once a package may be made; before that the
    page shows what stays behind, and that reading is audited.

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no such pupil.
    """
    pupil = dossier.load_pupil(actor, pupil_id)
    decision = latest_decision(pupil_id)
    if decision and not decision["objection"]:
        return pupil, decision, redaction.candidates(pupil_id, build(pupil_id))
    dossier.record_reading(actor, pupil, "transfer_review")
    return pupil, decision, []


def hand_out_package(actor: dict, pupil_id: str, *, terms: list[str],
                     fmt: str) -> tuple[dict, dict, int]:
    """Return ``(pupil, package, names removed)``: the package without ``terms``; audited.

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no such pupil.
    :raise TransferRefused: the parents were not informed, or object.
    """
    pupil = dossier.load_pupil(actor, pupil_id)
    data, removed = redaction.redact(build(pupil_id), terms)
    dossier.record_reading(actor, pupil, f"transfer:{fmt}:redacted={removed}", action="export")
    return pupil, data, removed
