"""The personal calendar feed: made and revoked on the account page, read without cookies,
only the owner's trajectories, the pupil's name only when the owner chooses it, audited."""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from journal.process import visits
from journal.storage import get_store

EN = {"Accept-Language": "en"}
NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()
NEXT_MONTH = (date.today() + timedelta(days=30)).isoformat()
PUPIL = "Lotte Verbruggen"


@pytest.fixture
def school(users, make_pupil, make_trajectory, make_goal):
    pupil = make_pupil(display_name=PUPIL, class_group="4A")
    # A title that names the pupil: the default feed must still leave the name out.
    mine = make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           title="Lotte: rustig starten")
    untitled = make_trajectory(users["teacher"], pupil_id=pupil["id"], title="")
    theirs = make_trajectory(users["outsider_teacher"], title="Traject Zeta")
    return {
        "mine": mine, "untitled": untitled, "theirs": theirs,
        "goal": make_goal(mine, text="Lotte stapt zelf in", review_date=NEXT_MONTH),
        "untitled_goal": make_goal(untitled, review_date=NEXT_MONTH),
        "their_goal": make_goal(theirs, text="Zeta-doel", review_date=NEXT_MONTH),
        "done_goal": make_goal(mine, status="achieved", review_date=NEXT_MONTH),
        "visit": visits.plan_visit(users["teacher"], mine["id"], {
            "date": NEXT_WEEK, "start_time": "09:30", "end_time": "10:20",
            "visitor_ids": [users["support"]["id"]], "purpose": "Lotte in de rekenles"}),
    }


def make_feed(client, privacy="title") -> str:
    page = client.post("/account/reminders/feed", data={"privacy": privacy}, headers=EN)
    assert page.status_code == 200
    (url,) = re.findall(r'<code class="secret" id="feed-url">([^<]+)</code>', page.get_data(as_text=True))
    return url


def fetch(app, url: str):
    """Fetch like a calendar app: a fresh client, no cookies, no session."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    return app.test_client().get("/" + path)


def events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_a_feed_shows_my_reviews_and_visits_without_the_pupils_name(app, client, users, login,
                                                                     school):
    login(client, "teacher")
    url = make_feed(client)
    assert url.startswith("http://localhost/calendar/cal_") and url.endswith(".ics")
    response = fetch(app, url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    found = events(response.data)
    summaries = sorted(str(e["SUMMARY"]) for e in found.values())
    assert summaries == ["Class visit: …: rustig starten", "Goal review: Trajectory (4A)",
                         "Goal review: …: rustig starten"]
    body = response.get_data(as_text=True)
    assert "Lotte" not in body and "Verbruggen" not in body and "rekenles" not in body
    assert "Zeta" not in body  # another team's trajectory never appears
    goal_uid = next(uid for uid in found if uid.startswith(f"goal-{school['goal']['id']}@"))
    visit = next(e for uid, e in found.items() if uid.startswith("visit-"))
    assert found[goal_uid].decoded("DTSTART") == date.fromisoformat(NEXT_MONTH)
    assert str(found[goal_uid]["URL"]).endswith(
        f"/t/{school['mine']['id']}/goals/{school['goal']['id']}")
    assert visit.decoded("DTSTART").utcoffset() == timedelta(0)  # timed, in UTC
    # vobject (Radicale, khal) and ical (Home Assistant) read the same feed
    parsed = vobject.readOne(body)
    assert {e.uid.value for e in parsed.vevent_list} == set(found)
    assert {e.uid for e in IcsCalendarStream.calendar_from_ics(body).events} == set(found)


def test_uids_stay_and_changes_raise_the_sequence(app, client, users, login, school):
    login(client, "teacher")
    url = make_feed(client)
    first = events(fetch(app, url).data)
    visits.update_visit(users["teacher"], school["mine"]["id"], school["visit"]["id"],
                        {"date": NEXT_MONTH, "visitor_ids": [users["support"]["id"]]})
    second = events(fetch(app, url).data)
    assert set(first) == set(second)
    uid = f"visit-{school['visit']['id']}@" + next(u for u in first if u.startswith("visit-")).split("@")[1]
    assert second[uid].decoded("DTSTART") == date.fromisoformat(NEXT_MONTH)  # now all-day
    assert int(second[uid]["SEQUENCE"]) > int(first[uid]["SEQUENCE"])


def test_cancelled_visits_and_finished_goals_leave_the_feed(app, client, users, login, school):
    login(client, "teacher")
    url = make_feed(client)
    visits.cancel_visit(users["teacher"], school["mine"]["id"], school["visit"]["id"])
    uids = set(events(fetch(app, url).data))
    assert not any(u.startswith("visit-") for u in uids)
    assert not any(u.startswith(f"goal-{school['done_goal']['id']}@") for u in uids)


@pytest.mark.parametrize("privacy, shown, hidden", [
    ("minimal", ["Goal review", "Class visit"], ["rustig", "Lotte", "4A"]),
    ("details", ["Lotte Verbruggen", "Lotte stapt zelf in", "Lotte in de rekenles"], []),
])
def test_the_owner_chooses_what_the_feed_shows(app, client, users, login, school, privacy,
                                               shown, hidden):
    login(client, "teacher")
    url = make_feed(client)
    assert client.post("/account/reminders/feed/privacy",
                       data={"privacy": privacy}).status_code == 302
    # What people read: summaries and descriptions without the link (random ids in UIDs
    # and URLs may hold any letters, such as "4A").
    readable = " | ".join(str(e.get(key, "")).replace(str(e["URL"]), "")
                          for e in events(fetch(app, url).data).values()
                          for key in ("SUMMARY", "DESCRIPTION"))
    for text in shown:
        assert text in readable, text
    for text in hidden:
        assert text not in readable, text


def test_revoked_unknown_and_replaced_addresses_answer_404(app, client, users, login, school):
    login(client, "teacher")
    old = make_feed(client)
    new = make_feed(client)
    assert fetch(app, old).status_code == 404
    assert fetch(app, new).status_code == 200
    assert client.post("/account/reminders/feed/revoke").status_code == 302
    revoked = fetch(app, new)
    unknown = fetch(app, "http://localhost/calendar/cal_nothing-here.ics")
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.data == unknown.data  # a revoked address looks exactly like an unknown one
    assert get_store().calendar_feeds.all() == []


def test_the_address_is_shown_once_and_only_its_hash_is_kept(app, client, users, login, school):
    login(client, "teacher")
    url = make_feed(client)
    secret = url.rsplit("/", 1)[1][:-4]
    page = client.get("/account/reminders", headers=EN).get_data(as_text=True)
    assert secret not in page and "Revoke the address" in page
    (record,) = get_store().calendar_feeds.all()
    assert secret not in str(record) and record["privacy"] == "title"


def test_a_deactivated_account_has_no_feed(app, client, users, login, school):
    login(client, "teacher")
    url = make_feed(client)
    get_store().users.update(users["teacher"]["id"], {"active": False})
    assert fetch(app, url).status_code == 404


def test_the_coordinator_gets_only_their_own_trajectories(app, users, login, school,
                                                          make_trajectory, make_goal):
    own = make_trajectory(users["coordinator"], title="Eigen traject")
    make_goal(own, review_date=NEXT_MONTH)
    client = login(app.test_client(), "coordinator")
    body = fetch(app, make_feed(client)).get_data(as_text=True)
    assert "Eigen traject" in body and "rustig starten" not in body and "Zeta" not in body


def test_feed_reads_are_audited_without_content(app, client, users, login, school):
    login(client, "teacher")
    url = make_feed(client)
    fetch(app, url)
    fetch(app, "http://localhost/calendar/cal_guess.ics")
    records = [r for r in get_store().audit.all() if r["object_type"] == "calendar_feed"]
    assert [(r["action"], r["outcome"]) for r in records] == [
        ("token_create", "ok"), ("view", "ok"), ("denied", "404")]
    assert records[1]["user_id"] == users["teacher"]["id"] and records[1]["detail"] == "items:3"
    secret = url.rsplit("/", 1)[1][:-4]
    assert not any(secret in str(r) or "rustig" in str(r) for r in get_store().audit.all())


def test_a_wrong_choice_is_refused(client, users, login, school):
    login(client, "teacher")
    response = client.post("/account/reminders/feed", data={"privacy": "everything"}, headers=EN)
    assert response.status_code == 400 and b'id="privacy-error"' in response.data
    assert get_store().calendar_feeds.all() == []


def test_the_feed_page_is_dutch_by_default(client, users, login, school):
    get_store().users.update(users["teacher"]["id"], {"locale": "nl"})
    login(client, "teacher")
    page = client.get("/account/reminders").get_data(as_text=True)
    assert "Mijn agenda" in page


def test_hostile_titles_stay_text_in_the_feed(app, client, users, login, make_trajectory,
                                              make_goal):
    from tests.security.corpus import all_hostile
    from tests.security.corpus import sample

    titles = [t for t in sample(all_hostile(), 40) if t.strip()][:25]
    for title in titles:
        make_goal(make_trajectory(users["teacher"], title=title[:120], target="team"),
                  review_date=NEXT_MONTH)
    login(client, "teacher")
    body = fetch(app, make_feed(client)).data
    for parsed in (icalendar.Calendar.from_ical(body).walk("VEVENT"),
                   vobject.readOne(body.decode("utf-8")).vevent_list,
                   IcsCalendarStream.calendar_from_ics(body.decode("utf-8")).events):
        assert len(parsed) == len(titles)  # no title opened or closed an event
    summaries = sorted(str(e["SUMMARY"]) for e in events(body).values())
    from journal.reminders.calendar import clean_text

    expected = sorted(clean_text("Goal review: " + " ".join(t[:120].split()), 200)
                      for t in titles)
    assert summaries == expected


def test_meetings_of_my_trajectories_are_in_the_feed(app, client, users, login, school,
                                                     make_entry):
    mine = school["mine"]
    planned = make_entry(mine, users["support"], "meeting", date=NEXT_WEEK, meeting_type="mdo",
                         participants=[users["teacher"]["id"]],
                         decided="Lotte krijgt een rustige start.")
    held = make_entry(mine, users["teacher"], "meeting",
                      date=(date.today() - timedelta(days=10)).isoformat())
    too_old = make_entry(mine, users["teacher"], "meeting", date="2020-01-06")
    someone_elses_draft = make_entry(mine, users["support"], "meeting", date=NEXT_WEEK,
                                     publish=False)
    my_draft = make_entry(mine, users["teacher"], "meeting", date=NEXT_MONTH, publish=False)
    observation = make_entry(mine, users["teacher"], "observation", date=NEXT_WEEK)
    theirs = make_entry(school["theirs"], users["outsider_teacher"], "meeting", date=NEXT_WEEK)
    login(client, "teacher")
    url = make_feed(client)
    found = events(fetch(app, url).data)
    meetings = {uid.split("@")[0]: e for uid, e in found.items() if uid.startswith("meeting-")}
    assert set(meetings) == {f"meeting-{planned['id']}", f"meeting-{held['id']}",
                             f"meeting-{my_draft['id']}"}
    for absent in (too_old, someone_elses_draft, observation, theirs):
        assert f"meeting-{absent['id']}" not in meetings
    event = meetings[f"meeting-{planned['id']}"]
    assert str(event["SUMMARY"]) == "Meeting: …: rustig starten"  # the default: no name
    assert event.decoded("DTSTART") == date.fromisoformat(NEXT_WEEK)  # an all-day event
    assert str(event["URL"]).endswith(f"/t/{mine['id']}/entries/{planned['id']}")
    body = fetch(app, url).get_data(as_text=True)
    assert "Lotte" not in body and "rustige start" not in body and "MDO" not in body
    # vobject reads the meetings too
    assert {e.uid.value.split("@")[0] for e in vobject.readOne(body).vevent_list} >= set(meetings)


def test_the_feed_shows_the_kind_of_meeting_only_with_details(app, client, users, login, school,
                                                              make_entry):
    make_entry(school["mine"], users["support"], "meeting", date=NEXT_WEEK, meeting_type="mdo",
               decided="Lotte krijgt een rustige start.")
    login(client, "teacher")
    url = make_feed(client, privacy="details")
    (event,) = [e for uid, e in events(fetch(app, url).data).items() if uid.startswith("meeting-")]
    assert str(event["SUMMARY"]) == "Meeting: Lotte: rustig starten (Lotte Verbruggen)"
    assert "MDO (multidisciplinary consultation)" in str(event["DESCRIPTION"])
    assert "rustige start" not in str(event["DESCRIPTION"])  # what was decided never leaves
    client.post("/account/reminders/feed/privacy", data={"privacy": "minimal"})
    (event,) = [e for uid, e in events(fetch(app, url).data).items() if uid.startswith("meeting-")]
    assert str(event["SUMMARY"]) == "Meeting" and "MDO" not in str(event["DESCRIPTION"])
