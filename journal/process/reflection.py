"""Co-written reflections: reflection models and attributed contributions.

A reflection follows a model: Korthagen's five phases in the core, more from
plugins (both served by the plugin host, see :mod:`journal.plugins.vocabularies`).
Each team member adds contributions to the phases; every contribution keeps
its author and time. Adding a contribution appends inside
one transaction, so two people writing at once never conflict; the shared
conclusions are edited like any other entry field (with a revision check,
:mod:`journal.process.entries`), and a contribution is audited and announced
to the plugins like any other change to an entry.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import NotFound
from ..plugins.host import get_plugins
from ..security import access
from ..storage import get_store
from ..storage.store import new_id
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import clean_markdown
from .entry_access import load_entry
from .entry_events import detail_of
from .entry_events import saved

#: Longest contribution, in characters.
MAX_CONTRIBUTION = 10_000


def reflection_models() -> list[dict]:
    """Return the available reflection models: Korthagen's cycle first, then the plugins'."""
    return list(get_plugins().reflection_models())


def model_by_id(model_id: str | None) -> dict | None:
    """Return the reflection model with this id, or ``None`` when it is not offered now."""
    return get_plugins().reflection_model(model_id)


def model_of(entry: dict) -> dict | None:
    """Return the model a reflection is shown with: the offered one, else its stored copy.

    A model of a plugin that was disabled or removed keeps its last title and phases.
    """
    return get_plugins().reflection_model(entry.get("fields", {}).get("model"), stored=True)


def phases_of(entry: dict) -> list[dict]:
    """Return the phases to show for a reflection, with their contributions.

    Contributions to a phase the model no longer has (a plugin changed it)
    are still shown, under their phase key.
    """
    model = model_of(entry) or {"phases": []}
    contributions = entry.get("fields", {}).get("contributions", [])
    phases = [dict(p, contributions=[c for c in contributions if c["phase"] == p["key"]])
              for p in model["phases"]]
    known = {p["key"] for p in phases}
    for key in dict.fromkeys(c["phase"] for c in contributions if c["phase"] not in known):
        phases.append({"key": key, "title": key, "prompt": "",
                       "contributions": [c for c in contributions if c["phase"] == key]})
    return phases


def make_contribution(user: dict, phase: str, text: str, model: dict) -> dict:
    """Return a new, rendered contribution, or raise :class:`ValidationError`."""
    errors: dict[str, list[str]] = {}
    if phase not in {p["key"] for p in model["phases"]}:
        add_error(errors, "phase", _("Choose a phase of the reflection model."))
    html: dict = {}
    text = clean_markdown(text, "text", errors, html, missing=_("Write your contribution first."),
                          max_chars=MAX_CONTRIBUTION)
    if errors:
        raise ValidationError(errors)
    return {"id": new_id(), "author_id": user["id"], "phase": phase, "text": text,
            "html": html["text"], "at": utcnow()}


def first_contributions(actor: dict, model: dict, contributions) -> list[dict]:
    """Return a new reflection's first contributions by ``actor``, rendered.

    :param contributions: ``[{"phase", "text"}]``.
    :raise ValidationError: a text is empty or cannot be rendered, or a phase is not
        the model's (errors keyed ``phase_<key>``, as the form names the fields).
    """
    out, errors = [], {}
    for given in contributions:
        phase = str(given.get("phase"))
        try:
            out.append(make_contribution(actor, phase, given.get("text"), model))
        except ValidationError as exc:
            for messages in exc.errors.values():
                for message in messages:
                    add_error(errors, "phase_" + phase, message)
    if errors:
        raise ValidationError(errors)
    return out


def add_contribution(actor: dict, entry_id: str, phase: str, text: str, *,
                     trajectory_id: str | None = None, via: str = "") -> dict:
    """Append ``actor``'s contribution to a reflection and return the stored entry.

    No revision check on purpose: contributions from several people are all
    kept, whatever the order in which they arrive. The contributor becomes an
    author of the reflection.

    :raise NotFound: no such reflection for ``actor`` (also when the entry is of another kind).
    :raise Forbidden: ``actor`` may read the reflection but not write in its trajectory.
    :raise ValidationError: empty text, unknown phase, or a model no longer available.
    """
    trajectory, entry = load_entry(actor, entry_id, access.WRITE, trajectory_id=trajectory_id)
    if entry.get("kind") != "reflection":
        raise NotFound("reflection")
    model = model_by_id(entry["fields"].get("model"))
    if model is None:
        raise ValidationError({"phase": [_("The reflection model of this entry is no longer available.")]})
    contribution = make_contribution(actor, phase, text, model)

    def append(doc):
        doc["fields"].setdefault("contributions", []).append(contribution)
        if actor["id"] not in doc["authors"]:
            doc["authors"].append(actor["id"])

    stored = get_store().entries.update(entry_id, append, actor_id=actor["id"])
    saved(actor, stored, trajectory, created=False, detail=detail_of(via, "contribution"))
    return stored
