"""What the team shares on a trajectory's parents' page (one ``family_pages`` document).

Read by the page itself (:mod:`journal.process.family_page`, which also saves
it) and by the links (:mod:`journal.process.family_links`: a pupil's link works
only while the pupil's page is switched on).
"""

from __future__ import annotations

from ..storage import get_store

EMPTY = {"rev": 0, "goals": {}, "agreement_keys": [], "handover": False, "entry_ids": [],
         "pupil_page": False}


def settings_of(trajectory_id: str) -> dict:
    """Return what the team shares for a trajectory (``rev`` 0 while nothing was chosen)."""
    found = get_store().family_pages.find(trajectory_id=trajectory_id)
    return found[0] if found else dict(EMPTY, goals={}, agreement_keys=[], entry_ids=[])
