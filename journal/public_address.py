"""This journal's public address: the one answer for links in e-mails and calendar feeds and
for the address a linked journal calls.

``JOURNAL_PUBLIC_URL`` when set (``https://logboek.school.be``; set it behind a reverse proxy
and whenever e-mail digests go out), else the address of the current request, else
``http://localhost:5000``. The older name ``JOURNAL_BASE_URL`` is read as an alias by
:func:`journal.config.load_config` for one release.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask import has_request_context
from flask import request

#: The address outside a request when nothing is configured (``journal serve``'s default).
FALLBACK = "http://localhost:5000"


def configured_url() -> str:
    """Return ``JOURNAL_PUBLIC_URL`` without a trailing slash, or "" when it is not set."""
    return (current_app.config.get("JOURNAL_PUBLIC_URL") or "").strip().rstrip("/")


def public_url() -> str:
    """Return this journal's public address, without a trailing slash."""
    configured = configured_url()
    if configured:
        return configured
    if has_request_context():
        return request.url_root.rstrip("/")
    return FALLBACK


def absolute_url(endpoint: str, *, anchor: str = "", **values) -> str:
    """Return the absolute address of ``endpoint`` at :func:`public_url`, inside a request
    or not (mail, CLI)."""
    parts = urlsplit(public_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
