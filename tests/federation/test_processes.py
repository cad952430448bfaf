"""The federation with real processes: two schools and a centre as ``journal serve`` on
loopback, signing in through the test OpenID provider process, linked through the admins'
pages. The tests run in file order: the last ones stop a school and end a link."""

from __future__ import annotations

import time
from datetime import datetime
from datetime import timezone

import icalendar
import pytest
import requests
import vobject
from ical.calendar_stream import IcsCalendarStream

from journal.federation import signing
from tests.support.federation_world import post_form
from tests.support.federation_world import running_world
from tests.support.federation_world import stop

ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with running_world(tmp_path_factory.mktemp("federation"), ARTIFACTS) as running:
        yield running


@pytest.fixture(scope="module")
def jonas(world):
    """Jonas, signed in at the centre through the provider."""
    return world.sign_in_at_provider(world.centre, "jonas")


@pytest.fixture(scope="module")
def jonas_feed(world, jonas):
    """Jonas's calendar feed address, made on his account page at the centre."""
    import re

    page = post_form(jonas, world.centre.url + "account/reminders",
                     world.centre.url + "account/reminders/feed", {"privacy": "title"}).text
    return re.search(r'<code class="secret" id="feed-url">([^<]+)</code>', page)[1]


def _feed_events(url: str) -> list:
    """Fetch a feed like a calendar app (no cookies) and parse it."""
    response = requests.get(url, timeout=20)
    assert response.status_code == 200, response.text[:500]
    assert len(vobject.readOne(response.text).contents.get("vevent", [])) == \
        len(IcsCalendarStream.calendar_from_ics(response.text).events) == \
        len(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def _sections(page: str) -> dict[str, str]:
    """The caseload page's part per school: name -> its HTML."""
    parts = page.split('<section class="card caseload-school"')[1:]
    out = {}
    for part in parts:
        name = part.split("</h2>")[0].rsplit(">", 1)[-1]
        out[name] = part.split("</section>")[0]
    return out


def _audit(journal, **match) -> list[dict]:
    http = journal.session("beheer")
    # JSON, not CSV: the CSV export defuses cells starting with "-" (a formula), and random
    # ids do start with "-" now and then.
    rows = http.get(journal.url + "audit/export.json").json()
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def test_her_caseload_comes_live_from_both_schools(world, jonas):
    page = jonas.get(world.centre.url + "centre/caseload").text
    sections = _sections(page)
    a, b = sections["Basisschool De Linde"], sections["Basisschool Sint-Jozef"]
    assert f'href="{world.school_a.url}t/' in a and f'href="{world.school_b.url}t/' in b
    assert world.school_b.url not in a and world.school_a.url not in b
    reads_a = _audit(world.school_a, action="view", object_type="trajectory")
    mine = [r for r in reads_a if r["detail"] == f"centre_caseload:{world.link_a}"]
    assert mine and {r["user_id"] for r in mine} == {world.school_a.ids["ondersteuner"]}
    assert any(r["pupil_id"] for r in mine)  # a class or team trajectory has no pupil


def test_a_colleague_not_on_school_bs_teams_sees_none_of_its_pupils(world):
    lien = world.sign_in_at_provider(world.centre, "lien")
    sections = _sections(lien.get(world.centre.url + "centre/caseload").text)
    assert "/t/" not in sections["Basisschool Sint-Jozef"]
    assert "/t/" not in sections["Basisschool De Linde"]
    reads = _audit(world.school_b, action="view", object_type="trajectory",
                   user_id=world.school_b.ids["lien"])
    assert reads == []


def test_one_calendar_feed_over_both_schools_with_her_rights(world, jonas_feed):
    events = _feed_events(jonas_feed)
    schools = {str(e["SUMMARY"]).rsplit("(", 1)[1].rstrip(")") for e in events}
    assert schools == {"Basisschool De Linde", "Basisschool Sint-Jozef"}
    for event in events:
        school = world.school_a if "De Linde" in str(event["SUMMARY"]) else world.school_b
        assert str(event["URL"]).startswith(school.url + "t/")
    text = " ".join(str(e["SUMMARY"]) for e in events)
    for pupil in world.school_a.read("pupils", world.env) + world.school_b.read("pupils",
                                                                                 world.env):
        assert pupil["display_name"] not in text  # the default leaves names at the school
    reads = _audit(world.school_a, action="view", object_type="trajectory",
                   detail=f"centre_calendar:{world.link_a}")
    assert reads and {r["user_id"] for r in reads} == {world.school_a.ids["ondersteuner"]}


def _centre_link(world, link_id: str) -> dict:
    return next(l for l in world.centre.links(world.env) if l["id"] == link_id)


def _call(link: dict, url: str, body: bytes, *, nonce: str, key: str | None = None):
    prepared = requests.Request("POST", url + "federation/v1/hello", data=body or None,
                                headers={"Content-Type": "application/json"}).prepare()
    signer = signing._signer(link["id"], key or link["private_key"])
    signer.sign(prepared, key_id=link["id"], nonce=nonce, tag=signing.TAG, body=body,
                created=datetime.now(timezone.utc),
                covered_component_ids=signing.REQUEST_COMPONENTS)
    return prepared


def _send(prepared) -> requests.Response:
    with requests.Session() as http:
        return http.send(prepared, timeout=5)


def test_tampered_replayed_and_forged_calls_are_refused_and_audited(world):
    from journal.federation import keys

    link = _centre_link(world, world.link_a)
    url = world.school_a.url
    good = _call(link, url, b"{}", nonce=f"process-{time.time()}")
    assert _send(good).status_code == 200
    assert _send(good).json() == {"error": "replay"}
    tampered = _call(link, url, b'{"a":1}', nonce=f"tamper-{time.time()}")
    tampered.body = b'{"a":2}'
    assert _send(tampered).json() == {"error": "bad_digest"}
    forged = _call(link, url, b"{}", nonce=f"forged-{time.time()}", key=keys.new_private_key())
    assert _send(forged).json() == {"error": "bad_signature"}
    refused = {r["detail"] for r in _audit(world.school_a, action="denied",
                                           object_type="federation_link")}
    assert {"signature:replay", "signature:bad_digest", "signature:bad_signature"} <= refused


def test_a_practice_example_published_at_a_is_adopted_at_b(world):
    import re

    a = world.school_a.session("zorg")
    agreement = next(e for e in world.school_a.read("entries", world.env)
                     if e["kind"] == "agreement" and e["status"] == "published")
    new = a.get(world.school_a.url + f"practice/new?entry_id={agreement['id']}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', new)[1]
    source = dict(re.findall(r'<input type="hidden" name="(entry_id|item|kind|status)" value="([^"]*)"', new))
    review = a.post(world.school_a.url + "practice/new", data={
        **source, "csrf_token": token, "title": "Rustig starten na de speeltijd",
        "learned": "Een vaste plek en een time-timer helpen.", "text": "Vaste plek bij de deur."})
    assert review.status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"',
                             review.text.split('action="/practice/export"')[1].split("</form>")[0]))
    fields["centre"] = world.link_a
    published = a.post(world.school_a.url + "practice/export", data=fields,
                       allow_redirects=False)
    assert published.status_code == 302, published.text[:1000]

    b = world.school_b.session("zorg")
    listing = b.get(world.school_b.url + "practice/network/").text
    assert "Rustig starten na de speeltijd" in listing and "Basisschool De Linde" in listing
    adopt = re.search(r'action="(/practice/network/[^"]+/adopt)"', listing)[1]
    adopted = post_form(b, world.school_b.url + "practice/network/",
                        world.school_b.url.rstrip("/") + adopt, {})
    assert adopted.status_code == 302 and "/practice/" in adopted.headers["Location"]
    shown = b.get(world.school_b.url.rstrip("/") + adopted.headers["Location"]).text
    assert "Rustig starten na de speeltijd" in shown
    assert _audit(world.school_b, action="update", object_type="practice_example")


def test_the_director_sees_both_schools_figures_with_small_cells_suppressed(world):
    director = world.centre.session("directeur")
    page = director.get(world.centre.url + "centre/patterns").text
    assert "Basisschool De Linde" in page and "Basisschool Sint-Jozef" in page
    table = director.get(world.centre.url + "centre/patterns/trajectories.csv").text
    header = table.lstrip("\ufeff").splitlines()[0]
    assert header == "Focus area,Basisschool De Linde,Basisschool Sint-Jozef"
    # The demo school has fewer than five pupils per focus area: nothing but "<5" arrives.
    values = {cell for line in table.splitlines()[1:] for cell in line.split(",")[1:]}
    assert values and values <= {"<5", "0"}


def test_a_school_that_is_down_shows_not_reachable_and_the_other_still_loads(world, jonas,
                                                                            jonas_feed):
    stop(world.school_b.process)
    page = jonas.get(world.centre.url + "centre/caseload?refresh=1",
                     headers={"Accept-Language": "nl"}).text
    sections = _sections(page)
    assert "niet bereikbaar" in sections["Basisschool Sint-Jozef"]
    assert f'href="{world.school_a.url}t/' in sections["Basisschool De Linde"]
    # The calendar feed leaves the school out and still answers (refreshed above).
    summaries = [str(e["SUMMARY"]) for e in _feed_events(jonas_feed)]
    assert summaries and all(s.endswith("(Basisschool De Linde)") for s in summaries)


def test_unlinking_at_the_school_removes_its_items_at_once(world, jonas, jonas_feed):
    before = jonas.get(world.centre.url + "centre/caseload").text
    assert "Basisschool De Linde" in before
    admin = world.school_a.session("beheer")
    ended = post_form(admin, world.school_a.url + "admin/centres/",
                      world.school_a.url + f"admin/centres/{world.link_a}/revoke", {})
    assert ended.status_code == 302
    after = jonas.get(world.centre.url + "centre/caseload").text  # no refresh: cache too
    assert "Basisschool De Linde" not in after and world.school_a.url not in after
    assert _centre_link(world, world.link_a)["status"] == "revoked"
    assert _feed_events(jonas_feed) == []  # school B is down, school A's link ended
    ended = post_form(jonas, world.centre.url + "account/reminders",
                      world.centre.url + "account/reminders/feed/revoke", {})
    assert ended.status_code == 302
    assert requests.get(jonas_feed, timeout=20).status_code == 404
