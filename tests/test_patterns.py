"""The care coordinator's school-wide patterns: what is counted, filters, CSV, who may see it,
and that no pupil's name ever shows."""

from __future__ import annotations

import csv
import io

import pytest

import journal_ass_predictability as ass_plugin
from journal.plugins.entry_templates import registry
from journal.process import pattern_adaptations
from journal.process import pattern_scope
from journal.process import patterns
from journal.storage import get_store

EN = {"Accept-Language": "en"}
NAMES = ("Amira Zonneveld", "Bodhi Verhaegen", "Casper Moltmans")


def _checklist(make_entry, trajectory, author, answers, *, date, publish=True):
    """Publish an ASS predictability checklist (an agreement from a template)."""
    from journal.plugins.host import get_plugins

    spec = registry.find(get_plugins(), "ass_predictability.adaptations")
    return make_entry(trajectory, author, "agreement", publish=publish, template=spec,
                      answers=answers, date=date, what="Voorspelbaarheid", applied_by="klasleraar",
                      from_date=date, review_date="2026-06-30")


@pytest.fixture
def school(app, users, register_plugin, make_pupil, make_trajectory, make_goal, make_entry):
    """Three pupils in three class groups; ASS in 3A and 3B, TOS in 3B and 1A."""
    register_plugin(ass_plugin, "ass_predictability")
    amira = make_pupil(NAMES[0], "3A")
    bodhi = make_pupil(NAMES[1], "3B")
    casper = make_pupil(NAMES[2], "1A")
    team = (users["teacher"], users["support"])
    t1 = make_trajectory(*team, pupil_id=amira["id"], focus_areas=["ass"],
                         start_date="2024-10-01", phase="implementation")
    t2 = make_trajectory(*team, pupil_id=bodhi["id"], focus_areas=["ass", "tos"],
                         start_date="2025-01-10", phase="closed", closed_on="2025-06-20")
    t3 = make_trajectory(*team, pupil_id=casper["id"], focus_areas=["tos"],
                         start_date="2023-11-01", phase="closed", closed_on="2024-03-01")
    teacher = users["teacher"]
    # Amira: the day schedule first "to try", later it works; the visual steps work.
    _checklist(make_entry, t1, teacher, {"time": {"day_schedule": {"status": "ga_ik_proberen", "note": ""}},
                             "activities": {"visual_steps": {"status": "werkt", "note": ""}}},
               date="2024-11-04")
    _checklist(make_entry, t1, teacher, {"time": {"day_schedule": {"status": "werkt", "note": "Amira kijkt"}}},
               date="2025-02-03")
    # Bodhi: the visual steps work too; the fixed workspace does not.
    _checklist(make_entry, t2, teacher, {"activities": {"visual_steps": {"status": "werkt", "note": ""}},
                             "places": {"fixed_workspace": {"status": "werkt_niet", "note": ""}}},
               date="2025-03-03")
    # A draft is private to its author: never counted.
    _checklist(make_entry, t2, teacher, {"persons": {"who_present": {"status": "werkt", "note": ""}}},
               date="2025-03-10", publish=False)
    # Casper: a free agreement that names another pupil in its first line.
    make_entry(t3, teacher, "agreement", what="Amira en Casper krijgen een time-outkaart",
               date="2023-12-04", from_date="2023-12-04", review_date="2024-01-31",
               tags="compenseren, overgangen")
    make_entry(t1, teacher, "observation", seen="Kijkt naar het bord.", date="2025-01-13",
               tags="overgangen")
    make_goal(t1, text="Amira werkt tien minuten zelfstandig.", status="achieved",
              evaluations=[{"id": "e1", "date": "2025-03-10", "author_id": teacher["id"],
                            "text": "Gelukt", "html": "<p>Gelukt</p>", "status": "achieved"}],
              created_at="2024-10-14T09:00:00+00:00")
    make_goal(t2, text="Bodhi vraagt hulp.", status="ongoing",
              created_at="2025-01-20T09:00:00+00:00")
    # Set after the school year 2024-2025: not counted in it.
    make_goal(t2, text="Later doel.", status="ongoing", created_at="2025-09-15T09:00:00+00:00")
    return {"t1": t1, "t2": t2, "t3": t3}


def rows_of(overview, chart_id):
    return {label: values for label, values in overview.chart(chart_id).rows}


def test_school_years_run_from_september_to_august():
    assert pattern_scope.school_year_of("2024-09-01") == "2024-2025"
    assert pattern_scope.school_year_of("2025-08-31") == "2024-2025"
    assert pattern_scope.school_year_of("2025-09-01") == "2025-2026"
    assert pattern_scope.year_bounds("2024-2025") == ("2024-09-01", "2025-08-31")
    assert pattern_scope.year_months("2024-2025")[0] == "2024-09"
    assert pattern_scope.year_months("2024-2025")[-1] == "2025-08"
    with pytest.raises(ValueError):
        pattern_scope.year_bounds("2024-2026")


def test_focus_areas_count_open_and_closed_trajectories(school):
    found = patterns.overview(patterns.Filters())
    assert found.trajectory_count == 3
    rows = rows_of(found, "focus_areas")
    assert rows["ASS (autisme)"] == {"open": 1, "closed": 1}
    assert rows["TOS (taalontwikkelingsstoornis)"] == {"closed": 2}


def test_adaptations_tried_versus_working_count_the_latest_status_once(school):
    found = patterns.overview(patterns.Filters())
    by_category = rows_of(found, "adaptations_by_category")
    # compenseren: day schedule (works, counted once), visual steps twice (work),
    # fixed workspace (does not work), and Casper's free agreement (tagged compenseren).
    assert by_category["Compenseren"] == {"tried": 5, "working": 3, "not_working": 1}
    by_class = rows_of(found, "adaptations_by_class")
    assert by_class["3A"] == {"tried": 2, "working": 2, "not_working": 0}
    assert by_class["3B"] == {"tried": 2, "working": 1, "not_working": 1}  # the draft is not counted
    assert by_class["1A"] == {"tried": 1, "working": 0, "not_working": 0}
    by_area = rows_of(found, "adaptations_by_focus_area")
    assert by_area["ASS (autisme)"]["working"] == 3


def test_goals_by_status_and_goals_achieved_over_time(school):
    found = patterns.overview(patterns.Filters(school_year="2024-2025"))
    assert rows_of(found, "goals")["Achieved"] == {"goals": 1}
    assert rows_of(found, "goals")["Ongoing"] == {"goals": 1}
    months = rows_of(found, "over_time")
    assert list(months)[0] == "2024-09" and len(months) == 12
    assert months["2024-10"] == {"opened": 1}
    assert months["2025-01"] == {"opened": 1}
    assert months["2025-03"] == {"achieved": 1}
    assert months["2025-06"] == {"closed": 1}
    # Without a school year: one row per school year.
    years = rows_of(patterns.overview(patterns.Filters()), "over_time")
    assert years["2023-2024"] == {"opened": 1, "closed": 1}
    assert years["2024-2025"] == {"opened": 2, "closed": 1, "achieved": 1}


def test_challenges_several_class_groups_meet(school):
    shared = patterns.overview(patterns.Filters()).shared
    found = {(i["kind"], i["label"]): i["classes"] for i in shared}
    assert found[("focus_area", "ASS (autisme)")] == ["3A", "3B"]
    assert found[("focus_area", "TOS (taalontwikkelingsstoornis)")] == ["1A", "3B"]
    visual = next(k for k in found if k[0] == "adaptation" and "stappenplan" in k[1])
    assert found[visual] == ["3A", "3B"]
    assert found[("tag", "overgangen")] == ["1A", "3A"]
    # Met in one class group only: not a shared challenge.
    assert not any("Dagschema" in label for _kind, label in found)


def test_working_adaptations_point_to_their_latest_source(school):
    working = patterns.overview(patterns.Filters()).working
    first = working[0]
    assert "stappenplan" in first["label"] and first["working"] == 2
    assert first["classes"] == ["3A", "3B"]
    assert first["source"].item == "activities.visual_steps"
    entry = get_store().entries.get(first["source"].entry_id)
    assert entry["trajectory_id"] == school["t2"]["id"]  # the most recent one


def test_filters_narrow_every_chart(school):
    year = patterns.overview(patterns.Filters(school_year="2024-2025"))
    assert year.trajectory_count == 2  # Casper's trajectory closed before September 2024
    assert "1A" not in rows_of(year, "adaptations_by_class")
    only_3a = patterns.overview(patterns.Filters(class_group="3A"))
    assert only_3a.trajectory_count == 1
    assert list(rows_of(only_3a, "adaptations_by_class")) == ["3A"]
    assert only_3a.shared == []
    tos = patterns.overview(patterns.Filters(focus_area="tos"))
    assert tos.trajectory_count == 2
    assert rows_of(tos, "focus_areas")["TOS (taalontwikkelingsstoornis)"] == {"closed": 2}


def test_labels_from_typed_text_never_carry_a_pupils_name(school):
    found = patterns.overview(patterns.Filters())
    labels = [label for chart in found.charts for label, _values in chart.rows]
    labels += [i["label"] for i in found.shared] + [i["label"] for i in found.working]
    labels += [a.label for a in pattern_adaptations.adaptations(list(school.values()))]
    free = next(label for label in labels if "time-outkaart" in label)
    assert free == "[name removed] en [name removed] krijgen een time-outkaart"
    assert not any(part in label for label in labels for name in NAMES for part in name.split())


def test_the_coordinator_sees_charts_tables_and_filters(client, login, school):
    login(client, "coordinator")
    page = client.get("/patterns/?school_year=2024-2025", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') == 7
    assert "<table" in html and "Table behind this chart" in html
    assert '<option value="2024-2025" selected>' in html
    assert 'href="/patterns/focus_areas.csv?school_year=2024-2025"' in html
    assert "style=" not in html and "<script>" not in html
    for name in NAMES:
        for part in name.split():
            assert part not in html


def test_a_long_list_of_working_adaptations_shows_the_most_working_first_and_the_rest_on_request(
        client, login, school, monkeypatch):
    from journal.web import patterns as page

    working = patterns.overview(patterns.Filters()).working
    assert len(working) >= 2
    monkeypatch.setattr(page, "WORKING_ROWS", 1)
    login(client, "coordinator")
    html = client.get("/patterns/", headers=EN).get_data(as_text=True)
    section = html[html.index('id="working"'):]
    assert working[0]["label"] in section and working[1]["label"] not in section
    assert f"Show {len(working) - 1} more" in section
    assert 'href="/patterns/?all=1#working"' in section
    everything = client.get("/patterns/?all=1", headers=EN).get_data(as_text=True)
    section = everything[everything.index('id="working"'):]
    assert all(item["label"] in section for item in working) and "more</a>" not in section


def test_unknown_filter_values_count_as_all(client, login, school):
    login(client, "coordinator")
    html = client.get("/patterns/?school_year=1999-2000&class_group=9Z&focus_area=x",
                      headers=EN).get_data(as_text=True)
    assert "3 trajectories counted." in html


@pytest.mark.parametrize("who", ["teacher", "support", "admin"])
def test_only_the_coordinator_sees_the_patterns(client, login, school, who):
    login(client, who)
    assert client.get("/patterns/").status_code == 403
    assert client.get("/patterns/focus_areas.csv").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, school):
    response = client.get("/patterns/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_csv_is_the_table_behind_the_chart_with_the_same_filters(client, login, school):
    login(client, "coordinator")
    response = client.get("/patterns/adaptations_by_class.csv?school_year=2024-2025", headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "2024-2025" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Class group", "Tried", "Working", "Not working"]
    assert ["3A", "2", "2", "0"] in rows and ["3B", "2", "1", "1"] in rows
    assert not any(r[0] == "1A" for r in rows)
    assert client.get("/patterns/nothing.csv").status_code == 404
    actions = [(r["action"], r["detail"]) for r in get_store().audit.all()]
    assert ("export", "csv:adaptations_by_class") in actions


def test_an_empty_school_shows_no_charts_but_says_so(client, login, users):
    login(client, "coordinator")
    html = client.get("/patterns/", headers=EN).get_data(as_text=True)
    assert "Nothing to count for these filters." in html
    assert "0 trajectories counted." in html


def test_each_trajectory_is_read_once_and_again_only_after_it_changed(
        app, client, login, school, users, make_entry, monkeypatch):
    """A school has thousands of trajectories: the page reads a trajectory's entries and register
    rows again only when something of it changed (derived at start by `journal serve`)."""
    derived = []
    original = pattern_adaptations.adaptations
    monkeypatch.setattr(pattern_adaptations, "adaptations", lambda trajectories, *a, **k: (
        derived.extend(t["id"] for t in trajectories) or original(trajectories, *a, **k)))
    pattern_adaptations.derive_all(app)  # what `journal serve` does after start
    assert sorted(derived) == sorted([school[t]["id"] for t in ("t1", "t2", "t3")] * 2)  # nl, en
    login(client, "coordinator")
    derived.clear()
    first = client.get("/patterns/", headers=EN).get_data(as_text=True)
    assert derived == []
    assert "Amira" not in first
    make_entry(school["t2"], users["teacher"], "agreement", what="Koptelefoon bij groepswerk",
               tags="werkt")
    again = client.get("/patterns/?all=1", headers=EN).get_data(as_text=True)
    assert derived == [school["t2"]["id"]]
    assert "Koptelefoon bij groepswerk" in again and "Koptelefoon" not in first
