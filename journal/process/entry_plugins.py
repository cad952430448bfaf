"""What the active plugins add to entries: templates and tag suggestions.

The plugin host (:mod:`journal.plugins.host`) does the calling and isolates
failures; this module asks it the entry services' questions. Telling plugins
about a save is :mod:`journal.process.entry_events`.
"""

from __future__ import annotations

from .entry_forms import normalise_tag


def _host():
    from ..plugins.host import get_plugins

    return get_plugins()


def offered_templates(kind: str | None = None) -> list:
    """Return the templates active plugins offer for new entries (of ``kind``)."""
    return list(_host().templates(kind=kind))


def template_for_new(kind: str, template_id: str | None):
    """Return the latest spec of ``template_id`` for a new entry of ``kind``, or ``None``.

    An unknown template, one of a disabled plugin, or one for another kind gives ``None``.
    """
    if not template_id:
        return None
    spec = _host().template(template_id)
    return spec if spec is not None and spec.kind == kind else None


def template_of(entry: dict):
    """Return the spec an existing entry's answers render with, or ``None`` (free entry)."""
    if not entry.get("template"):
        return None
    found = _host().spec_for_entry(entry)
    return found.spec if found is not None else None


def template_ref(spec) -> dict | None:
    """Store the spec's snapshot once and return the reference an entry keeps."""
    return _host().snapshot_for_entry(spec) if spec is not None else None


def template_problems(spec, entry: dict) -> list[str]:
    """Return the problems plugins find with an entry filled from ``spec``."""
    if spec is None:
        return []
    return [str(p) for p in _host().validate_entry(entry, spec) or ()]


def upgrade_offer(entry: dict) -> dict | None:
    """Return the newer template version ``entry`` can move to (see the registry), or ``None``."""
    return _host().upgrade_offer(entry) if entry.get("template") else None


def upgraded_data(entry: dict, to_version: int) -> dict:
    """Return ``entry``'s answers and template reference converted to ``to_version``.

    :raise journal.plugins.entry_templates.registry.UpgradeNotAvailable: no plugin converts them.
    """
    return _host().upgrade_entry_data(entry, to_version)


def tag_suggestions() -> list[str]:
    """Return the tags the active plugins' vocabularies suggest, normalised and unique."""
    tags: list[str] = []
    for vocabulary in _host().tag_vocabularies():
        for tag in vocabulary.get("tags", ()):
            tag = normalise_tag(str(tag))
            if tag and tag not in tags:
                tags.append(tag)
    return tags
