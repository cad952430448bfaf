"""Plain-text helpers the services share: stored HTML as plain text, short labels.

A low module on purpose: it imports nothing of the journal, so every service
(and every view) can use it without pulling in another service.
"""

from __future__ import annotations

import re

from markupsafe import Markup


def plain_text(html: str | None) -> str:
    """Return sanitised HTML as one line of plain text (tags gone, spaces collapsed)."""
    return " ".join(Markup(html or "").striptags().split())


def shorten(text: str, limit: int) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_line(markdown: str | None, limit: int = 80) -> str:
    """Return the first non-empty line of Markdown as plain text of at most ``limit`` characters."""
    for line in (markdown or "").splitlines():
        line = re.sub(r"^[\s>#*+\-\d.)]+", "", line)
        line = re.sub(r"[*_`\[\]]", "", line).strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""
