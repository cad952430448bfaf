"""Patterns across schools: aggregated figures only, every cell under five pupils
suppressed at the school before sending (4 and 5 pupils), shown side by side to the
centre's director with charts, tables and CSV."""

from __future__ import annotations

from datetime import date

import pytest

from journal.federation import links
from journal.federation import shared_patterns
from journal.process import patterns
from journal.storage import get_store
from tests.support.federation import admin
from tests.support.federation import make_user
from tests.support.federation import pair


def _pupils_with(make_trajectory, make_goal, users, n: int, area: str, *, goals: int = 0,
                 same_pupil: bool = False) -> None:
    """``n`` trajectories with ``area`` (each for its own pupil unless ``same_pupil``);
    the first ``goals`` of them with an achieved goal."""
    today = date.today().isoformat()
    pupil_id = None
    for index in range(n):
        fields = {"focus_areas": [area], "start_date": today}
        if same_pupil and pupil_id:
            fields["pupil_id"] = pupil_id
        trajectory = make_trajectory(users["teacher"], users["support"], **fields)
        pupil_id = trajectory["pupil_id"]
        if index < goals:
            make_goal(trajectory, status="achieved",
                      evaluations=[{"date": today, "status": "achieved", "text": "ok"}])


def _row(rows, area):
    return next(r for r in rows if r["id"] == area)


def test_a_cell_of_four_pupils_is_suppressed_and_five_is_sent(app, users, make_trajectory,
                                                             make_goal):
    _pupils_with(make_trajectory, make_goal, users, 4, "ass", goals=4)
    _pupils_with(make_trajectory, make_goal, users, 5, "tos", goals=5)
    rows = shared_patterns.figures(patterns.school_year_of(date.today()))
    assert _row(rows, "ass")["trajectories"] is None and _row(rows, "ass")["goals_reached"] is None
    assert _row(rows, "tos")["trajectories"] == 5 and _row(rows, "tos")["goals_reached"] == 5
    assert _row(rows, "tos")["adaptations_tried"] is None  # none tried: zero pupils, not sent


def test_cells_count_pupils_not_trajectories(app, users, make_trajectory, make_goal):
    _pupils_with(make_trajectory, make_goal, users, 6, "gedrag", same_pupil=True)
    rows = shared_patterns.figures(patterns.school_year_of(date.today()))
    assert _row(rows, "gedrag")["trajectories"] is None  # six trajectories, one pupil


def test_nothing_but_numbers_and_vocabulary_crosses_the_link(app, users, make_trajectory,
                                                             make_goal, make_pupil):
    pupil = make_pupil(display_name="Zorgleerling Zeta", class_group="Zeta-klas")
    make_trajectory(users["teacher"], pupil_id=pupil["id"], title="Traject Zeta",
                    focus_areas=["ass"], start_date=date.today().isoformat())
    _pupils_with(make_trajectory, make_goal, users, 5, "ass")
    link = {"id": "l", "shares": {"patterns": True}}
    answer = shared_patterns.answer(link, "")
    assert "zeta" not in repr(answer).lower()
    assert set(answer) == {"school_year", "min_pupils", "areas"}


@pytest.fixture
def two_schools(app, users, make_trajectory, make_goal, school_url, centre_app, centre_url,
                tmp_path):
    from journal.plugins.testing import make_test_app
    from tests.support.federation import serving

    _pupils_with(make_trajectory, make_goal, users, 4, "ass", goals=1)
    _pupils_with(make_trajectory, make_goal, users, 5, "type2", goals=2)
    school_b = make_test_app(tmp_path / "b", JOURNAL_SCHOOL_NAME="Sint-Jozef")
    with school_b.app_context():
        for _ in range(7):
            pupil = get_store().pupils.create({"display_name": "P", "class_group": "1A"})
            get_store().trajectories.create({
                "target": "pupil", "pupil_id": pupil["id"], "focus_areas": ["type2"],
                "members": [], "phase": "observation", "start_date": date.today().isoformat(),
                "closed_on": None})
    with serving(school_b) as url_b:
        pair(app, school_url, centre_app, centre_url)
        pair(school_b, url_b, centre_app, centre_url)
        yield school_b


def _director(centre_app):
    from journal.plugins.testing import TEST_PASSWORD

    make_user(centre_app, "katrien", ["director"])
    client = centre_app.test_client()
    client.post("/login", data={"username": "katrien", "password": TEST_PASSWORD})
    return client


def test_the_director_sees_the_schools_side_by_side_with_tables_and_csv(centre_app,
                                                                       two_schools):
    client = _director(centre_app)
    page = client.get("/centre/patterns").get_data(as_text=True)
    assert "Basisschool De Linde" in page and "Sint-Jozef" in page
    assert 'id="chart-trajectories"' in page and "&lt;5" in page
    csv = client.get("/centre/patterns/trajectories.csv").get_data(as_text=True)
    lines = csv.lstrip("\ufeff").splitlines()
    assert lines[0] == "Focus area,Basisschool De Linde,Sint-Jozef"
    rows = {line.split(",")[0]: line.split(",")[1:] for line in lines[1:]}
    assert rows["ASS (autisme)"] == ["<5", "0"]
    assert rows["Type 2 (verstandelijke beperking)"] == ["5", "7"]
    goals = client.get("/centre/patterns/goals_reached.csv").get_data(as_text=True)
    assert "Type 2 (verstandelijke beperking),<5,<5" in goals


def test_a_school_that_stops_sharing_patterns_is_refused_at_the_school(app, centre_app,
                                                                      two_schools):
    (link,) = get_store().federation_links.all()
    links.set_shares(admin("a"), link["id"], links.clean_shares(["caseload"]))
    with centre_app.app_context():
        theirs = get_store().federation_links.get(link["id"])
        # Even a centre that still thinks patterns are shared is refused by the school.
        get_store().federation_links.update(link["id"], {"shares": dict(theirs["shares"],
                                                                         patterns=True)})
        theirs = get_store().federation_links.get(link["id"])
    from journal.federation.client import Unreachable

    with centre_app.app_context(), pytest.raises(Unreachable) as caught:
        links.ask_peer(theirs, "GET", "/federation/v1/patterns")
    assert caught.value.status == 403
    assert any(r["detail"] == "patterns:not_shared" for r in get_store().audit.all())


def test_only_the_director_sees_patterns_across_schools(centre_app):
    from journal.plugins.testing import TEST_PASSWORD

    for roles in (["support"], ["admin"]):
        name = roles[0] + "-user"
        make_user(centre_app, name, roles)
        client = centre_app.test_client()
        client.post("/login", data={"username": name, "password": TEST_PASSWORD})
        assert client.get("/centre/patterns").status_code == 403
        assert client.get("/centre/patterns/trajectories.csv").status_code == 403


def test_hostile_figures_from_a_school_are_dropped():
    from journal.centre.patterns import clean_areas
    from tests.security.corpus import all_hostile
    from tests.security.corpus import sample

    for text in sample(all_hostile(), 80):
        rows = clean_areas([{"id": text, "label": text, "trajectories": text},
                            {"id": "ass", "label": text, "trajectories": -1,
                             "goals_reached": True, "adaptations_tried": 10**12}])
        assert all(r["id"] == "ass" or r["id"] == text and len(text) <= 40 for r in rows)
        row = rows[-1]
        assert row["trajectories"] is None and row["goals_reached"] is None
        assert row["adaptations_tried"] is None and len(row["label"]) <= 80
