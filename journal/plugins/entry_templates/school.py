"""A school's own entry templates as the registry offers them.

They are made in the web UI and stored in the journal's database
(``school_templates``; the rules of a change are in
:mod:`journal.process.school_templates`). To the rest of the journal they look
like the templates of a plugin named :data:`SCHOOL` that is always active: ids
``school.<name>``, the current version of each template that is not retired.
"""

from __future__ import annotations

from dataclasses import replace

from journal.plugins.entry_templates.specs import TemplateSpec
from journal.plugins.entry_templates.specs import from_snapshot

#: The plugin name school templates go by (no installed plugin may take it).
SCHOOL = "school"


def offered(store) -> list[TemplateSpec]:
    """Return the current version of every school template that is not retired."""
    return [spec_of(doc) for doc in store.school_templates.all() if not doc.get("retired")]


def spec_of(doc: dict) -> TemplateSpec:
    """Return the current version of the school template ``doc``."""
    return replace(from_snapshot(doc["spec"]), plugin=SCHOOL)


def is_retired(store, template_id: str) -> bool:
    """Return whether the school template ``template_id`` was retired (or is gone)."""
    docs = store.school_templates.find(template_id=template_id)
    return not docs or bool(docs[0].get("retired"))
