"""Need to know: long entries are a short list on the timeline, short ones stay whole."""

from __future__ import annotations

import pytest

from journal import brevity
from journal.storage import get_store

EN = {"Accept-Language": "en"}

LONG_SEEN = ("Tijdens het groepswerk bleef de leerling aan de kant staan.\n\n"
             + "Daarna volgde een lange beschrijving van elke minuut van de les. " * 15
             + "\n\nHet slot dat niemand hoeft te lezen op de tijdlijn.")


@pytest.fixture
def team(users, make_trajectory):
    return make_trajectory(users["teacher"], users["support"])


def test_short_entries_are_not_summarised(app, users, team, make_entry):
    entry = make_entry(team, users["teacher"], seen="Kort en duidelijk.")
    assert brevity.summary(entry) is None


def test_a_long_entry_becomes_one_bullet_per_field(app, users, team, make_entry):
    entry = make_entry(team, users["teacher"], seen=LONG_SEEN, quick_wins="- Groepjes vooraf tonen",
                       lesson="Wiskunde")
    bullets = brevity.summary(entry)
    assert bullets == [
        {"label": "Lesson or subject", "text": "Wiskunde"},
        {"label": "What was seen",
         "text": "Tijdens het groepswerk bleef de leerling aan de kant staan. …"},
        {"label": "Quick wins", "text": "Groepjes vooraf tonen"},
    ]
    assert brevity.length(entry) > brevity.limit()


def test_the_limit_is_a_setting(app, users, team, make_entry):
    entry = make_entry(team, users["teacher"], seen="Twintig tekens lang!")
    app.config["JOURNAL_LONG_ENTRY_CHARS"] = 10
    assert brevity.summary(entry) == [{"label": "What was seen", "text": "Twintig tekens lang!"}]


def test_first_line_strips_markdown_and_shortens():
    assert brevity.first_line("## **Vet** en [link](https://x.be)\nmeer") == "Vet en link …"
    assert brevity.first_line("1. eerste stap") == "eerste stap"
    long = brevity.first_line("a" * 500)
    assert len(long) <= brevity.MAX_BULLET + 2 and long.endswith("…")


def test_a_long_reflection_counts_contributions_per_phase(app, users, team, make_entry):
    from journal.process import reflection

    entry = make_entry(team, users["teacher"], "reflection", conclusions=LONG_SEEN,
                       next_steps="Volgende week opnieuw.")
    entry = get_store().entries.update(entry["id"], {"fields": dict(entry["fields"], model="korthagen")})
    entry = reflection.add_contribution(users["support"], entry["id"], "handelen",
                                        "Ik wilde het groepswerk aankondigen.")
    bullets = brevity.summary(entry)
    assert bullets[0] == {"label": "1. Handelen", "text": "1 contribution"}
    labels = [b["label"] for b in bullets]
    assert labels[1:] == ["Shared conclusions", "Next steps"]


def test_the_timeline_shows_the_list_and_a_link_to_read_everything(
        client, login, users, team, make_entry):
    long_entry = make_entry(team, users["teacher"], seen=LONG_SEEN)
    short_entry = make_entry(team, users["teacher"], seen="Een korte observatie.")
    login(client, "support")
    html = client.get(f"/t/{team['id']}", headers=EN).get_data(as_text=True)
    assert "Tijdens het groepswerk bleef de leerling aan de kant staan. …" in html
    assert "Het slot dat niemand hoeft te lezen" not in html
    assert "Read the whole entry" in html
    assert f'href="/t/{team["id"]}/entries/{long_entry["id"]}"' in html
    assert "Een korte observatie." in html  # short entries stay whole
    assert html.count("Read the whole entry") == 1
    # The entry page itself always shows everything.
    page = client.get(f"/t/{team['id']}/entries/{long_entry['id']}", headers=EN)
    assert "Het slot dat niemand hoeft te lezen" in page.get_data(as_text=True)
    assert short_entry["id"] in html
