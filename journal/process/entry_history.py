"""An entry's history: its earlier versions and what changed between them.

The repository keeps every earlier version (``Store.entries`` keeps history);
this module describes the differences for the history page and the
side-by-side view of an edit conflict.
"""

from __future__ import annotations

import copy
import difflib
import json

from flask_babel import gettext as _

from ..storage import get_store
from .entry_forms import STATUS_LABELS
from .entry_forms import label_for
from .entry_forms import values_of


def version_at(entry_id: str, rev: int, current: dict) -> dict | None:
    """Return the stored document of ``entry_id`` as it was at revision ``rev``."""
    if current["rev"] == rev:
        return current
    for record in get_store().entries.history(entry_id):
        if record["rev"] == rev:
            return copy.deepcopy(record["document"])
    return None


def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return a line diff as ``(op, line)`` pairs, op being ``" "``, ``"-"`` or ``"+"``."""
    a = (old or "").splitlines()
    b = (new or "").splitlines()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend((" ", line) for line in a[i1:i2])
        else:
            out.extend(("-", line) for line in a[i1:i2])
            out.extend(("+", line) for line in b[j1:j2])
    return out


def as_text(value) -> str:
    """Return a value as text for side-by-side display and diffs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return str(value)


def differences(old: dict, new: dict) -> list[dict]:
    """Describe what changed from document ``old`` to ``new``.

    Returns ``[{key, label, old, new, diff}]`` for the editable values, the
    status, the authors and (for reflections) added contributions.
    """
    out = []
    before, after = values_of(old), values_of(new)
    before["status"] = str(STATUS_LABELS.get(old.get("status"), old.get("status")))
    after["status"] = str(STATUS_LABELS.get(new.get("status"), new.get("status")))
    for key in list(after):
        if before.get(key) != after.get(key):
            a, b = as_text(before.get(key)), as_text(after.get(key))
            out.append({"key": key, "label": label_for(key), "old": a, "new": b, "diff": line_diff(a, b)})
    old_c = {c["id"] for c in old.get("fields", {}).get("contributions", ())}
    added = [c for c in new.get("fields", {}).get("contributions", ()) if c["id"] not in old_c]
    if added:
        out.append({"key": "contributions", "label": label_for("contributions"), "old": "",
                    "new": "\n\n".join(c["text"] for c in added), "added": added,
                    "diff": [("+", line) for c in added for line in c["text"].splitlines()]})
    return out


def history(entry: dict) -> list[dict]:
    """Return the changes of ``entry``, newest first.

    Each item: ``{rev, at, by, old (the document before), changes}``, where
    ``by`` is the id of the user who made the change and ``changes`` comes
    from :func:`differences`.
    """
    records = get_store().entries.history(entry["id"])
    versions = [r["document"] for r in records] + [entry]
    out = []
    for record, newer in zip(records, versions[1:]):
        out.append({
            "rev": newer["rev"],
            "at": record["replaced_at"],
            "by": record["replaced_by"],
            "old": record["document"],
            "changes": differences(record["document"], newer),
        })
    return list(reversed(out))
