"""Every interface string has a Dutch translation, and the compiled catalogues are current."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1] / "journal"
CATALOGUES = ROOT / "translations"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _extracted() -> set[str]:
    ids = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalogue(locale: str):
    with open(CATALOGUES / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


def _key(value):
    """Plural ids and strings come as tuples from .po files and as lists from .mo files."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _translated(message) -> bool:
    if message is None:
        return False
    if isinstance(message.string, (list, tuple)):
        return all(message.string)
    return bool(message.string)


def test_every_string_in_the_interface_has_a_dutch_translation():
    catalogue = _catalogue("nl")
    missing = sorted(m for m in _extracted() if not _translated(catalogue.get(m)))
    assert not missing, f"{len(missing)} strings lack Dutch: run `python -m journal.i18n` and translate: {missing[:20]}"


def test_dutch_translations_keep_every_placeholder():
    wrong = []
    for message in _catalogue("nl"):
        if not message.id or not _translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for string in strings:
            if sorted(set(PLACEHOLDER.findall(string))) != expected:
                wrong.append((ids[0], string))
    assert not wrong, f"placeholders differ from the English: {wrong[:10]}"


def test_dutch_catalogue_has_no_guessed_translations():
    fuzzy = [m.id for m in _catalogue("nl") if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy[:10]}"


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_compiled_catalogue_matches_its_source(locale):
    po = {_key(m.id): _key(m.string) for m in _catalogue(locale) if m.id and _translated(m)}
    with open(CATALOGUES / locale / "LC_MESSAGES" / "messages.mo", "rb") as f:
        mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id and _translated(m)}
    # Babel compiles an untranslated plural entry as its English forms: not a translation.
    mo = {k: v for k, v in mo.items() if not (isinstance(k, tuple) and k == v)}
    assert po == mo, "the .mo file is stale: run `pybabel compile -d journal/translations`"


def test_pages_speak_dutch_by_default_and_english_on_request(client, users, login):
    login(client, "teacher")
    client.post("/account/language", data={"locale": "nl"})
    assert "Mijn account".encode() in client.get("/account/").data
    client.post("/account/language", data={"locale": "en"})
    assert b"My account" in client.get("/account/").data


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _english_only_sentences() -> set[str]:
    """English msgids whose Dutch differs: none of them may show on a Dutch page."""
    out = set()
    for message in _catalogue("nl"):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english and " " in english and len(english) >= 15 and "%(" not in english \
                    and english not in strings:
                out.add(english)
    return out


@pytest.fixture
def dutch_school(users, make_trajectory, make_goal, make_entry, make_comment):
    trajectory = make_trajectory(users["teacher"], users["support"], title="3B: instructies",
                                 educational_need="Korte instructies.", phase="implementation")
    goal = make_goal(trajectory)
    entry = make_entry(trajectory, users["teacher"], goal_ids=[goal["id"]], tags="instructie")
    make_comment(entry, users["support"])
    make_entry(trajectory, users["support"], "agreement")
    return {"trajectory": trajectory, "goal": goal, "entry": entry}


def test_pages_in_dutch_show_no_english_interface_text(client, login, dutch_school):
    login(client, "teacher")
    client.post("/account/language", data={"locale": "nl"})
    t = f"/t/{dutch_school['trajectory']['id']}"
    pages = ["/", "/account/", "/pupils/", "/t/", "/search?q=timer", t, f"{t}/print",
             f"{t}/history", f"{t}/entries/new", f"{t}/entries/{dutch_school['entry']['id']}",
             f"{t}/entries/{dutch_school['entry']['id']}/edit", f"{t}/goals/new",
             f"{t}/goals/{dutch_school['goal']['id']}", f"{t}/adaptations", f"{t}/handover",
             f"{t}/voices/new", f"{t}/parents", f"{t}/parents/preview",
             f"{t}/parents/preview?audience=pupil"]
    english = _english_only_sentences()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _visible_text(response.get_data(as_text=True))
        assert "Nieuwe notitie" in text or "Logboek" in text, url
        shown = sorted(s for s in english if s in text)
        assert not shown, f"{url} shows English: {shown}"


def test_erase_page_and_audit_log_name_documents_and_actions_in_dutch(app, users, login,
                                                                       dutch_school):
    client = login(app.test_client(), "coordinator")
    client.post("/account/language", data={"locale": "nl"})
    pupil_id = dutch_school["trajectory"]["pupil_id"]
    text = _visible_text(client.get(f"/privacy/pupils/{pupil_id}/erase").get_data(as_text=True))
    assert "Notities: 2" in text and "Doelen: 1" in text and "Reacties: 1" in text
    assert "entries:" not in text and "goals:" not in text
    client.get(f"/t/{dutch_school['trajectory']['id']}")
    text = _visible_text(client.get("/audit/").get_data(as_text=True))
    assert "aanmelding" in text and "bekeken" in text and "traject " in text
    assert " login " not in text and " view " not in text


def test_dates_follow_the_language_each_part_of_a_request_is_written_in(app):
    """One process writes e-mail digests to several people, each in their language: a date
    formatted for one reader is never shown to the next in the wrong language."""
    from flask_babel import force_locale

    from journal.web.helpers import nice_date

    with app.test_request_context("/"):
        with force_locale("nl"):
            dutch = nice_date("2026-03-05")
        with force_locale("en"):
            english = nice_date("2026-03-05T10:00:00")
        with force_locale("nl"):
            again = nice_date("2026-03-05")
        assert dutch == again and "mrt" in dutch
        assert english.startswith("Mar 5")
        assert nice_date("not a date") == "not a date" and nice_date("") == ""
