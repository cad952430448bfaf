"""The vendored hostile-input corpora (tests/corpora, see SOURCES.md), as Python lists."""

from __future__ import annotations

import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

CORPORA = Path(__file__).resolve().parent.parent / "corpora"

XSS_FILES = (
    "JHADDIX_XSS.txt", "RSNAKE_XSS.txt", "MarioXSSVectors.txt", "XSS_Polyglots.txt",
    "BRUTELOGIC-XSS-STRINGS.txt", "port_swigger_xss_cheatsheet_event_handlers.txt",
    "0xcela_event_handlers.txt", "IntrudersXSS.txt", "xss_payloads_quick.txt",
)


@cache
def blns() -> tuple[str, ...]:
    """The Big List of Naughty Strings."""
    return tuple(json.loads((CORPORA / "blns" / "blns.json").read_text("utf-8")))


@cache
def xss_payloads() -> tuple[str, ...]:
    """One-line XSS payloads from PayloadsAllTheThings, deduplicated, in file order."""
    out: dict[str, None] = {}
    for name in XSS_FILES:
        for line in (CORPORA / "xss-payloads" / name).read_text("utf-8").splitlines():
            if line.strip():
                out[line] = None
    return tuple(out)


@cache
def markdown_vectors() -> tuple[str, ...]:
    """The Markdown blocks of markdown-it's XSS fixture (inputs and expected outputs)."""
    text = (CORPORA / "xss-payloads" / "markdown-it-xss-fixture.txt").read_text("utf-8")
    blocks = re.split(r"^\.$", text, flags=re.MULTILINE)
    return tuple(b.strip("\n") for b in blocks if b.strip())


@cache
def all_hostile() -> tuple[str, ...]:
    """Every hostile string, deduplicated."""
    return tuple(dict.fromkeys(xss_payloads() + blns() + markdown_vectors()))


def sample(strings: tuple[str, ...], n: int) -> tuple[str, ...]:
    """Every k-th string so that about ``n`` remain, spread over the whole list."""
    step = max(1, len(strings) // n)
    return strings[::step]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Return the ``(tag, attributes)`` of every element in ``html``, as a browser parses them."""
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme(url: str) -> str | None:
    """Return the scheme a browser would use for ``url`` (``None`` if relative)."""
    cleaned = _CONTROL.sub("", unquote(url)).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else None
