"""The shared library of practice examples: browse, adopt, use in a trajectory, remove.

Examples come in through :mod:`journal.process.practice` (shared by this school,
or imported from another one). Every member of staff browses and adopts them;
adopting one into a trajectory starts a draft agreement there, written by the
entry service (audited and announced to the plugins like every new entry).
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import Forbidden
from ..security import access
from ..storage import get_store
from . import entries as entry_service
from .attachments import delete_for_owner
from . import today
from . import trajectories as trajectory_service
from .practice import REMOVERS
from .practice import STAFF
from .practice import audit_example

#: Library sections, in page order.
STATUSES = ("suggestion", "adopted", "shared")


def library(focus_area: str = "") -> dict[str, list[dict]]:
    """Return the examples per status (suggestions, adopted, shared by this school)."""
    out: dict[str, list[dict]] = {s: [] for s in STATUSES}
    for doc in get_store().practice_examples.all():
        if focus_area and focus_area not in {a["id"] for a in doc.get("focus_areas", ())}:
            continue
        out.setdefault(doc.get("status", "suggestion"), []).append(doc)
    for docs in out.values():
        docs.sort(key=lambda d: d.get("created_at", ""), reverse=True)
    return out


def load_example(actor: dict, example_id: str) -> dict:
    """Return the example ``example_id`` for a member of staff.

    :raise Forbidden: ``actor`` is not a member of staff (audited).
    :raise NotFound: there is no such example.
    """
    access.check_role(actor, *STAFF)
    return get_store().practice_examples.require(example_id)


def adopt(actor: dict, example_id: str) -> dict:
    """Mark a suggestion as adopted by this school (by ``actor``); adopting twice changes nothing.

    :raise Forbidden: ``actor`` is not a member of staff (audited).
    :raise NotFound: there is no such example.
    """
    example = load_example(actor, example_id)
    if actor["id"] in example.get("adopted_by", ()) and example.get("status") == "adopted":
        return example

    def apply(doc: dict) -> None:
        if doc.get("status") == "suggestion":
            doc["status"] = "adopted"
            doc["adopted_on"] = today().isoformat()
        if actor["id"] not in doc.setdefault("adopted_by", []):
            doc["adopted_by"].append(actor["id"])

    updated = get_store().practice_examples.update(example["id"], apply, actor_id=actor["id"])
    audit_example("update", updated, actor, "adopt")
    return updated


def agreement_form(example: dict) -> dict:
    """Return entry form data for a draft agreement that applies the example in a trajectory."""
    adaptation = example.get("adaptation") or {}
    what = adaptation.get("text") or "\n".join(
        f"- {i['label']}" for i in (example.get("template") or {}).get("items", ()))
    what = f"{what}\n\n*{_('From the practice example: %(title)s', title=example['title'])}*"
    day = today().isoformat()
    tags = ", ".join(t for t in (adaptation.get("category"), "praktijkvoorbeeld") if t)
    return {"date": day, "what": what, "applied_by": _("to be agreed"), "from_date": day,
            "review_date": day, "tags": tags}


def use_in(actor: dict, example_id: str, trajectory_id: str) -> dict:
    """Start a draft agreement in a trajectory from the example, and mark it adopted.

    The agreement is written by the entry service, so it is audited and announced
    to the plugins like every other new entry.

    :raise NotFound: no such example or trajectory (or one ``actor`` may not read).
    :raise Forbidden: ``actor`` is not a member of staff, may not write in the
        trajectory, or it is closed.
    """
    example = load_example(actor, example_id)
    trajectory = trajectory_service.load_trajectory(actor, trajectory_id, access.WRITE)
    if trajectory.get("phase") == "closed":
        raise Forbidden("closed")
    entry = entry_service.create_entry(actor, trajectory_id, "agreement", agreement_form(example),
                                       via="practice")
    adopt(actor, example_id)
    return entry


def remove(actor: dict, example_id: str) -> None:
    """Take an example out of the library (care coordinator).

    :raise Forbidden: ``actor`` is not a care coordinator (audited).
    :raise NotFound: there is no such example.
    """
    access.check_role(actor, *REMOVERS)
    example = load_example(actor, example_id)
    get_store().practice_examples.delete(example["id"])
    delete_for_owner("practice", example["id"], actor=actor)
    audit_example("delete", example, actor, "practice example")
