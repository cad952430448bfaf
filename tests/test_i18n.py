"""Every interface string has a Dutch translation, and the compiled catalogues are current."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1] / "journal"
CATALOGUES = ROOT / "translations"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _extracted() -> set[str]:
    ids = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalogue(locale: str):
    with open(CATALOGUES / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


def test_every_string_in_the_interface_has_a_dutch_translation():
    catalogue = _catalogue("nl")
    missing = sorted(m for m in _extracted() if not (catalogue.get(m) and catalogue.get(m).string))
    assert not missing, f"{len(missing)} strings lack Dutch: run `python -m journal.i18n` and translate: {missing[:20]}"


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_compiled_catalogue_matches_its_source(locale):
    po = {m.id: m.string for m in _catalogue(locale) if m.id and m.string}
    with open(CATALOGUES / locale / "LC_MESSAGES" / "messages.mo", "rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id and m.string}
    assert po == mo, "the .mo file is stale: run `pybabel compile -d journal/translations`"


def test_pages_speak_dutch_by_default_and_english_on_request(client, users, login):
    login(client, "teacher")
    client.post("/account/language", data={"locale": "nl"})
    assert "Mijn account".encode() in client.get("/account/").data
    client.post("/account/language", data={"locale": "en"})
    assert b"My account" in client.get("/account/").data
