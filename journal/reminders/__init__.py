"""Reminders that reach people outside the journal: a personal calendar feed and e-mail digests.

* :mod:`.calendar` builds iCalendar documents from plain items (reusable by a centre
  that merges items from several schools);
* :mod:`.agenda` finds what is coming for one person (goal reviews, class visits);
* :mod:`.feeds` keeps the secret feed addresses and turns the agenda into items;
* :mod:`.mail` and :mod:`.digests` send counts-and-links digests through the school's
  SMTP server; :mod:`.scheduler` runs them from ``journal serve``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask import has_request_context
from flask import request


def base_url() -> str:
    """Return the journal's public address: ``JOURNAL_BASE_URL``, else the request's."""
    configured = (current_app.config.get("JOURNAL_BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/") + "/"
    if has_request_context():
        return request.url_root
    return "http://localhost:5000/"


def absolute_url(endpoint: str, *, anchor: str = "", base: str | None = None, **values) -> str:
    """Return the absolute address of ``endpoint``, inside a request or not (mail, CLI)."""
    parts = urlsplit(base or base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
