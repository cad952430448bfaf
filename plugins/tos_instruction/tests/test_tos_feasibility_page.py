"""The per-teacher feasibility page of the TOS plugin, through the HTTP surface."""

from __future__ import annotations

import html

import pytest

import journal_tos_instruction as plugin

NAME = "tos_instruction"


@pytest.fixture
def host(register_plugin, plugin_host):
    """The app's plugin host with the TOS plugin registered, mounted and enabled."""
    register_plugin(plugin, NAME)
    return plugin_host


@pytest.fixture
def trajectory(host, users, make_trajectory):
    """A TOS trajectory with the teacher and the ondersteuner on its team."""
    return make_trajectory(users["teacher"], users["support"], title="Traject TOS 2A",
                           focus_areas=["tos"])


def url(trajectory, rest=""):
    return f"/p/{NAME}/trajectories/{trajectory['id']}/feasibility{rest}"


def stored(trajectory):
    from journal.storage import get_store

    found = get_store().plugin_table(NAME).find(trajectory_id=trajectory["id"])
    return found[0] if found else None


def page(client, trajectory):
    response = client.get(url(trajectory))
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def add_teacher(client, trajectory, label):
    return client.post(url(trajectory, "/teachers"), data={"label": label})


def cell(doc, label):
    return next(t["key"] for t in doc["teachers"] if t["label"] == label)


def test_a_member_sees_the_default_adaptations_and_is_asked_for_teachers(
        client, login, users, trajectory):
    text = page(login(client, users["teacher"]), trajectory)
    assert "Haalbaarheid per leraar" in text
    back = trajectory["id"]
    assert f'<a href="/t/{back}">Terug naar het traject Traject TOS 2A</a>' in text
    assert "Er staan nog geen leraren in het overzicht" in text
    assert 'name="label"' in text and "Vak en leraar" in text
    assert stored(trajectory) is None  # reading never writes


def test_someone_outside_the_team_gets_404(client, login, users, trajectory):
    login(client, users["outsider_teacher"])
    assert client.get(url(trajectory)).status_code == 404
    assert add_teacher(client, trajectory, "Frans").status_code == 404
    assert stored(trajectory) is None


def test_a_coordinator_reads_but_cannot_change_it(client, login, users, trajectory):
    login(client, users["teacher"])
    add_teacher(client, trajectory, "Frans – mevr. Peeters")
    client.post("/logout")
    login(client, users["coordinator"])
    text = page(client, trajectory)
    assert "Frans – mevr. Peeters" in text
    assert "<select" not in text and "Leraar toevoegen" not in text
    assert add_teacher(client, trajectory, "Wiskunde").status_code == 403
    assert len(stored(trajectory)["teachers"]) == 1


def test_the_page_is_gone_while_the_plugin_is_disabled(client, login, users, host, trajectory):
    login(client, users["teacher"])
    host.disable(NAME)
    assert client.get(url(trajectory)).status_code == 404
    assert add_teacher(client, trajectory, "Frans").status_code == 404
    host.enable(NAME)
    assert client.get(url(trajectory)).status_code == 200


def test_unknown_trajectory_is_404_and_anonymous_users_go_to_sign_in(
        client, login, users, trajectory):
    assert client.get(url(trajectory)).status_code == 302
    login(client, users["teacher"])
    assert client.get(f"/p/{NAME}/trajectories/nope/feasibility").status_code == 404


def test_teachers_become_columns_and_a_bad_label_is_explained_and_kept(
        client, login, users, trajectory):
    login(client, users["support"])
    assert add_teacher(client, trajectory, "Frans – mevr. Peeters").status_code == 302
    assert add_teacher(client, trajectory, "Wiskunde – dhr. Claes").status_code == 302
    text = page(client, trajectory)
    assert '<th scope="col">Frans – mevr. Peeters</th>' in text
    assert '<th scope="col">Wiskunde – dhr. Claes</th>' in text

    response = add_teacher(client, trajectory, "frans – MEVR. peeters")
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "Deze leraar staat al in het overzicht." in text
    assert 'value="frans – MEVR. peeters"' in text
    assert add_teacher(client, trajectory, "   ").status_code == 400
    assert [t["label"] for t in stored(trajectory)["teachers"]] == [
        "Frans – mevr. Peeters", "Wiskunde – dhr. Claes"]


def test_marks_are_stored_and_shown_with_a_summary_per_adaptation(
        client, login, users, trajectory):
    login(client, users["teacher"])
    add_teacher(client, trajectory, "Frans")
    add_teacher(client, trajectory, "Wiskunde")
    doc = stored(trajectory)
    fr, wi = cell(doc, "Frans"), cell(doc, "Wiskunde")
    response = client.post(url(trajectory), data={
        "rev": doc["rev"],
        f"feasible.visualise.{fr}": "yes", f"works.visualise.{fr}": "partly",
        f"feasible.visualise.{wi}": "yes",
        f"feasible.wait_time.{wi}": "no",
    })
    assert response.status_code == 302
    marks = stored(trajectory)["marks"]
    assert marks["visualise"] == {fr: {"feasible": "yes", "works": "partly"},
                                  wi: {"feasible": "yes"}}
    assert marks["wait_time"] == {wi: {"feasible": "no"}}

    text = page(client, trajectory)
    assert "Het overzicht is bewaard." in text
    chosen = f'name="works.visualise.{fr}" aria-label="Werkt? '
    assert chosen in text
    select = text.split(chosen, 1)[1].split("</select>", 1)[0]
    assert '<option value="partly" selected="">deels</option>' in select  # sanitised page HTML
    assert "haalbaar voor 2 van 2" in text  # visualise
    assert "werkt bij 0 van 2" in text


def test_a_stale_save_keeps_what_the_user_chose_and_overwrites_nothing(
        client, login, users, app, trajectory):
    login(client, users["teacher"])
    add_teacher(client, trajectory, "Frans")
    doc = stored(trajectory)
    fr = cell(doc, "Frans")
    other = app.test_client()
    login(other, users["support"])
    assert other.post(url(trajectory), data={
        "rev": doc["rev"], f"feasible.visualise.{fr}": "no"}).status_code == 302

    response = client.post(url(trajectory), data={
        "rev": doc["rev"], f"feasible.visualise.{fr}": "yes"})
    assert response.status_code == 409
    text = html.unescape(response.get_data(as_text=True))
    assert "Iemand anders heeft het overzicht intussen gewijzigd" in text
    assert "Bewaard door iemand anders: haalbaar nee" in text
    select = text.split(f'name="feasible.visualise.{fr}"', 1)[1].split("</select>", 1)[0]
    assert '<option value="yes" selected="">ja</option>' in select  # sanitised page HTML
    assert stored(trajectory)["marks"]["visualise"][fr] == {"feasible": "no"}
    assert f'name="rev" value="{stored(trajectory)["rev"]}"' in text


def test_an_invented_value_is_refused(client, login, users, trajectory):
    login(client, users["teacher"])
    add_teacher(client, trajectory, "Frans")
    doc = stored(trajectory)
    response = client.post(url(trajectory), data={
        "rev": doc["rev"], f"feasible.visualise.{cell(doc, 'Frans')}": "misschien"})
    assert response.status_code == 400
    assert stored(trajectory)["marks"] == {}


def test_the_team_chooses_which_adaptations_are_rows(client, login, users, trajectory):
    login(client, users["teacher"])
    add_teacher(client, trajectory, "Frans")
    response = client.post(url(trajectory, "/rows"), data={"rows": ["text_to_speech", "pre_teach"]})
    assert response.status_code == 302
    assert stored(trajectory)["rows"] == ["pre_teach", "text_to_speech"]  # template order
    text = page(client, trajectory)
    assert "Voorleessoftware (tekst naar spraak)" in text.split("<h2>Leraren</h2>")[0]
    assert "Herhalen met dezelfde woorden" not in text.split("<h2>Leraren</h2>")[0]

    response = client.post(url(trajectory, "/rows"), data={})
    assert response.status_code == 400
    assert "Kies minstens één aanpassing" in html.unescape(response.get_data(as_text=True))
    assert client.post(url(trajectory, "/rows"),
                       data={"rows": ["made_up"]}).status_code == 400


def test_removing_a_teacher_drops_the_column_and_its_marks(client, login, users, trajectory):
    login(client, users["teacher"])
    add_teacher(client, trajectory, "Frans")
    add_teacher(client, trajectory, "Wiskunde")
    doc = stored(trajectory)
    fr, wi = cell(doc, "Frans"), cell(doc, "Wiskunde")
    client.post(url(trajectory), data={"rev": doc["rev"], f"feasible.visualise.{fr}": "yes",
                                       f"feasible.visualise.{wi}": "no"})
    assert client.post(url(trajectory, f"/teachers/{fr}/remove")).status_code == 302
    doc = stored(trajectory)
    assert [t["label"] for t in doc["teachers"]] == ["Wiskunde"]
    assert doc["marks"]["visualise"] == {wi: {"feasible": "no"}}
    assert client.post(url(trajectory, f"/teachers/{fr}/remove")).status_code == 404


def test_the_trajectory_sidebar_links_tos_trajectories_to_the_page(
        app, host, trajectory, make_trajectory, users):
    with app.test_request_context():
        (fragment,) = host.fragments("trajectory_sidebar", {"trajectory": trajectory})
        assert f'href="/p/{NAME}/trajectories/{trajectory["id"]}/feasibility"' in str(fragment)
        other = make_trajectory(users["teacher"], focus_areas=["ass"])
        assert host.fragments("trajectory_sidebar", {"trajectory": other}) == []
        assert host.fragments("home_panel", {"trajectory": trajectory}) == []


def test_marks_of_an_adaptation_a_later_version_dropped_are_kept_but_not_shown(
        client, login, users, trajectory):
    from journal.storage import get_store

    get_store().plugin_table(NAME).create({
        "trajectory_id": trajectory["id"], "teachers": [{"key": "tfr", "label": "Frans"}],
        "rows": ["visualise", "retired_item"],
        "marks": {"retired_item": {"tfr": {"feasible": "yes"}}},
    })
    login(client, users["teacher"])
    text = page(client, trajectory)
    assert "retired_item" not in text
    assert client.post(url(trajectory), data={
        "rev": 1, "feasible.visualise.tfr": "partly"}).status_code == 302
    assert stored(trajectory)["marks"] == {"retired_item": {"tfr": {"feasible": "yes"}},
                                           "visualise": {"tfr": {"feasible": "partly"}}}
