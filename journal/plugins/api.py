"""The journal's public API for plugins: import from here, and only from here.

What a plugin page, command or hook needs to read and write pupil data under
the same rules as the journal's own pages. Everything is a re-export of the
journal's services, so a plugin gets the same access checks, validation,
audit records and ``journal_entry_saved`` calls as the pages; nothing here has
logic of its own. Names outside this module (and :mod:`journal.plugins.testing`,
:mod:`journal.plugins.entry_templates.specs`) may change without notice.

Loading (every function takes the acting user first, ``actor``):

* :func:`load_trajectory` ``(actor, trajectory_id, action=READ)`` – a trajectory
  the actor may do ``action`` (:data:`READ`, :data:`WRITE`, :data:`MANAGE`) to.
* :func:`visible_entries` ``(actor, trajectory, kind=…, tag=…, …)`` – the entries
  of a loaded trajectory the actor may see (published ones and their own drafts).
* :func:`load_entry` ``(actor, entry_id, action=READ)`` – ``(trajectory, entry)``.

Writing:

* :func:`create_entry` ``(actor, trajectory_id, kind, data, publish=False, …)`` –
  write an entry as the actor; ``data`` holds the entry form's fields (``date``,
  ``tags``, and the kind's own: ``seen`` for an observation, see
  :data:`FIELD_DEFS`). Audited and announced to the plugins like a page's save.

Errors (all :class:`JournalError`; pages and the API answer them for you):
:class:`NotFound` (404: missing, or the actor may not know it exists),
:class:`Forbidden` (403), :class:`ValidationError` (400, ``.errors`` per field),
:class:`StaleRevision` (409, ``.current`` is the stored document).

For plugin pages: :func:`current_user` (the signed-in user, or ``None``),
:func:`gettext` / :func:`lazy_gettext` (the journal's translations).
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext
from flask_babel import lazy_gettext

from ..errors import Forbidden
from ..errors import JournalError
from ..errors import NotFound
from ..errors import StaleRevision
from ..errors import ValidationError
from ..process.entries import create_entry
from ..process.entry_access import load_entry
from ..process.entry_access import visible_entries
from ..process.entry_forms import FIELD_DEFS
from ..process.entry_forms import KINDS
from ..process.trajectories import load_trajectory
from ..security.access import MANAGE
from ..security.access import READ
from ..security.access import WRITE

__all__ = [
    "FIELD_DEFS", "Forbidden", "JournalError", "KINDS", "MANAGE", "NotFound", "READ",
    "StaleRevision", "ValidationError", "WRITE", "create_entry", "current_user", "gettext",
    "lazy_gettext", "load_entry", "load_trajectory", "visible_entries",
]


def current_user() -> dict | None:
    """Return the signed-in user of the current request (a plugin page's ``actor``), or ``None``."""
    return g.get("user")
