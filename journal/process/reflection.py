"""Co-written reflections: reflection models and attributed contributions.

A reflection follows a model: Korthagen's five phases in the core, more from
plugins (both served by the plugin host, see :mod:`journal.plugins.vocabularies`).
Each team member adds contributions to the phases; every contribution keeps
its author and time. Adding a contribution appends inside
one transaction, so two people writing at once never conflict; the shared
conclusions are edited like any other entry field (with a revision check).
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..storage import get_store
from ..storage.store import new_id
from ..storage.store import utcnow
from . import ValidationError
from . import add_error
from . import render_field

#: Longest contribution, in characters.
MAX_CONTRIBUTION = 10_000


def reflection_models() -> list[dict]:
    """Return the available reflection models: Korthagen's cycle first, then the plugins'."""
    from ..plugins.host import get_plugins

    return list(get_plugins().reflection_models())


def model_by_id(model_id: str | None) -> dict | None:
    """Return the reflection model with this id, or ``None`` when it is not available."""
    for model in reflection_models():
        if model["id"] == model_id:
            return model
    return None


def phases_of(entry: dict) -> list[dict]:
    """Return the phases to show for a reflection, with their contributions.

    Contributions to a phase the model no longer has (a plugin was removed)
    are still shown, under their phase key.
    """
    model = model_by_id(entry.get("fields", {}).get("model")) or {"phases": []}
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
    text = (text or "").replace("\r\n", "\n").strip()
    if phase not in {p["key"] for p in model["phases"]}:
        add_error(errors, "phase", _("Choose a phase of the reflection model."))
    if not text:
        add_error(errors, "text", _("Write your contribution first."))
    elif len(text) > MAX_CONTRIBUTION:
        add_error(errors, "text", _("Keep this under %(n)d characters.", n=MAX_CONTRIBUTION))
    html: dict = {}
    if not errors:
        render_field(html, "text", text, errors)
    if errors:
        raise ValidationError(errors)
    return {"id": new_id(), "author_id": user["id"], "phase": phase, "text": text,
            "html": html["text"], "at": utcnow()}


def initial_contributions(user: dict, model: dict, form) -> list[dict]:
    """Return the creator's first contributions from the ``phase_<key>`` form fields.

    :raise ValidationError: a text cannot be rendered (errors keyed ``phase_<key>``).
    """
    out, errors = [], {}
    for phase in model["phases"]:
        text = form.get("phase_" + phase["key"], "") or ""
        if not text.strip():
            continue
        try:
            out.append(make_contribution(user, phase["key"], text, model))
        except ValidationError as exc:
            for messages in exc.errors.values():
                for message in messages:
                    add_error(errors, "phase_" + phase["key"], message)
    if errors:
        raise ValidationError(errors)
    return out


def add_contribution(user: dict, entry_id: str, phase: str, text: str) -> dict:
    """Append ``user``'s contribution to a reflection and return the stored entry.

    No revision check on purpose: contributions from several people are all
    kept, whatever the order in which they arrive. The contributor becomes an
    author of the reflection.

    :raise ValidationError: empty text, unknown phase, or not a reflection.
    """
    store = get_store()
    entry = store.entries.require(entry_id)
    if entry.get("kind") != "reflection":
        raise ValidationError({"text": [_("Only reflections take contributions.")]})
    model = model_by_id(entry["fields"].get("model"))
    if model is None:
        raise ValidationError({"phase": [_("The reflection model of this entry is no longer available.")]})
    contribution = make_contribution(user, phase, text, model)

    def append(doc):
        doc["fields"].setdefault("contributions", []).append(contribution)
        if user["id"] not in doc["authors"]:
            doc["authors"].append(user["id"])

    return store.entries.update(entry_id, append, actor_id=user["id"])
