"""My caseload across schools: fetched live from each school with her own rights there,
only where she is on the team, a school that is down shown as not reachable, an ended
link's items gone at once, and every read audited at the school."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from journal.centre import caseload as centre_caseload
from journal.federation import links
from journal.plugins.testing import make_test_app
from journal.storage import get_store
from tests.support.federation import admin
from tests.support.federation import identity
from tests.support.federation import make_user
from tests.support.federation import pair
from tests.support.federation import serving


@pytest.fixture
def school_b(tmp_path):
    return make_test_app(tmp_path / "b", JOURNAL_SCHOOL_NAME="Sint-Jozef",
                         JOURNAL_FEDERATION_TIMEOUT_SECONDS=3)


@pytest.fixture
def world(app, users, make_trajectory, make_goal, school_url, school_b, centre_app,
          centre_url):
    """School A: Jonas (linked identity) on the team of Ella's trajectory, with a goal due;
    a trajectory of another team. School B: Jonas on Mo's team. The centre: Jonas."""
    soon = (date.today() + timedelta(days=3)).isoformat()
    store = get_store()
    jonas_a = store.users.update(users["support"]["id"],
                                 {"identities": [identity("sub-jonas")]})
    today = date.today().isoformat()
    ella = make_trajectory(users["teacher"], jonas_a, title="Ella (3B)", start_date=today)
    make_goal(ella, text="Stapt zelfstandig in bij groepswerk.", review_date=soon)
    other = make_trajectory(users["outsider_teacher"], users["outsider_support"],
                            title="Zeta (5A)", start_date=today)
    make_goal(other, text="Zeta-doel", review_date=soon)
    jonas_b = make_user(school_b, "jonas.b", ["support"], identities=[identity("sub-jonas")])
    with school_b.app_context():
        mo = get_store().trajectories.create({
            "target": "pupil", "pupil_id": get_store().pupils.create(
                {"display_name": "Mo", "class_group": "2A"})["id"],
            "title": "Mo (2A)", "members": [{"user_id": jonas_b["id"], "role": "support"}],
            "phase": "observation", "phase_history": [], "focus_areas": [],
            "start_date": "2024-09-02", "closed_on": None, "html": {}})
        get_store().goals.create({"trajectory_id": mo["id"], "text": "Leest hardop.",
                                  "review_date": "2020-01-01", "status": "ongoing",
                                  "evaluations": [], "html": {}})
    jonas_centre = make_user(centre_app, "jonas", ["support"],
                             identities=[identity("sub-jonas")])
    with serving(school_b) as url_b:
        link_a = pair(app, school_url, centre_app, centre_url)
        link_b = pair(school_b, url_b, centre_app, centre_url)
        yield {"jonas": jonas_centre, "link_a": link_a, "link_b": link_b, "ella": ella,
               "other": other, "mo": mo, "url_b": url_b, "jonas_a": jonas_a}


def _caseload(centre_app, user, **kwargs):
    with centre_app.test_request_context():
        return {p.school: p for p in centre_caseload.caseload(user, **kwargs)}


def test_her_caseload_comes_from_both_schools_with_links_into_each(centre_app, world,
                                                                  school_url):
    parts = _caseload(centre_app, world["jonas"])
    a, b = parts["Basisschool De Linde"], parts["Sint-Jozef"]
    assert a.status == b.status == "ok"
    assert [(i["kind"], i["trajectory"]) for i in a.items] == [("goal_due", "Ella (3B)")]
    assert a.items[0]["text"] == "Stapt zelfstandig in bij groepswerk."
    assert a.items[0]["url"].startswith(school_url + f"/t/{world['ella']['id']}/goals/")
    assert [(i["kind"], i["trajectory"]) for i in b.items] == [("goal_overdue", "Mo (2A)"),
                                                               ("quiet", "Mo (2A)")]
    assert b.items[0]["url"].startswith(world["url_b"] + f"/t/{world['mo']['id']}/goals/")


def test_planned_class_visits_of_her_teams_show_with_a_link_to_the_visit(
        app, users, centre_app, world, school_url):
    from journal.process import visits

    def plan(actor, trajectory, days: int, **fields) -> dict:
        on = (date.today() + timedelta(days=days)).isoformat()
        return visits.plan_visit(actor, trajectory["id"], {
            "date": on, "visitor_ids": [actor["id"]], **fields})

    soon = plan(world["jonas_a"], world["ella"], 2, start_time="09:30", end_time="10:15",
                purpose="Kijken naar het groepswerk")
    plan(users["teacher"], world["ella"], 40, purpose="Te ver vooruit")
    gone = plan(users["teacher"], world["ella"], 5, purpose="Afgelast bezoek")
    visits.cancel_visit(users["teacher"], world["ella"]["id"], gone["id"])
    plan(users["outsider_support"], world["other"], 1, purpose="Zeta-bezoek")

    a = _caseload(centre_app, world["jonas"])["Basisschool De Linde"]
    shown = [i for i in a.items if i["kind"] == "visit"]
    assert shown == [{"kind": "visit", "trajectory": "Ella (3B)",
                      "text": "Kijken naar het groepswerk", "due": soon["date"],
                      "time": "09:30-10:15",
                      "url": f"{school_url}/t/{world['ella']['id']}#visit-{soon['id']}"}]
    assert "Te ver" not in repr(a.items) and "Afgelast" not in repr(a.items)
    assert "Zeta" not in repr(a.items)
    reads = [r for r in get_store().audit.all() if r["detail"].startswith("centre_caseload:")]
    assert {(r["object_id"], r["user_id"]) for r in reads} == {
        (world["ella"]["id"], world["jonas_a"]["id"])}

    from journal.plugins.testing import TEST_PASSWORD

    client = centre_app.test_client()
    client.post("/login", data={"username": "jonas", "password": TEST_PASSWORD})
    page = client.get("/centre/caseload?refresh=1").get_data(as_text=True)
    assert "Class visit" in page and "09:30-10:15" in page
    assert f'href="{school_url}/t/{world["ella"]["id"]}#visit-{soon["id"]}"' in page


def test_another_teams_pupils_never_appear(centre_app, world):
    parts = _caseload(centre_app, world["jonas"])
    shown = repr([p.items for p in parts.values()])
    assert "Zeta" not in shown


def test_a_colleague_not_on_the_teams_sees_nothing_of_them(centre_app, world, users, app):
    get_store().users.update(users["outsider_support"]["id"],
                             {"identities": [identity("sub-lien")]})
    lien = make_user(centre_app, "lien", ["support"], identities=[identity("sub-lien")])
    parts = _caseload(centre_app, lien)
    assert [i["trajectory"] for i in parts["Basisschool De Linde"].items] == ["Zeta (5A)"]
    assert parts["Sint-Jozef"].status == "no_account"
    assert "Ella" not in repr(parts) and "Mo (2A)" not in repr(parts)


def test_an_account_without_the_support_role_gets_nothing(centre_app, world, users):
    get_store().users.update(users["coordinator"]["id"], {"identities": [identity("sub-zorg")]})
    zorg = make_user(centre_app, "zorg", ["support"], identities=[identity("sub-zorg")])
    assert _caseload(centre_app, zorg)["Basisschool De Linde"].status == "no_account"


def test_matching_is_by_issuer_and_subject_never_by_email(centre_app, world, users):
    get_store().users.update(users["outsider_support"]["id"], {"email": "lien@school.example"})
    other_issuer = make_user(centre_app, "lien", ["support"], email="lien@school.example",
                             identities=[identity("sub-jonas", issuer="https://other.example")])
    parts = _caseload(centre_app, other_issuer)
    assert {p.status for p in parts.values()} == {"no_account"}


def test_each_read_is_audited_at_the_school_as_hers(app, centre_app, world):
    _caseload(centre_app, world["jonas"])
    reads = [r for r in get_store().audit.all() if r["detail"].startswith("centre_caseload:")]
    assert [(r["object_id"], r["user_id"]) for r in reads] == [
        (world["ella"]["id"], world["jonas_a"]["id"])]
    assert reads[0]["pupil_id"] == world["ella"]["pupil_id"]
    assert reads[0]["detail"] == f"centre_caseload:{world['link_a']}"


def test_a_school_that_is_down_shows_not_reachable_and_the_rest_loads(centre_app, world,
                                                                     school_b):
    with centre_app.app_context():
        get_store().federation_links.update(world["link_b"],
                                            {"peer_url": "http://127.0.0.1:9"})
    parts = _caseload(centre_app, world["jonas"])
    assert parts["Sint-Jozef"].status == "unreachable"
    assert parts["Basisschool De Linde"].items
    client = centre_app.test_client()
    from journal.plugins.testing import TEST_PASSWORD

    with centre_app.app_context():
        get_store().users.update(world["jonas"]["id"], {"locale": "nl"})
    client.post("/login", data={"username": "jonas", "password": TEST_PASSWORD})
    page = client.get("/centre/caseload").get_data(as_text=True)
    assert "niet bereikbaar" in page and "Ella (3B)" in page


def test_answers_are_cached_briefly_and_unlinking_removes_them_at_once(app, centre_app,
                                                                      world):
    first = _caseload(centre_app, world["jonas"])
    assert first["Basisschool De Linde"].items
    reads = len(get_store().audit.all())
    _caseload(centre_app, world["jonas"])
    assert len(get_store().audit.all()) == reads  # from the centre's memory: not asked again
    links.revoke(admin("school-admin"), world["link_a"])
    after = _caseload(centre_app, world["jonas"])
    assert "Basisschool De Linde" not in after and "Sint-Jozef" in after
    with centre_app.app_context():
        cache = centre_app.extensions["journal.caseload_cache"]
        assert cache.get(world["jonas"]["id"], world["link_a"]) is None


def test_a_school_that_stops_sharing_caseloads_is_asked_no_more(app, centre_app, world):
    link = get_store().federation_links.get(world["link_a"])
    links.set_shares(admin("school-admin"), link["id"], links.clean_shares(["library"]))
    parts = _caseload(centre_app, world["jonas"])
    assert parts["Basisschool De Linde"].status == "not_shared"
    assert not parts["Basisschool De Linde"].items


def test_hostile_items_from_a_school_are_dropped_or_shown_as_text():
    from tests.security.corpus import all_hostile
    from tests.security.corpus import sample

    for text in sample(all_hostile(), 80):
        item = centre_caseload.clean_item({"kind": "quiet", "trajectory": text, "text": text,
                                           "due": text, "path": text}, "https://school.example")
        assert item is None  # a path that is not one of the journal's is never linked
        item = centre_caseload.clean_item({"kind": "quiet", "trajectory": text, "text": text,
                                           "due": text, "path": "/t/abc"}, "https://s.example")
        assert item["url"] == "https://s.example/t/abc" and item["due"] in ("", text)
        item = centre_caseload.clean_item({"kind": "visit", "time": text, "path": "/t/a"},
                                          "https://s.example")
        assert item["time"] in ("", text) and "<" not in item["time"]
        assert len(item["trajectory"]) <= 80
    for path in ("//evil.example/t/x", "/t/x/../../admin", "javascript:alert(1)", "/t/a?b=c",
                 "/t/ab/goals/../x", "/t/a#visit-b/../../admin", "/t/a#top",
                 "/t/a#visit-b\n", "/t/a/goals/b#visit-c"):
        assert centre_caseload.clean_item({"kind": "quiet", "path": path}, "https://s") is None
    for time in ("9:30", "09:30-", "09:30\n", "09:30-10:15-11:00", "<b>09:30</b>"):
        assert centre_caseload.clean_item({"kind": "visit", "time": time, "path": "/t/a"},
                                          "https://s")["time"] == ""
    assert centre_caseload.clean_item({"kind": "visit", "time": "09:30", "path": "/t/a#visit-b"},
                                      "https://s") == {
        "kind": "visit", "trajectory": "", "text": "", "due": "", "time": "09:30",
        "url": "https://s/t/a#visit-b"}
