"""The leersteuncentrum's journal: the same software, without pupil files (docs/centre.md).

``journal init --centre`` makes one. Its people are the centre's ondersteuners
(role ``support``), its director (``director``) and its administrators. They read
pupils' files only in the schools, through the links those schools made:

* ``caseload.py`` — an ondersteuner's caseload across linked schools, fetched live
  with her own rights in each school, kept in memory for a minute at most;
* ``calendar.py`` — her one calendar feed over all linked schools, fetched the same way;
* ``patterns.py`` — the schools' aggregated figures side by side (director);
* ``pages.py`` — the pages of both; ``admin.py`` — the admin's linked schools and
  pairing codes; ``demo.py`` — a demo centre.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the centre's pages, its in-memory caseload cache and its calendar feed."""
    from . import admin
    from . import pages
    from .calendar import feed_items
    from .caseload import CaseloadCache

    app.extensions["journal.caseload_cache"] = CaseloadCache(
        int(app.config["JOURNAL_CASELOAD_CACHE_SECONDS"]))
    app.extensions["journal.feed_items"] = feed_items  # read by journal.reminders.feeds
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin.bp)
