"""Full-text search: Dutch-aware, and never beyond what the user may see."""

from __future__ import annotations

import pytest

from journal import hookimpl
from journal.plugins.entry_templates import registry
from journal.plugins.entry_templates.files import load_text
from journal.plugins.testing import form_data
from journal.plugins.testing import post_template_entry
from journal.search import fold
from journal.search import search
from journal.search import terms
from journal.storage import get_store


def test_folding_and_stemming_find_other_word_forms():
    assert fold("Zorgcoördinator") == "zorgcoordinator"
    assert terms("Instructies") == terms("instructie")
    assert terms("leerlingen") == terms("leerling")


@pytest.fixture
def world(app, users):
    store = get_store()
    mine = store.trajectories.create({
        "title": "Traject Lotte", "target": "pupil", "pupil_id": "p1", "focus_areas": ["tos"],
        "members": [{"user_id": users["teacher"]["id"], "role": "teacher"}], "phase": "observation",
    })
    other = store.trajectories.create({
        "title": "Traject Noah", "target": "pupil", "pupil_id": "p2", "focus_areas": ["ass"],
        "members": [{"user_id": users["outsider_teacher"]["id"], "role": "teacher"}], "phase": "observation",
    })

    def entry(trajectory, text, *, status="published", author="teacher", kind="observation",
              date="2026-10-01", tags=()):
        return store.entries.create({
            "trajectory_id": trajectory["id"], "pupil_id": trajectory["pupil_id"], "kind": kind,
            "status": status, "date": date, "authors": [users[author]["id"]], "tags": list(tags),
            "fields": {"seen": text}, "answers": {},
        })

    return {"mine": mine, "other": other, "entry": entry}


def test_finds_word_forms_and_accents(users, world):
    e = world["entry"](world["mine"], "Korte instructies werkten; de coördinatie liep vlot.")
    hits = search(users["teacher"], "instructie coordinatie")
    assert [h.doc["id"] for h in hits] == [e["id"]]


def test_never_finds_another_teams_pupil(users, world):
    world["entry"](world["other"], "Geheime observatie over prikkels")
    assert search(users["teacher"], "prikkels") == []
    assert len(search(users["outsider_teacher"], "prikkels")) == 1
    # The care coordinator sees every trajectory of the school.
    assert len(search(users["coordinator"], "prikkels")) == 1
    # The admin reads pupil content only when a member.
    assert search(users["admin"], "prikkels") == []


def test_drafts_are_found_only_by_their_authors(users, world):
    world["mine"]["members"].append({"user_id": users["support"]["id"], "role": "support"})
    get_store().trajectories.update(world["mine"]["id"], {"members": world["mine"]["members"]})
    world["entry"](world["mine"], "Concept over wachttijd", status="draft")
    assert len(search(users["teacher"], "wachttijd")) == 1
    assert search(users["support"], "wachttijd") == []


def test_edited_and_erased_text_is_no_longer_found(users, world):
    e = world["entry"](world["mine"], "Het dagschema hing niet aan het bord")
    assert search(users["teacher"], "dagschema")
    get_store().entries.update(e["id"], {"fields": {"seen": "Alles liep volgens plan"}})
    assert search(users["teacher"], "dagschema") == []
    get_store().entries.delete(e["id"])
    assert search(users["teacher"], "plan") == []


def test_filters_by_kind_tag_and_date(users, world):
    world["entry"](world["mine"], "Pictogrammen op de bank", kind="agreement", tags=["visueel"],
                   date="2026-09-01")
    world["entry"](world["mine"], "Pictogrammen gebruikt", date="2026-11-01")
    assert len(search(users["teacher"], "pictogram")) == 2
    assert len(search(users["teacher"], "pictogram", kind="agreement")) == 1
    assert len(search(users["teacher"], "pictogram", tag="visueel")) == 1
    assert len(search(users["teacher"], "pictogram", date_from="2026-10-01")) == 1
    assert len(search(users["teacher"], "pictogram", focus_area="ass")) == 0


def test_search_page_shows_only_visible_results(client, users, login, world):
    world["entry"](world["mine"], "Stappenplan voor rekenen")
    world["entry"](world["other"], "Stappenplan voor kleurpotloden")
    login(client, "teacher")
    page = client.get("/search?q=stappenplannen")
    assert page.status_code == 200
    assert "rekenen".encode() in page.data
    assert "kleurpotloden".encode() not in page.data


def test_snippets_show_only_what_people_wrote(users, world):
    store = get_store()
    entry = world["entry"](world["mine"], "")
    store.entries.update(entry["id"], {"kind": "reflection", "fields": {
        "model": "korthagen", "conclusions": "Samen besloten: dagschema ophangen",
        "contributions": [{"id": "c1", "author_id": users["teacher"]["id"], "phase": "action",
                           "text": "Ik wilde het dagschema tonen", "html": "<p>Ik wilde</p>",
                           "at": "2026-10-01T10:00:00+00:00"}]}})
    (hit,) = search(users["teacher"], "dagschema")
    assert "<p>" not in hit.snippet and "2026-10-01" not in hit.snippet
    assert users["teacher"]["id"] not in hit.snippet
    assert search(users["teacher"], "korthagen") == []


def test_decomposed_accents_fold_like_composed_ones():
    # Text pasted from some systems carries the accent as a separate mark.
    assert fold("Zoe\u0308 coo\u0308rdineert") == fold("Zoë coördineert") == "zoe coordineert"


def test_the_index_is_built_in_the_background_before_the_first_search(app, users, world):
    from journal.search import build_in_background
    from journal.search import get_index

    world["entry"](world["mine"], "Het dagschema hangt aan het bord.")
    build_in_background(app).join(timeout=30)
    index = get_index()
    assert index.match("dagschema")  # built already: the first search only looks it up
    assert [h.doc["fields"]["seen"] for h in search(users["teacher"], "dagschema")] == \
        ["Het dagschema hangt aan het bord."]


def test_a_search_while_the_index_is_still_being_built_does_not_wait_and_finds_the_same(
        app, users, world):
    from journal.search import get_index

    mine = world["entry"](world["mine"], "Het dagschema hangt aan het bord.")
    world["entry"](world["other"], "Een dagschema voor een ander team.")
    world["entry"](world["mine"], "Een dagschema in opmaak.", status="draft", author="support")
    index = get_index()
    with index._lock:  # the background build holds the index: a teacher reads her own directly
        assert not index.built
        hits = search(users["teacher"], "dagschema")
    assert [h.doc["id"] for h in hits] == [mine["id"]]
    assert not index.built
    # Once built, the same search answers the same from the index.
    assert [h.doc["id"] for h in search(users["teacher"], "dagschema")] == [mine["id"]]
    assert index.built
    # The care coordinator reads the whole school: that search uses the index.
    assert len(search(users["coordinator"], "dagschema")) == 2


def test_a_team_members_search_follows_changes_to_the_team(users, world):
    from journal.storage.store import TEAM_MEMBER

    world["entry"](world["other"], "Het dagschema van Noah.")
    assert search(users["teacher"], "dagschema") == []
    other = world["other"]
    get_store().trajectories.update(other["id"], {"members": other["members"] + [
        {"user_id": users["teacher"]["id"], "role": "teacher"}]})
    assert other["id"] in {t["id"] for t in get_store().trajectories.find_in(
        TEAM_MEMBER, [users["teacher"]["id"]])}
    assert [h.trajectory_id for h in search(users["teacher"], "dagschema")] == [other["id"]]
    get_store().trajectories.update(other["id"], {"members": other["members"]})
    assert search(users["teacher"], "dagschema") == []



@pytest.mark.parametrize("way", ["sorted", "date order", "while building"])
def test_results_are_newest_first_however_they_are_found(monkeypatch, users, world, way):
    from journal.search import get_index

    # A few matches are sorted; many (a common word) are read from the index's date order;
    # during the first build a teacher's own are read directly: all list them alike.
    monkeypatch.setattr("journal.search_index.SORT_AT_MOST", 0 if way == "date order" else 10_000)
    dates = ["2026-09-03", "2026-11-20", "2026-10-05", "2026-10-05", "2026-01-15"]
    made = [world["entry"](world["mine"], f"Dagschema {i}", date=d) for i, d in enumerate(dates)]
    world["entry"](world["other"], "Dagschema van een ander team", date="2026-12-01")

    def found():
        if way != "while building":
            return [h.doc["id"] for h in search(users["teacher"], "dagschema")]
        index = get_index()
        index._seen = None  # as right after start: the background build holds the index
        with index._lock:
            return [h.doc["id"] for h in search(users["teacher"], "dagschema")]

    def newest_first(entries):
        return [e["id"] for e in sorted(entries, key=lambda e: (e["date"], e["id"]), reverse=True)]

    assert found() == newest_first(made)
    # A changed date moves an entry; an erased one is gone.
    made[4] = get_store().entries.update(made[4]["id"], {"date": "2026-12-24"})
    get_store().entries.delete(made.pop(1)["id"])
    assert found() == newest_first(made)
    assert found()[0] == made[3]["id"]


def test_a_common_word_shows_the_newest_100_and_older_pages_one_click_away(client, login,
                                                                            users, world):
    made = [world["entry"](world["mine"], f"Wachttijd bij het starten {i}",
                           date=f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}") for i in range(103)]
    world["entry"](world["mine"], "Wachttijd in een reflectie", kind="reflection")
    login(client, "teacher")
    first = client.get("/search", query_string={"q": "wachttijd", "kind": "observation"})
    page = first.get_data(as_text=True)
    assert all(f"#entry-{e['id']}" in page for e in made[3:])
    assert not any(f"#entry-{e['id']}" in page for e in made[:3])
    assert "1–100" in page
    older = "/search?page=2&amp;q=wachttijd&amp;kind=observation"
    assert older in page and "page=0" not in page  # the filter stays on the next page
    page = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert [e for e in made if f"#entry-{e['id']}" in page] == made[:3]
    assert "101–103" in page
    assert "page=1" in page and "page=3" not in page
    assert "reflectie" not in page
    # Fewer than a page: a plain count and no page links.
    page = client.get("/search", query_string={"q": "reflectie"}).get_data(as_text=True)
    assert "1 result<" in page and "page=2" not in page


def test_a_trajectory_filter_never_widens_what_a_teacher_may_search(users, world):
    world["entry"](world["other"], "Het dagschema van Noah.")
    assert search(users["teacher"], "dagschema", trajectory_id=world["other"]["id"]) == []
    assert len(search(users["coordinator"], "dagschema", trajectory_id=world["other"]["id"])) == 1
    assert search(users["coordinator"], "dagschema", trajectory_id=world["mine"]["id"]) == []


CALM_V1 = '''
id = "calm.work"
version = 1
kind = "observation"
title = { nl = "Rustig werken", en = "Calm work" }

[[sections]]
title = { nl = "Wat hielp", en = "What helped" }

[[sections.fields]]
key = "helped"
type = "multiselect"
label = { nl = "Hulpmiddelen", en = "Aids" }
options = [
  { key = "headphones", label = { nl = "Koptelefoon", en = "Ear defenders" } },
  { key = "timer", label = { nl = "Zandloper", en = "Hourglass" } },
]

[[sections.fields]]
key = "place"
type = "choice"
label = { nl = "Werkplek", en = "Workplace" }
options = [
  { key = "corner", label = { nl = "Prikkelarme hoek", en = "Low-stimulus spot" } },
  { key = "desk", label = { nl = "Eigen bank", en = "Own table" } },
]

[[sections.fields]]
key = "tried"
type = "checklist"
label = { nl = "Aanpassingen", en = "Adaptations" }
items = [
  { key = "pictos", label = { nl = "Dagschema met pictogrammen", en = "Picture schedule" }, category = "compenseren" },
  { key = "buddy", label = { nl = "Maatje", en = "Classmate helper" } },
]
'''

#: Version 2 renames the hourglass: entries filled from version 1 keep showing "Zandloper".
CALM_V2 = CALM_V1.replace("version = 1", "version = 2").replace("Zandloper", "Time-timer")

ANSWERS = {"helped": ["headphones"], "place": "corner",
           "tried": {"pictos": {"status": "werkt_niet", "note": "Te klein op de bank"}}}


class CalmPlugin:
    source = CALM_V1

    @hookimpl
    def journal_entry_templates(self):
        return [load_text(self.source, "calm.toml", "calm")]


@pytest.fixture
def calm(users, make_trajectory, register_plugin, plugin_host):
    plugin = CalmPlugin()
    register_plugin(plugin, "calm")
    team = make_trajectory(users["teacher"])
    return {"plugin": plugin, "team": team, "host": plugin_host}


def fill_in(client, calm, answers=ANSWERS) -> dict:
    spec = registry.find(calm["host"], "calm.work")
    response = post_template_entry(client, calm["team"], spec, answers, date="2026-10-02",
                                   class_group="3B", lesson="Wiskunde", moment="1",
                                   seen="Werkte twintig minuten zelfstandig.", action="publish")
    assert response.status_code == 302
    (entry,) = get_store().entries.find(trajectory_id=calm["team"]["id"])
    return entry


def found(client, query: str) -> str:
    return client.get("/search", query_string={"q": query}).get_data(as_text=True)


def test_a_template_entry_is_found_by_the_dutch_labels_its_page_shows(client, login, calm):
    login(client, "teacher")
    client.post("/account/language", data={"locale": "nl"})
    entry = fill_in(client, calm)
    link = f"#entry-{entry['id']}"
    for shown in ("koptelefoon", "prikkelarme hoek", "pictogrammen", "werkt niet", "compenseren",
                  "te klein"):
        assert link in found(client, shown), shown
    # Keys, options not chosen, items not answered and English labels are not what she sees.
    for hidden in ("headphones", "corner", "pictos", "zandloper", "maatje", "ear defenders"):
        assert link not in found(client, hidden), hidden
    assert "Koptelefoon" in found(client, "koptelefoon")  # the snippet shows why it matched


def test_a_template_entry_is_found_by_the_english_labels_when_the_ui_is_english(client, login,
                                                                                  calm):
    login(client, "teacher")
    entry = fill_in(client, calm)
    client.post("/account/language", data={"locale": "en"})
    link = f"#entry-{entry['id']}"
    for shown in ("ear defenders", "low-stimulus spot", "picture schedule", "does not work"):
        assert link in found(client, shown), shown
    for hidden in ("headphones", "corner", "koptelefoon", "hourglass"):
        assert link not in found(client, hidden), hidden
    assert "Ear defenders" in found(client, "ear defenders")


def test_an_old_entry_is_found_by_the_labels_of_its_own_template_version(client, login, calm):
    login(client, "teacher")
    client.post("/account/language", data={"locale": "nl"})
    entry = fill_in(client, calm, {"helped": ["timer"]})
    calm["plugin"].source = CALM_V2  # the plugin now offers only version 2
    page = client.get(f"/t/{calm['team']['id']}/entries/{entry['id']}").get_data(as_text=True)
    assert "Zandloper" in page and "Time-timer" not in page
    link = f"#entry-{entry['id']}"
    assert link in found(client, "zandloper")
    assert link not in found(client, "time-timer")


def test_an_edited_template_entry_is_found_by_its_new_answers_only(client, login, calm):
    login(client, "teacher")
    client.post("/account/language", data={"locale": "nl"})
    entry = fill_in(client, calm)
    link = f"#entry-{entry['id']}"
    assert link in found(client, "koptelefoon")  # the index is warm before the edit
    spec = registry.find(calm["host"], "calm.work")
    response = client.post(f"/t/{calm['team']['id']}/entries/{entry['id']}/edit", data={
        **form_data(spec, {"helped": ["timer"], "place": "desk"}), "date": "2026-10-02",
        "class_group": "3B", "lesson": "Wiskunde", "moment": "1", "seen": "Werkte rustig.",
        "rev": entry["rev"], "action": "save"})
    assert response.status_code == 302
    assert link in found(client, "zandloper") and link in found(client, "eigen bank")
    assert link not in found(client, "koptelefoon") and link not in found(client, "prikkelarme")


def test_the_background_build_indexes_template_labels_in_every_language(app, client, login, calm):
    from journal.search import build_in_background
    from journal.search import get_index

    login(client, "teacher")
    entry = fill_in(client, calm)
    build_in_background(app).join(timeout=30)
    key = ("entries", entry["id"])
    assert key in get_index().match("koptelefoon", language="nl")
    assert key in get_index().match("ear defenders", language="en")
    assert key not in get_index().match("headphones", language="nl")


def test_a_search_during_the_first_build_finds_template_labels_too(app, client, login, users,
                                                                   calm):
    from journal.search import get_index

    login(client, "teacher")
    entry = fill_in(client, calm)
    index = get_index()
    with index._lock:  # the background build holds the index: her own are read directly
        assert not index.built
        assert [h.doc["id"] for h in search(users["teacher"], "koptelefoon")] == [entry["id"]]
        assert search(users["teacher"], "headphones") == []
        assert [h.doc["id"] for h in search(users["teacher"], "ear defenders",
                                            language="en")] == [entry["id"]]


@pytest.mark.parametrize("page", ["abc", "-5", "0", "99999999999999999999", "1e9", "<script>"])
def test_a_hostile_page_number_shows_a_page_and_never_fails(client, login, world, page):
    world["entry"](world["mine"], "Stappenplan voor rekenen")
    login(client, "teacher")
    response = client.get("/search", query_string={"q": "stappenplan", "page": page})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<script>" not in text.split("<main", 1)[1]
    first_page = page in ("abc", "-5", "0", "1e9", "<script>")
    assert ("rekenen" in text) == first_page


def index_state(index):
    return (index._terms, index._revs, index._order, index._of_trajectory,
            {c: dict(docs) for c, docs in index._docs.items()})


def test_the_index_after_changes_anywhere_in_a_table_equals_one_built_afresh(users, world):
    from journal.search_index import SearchIndex
    from journal.search import get_index

    made = [world["entry"](world["mine"], f"Dagschema {i}", date=f"2026-10-{i + 1:02d}")
            for i in range(6)]
    store = get_store()
    index = get_index()
    index.refresh(store)
    store.entries.delete(made[1]["id"])  # a gap early in the table: the rest shifts
    store.entries.update(made[4]["id"], {"fields": {"seen": "Pictogrammen"}, "date": "2026-12-01"})
    world["entry"](world["other"], "Een nieuw dagschema", date="2026-09-01")
    store.trajectories.update(world["mine"]["id"], {"title": "Traject Lotte, dagschema"})
    index.refresh(store)
    fresh = SearchIndex(index.languages)
    fresh.refresh(store)
    assert index_state(index) == index_state(fresh)
    assert [h.doc["id"] for h in search(users["teacher"], "pictogram")] == [made[4]["id"]]
    assert made[1]["id"] not in {h.doc["id"] for h in search(users["coordinator"], "dagschema")}


def test_the_first_build_gives_way_to_a_request_but_not_to_one_waiting_for_it(
        monkeypatch, world):
    import threading

    from journal.search import get_index

    monkeypatch.setattr("journal.search_index.GIVE_WAY_EVERY", 1)
    monkeypatch.setattr("journal.search_index.GIVE_WAY_AT_MOST", 30)
    for i in range(3):
        world["entry"](world["mine"], f"Dagschema {i}")
    index = get_index()
    index.count_request(1)  # a teacher's page is being answered
    build = threading.Thread(target=index.refresh, args=(get_store(),))
    build.start()
    build.join(0.5)
    assert build.is_alive() and not index.built  # the build waits for her page
    # Her page now needs the index itself (a search over many trajectories): it waits for
    # the build, so the build goes on instead of waiting for her.
    search_ = threading.Thread(target=index.refresh, args=(get_store(),))
    search_.start()
    build.join(10)
    search_.join(10)
    assert index.built and not build.is_alive() and not search_.is_alive()
    index.count_request(-1)
