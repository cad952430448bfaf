"""The three stories of issue #6, walked end to end through the pages (Flask test client).

1. A secondary-school pupil with TOS: the care coordinator opens the request; the
   ondersteuner records a participatory observation; goals with review dates are set with
   the team; four teachers each mark which instruction adaptations are feasible and which
   work; a one-to-one moment is recorded with its justification and return date.
2. A kleuter with ASS: predictability adaptations are tried and reflected on by teacher and
   ondersteuner; goals are evaluated; the handover sheet is published; the trajectory closes.
3. The care coordinator sees that several classes struggle with the same challenge, promotes
   a working adaptation to the whole school, and shares it as a practice example that a
   second instance imports.
"""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

import journal_ass_predictability as ass_plugin
import journal_tos_instruction as tos_plugin
from journal.plugins.entry_templates import registry
from journal.process import adaptation_rows as register
from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD
from journal.plugins.testing import form_data
from journal.plugins.testing import make_test_app

EN = {"Accept-Language": "en"}


def as_user(app, name):
    """A fresh browser session signed in as ``name``."""
    client = app.test_client()
    response = client.post("/login", data={"username": name, "password": TEST_PASSWORD})
    assert response.status_code == 302, f"login as {name} failed"
    return client


def ok(response, status=302):
    if response.status_code != status:
        body = response.get_data(as_text=True)
        errors = re.findall(r'class="field-error"[^>]*>([^<]*)<', body)
        raise AssertionError(f"{response.status_code} instead of {status}: {errors or body[-1500:]}")
    return response


def page(client, url) -> str:
    return ok(client.get(url, headers=EN), 200).get_data(as_text=True)


def spec_of(template_id):
    from journal.plugins.host import get_plugins

    return registry.find(get_plugins(), template_id)


def move(client, trajectory_id, phase, **extra):
    return client.post(f"/t/{trajectory_id}/phase", data={"phase": phase, **extra}, headers=EN)


def entry_of(location: str) -> dict:
    return get_store().entries.get(location.rstrip("/").split("/")[-1])


@pytest.fixture
def staff(app, users):
    """The fixture accounts plus three more teachers (a secondary pupil has many)."""
    people = dict(users)
    for n in (2, 3, 4):
        people[f"teacher{n}"] = get_store().users.create({
            "username": f"teacher{n}", "display_name": f"Leraar {n}", "roles": ["teacher"],
            "password_hash": users["teacher"]["password_hash"], "active": True, "locale": "en"})
    return people


# -- story 1 ----------------------------------------------------------------------------------

def test_story_1_secondary_pupil_with_tos(app, staff, register_plugin):
    register_plugin(tos_plugin, "tos_instruction")
    teachers = ["teacher", "teacher2", "teacher3", "teacher4"]

    # The care coordinator opens the request: the educational need and the learning question.
    coordinator = as_user(app, "coordinator")
    form = MultiDict({
        "target": "pupil", "pupil_id": "new", "new_pupil_name": "Yasmina", "new_pupil_class": "4B",
        "title": "", "educational_need": "Begrijpt meerledige instructies niet bij het eerste horen.",
        "learning_question": "Hoe geef ik instructie zodat Yasmina mee is, zonder de klas te remmen?",
        "start_date": "2025-09-15", "planned_end_date": "2026-03-31", "focus_areas": "tos",
        f"member-{staff['support']['id']}": "support",
        **{f"member-{staff[t]['id']}": "teacher" for t in teachers},
    })
    response = ok(coordinator.post("/t/new", data=form, headers=EN))
    trajectory_id = response.headers["Location"].rstrip("/").split("/")[-1]
    trajectory = get_store().trajectories.get(trajectory_id)
    assert trajectory["phase"] == "intake" and trajectory["focus_areas"] == ["tos"]
    assert len(trajectory["members"]) == 6
    ok(move(coordinator, trajectory_id, "observation"))

    # The ondersteuner records a participatory observation in the Dutch lesson.
    support = as_user(app, "support")
    response = ok(support.post(f"/t/{trajectory_id}/entries/new?kind=observation", data={
        "date": "2025-09-22", "class_group": "4B", "lesson": "Frans", "moment": "maandag, 3e uur",
        "seen": "Ik deed mee met het groepswerk. Na een opdracht in drie stappen begon Yasmina "
                "pas toen haar buur de eerste stap voordeed.",
        "quick_wins": "- Stappen op het bord\n- Eerst voordoen",
        "tags": "participerende observatie", "action": "publish"}, headers=EN))
    observation = entry_of(response.headers["Location"])
    assert observation["status"] == "published" and observation["authors"] == [staff["support"]["id"]]

    # Goals with review dates, set with the team.
    ok(support.post(f"/t/{trajectory_id}/phase", data={"phase": "goals"}, headers=EN))
    for text, review in (("Yasmina start zelfstandig na een instructie in stappen.", "2025-11-14"),
                         ("Yasmina vraagt zelf om herhaling als ze iets niet begrijpt.", "2025-12-19")):
        ok(support.post(f"/t/{trajectory_id}/goals/new", data={
            "text": text, "owner_id": staff["teacher"]["id"], "review_date": review,
            "status": "ongoing"}, headers=EN))
    goals = get_store().goals.find(trajectory_id=trajectory_id)
    assert sorted(g["review_date"] for g in goals) == ["2025-11-14", "2025-12-19"]
    shown = page(support, f"/t/{trajectory_id}")
    assert "Yasmina start zelfstandig" in shown

    # Instruction adaptations agreed from the TOS checklist.
    ok(support.post(f"/t/{trajectory_id}/phase", data={"phase": "implementation"}, headers=EN))
    spec = spec_of("tos_instruction.adaptations")
    answers = {"instruction": {key: {"status": "ga_ik_proberen", "note": ""}
                               for key in ("single_step", "visualise", "split_and_project")}}
    data = form_data(spec, answers, prefix="tpl_")
    data.update({"date": "2025-10-01", "what": "Instructie in stappen, gevisualiseerd",
                 "applied_by": "alle leraren van 4B", "from_date": "2025-10-01",
                 "review_date": "2025-11-14", "action": "publish"})
    response = ok(support.post(f"/t/{trajectory_id}/entries/new?kind=agreement"
                               f"&template={spec.id}", data=data, headers=EN))
    agreement = entry_of(response.headers["Location"])
    assert "Visualiseren" in page(support, f"/t/{trajectory_id}/adaptations")

    # Four teachers each mark, per adaptation, whether it is feasible and whether it works.
    marks = {  # teacher -> {item: (feasible, works)}
        "teacher": {"visualise": ("yes", "yes"), "split_and_project": ("yes", "yes")},
        "teacher2": {"visualise": ("yes", "yes"), "split_and_project": ("yes", "no")},
        "teacher3": {"visualise": ("yes", "unknown"), "split_and_project": ("no", "no")},
        "teacher4": {"visualise": ("yes", "yes"), "split_and_project": ("yes", "yes")},
    }
    for name, items in marks.items():
        client = as_user(app, name)
        for item, (feasible, works) in items.items():
            ok(client.post(f"/t/{trajectory_id}/adaptations/item/rate", data={
                "key": f"entry.{agreement['id']}.instruction.{item}", "teacher": "",
                "feasible": feasible, "works": works, "note": ""}, headers=EN))
    trajectory = get_store().trajectories.get(trajectory_id)
    rows = {r["item"]: r for r in register.rows_for(trajectory) if r.get("item")}
    visualise = rows["visualise"]["summary"]
    assert visualise["teachers"] == 4
    assert visualise["feasible"]["yes"] == 4 and visualise["works"]["yes"] == 3
    split = rows["split_and_project"]["summary"]
    assert split["feasible"] == {"yes": 3, "no": 1, "unknown": 0}
    assert split["works"]["yes"] == 2 and split["works"]["no"] == 2
    item_page = page(support, f"/t/{trajectory_id}/adaptations/item"
                              f"?key=entry.{agreement['id']}.instruction.visualise")
    for n in (2, 3, 4):
        assert f"Leraar {n}" in item_page

    # A one-to-one moment needs its justification and a return date.
    one_to_one = {"date": "2025-10-20", "what": "Woordenschat van het nieuwe hoofdstuk voorbereiden.",
                  "serves_learning_question": "De leraar ziet welke woorden ze vooraf moet aanbrengen.",
                  "lowers_barriers": "", "return_to_class": "2025-10-27", "action": "publish"}
    refused = support.post(f"/t/{trajectory_id}/entries/new?kind=one_to_one", data=one_to_one,
                           headers=EN)
    assert refused.status_code == 400
    assert "Woordenschat van het nieuwe hoofdstuk" in refused.get_data(as_text=True)
    one_to_one["lowers_barriers"] = "Met de woorden vooraf volgt ze de les in de klas zelf."
    response = ok(support.post(f"/t/{trajectory_id}/entries/new?kind=one_to_one",
                               data=one_to_one, headers=EN))
    moment = entry_of(response.headers["Location"])
    assert moment["fields"]["return_to_class"] == "2025-10-27"
    timeline = page(as_user(app, "teacher3"), f"/t/{trajectory_id}")
    card = timeline[timeline.index(f'id="entry-{moment["id"]}"'):]
    card = card[:card.index("</article>")]
    assert "One-to-one moment" in card
    assert "Met de woorden vooraf volgt ze de les" in card  # why, in the long run
    assert "De leraar ziet welke woorden" in card  # how it serves the learning question
    assert 'datetime="2025-10-27"' in card  # back to the class


# -- story 2 ----------------------------------------------------------------------------------

def test_story_2_kleuter_with_ass(app, users, register_plugin):
    register_plugin(ass_plugin, "ass_predictability")
    support = as_user(app, "support")
    response = ok(support.post("/t/new", data=MultiDict({
        "target": "pupil", "pupil_id": "new", "new_pupil_name": "Lotte", "new_pupil_class": "K2",
        "educational_need": "Raakt overstuur bij "
        "onverwachte overgangen.", "learning_question": "Hoe maak ik de dag voorspelbaar?",
        "start_date": "2025-09-08", "focus_areas": "ass",
        f"member-{users['support']['id']}": "support",
        f"member-{users['teacher']['id']}": "teacher"}), headers=EN))
    trajectory_id = response.headers["Location"].rstrip("/").split("/")[-1]
    ok(move(support, trajectory_id, "implementation"))
    ok(support.post(f"/t/{trajectory_id}/goals/new", data={
        "text": "Lotte stapt rustig over naar een nieuwe activiteit met haar dagschema.",
        "owner_id": users["teacher"]["id"], "review_date": "2025-12-19", "status": "ongoing"},
        headers=EN))
    (goal,) = get_store().goals.find(trajectory_id=trajectory_id)

    # The teacher tries predictability adaptations from the ASS checklist.
    teacher = as_user(app, "teacher")
    spec = spec_of("ass_predictability.adaptations")

    def checklist(statuses, day):
        data = form_data(spec, {"time": {"day_schedule": {"status": statuses[0], "note": ""}},
                                "activities": {"visual_steps": {"status": statuses[1], "note": ""}}},
                         prefix="tpl_")
        data.update({"date": day, "what": "Dagschema en stappenplan", "applied_by": "klasjuf",
                     "from_date": day, "review_date": "2025-12-19", "action": "publish"})
        return ok(teacher.post(f"/t/{trajectory_id}/entries/new?kind=agreement&template={spec.id}",
                               data=data, headers=EN))

    checklist(("ga_ik_proberen", "ga_ik_proberen"), "2025-09-29")

    # Teacher and ondersteuner reflect together on what they tried.
    response = ok(teacher.post(f"/t/{trajectory_id}/entries/new?kind=reflection", data=MultiDict({
        "date": "2025-10-13", "model": "korthagen", "co_authors": users["support"]["id"],
        "phase_handelen": "Ik wilde elke overgang aankondigen met het dagschema.",
        "conclusions": "Het dagschema helpt; het stappenplan is nog te lang.",
        "next_steps": "Stappenplan inkorten tot drie prenten.", "action": "publish"}), headers=EN))
    reflection = entry_of(response.headers["Location"])
    ok(support.post(f"/t/{trajectory_id}/entries/{reflection['id']}/contributions", data={
        "phase": "terugblikken", "text": "Bij de overgang naar de speelplaats keek Lotte zelf "
        "naar haar schema."}, headers=EN))
    reflection = get_store().entries.get(reflection["id"])
    authors = {c["author_id"] for c in reflection["fields"]["contributions"]}
    assert authors == {users["teacher"]["id"], users["support"]["id"]}
    assert reflection["status"] == "published"
    checklist(("werkt", "werkt_niet"), "2025-11-17")
    rows = {r["item"]: r for r in register.rows_for(get_store().trajectories.get(trajectory_id))
            if r.get("item")}
    assert rows["day_schedule"]["status"] == "werkt"

    # The goal is evaluated.
    ok(support.post(f"/t/{trajectory_id}/goals/{goal['id']}/evaluate", data={
        "date": "2025-12-19", "text": "Met het dagschema lukt het bijna altijd.",
        "status": "achieved", "next_review_date": ""}, headers=EN))
    assert get_store().goals.get(goal["id"])["status"] == "achieved"

    # Closing waits for the handover sheet.
    ok(move(support, trajectory_id, "fading_out"))
    refused = move(support, trajectory_id, "closed", confirm_close="yes")
    assert refused.status_code == 400
    assert "handover sheet is not published" in unescape(refused.get_data(as_text=True))

    # The "wat werkt" sheet, drafted from the record, is published.
    drafted = page(support, f"/t/{trajectory_id}/handover/edit")
    assert "dagschema" in drafted.lower()
    ok(support.post(f"/t/{trajectory_id}/handover/edit", data={
        "need": "Lotte heeft voorspelbaarheid nodig bij overgangen.",
        "works": "- Dagschema met prenten, elke overgang aankondigen",
        "when_wrong": "Rustig benoemen wat er nu komt; het schema tonen.",
        "contacts": "Klasjuf en de ondersteuner.", "rev": "0", "action": "publish"}, headers=EN))
    sheet = page(as_user(app, "teacher"), f"/t/{trajectory_id}/handover")
    assert "Dagschema met prenten" in sheet

    # Now the trajectory closes.
    ok(move(support, trajectory_id, "closed", confirm_close="yes"))
    closed = get_store().trajectories.get(trajectory_id)
    assert closed["phase"] == "closed" and closed["closed_on"]


# -- story 3 ----------------------------------------------------------------------------------

def test_story_3_from_a_school_wide_pattern_to_another_schools_library(
        app, users, register_plugin, make_pupil, make_trajectory, make_entry, tmp_path):
    register_plugin(tos_plugin, "tos_instruction")
    spec = spec_of("tos_instruction.adaptations")
    # Three classes meet the same challenge; splitting instructions works in each.
    for name, group in (("Amir", "1A"), ("Bente", "2B"), ("Cato", "3C")):
        pupil = make_pupil(name, group)
        trajectory = make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                                     focus_areas=["tos"], phase="implementation")
        make_entry(
            trajectory, users["teacher"], "agreement", template=spec,
            answers={"instruction": {"split_and_project": {"status": "werkt",
                                                           "note": f"{name} volgt nu mee"}}},
            date="2025-10-06", what="Instructie in stappen", applied_by="klasleraar",
            from_date="2025-10-06", review_date="2025-12-19")

    # The care coordinator sees the shared challenge on the patterns page.
    coordinator = as_user(app, "coordinator")
    patterns_page = page(coordinator, "/patterns/")
    shared = patterns_page[patterns_page.index('class="shared-challenges"'):]
    assert "TOS (taalontwikkelingsstoornis)" in shared and "1A, 2B, 3C" in shared
    assert "Een opdracht met meerdere stappen opsplitsen" in shared
    for name in ("Amir", "Bente", "Cato"):
        assert name not in patterns_page

    # From the row of adaptations that work, to the register, where it is promoted.
    register_link = unescape(re.search(r'href="([^"]*/adaptations/item\?key=[^"]*)"',
                                       patterns_page).group(1))
    assert "Een opdracht met meerdere stappen" in page(coordinator, register_link)
    trajectory_id = register_link.split("/")[2]
    key = register_link.split("key=")[1]
    ok(coordinator.post(f"/t/{trajectory_id}/adaptations/item/promote", data={
        "key": key, "scope": "school", "class_group": "",
        "text": "Een opdracht met meerdere stappen opsplitsen en de stappen op het bord "
                "projecteren."}, headers=EN))
    assert "op het bord projecteren" in page(as_user(app, "outsider_teacher"), "/adaptations/school")

    # ... and shares it as a practice example: review the exact file, then download it.
    library = page(coordinator, "/practice/")
    new_link = unescape(re.search(r'href="(/practice/new\?adaptation_id=[^"]*)"', library).group(1))
    form = page(coordinator, new_link)
    assert "op het bord projecteren" in form
    adaptation_id = new_link.split("=")[1]
    review = coordinator.post("/practice/new", data={
        "adaptation_id": adaptation_id, "title": "Meerstappenopdrachten splitsen",
        "text": "Een opdracht met meerdere stappen opsplitsen en de stappen op het bord "
                "projecteren.",
        "learned": "In drie klassen werkte het; leerlingen zonder TOS hadden er ook baat bij.",
        "category": "compenseren", "kind": "adaptation", "status": "", "terms": "",
        "focus_areas": "tos", "action": "review"}, headers=EN)
    html = ok(review, 200).get_data(as_text=True)
    start = html.index('action="/practice/export"')
    hidden = MultiDict([(unescape(n), unescape(v)) for n, v in re.findall(
        r'name="([^"]+)" value="([^"]*)"', html[start:html.index("</form>", start)])])
    download = ok(coordinator.post("/practice/export", data=hidden, headers=EN), 200)
    data = download.get_data()
    content = json.loads(data)
    assert content["example"]["adaptation"]["text"].startswith("Een opdracht met meerdere")
    assert data.decode() in unescape(html)  # exactly what was reviewed

    # A second journal (another school) imports it as a suggestion, and a teacher there adopts it.
    other = make_test_app(tmp_path / "other")
    with other.app_context():
        for name, roles in (("coordinator", ["coordinator"]), ("teacher", ["teacher"])):
            get_store().users.create({"username": name, "display_name": f"Andere {name}",
                                      "roles": roles, "password_hash": users["teacher"]["password_hash"],
                                      "active": True, "locale": "en"})
    their_coordinator = as_user(other, "coordinator")
    ok(their_coordinator.post("/practice/import", data={"file": (io.BytesIO(data), "vb.json")},
                              content_type="multipart/form-data", headers=EN))
    their_teacher = as_user(other, "teacher")
    their_library = page(their_teacher, "/practice/")
    suggestions = their_library[their_library.index("Suggestions from other schools"):
                                their_library.index("Adopted in our school")]
    assert "Meerstappenopdrachten splitsen" in suggestions
    with other.app_context():
        (example,) = get_store().practice_examples.all()
    shown = page(their_teacher, f"/practice/{example['id']}")
    assert "leerlingen zonder TOS hadden er ook baat bij" in shown
    ok(their_teacher.post(f"/practice/{example['id']}/adopt", headers=EN))
    with other.app_context():
        assert get_store().practice_examples.get(example["id"])["status"] == "adopted"
