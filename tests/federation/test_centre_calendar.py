"""One calendar feed over all linked schools, made on the ondersteuner's account page at the
centre: fetched live from each school with her own rights and privacy choice there, every
read audited at the school, a school that is down left out while the feed still answers,
an ended link's items gone at once, a revoked address 404, and a school's answer never
trusted blindly."""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from journal.centre import calendar as centre_calendar
from journal.federation import links
from journal.plugins.testing import TEST_PASSWORD
from journal.reminders.calendar import build_calendar
from journal.storage import get_store
from tests.federation.test_caseload import school_b  # noqa: F401  (fixtures)
from tests.federation.test_caseload import world  # noqa: F401
from tests.support.federation import admin
from tests.support.federation import make_user

EN = {"Accept-Language": "en"}
NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()


@pytest.fixture
def meeting_at_b(world, school_b):  # noqa: F811
    """A meeting next week in Mo's trajectory at school B (Jonas is on the team)."""
    with school_b.app_context():
        return get_store().entries.create({
            "trajectory_id": world["mo"]["id"], "pupil_id": world["mo"]["pupil_id"],
            "kind": "meeting", "status": "published", "date": NEXT_WEEK,
            "authors": [], "fields": {"meeting_type": "parents",
                                      "decided": "Mo krijgt een leesmaatje."},
            "html": {}, "tags": [], "goal_ids": []})


def _signed_in(centre_app, username="jonas"):
    client = centre_app.test_client()
    assert client.post("/login", data={"username": username,
                                       "password": TEST_PASSWORD}).status_code == 302
    return client


def _make_feed(client, privacy="title") -> str:
    page = client.post("/account/reminders/feed", data={"privacy": privacy},
                       headers=EN).get_data(as_text=True)
    (url,) = re.findall(r'<code class="secret" id="feed-url">([^<]+)</code>', page)
    return url


def _fetch(centre_app, url: str):
    """Like a calendar app: no cookies, no session."""
    return centre_app.test_client().get("/" + url.split("://", 1)[1].split("/", 1)[1])


def _events(body: bytes) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_one_feed_holds_her_items_from_both_schools(app, centre_app, world, school_b,  # noqa: F811
                                                    school_url, meeting_at_b):
    client = _signed_in(centre_app)
    page = client.get("/account/reminders", headers=EN).get_data(as_text=True)
    assert "from every linked school where you are on a team" in page
    assert "E-mail digest" not in page  # the centre sends no digests
    url = _make_feed(client)
    response = _fetch(centre_app, url)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    events = _events(response.data)
    by_school = {str(e["SUMMARY"]).rsplit("(", 1)[1].rstrip(")"): e for e in events}
    assert set(by_school) == {"Basisschool De Linde", "Sint-Jozef"}
    goal, meeting = by_school["Basisschool De Linde"], by_school["Sint-Jozef"]
    assert str(goal["SUMMARY"]).startswith("Goal review: Ella (3B)")
    assert str(goal["URL"]).startswith(school_url + f"/t/{world['ella']['id']}/goals/")
    assert str(meeting["SUMMARY"]) == "Meeting: … (2A) (Sint-Jozef)"  # Mo's name stays home
    assert str(meeting["URL"]).startswith(world["url_b"] + f"/t/{world['mo']['id']}/entries/")
    assert meeting.decoded("DTSTART") == date.fromisoformat(NEXT_WEEK)
    body = response.get_data(as_text=True)
    assert "Zeta" not in body and "leesmaatje" not in body  # another team; what was decided
    assert {e.uid.value for e in vobject.readOne(body).vevent_list} == \
        {e.uid for e in IcsCalendarStream.calendar_from_ics(body).events} == \
        {str(e["UID"]) for e in events}


def test_each_school_audits_the_read_as_hers(app, centre_app, world, school_b,  # noqa: F811
                                              meeting_at_b):
    _fetch(centre_app, _make_feed(_signed_in(centre_app)))
    reads = [r for r in get_store().audit.all() if r["detail"] == f"centre_calendar:{world['link_a']}"]
    assert [(r["action"], r["object_id"], r["user_id"]) for r in reads] == [
        ("view", world["ella"]["id"], world["jonas_a"]["id"])]
    with school_b.app_context():
        reads_b = [r for r in get_store().audit.all()
                   if r["detail"] == f"centre_calendar:{world['link_b']}"]
    assert [r["object_id"] for r in reads_b] == [world["mo"]["id"]]
    assert not any("leesmaatje" in str(r) or "Ella" in str(r) for r in get_store().audit.all())


def test_her_privacy_choice_is_applied_by_the_school(centre_app, world, meeting_at_b):  # noqa: F811
    url = _make_feed(_signed_in(centre_app), privacy="details")
    summaries = {str(e["SUMMARY"]) for e in _events(_fetch(centre_app, url).data)}
    assert "Meeting: Mo (2A) (Mo) (Sint-Jozef)" in summaries
    url = _make_feed(_signed_in(centre_app), privacy="minimal")
    summaries = {str(e["SUMMARY"]) for e in _events(_fetch(centre_app, url).data)}
    assert summaries == {"Goal review (Basisschool De Linde)", "Meeting (Sint-Jozef)"}


def test_a_school_falls_back_to_the_default_for_an_unknown_choice(centre_app, world,  # noqa: F811
                                                                   meeting_at_b):
    from journal.federation import client

    with centre_app.app_context():
        link = get_store().federation_links.get(world["link_b"])
    answer = client.call(client.Peer.of(link), "POST", "/federation/v1/calendar",
                         {"identities": world["jonas"]["identities"], "privacy": "everything",
                          "locale": "xx"}, timeout=5, skew=120)
    assert answer["known"] is True
    assert [i["summary"] for i in answer["items"]] == ["Overleg: … (2A)"]  # title, Dutch
    assert "description" not in answer["items"][0]


def test_a_school_that_is_down_is_left_out_and_the_feed_still_answers(centre_app, world,  # noqa: F811
                                                                       meeting_at_b):
    with centre_app.app_context():
        get_store().federation_links.update(world["link_b"], {"peer_url": "http://127.0.0.1:9"})
    response = _fetch(centre_app, _make_feed(_signed_in(centre_app)))
    assert response.status_code == 200
    summaries = [str(e["SUMMARY"]) for e in _events(response.data)]
    assert summaries == ["Goal review: Ella (3B) (Basisschool De Linde)"]


def test_ending_a_link_removes_its_items_at_once_and_a_revoked_feed_is_404(
        app, centre_app, world, meeting_at_b):  # noqa: F811
    client = _signed_in(centre_app)
    url = _make_feed(client)
    assert len(_events(_fetch(centre_app, url).data)) == 2
    links.revoke(admin("school-admin"), world["link_a"])
    summaries = [str(e["SUMMARY"]) for e in _events(_fetch(centre_app, url).data)]
    assert summaries == ["Meeting: … (2A) (Sint-Jozef)"]  # cached a moment ago, gone now
    assert client.post("/account/reminders/feed/revoke").status_code == 302
    assert _fetch(centre_app, url).status_code == 404


def test_only_an_ondersteuner_with_a_linked_identity_gets_items(centre_app, world):  # noqa: F811
    make_user(centre_app, "katrien", ["director"], identities=world["jonas"]["identities"])
    make_user(centre_app, "nieuw", ["support"])
    for username in ("katrien", "nieuw"):
        response = _fetch(centre_app, _make_feed(_signed_in(centre_app, username)))
        assert response.status_code == 200 and _events(response.data) == []


def test_hostile_items_from_a_school_are_dropped_or_stay_text():
    from tests.security.corpus import all_hostile
    from tests.security.corpus import sample

    link = {"peer_name": "Sint-Jozef", "peer_url": "https://s.example"}
    good = {"uid": "goal-abc@x.journal", "date": "2025-03-31", "summary": "Goal review",
            "url": "https://s.example/t/a/goals/b"}
    kept = []
    for text in sample(all_hostile(), 60):
        for key in ("uid", "date"):
            assert centre_calendar.clean_item({**good, key: text}, link) is None
        item = centre_calendar.clean_item({**good, "summary": text or "x", "url": text,
                                           "description": text, "start": text, "end": text,
                                           "updated": text, "sequence": text}, link)
        if item is not None:
            assert item["url"] == "https://s.example/" and "start" not in item
            kept.append({**item, "uid": f"goal-{len(kept)}@x.journal"})
    for url in ("https://s.example.evil/t/a", "javascript:alert(1)", "//evil.example/",
                "https://s.examplé/t"):
        assert centre_calendar.clean_item({**good, "url": url}, link)["url"] == \
            "https://s.example/"
    assert centre_calendar.clean_item({**good, "date": "2025-02-30"}, link) is None
    assert centre_calendar.clean_item("not an item", link) is None
    # Whatever text passed, the feed stays one event per item for both parsers.
    body = build_calendar(kept, name="Centrum")
    assert len(icalendar.Calendar.from_ical(body).walk("VEVENT")) == len(kept)
    assert len(vobject.readOne(body.decode("utf-8")).vevent_list) == len(kept)
    assert len(IcsCalendarStream.calendar_from_ics(body.decode("utf-8")).events) == len(kept)
