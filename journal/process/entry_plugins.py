"""What the active plugins add to entries: templates and tag suggestions.

The plugin host (:mod:`journal.plugins.host`) does the calling and isolates
failures; this module asks it the entry services' questions. Telling plugins
about a save is :mod:`journal.process.entry_events`.
"""

from __future__ import annotations

from ..plugins.entry_templates import registry
from ..plugins.host import get_plugins
from .entry_forms import normalise_tag


def offered_templates(kind: str | None = None) -> list:
    """Return the templates active plugins offer for new entries (of ``kind``)."""
    return registry.latest(get_plugins(), kind=kind)


def template_for_new(kind: str, template_id: str | None):
    """Return the latest spec of ``template_id`` for a new entry of ``kind``, or ``None``.

    An unknown template, one of a disabled plugin, or one for another kind gives ``None``.
    """
    if not template_id:
        return None
    spec = registry.find(get_plugins(), template_id)
    return spec if spec is not None and spec.kind == kind else None


def template_of(entry: dict):
    """Return the spec an existing entry's answers render with, or ``None`` (free entry)."""
    found = registry.spec_for_entry(get_plugins(), entry)
    return found.spec if found is not None else None


def template_ref(spec) -> dict | None:
    """Store the spec's snapshot once and return the reference an entry keeps."""
    return registry.snapshot_for_entry(get_plugins(), spec) if spec is not None else None


def template_problems(spec, entry: dict) -> list[str]:
    """Return the problems plugins find with an entry filled from ``spec``."""
    return get_plugins().validate_entry(entry, spec) if spec is not None else []


def upgrade_offer(entry: dict) -> dict | None:
    """Return the newer template version ``entry`` can move to (see the registry), or ``None``."""
    return registry.upgrade_offer(get_plugins(), entry)


def upgraded_data(entry: dict, to_version: int) -> dict:
    """Return ``entry``'s answers and template reference converted to ``to_version``.

    :raise journal.plugins.entry_templates.registry.UpgradeNotAvailable: no plugin converts them.
    """
    return registry.upgrade_entry_data(get_plugins(), entry, to_version)


def tag_suggestions() -> list[str]:
    """Return the tags the active plugins' vocabularies suggest, normalised and unique."""
    tags: list[str] = []
    for vocabulary in get_plugins().tag_vocabularies():
        for tag in vocabulary.get("tags", ()):
            tag = normalise_tag(str(tag))
            if tag and tag not in tags:
                tags.append(tag)
    return tags
