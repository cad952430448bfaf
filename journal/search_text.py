"""The words of the journal's search: folding, Dutch stems, and what text a document shows.

Words are folded (lower case, accents removed) and reduced to their Dutch
stem (Snowball), so "Instructies" finds "instructie" and "leerlingen" finds
"leerling". Only text people wrote is searched: never ids, times or HTML.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from functools import lru_cache

import snowballstemmer

from .plugins.entry_templates.forms import answer_texts
from .plugins.entry_templates.specs import TemplateSpec

WORD = re.compile(r"[^\W_]+", re.UNICODE)


@cache
def _stemmer():
    return snowballstemmer.stemmer("dutch")


class _WithoutMarks(dict):
    """A translation table deleting every combining mark, filled as characters come up
    (working out all of Unicode first took a first search 0.15 s)."""

    def __missing__(self, code_point: int) -> int | None:
        kept = None if unicodedata.combining(chr(code_point)) else code_point
        self[code_point] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents ("Coördinator" -> "coordinator")."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text.lower()).translate(_WITHOUT_MARKS)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Return the Dutch stem of one folded word (cached: the Snowball stemmer is slow in Python)."""
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """Return the folded, stemmed words of ``text``."""
    return [stem(w) for w in WORD.findall(fold(text))]


def term_set(text: str) -> set[str]:
    """Return the distinct stems of ``text`` (each distinct word is stemmed once)."""
    return {stem(w) for w in set(WORD.findall(fold(text)))}


#: Keys inside entries whose values are not text a person wrote (ids, times, rendered HTML).
_NOT_TEXT = frozenset({"id", "html", "at", "date", "model", "phase", "status", "category"})


def _strings(value) -> list[str]:
    """Collect the text people wrote inside nested dicts and lists (no ids, times or HTML)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items()
                if k not in _NOT_TEXT and not k.endswith(("_id", "_at", "_on", "_date"))
                for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]  # a number answered in an entry template
    return []


def document_text(collection: str, doc: dict, spec: TemplateSpec | None = None,
                  statuses: dict[str, str] | None = None) -> str:
    """Return the searchable text of one document.

    :param spec: an entry's template, already in the reader's language (None: its answers
        are indexed as stored).
    :param statuses: the checklist status labels in that language.
    """
    if collection == "trajectories":
        parts = [doc.get("title", ""), doc.get("educational_need", ""), doc.get("learning_question", "")]
    elif collection == "goals":
        parts = [doc.get("text", "")] + [e.get("text", "") for e in doc.get("evaluations", [])]
    elif collection == "entries":
        answers = doc.get("answers") or {}
        shown = answer_texts(spec, answers, statuses or {}) if spec else _strings(answers)
        parts = _strings(doc.get("fields", {})) + shown + doc.get("tags", [])
    else:
        parts = [doc.get("body", "")]
    return "\n".join(p for p in parts if isinstance(p, str))
