"""Removing other pupils' names from what leaves the school.

A copy for parents must not harm others (GDPR art. 15(4)), and a transfer
must not carry other children's names. :func:`candidates` proposes the names
of every other pupil that occur in the texts; a person reviews the list, adds
words the journal cannot know (a sibling, a nickname) and :func:`redact`
replaces each chosen term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _

from ..storage import get_store

MAX_TERMS = 200
MAX_TERM_LENGTH = 80


def _pattern(term: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)


def names_pattern(terms: Iterable[str]) -> re.Pattern | None:
    """Return one pattern finding any of ``terms`` as whole words, ignoring case (None if none).

    The terms are laid out as a prefix tree, and at each place the longest term
    is tried first, so a text is read once whatever the number of names: the
    patterns page checks every label against every pupil of the school.
    """
    tree: dict = {}
    for term in terms:
        if term:
            node = tree
            for char in term:
                node = node.setdefault(char, {})
            node[""] = {}
    if not tree:
        return None

    def alternatives(node: dict) -> str:
        branches = [re.escape(char) + alternatives(child)
                    for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(r"(?<!\w)" + alternatives(tree) + r"(?!\w)", re.IGNORECASE)


def texts(value) -> Iterable[str]:
    """Yield every string inside ``value`` (dicts, lists, strings)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from texts(item)


def name_variants(display_name: str) -> list[str]:
    """Return the full name and each part of it of at least three letters."""
    parts = [p for p in re.split(r"[\s.]+", display_name) if len(p) >= 3]
    return list(dict.fromkeys([display_name.strip()] + parts))


def candidates(pupil_id: str, value) -> list[tuple[str, int]]:
    """Return ``(term, occurrences)`` for the other pupils' names found in ``value``."""
    corpus = "\n".join(texts(value))
    found: dict[str, int] = {}
    for pupil in get_store().pupils.all():
        if pupil["id"] == pupil_id:
            continue
        for term in name_variants(pupil.get("display_name", "")):
            hits = len(_pattern(term).findall(corpus))
            if hits and term.lower() not in {t.lower() for t in found}:
                found[term] = hits
    return sorted(found.items(), key=lambda item: (-len(item[0]), item[0].lower()))


def parse_terms(chosen: Iterable[str], extra: str) -> list[str]:
    """Return the terms to remove: the ticked candidates plus one extra term a line."""
    terms = [t.strip() for t in list(chosen) + extra.splitlines()]
    terms = [t[:MAX_TERM_LENGTH] for t in terms if len(t.strip()) >= 2]
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def placeholder() -> str:
    """Return the text that stands in for a removed name."""
    return _("[name removed]")


def redact(value, terms: list[str]):
    """Return a copy of ``value`` with every term replaced (longest first), and how many."""
    patterns = [_pattern(t) for t in sorted(terms, key=len, reverse=True)]
    replacement = placeholder()
    total = 0

    def walk(item):
        nonlocal total
        if isinstance(item, str):
            for pattern in patterns:
                item, n = pattern.subn(replacement, item)
                total += n
            return item
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [walk(v) for v in item]
        return item

    result = walk(value)
    return result, total
