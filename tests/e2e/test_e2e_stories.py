"""The three stories of issue #6, walked through the real pages in Chromium.

1. A secondary-school pupil with TOS: the care coordinator opens the request; the
   ondersteuner records a participatory observation; goals with review dates are set with
   the team; four teachers each mark which instruction adaptations are feasible and which
   work; a one-to-one moment is recorded with its justification and return date.
2. A kleuter with ASS: predictability adaptations are tried and reflected on by teacher and
   ondersteuner; goals are evaluated; the handover sheet is published; the trajectory closes.
3. The care coordinator sees that several classes struggle with the same challenge, promotes
   a working adaptation to the whole school, and shares it as a practice example that a
   second journal (another live server on a fresh instance) imports.

``tests/test_stories.py`` walks the same stories through the Flask test client. Here every
step is a click or a filled, labelled field, as the people themselves would do it. Elements
are found by field name, id, form action or CSS class, not by visible text: the interface is
being translated.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

TOS_TEMPLATE = "tos_instruction.adaptations"
ASS_TEMPLATE = "ass_predictability.adaptations"
PUBLISH = "button[name=action][value=publish]"
TODAY = date.today()


def day(offset: int) -> str:
    """The ISO date ``offset`` days from today."""
    return (TODAY + timedelta(days=offset)).isoformat()


def shown_date(page, iso: str) -> str:
    """A date as the journal shows it (medium format, in the page's language)."""
    lang = page.evaluate("document.documentElement.lang") or "nl"
    return format_date(date.fromisoformat(iso), "medium", locale=lang.replace("-", "_"))


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto("login")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(password)
    page.locator("form:has([name=password]) [type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"signing in as {username} failed"


def submit(page, form: str) -> None:
    """Press the submit button of the form matching ``form`` and wait for the next page."""
    page.locator(f"{form} [type=submit]").first.click()
    page.wait_for_load_state()


def saved(page) -> None:
    """The page confirms with a success message."""
    expect(page.locator(".flash-success").first).to_be_visible()


def open_trajectory(page, *, pupil: str, class_group: str, focus: str, need: str,
                    question: str, team: dict[str, str], start: str = "",
                    planned_end: str = "") -> str:
    """Open a trajectory for a new pupil through the form; ``team``: display name -> role.

    Team members are chosen by the label of their row, as a person reads it.
    """
    page.goto("")
    page.locator("main a[href='/t/new']").first.click()
    expect(page).to_have_url(re.compile(r"/t/new$"))
    page.locator("[name=target][value=pupil]").check()
    page.locator("[name=pupil_id]").select_option("new")
    page.locator("[name=new_pupil_name]").fill(pupil)
    page.locator("[name=new_pupil_class]").fill(class_group)
    page.locator("[name=educational_need]").fill(need)
    page.locator("[name=learning_question]").fill(question)
    page.locator(f"[name=focus_areas][value={focus}]").check()
    if start:
        page.locator("[name=start_date]").fill(start)
    if planned_end:
        page.locator("[name=planned_end_date]").fill(planned_end)
    members = page.locator("table.members")
    for name, role in team.items():
        members.get_by_label(name, exact=True).select_option(role)
    submit(page, "form:has([name=new_pupil_name])")
    assert "/t/new" not in page.url, page.locator("main").inner_text()
    expect(page.get_by_role("heading", level=1)).to_contain_text(pupil)
    return page.url


def change_phase(page, trajectory_url: str, phase: str, *, close: bool = False) -> None:
    """Move the trajectory to ``phase`` with the phase page, reached from the trajectory."""
    page.goto(trajectory_url)
    page.locator("main a[href$='/phase']").click()
    page.locator(f"[name=phase][value={phase}]").check()
    if close:
        page.locator("[name=confirm_close]").check()
    submit(page, "form:has([name=phase])")


def new_entry(page, trajectory_url: str, *, kind: str, template: str = "") -> None:
    """Open the form of a new entry from the trajectory's "New entry" page."""
    page.goto(trajectory_url)
    page.locator("main a[href$='/entries/new']").first.click()
    link = f"a[href*='template={template}']" if template else \
        f"a[href$='kind={kind}']"
    page.locator(f"main {link}").first.click()
    expect(page.locator("form.entry-form")).to_be_visible()


def fill_agreement(page, *, what: str, applied_by: str, start: str, review: str,
                   items: dict[str, str]) -> None:
    """Fill an agreement entry; ``items``: checklist input prefix ("field-item") -> status."""
    page.locator("[name=date]").fill(start)
    page.locator("[name=what]").fill(what)
    page.locator("[name=applied_by]").fill(applied_by)
    page.locator("[name=from_date]").fill(start)
    page.locator("[name=review_date]").fill(review)
    for item, status in items.items():
        page.locator(f"[name='tpl_{item}-status']").select_option(status)


def published(page) -> str:
    """Publish the entry form; return the new entry's URL."""
    page.locator(PUBLISH).click()
    expect(page).to_have_url(re.compile(r"/entries/[\w-]+$"))
    return page.url


def register_row(page, item: str):
    """The row of a checklist item (``field.item``) in the adaptations register."""
    return page.locator(f"table.register tr:has(a[href$='.{item}'])")


def counts(summary) -> list[int]:
    """The numbers of a register row's summary: teachers, feasible yes/no, works yes/no."""
    return [int(n) for n in re.findall(r"\d+", summary.inner_text())]


@dataclass
class Person:
    """Someone who signs in: user name, password and the name colleagues see."""

    username: str
    password: str
    display_name: str


def demo_person(live_server, username: str) -> Person:
    """One of the demo accounts ``journal serve --demo`` made."""
    return Person(username, live_server.password(username),
                  live_server.users[username]["display_name"])


def create_teacher(admin_page, display_name: str) -> Person:
    """Create a teacher account on the admin's accounts pages, with a chosen password."""
    username = "leraar-" + secrets.token_hex(3)
    password = secrets.token_urlsafe(18)
    admin_page.goto("")
    admin_page.locator("nav a[href='/admin/accounts/']").click()
    admin_page.locator("main a[href$='/admin/accounts/new']").click()
    admin_page.locator("[name=username]").fill(username)
    admin_page.locator("[name=display_name]").fill(display_name)
    admin_page.locator("[name=roles][value=teacher]").check()
    admin_page.locator("[name=password]").fill(password)
    submit(admin_page, "form:has([name=username])")
    expect(admin_page.get_by_role("heading", level=1)).to_contain_text(username)
    return Person(username, password, display_name)


# -- story 1 ----------------------------------------------------------------------------------

def test_story_1_secondary_pupil_with_tos(new_context, live_server, axe, unlabelled_fields,
                                          shoot):
    tag = secrets.token_hex(2)
    pupil = f"Yasmina {tag}"
    zorg = demo_person(live_server, "zorg")
    support = demo_person(live_server, "ondersteuner")

    # A secondary pupil has many teachers: the administrator adds the two the demo lacks.
    admin = new_context().new_page()
    sign_in(admin, "beheer", live_server.password("beheer"))
    teachers = [demo_person(live_server, "leraar"), demo_person(live_server, "leraar2"),
                create_teacher(admin, f"Lien Janssens {tag}"),
                create_teacher(admin, f"Pieter Claes {tag}")]

    # The care coordinator opens the request: need and learning question, the whole team.
    coordinator = new_context().new_page()
    sign_in(coordinator, zorg.username, zorg.password)
    team = {support.display_name: "support", **{t.display_name: "teacher" for t in teachers}}
    url = open_trajectory(
        coordinator, pupil=pupil, class_group="4B", focus="tos",
        need="Begrijpt meerledige instructies niet bij het eerste horen.",
        question="Hoe geef ik instructie zodat ze mee is, zonder de klas te remmen?",
        team=team, planned_end=day(180))
    expect(coordinator.locator(".phase-intake")).to_be_visible()
    about = coordinator.locator("section[aria-labelledby=about-title]")
    for person in [zorg, support, *teachers]:
        expect(about).to_contain_text(person.display_name)
    change_phase(coordinator, url, "observation")
    expect(coordinator.locator(".phase-observation")).to_be_visible()

    # The ondersteuner records a participatory observation, from the link the phase suggests.
    page = new_context().new_page()
    sign_in(page, support.username, support.password)
    page.goto(url)
    page.locator(".phase-card a[href$='kind=observation']").click()
    page.locator("[name=date]").fill(day(0))
    page.locator("[name=class_group]").fill("4B")
    page.locator("[name=lesson]").fill("Frans")
    page.locator("[name=moment]").fill("maandag, 3e uur")
    page.locator("[name=seen]").fill(
        "Ik deed mee met het groepswerk. Na een opdracht in drie stappen begon ze pas toen "
        "haar buur de eerste stap voordeed.")
    page.locator("[name=quick_wins]").fill("- Stappen op het bord\n- Eerst voordoen")
    page.locator("[name=tags]").fill("participerende observatie")
    observation = published(page)
    main = page.locator("main")
    expect(main).to_contain_text("begon ze pas toen haar buur de eerste stap voordeed")
    expect(main.locator(".entry-meta")).to_contain_text(support.display_name)
    expect(main.locator(".entry-meta .tags")).to_contain_text("participerende observatie")

    # Goals with review dates, set with the team.
    change_phase(page, url, "goals")
    goals = (("Ze start zelfstandig na een instructie in stappen.", day(42)),
             ("Ze vraagt zelf om herhaling als ze iets niet begrijpt.", day(77)))
    for text, review in goals:
        page.goto(url)
        page.locator("main a[href$='/goals/new']").click()
        page.locator("[name=text]").fill(text)
        page.locator("[name=owner_id]").select_option(live_server.user_id("leraar"))
        page.locator("[name=review_date]").fill(review)
        submit(page, "form:has([name=owner_id])")
        saved(page)
    page.goto(url)
    for text, review in goals:
        card = page.locator("#goals li.goal", has_text=text)
        expect(card).to_contain_text(shown_date(page, review))
        expect(card).to_contain_text(teachers[0].display_name)

    # Instruction adaptations agreed from the TOS checklist of the plugin.
    change_phase(page, url, "implementation")
    new_entry(page, url, kind="agreement", template=TOS_TEMPLATE)
    fill_agreement(page, what="Instructie in stappen, gevisualiseerd",
                   applied_by="alle leraren van 4B", start=day(0), review=day(42),
                   items={f"instruction-{i}": "ga_ik_proberen"
                          for i in ("single_step", "visualise", "split_and_project")})
    published(page)
    page.goto(url)
    page.locator("main a[href$='/adaptations']").click()
    expect(register_row(page, "instruction.visualise")).to_contain_text("Visualiseren")
    expect(register_row(page, "instruction.split_and_project")).to_contain_text(
        "Een opdracht met meerdere stappen opsplitsen")
    register = page.url

    # Four teachers, each in their own browser, mark per adaptation: feasible? does it work?
    marks = {  # teacher -> {item: (feasible, works)}
        0: {"visualise": ("yes", "yes"), "split_and_project": ("yes", "yes")},
        1: {"visualise": ("yes", "yes"), "split_and_project": ("yes", "no")},
        2: {"visualise": ("yes", "unknown"), "split_and_project": ("no", "no")},
        3: {"visualise": ("yes", "yes"), "split_and_project": ("yes", "yes")},
    }
    for n, items in marks.items():
        teacher = new_context().new_page()
        sign_in(teacher, teachers[n].username, teachers[n].password)
        teacher.goto(url)
        teacher.locator("main a[href$='/adaptations']").click()
        for item, (feasible, works) in items.items():
            teacher.locator(f"table.register a[href$='.instruction.{item}']").click()
            form = teacher.locator("form#rate")
            form.locator("[name=feasible]").select_option(feasible)
            form.locator("[name=works]").select_option(works)
            if works == "no":
                form.locator("[name=note]").fill("Te weinig tijd in een les van 50 minuten.")
            submit(teacher, "form#rate")
            saved(teacher)
            mine = teacher.locator("section[aria-labelledby=ratings-title] tbody tr",
                                   has_text=teachers[n].display_name)
            expect(mine).to_have_count(1)
            expect(teacher.locator("form#rate [name=works]")).to_have_value(works)
            teacher.locator(".breadcrumb a").click()
        teacher.context.close()

    # The ondersteuner reads the tally per adaptation in the register.
    page.goto(register)
    visualise = register_row(page, "instruction.visualise")
    expect(visualise.locator(".verdict-works")).to_be_visible()
    assert counts(visualise.locator("td .muted").last) == [4, 4, 0, 3, 0]
    split = register_row(page, "instruction.split_and_project")
    expect(split.locator(".verdict-mixed")).to_be_visible()
    assert counts(split.locator("td .muted").last) == [4, 3, 1, 2, 2]
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    shoot(page, "story-adaptations-register")
    split.locator("a[href$='.split_and_project']").click()
    ratings = page.locator("section[aria-labelledby=ratings-title] tbody tr")
    expect(ratings).to_have_count(4)
    for person in teachers:
        expect(page.locator("section[aria-labelledby=ratings-title]")).to_contain_text(
            person.display_name)
    expect(ratings.filter(has_text=teachers[2].display_name)).to_contain_text(
        "Te weinig tijd in een les van 50 minuten.")
    assert unlabelled_fields(page) == []
    assert axe(page) == []

    # A one-to-one moment is refused without its justification, keeping what was typed ...
    new_entry(page, url, kind="one_to_one")
    expect(page.locator("form.entry-form .help").first).to_be_visible()
    page.locator("[name=date]").fill(day(1))
    page.locator("[name=what]").fill("Woordenschat van het nieuwe hoofdstuk voorbereiden.")
    page.locator("[name=serves_learning_question]").fill(
        "De leraar ziet welke woorden ze vooraf moet aanbrengen.")
    page.locator("[name=return_to_class]").fill(day(8))
    page.locator(PUBLISH).click()
    expect(page.locator("#lowers_barriers-error")).to_be_visible()
    expect(page.locator("[name=lowers_barriers]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[name=what]")).to_have_value(
        "Woordenschat van het nieuwe hoofdstuk voorbereiden.")
    expect(page.locator("[name=return_to_class]")).to_have_value(day(8))
    assert axe(page) == []

    # ... and saved with it, and the planned return to the class.
    page.locator("[name=lowers_barriers]").fill(
        "Met de woorden vooraf volgt ze de les in de klas zelf.")
    moment = published(page)
    entry_id = moment.rsplit("/", 1)[1]

    # Every teacher on the team reads why, and when she is back in class.
    reader = new_context().new_page()
    sign_in(reader, teachers[2].username, teachers[2].password)
    reader.goto(url)
    card = reader.locator(f"#entry-{entry_id}")
    expect(card).to_contain_text("Met de woorden vooraf volgt ze")
    expect(card.locator(f"time[datetime='{day(8)}']").first).to_be_visible()
    reader.goto(moment)
    entry = reader.locator("main")
    expect(entry).to_contain_text("Met de woorden vooraf volgt ze de les in de klas zelf.")
    expect(entry).to_contain_text("De leraar ziet welke woorden ze vooraf moet aanbrengen.")
    back = entry.locator(f".entry-field-return_to_class time[datetime='{day(8)}']")
    expect(back).to_have_text(shown_date(reader, day(8)))
    # The observation is there too, for the whole team.
    reader.goto(observation)
    expect(reader.locator("main")).to_contain_text("Stappen op het bord")


# -- story 2 ----------------------------------------------------------------------------------

def test_story_2_kleuter_with_ass(new_context, live_server, axe, unlabelled_fields, shoot):
    tag = secrets.token_hex(2)
    pupil = f"Lotte {tag}"
    support = demo_person(live_server, "ondersteuner")
    juf = demo_person(live_server, "leraar")

    # The story is told as it was written down over the last twelve weeks: the ondersteuner
    # opened the trajectory with the kleuterjuf and set a goal, to be reviewed last week.
    page = new_context().new_page()
    sign_in(page, support.username, support.password)
    url = open_trajectory(
        page, pupil=pupil, class_group="K2", focus="ass",
        need="Raakt overstuur bij onverwachte overgangen.",
        question="Hoe maak ik de dag voorspelbaar?", team={juf.display_name: "teacher"},
        start=day(-84))
    change_phase(page, url, "implementation")
    goal_text = "Ze stapt rustig over naar een nieuwe activiteit met haar dagschema."
    page.locator("main a[href$='/goals/new']").click()
    page.locator("[name=text]").fill(goal_text)
    page.locator("[name=owner_id]").select_option(live_server.user_id(juf.username))
    page.locator("[name=review_date]").fill(day(-7))
    submit(page, "form:has([name=owner_id])")
    saved(page)

    # The juf tries predictability adaptations from the ASS checklist.
    teacher = new_context().new_page()
    sign_in(teacher, juf.username, juf.password)
    new_entry(teacher, url, kind="agreement", template=ASS_TEMPLATE)
    fill_agreement(teacher, what="Dagschema en stappenplan", applied_by="klasjuf",
                   start=day(-77), review=day(-7),
                   items={"time-day_schedule": "ga_ik_proberen",
                          "activities-visual_steps": "ga_ik_proberen"})
    published(teacher)
    teacher.goto(url)
    teacher.locator("main a[href$='/adaptations']").click()
    expect(register_row(teacher, "time.day_schedule").locator(".verdict-planned")).to_be_visible()

    # She reflects on them with the ondersteuner as co-author ...
    new_entry(teacher, url, kind="reflection")
    teacher.locator("[name=date]").fill(day(-63))
    teacher.locator("[name=model]").select_option("korthagen")
    teacher.locator("[name=phase_handelen]").fill(
        "Ik wilde elke overgang aankondigen met het dagschema.")
    teacher.locator("[name=conclusions]").fill(
        "Het dagschema helpt; het stappenplan is nog te lang.")
    teacher.locator("[name=next_steps]").fill("Stappenplan inkorten tot drie prenten.")
    teacher.locator(f"[name=co_authors][value='{live_server.user_id(support.username)}']").check()
    reflection = published(teacher)

    # ... and the ondersteuner adds what she saw, in her own name.
    page.goto(url)
    page.locator(f"main a[href='{reflection.removeprefix(live_server.url[:-1])}']").first.click()
    form = page.locator("form.contribution-form")
    form.locator("[name=phase]").select_option("terugblikken")
    form.locator("[name=text]").fill(
        "Bij de overgang naar de speelplaats keek ze zelf naar haar schema.")
    form.locator("button[value=add]").click()
    expect(page.locator("#phase-terugblikken")).to_contain_text("keek ze zelf naar haar schema")
    expect(page.locator("#phase-terugblikken")).to_contain_text(support.display_name)
    expect(page.locator("#phase-handelen")).to_contain_text(juf.display_name)

    # Weeks later the juf records what works and what does not.
    new_entry(teacher, url, kind="agreement", template=ASS_TEMPLATE)
    fill_agreement(teacher, what="Dagschema houden, stappenplan loslaten", applied_by="klasjuf",
                   start=day(-42), review=day(-7),
                   items={"time-day_schedule": "werkt", "activities-visual_steps": "werkt_niet"})
    published(teacher)
    page.goto(url)
    page.locator("main a[href$='/adaptations']").click()
    # Each checklist keeps its own row: first "going to try", now what was found.
    schedule = register_row(page, "time.day_schedule")
    expect(schedule).to_have_count(2)
    expect(schedule.locator(".verdict-planned")).to_have_count(1)
    expect(schedule.locator(".verdict-works")).to_have_count(1)
    expect(register_row(page, "activities.visual_steps").locator(
        ".verdict-does_not_work")).to_have_count(1)

    # The goal is past its review date, so it is evaluated today.
    page.goto(url)
    goal = page.locator("#goals li.goal", has_text=goal_text)
    expect(goal.locator(".overdue")).to_be_visible()
    goal.locator("a[href$='/evaluate']").click()
    page.locator("[name=date]").fill(day(0))
    page.locator("[name=text]").fill("Met het dagschema lukt het bijna altijd.")
    page.locator("[name=status]").select_option("achieved")
    submit(page, "form:has([name=next_review_date])")
    saved(page)
    expect(page.locator("main")).to_contain_text("Met het dagschema lukt het bijna altijd.")
    page.goto(url)
    expect(goal.locator(".status-achieved")).to_be_visible()
    expect(goal.locator(".overdue")).to_have_count(0)

    # Closing waits for the handover sheet; the phase page says so and links to it.
    change_phase(page, url, "fading_out")
    change_phase(page, url, "closed", close=True)
    expect(page).to_have_url(re.compile(r"/phase$"))
    missing = page.locator(".close-missing")
    expect(missing.locator(".field-error")).to_be_visible()
    expect(missing.locator("a[href$='/handover']")).to_have_count(1)
    expect(missing.locator("a[href*='/goals/']")).to_have_count(0)  # the goal is evaluated
    missing.locator("a[href$='/handover']").click()

    # The "wat werkt" sheet is drafted from the record, completed and published.
    expect(page).to_have_url(re.compile(r"/handover$"))
    assert axe(page) == []
    page.locator("main a[href$='/handover/edit']").click()
    expect(page.locator("[name=works]")).to_have_value(re.compile("dagschema", re.IGNORECASE))
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    page.locator("[name=need]").fill("Lotte heeft voorspelbaarheid nodig bij overgangen.")
    page.locator("[name=works]").fill("- Dagschema met prenten, elke overgang aankondigen")
    page.locator("[name=when_wrong]").fill("Rustig benoemen wat er nu komt; het schema tonen.")
    page.locator("[name=contacts]").fill("Klasjuf en de ondersteuner.")
    page.locator(PUBLISH).click()
    expect(page).to_have_url(re.compile(r"/handover$"))
    expect(page.locator("main .meta .status-werkt")).to_be_visible()  # "published"
    expect(page.locator("#part-works + .rendered")).to_contain_text(
        "Dagschema met prenten, elke overgang aankondigen")
    assert axe(page) == []
    shoot(page, "story-handover-sheet")

    # The juf reads the published sheet.
    teacher.goto(url)
    teacher.locator("main a[href$='/handover']").click()
    expect(teacher.locator(".handover-sheet")).to_contain_text("Rustig benoemen wat er nu komt")

    # Now the trajectory closes.
    change_phase(page, url, "closed", close=True)
    expect(page).to_have_url(url)
    expect(page.locator(".phase-closed")).to_be_visible()
    expect(page.locator("main a[href$='/entries/new']")).to_have_count(0)
    teacher.goto(url)
    expect(teacher.locator(".phase-closed")).to_be_visible()


# -- story 3 ----------------------------------------------------------------------------------

@dataclass
class OtherSchool:
    """A second journal: another live server on its own fresh demo instance."""

    url: str
    accounts: dict


JOURNAL_COMMAND = "import sys; from journal.cli import main; sys.exit(main())"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def other_school(tmp_path, browser):
    """Another school's journal: ``journal init --demo`` and ``journal serve`` (waitress) on a
    fresh instance and a free port, stopped after the test.

    It asks for ``browser`` first, so without Chromium the test is skipped before a server
    starts. (conftest's ``live_server`` is one per session; this one is per test.)
    """
    instance = tmp_path / "other-school"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    env["PYTHONUNBUFFERED"] = "1"
    done = subprocess.run([sys.executable, "-c", JOURNAL_COMMAND, "--instance", str(instance),
                           "init", "--demo"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    port = _free_port()
    log = tmp_path / "other-school.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", JOURNAL_COMMAND, "--instance", str(instance), "serve",
             "--demo", "--port", str(port), "--threads", "2"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text("utf-8")
            assert time.monotonic() < deadline, log.read_text("utf-8")
            try:
                with urllib.request.urlopen(url + "login", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        accounts = json.loads((instance / "demo-accounts.json").read_text("utf-8"))
        yield OtherSchool(url, accounts)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_story_3_from_a_school_wide_pattern_to_another_schools_library(
        new_context, live_server, other_school, axe, unlabelled_fields, shoot, tmp_path):
    tag = secrets.token_hex(2)
    classes = [f"1A-{tag}", f"2B-{tag}", f"3C-{tag}"]
    pupils = [f"Amir {tag}", f"Bente {tag}", f"Cato {tag}"]
    juf = demo_person(live_server, "leraar")
    support = demo_person(live_server, "ondersteuner")

    # In three classes a teacher meets the same challenge; splitting instructions works.
    teacher = new_context().new_page()
    sign_in(teacher, juf.username, juf.password)
    for pupil, group in zip(pupils, classes):
        url = open_trajectory(
            teacher, pupil=pupil, class_group=group, focus="tos",
            need="Volgt opdrachten met meerdere stappen niet.",
            question="Hoe geef ik een opdracht in stappen?",
            team={support.display_name: "support"})
        new_entry(teacher, url, kind="agreement", template=TOS_TEMPLATE)
        fill_agreement(teacher, what="Instructie in stappen", applied_by="klasleraar",
                       start=day(0), review=day(56),
                       items={"instruction-split_and_project": "werkt"})
        published(teacher)

    # The care coordinator sees the shared challenge on the patterns page, without names.
    coordinator = new_context().new_page()
    sign_in(coordinator, "zorg", live_server.password("zorg"))
    coordinator.locator("nav a[href='/patterns/']").click()
    shared = coordinator.locator("ul.shared-challenges li",
                                 has_text="Een opdracht met meerdere stappen opsplitsen")
    expect(shared).to_have_count(1)
    for group in classes:
        expect(shared).to_contain_text(group)
    main = coordinator.locator("main")
    for pupil in pupils:
        expect(main).not_to_contain_text(pupil)
    assert unlabelled_fields(coordinator) == []
    assert axe(coordinator) == []
    shoot(coordinator, "story-patterns", at=coordinator.locator("#working"))

    # From the row of adaptations that work, to the register, where she promotes it.
    working = coordinator.locator("#working tbody tr",
                                  has_text="Een opdracht met meerdere stappen opsplitsen")
    expect(working).to_have_count(1)
    for group in classes:
        expect(working).to_contain_text(group)
    working.locator("a[href*='/adaptations/item']").click()
    expect(coordinator.locator("main")).to_contain_text(
        "Een opdracht met meerdere stappen opsplitsen")
    mark = secrets.token_hex(3)  # not the tag: that is part of names the export removes
    wording = ("Een opdracht met meerdere stappen opsplitsen en de stappen op het bord "
               f"projecteren (versie {mark}).")
    promote = coordinator.locator("form[action$='/adaptations/item/promote']")
    promote.locator("[name=scope]").select_option("school")
    promote.locator("[name=text]").fill(wording)
    submit(coordinator, "form[action$='/adaptations/item/promote']")
    saved(coordinator)
    expect(coordinator.locator("#promote")).to_contain_text(wording)
    expect(coordinator.locator("form[action$='/adaptations/item/demote']")).to_be_visible()
    assert axe(coordinator) == []

    # Every member of staff now finds it among the agreements for everyone; a teacher who is
    # on none of the three teams gets no link to the pupils' trajectories.
    outsider = new_context().new_page()
    sign_in(outsider, "leraar2", live_server.password("leraar2"))
    outsider.locator("nav a[href='/adaptations/school']").click()
    everyone = outsider.locator("main li, main tr", has_text=wording)
    expect(everyone.first).to_be_visible()
    expect(everyone.first.locator("a[href*='/adaptations/item']")).to_have_count(0)
    assert axe(outsider) == []

    # She shares it as a practice example: describe, review the exact file, download it.
    coordinator.locator("nav a[href='/practice/']").click()
    coordinator.locator("section[aria-labelledby=section-promoted] li", has_text=wording) \
        .locator("a[href*='/practice/new?adaptation_id=']").click()
    expect(coordinator.locator("[name=text]")).to_have_value(wording)
    assert unlabelled_fields(coordinator) == []
    assert axe(coordinator) == []
    title = f"Meerstappenopdrachten splitsen {mark}"
    learned = "In drie klassen werkte het; leerlingen zonder TOS hadden er ook baat bij."
    slip = f" Bij {pupils[1]} werkte het het snelst."  # a name she let slip
    coordinator.locator("[name=title]").fill(title)
    coordinator.locator("[name=learned]").fill(learned + slip)
    coordinator.locator("[name=category]").select_option("compenseren")
    coordinator.locator("[name=focus_areas][value=tos]").check()
    coordinator.locator("button[name=action][value=review]").click()
    reviewed = coordinator.locator("#file-content")
    expect(reviewed).to_contain_text(wording)
    expect(reviewed).to_contain_text(learned)
    expect(reviewed).not_to_contain_text(pupils[1])  # removed before export, and listed
    expect(coordinator.locator("section[aria-labelledby=removed-title] li").first).to_be_visible()
    assert axe(coordinator) == []
    with coordinator.expect_download() as download:
        coordinator.locator("form[action$='/practice/export'] [type=submit]").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.suffix == ".json"
    data = exported.read_text("utf-8")
    assert data == reviewed.text_content()  # exactly the file she read
    content = json.loads(data)
    assert content["example"]["adaptation"]["text"] == wording
    for secret in [*pupils, *classes, "4B"]:
        assert secret not in data

    # Another school's care coordinator imports the file into their own journal.
    theirs = new_context(base_url=other_school.url).new_page()
    sign_in(theirs, "zorg", other_school.accounts["zorg"]["password"])
    theirs.locator("nav a[href='/practice/']").click()
    theirs.locator("main a[href$='/practice/import']").click()
    assert unlabelled_fields(theirs) == []
    assert axe(theirs) == []
    theirs.locator("[name=file]").set_input_files(str(exported))
    submit(theirs, "form[action$='/practice/import']")
    saved(theirs)
    expect(theirs.get_by_role("heading", level=1)).to_have_text(title)
    expect(theirs.locator("main")).to_contain_text(learned)
    assert axe(theirs) == []

    # A teacher there finds it among the suggestions, reads it and adopts it.
    their_teacher = new_context(base_url=other_school.url).new_page()
    sign_in(their_teacher, "leraar", other_school.accounts["leraar"]["password"])
    their_teacher.locator("nav a[href='/practice/']").click()
    suggestions = their_teacher.locator("section[aria-labelledby=section-suggestion]")
    suggestions.locator("a", has_text=title).click()
    expect(their_teacher.locator("main")).to_contain_text(wording)
    expect(their_teacher.locator("main")).to_contain_text("leerlingen zonder TOS hadden er ook baat")
    their_teacher.locator("form.button-row[action$='/adopt'] [type=submit]").click()
    saved(their_teacher)
    expect(their_teacher.locator("main .meta .status-achieved")).to_be_visible()  # adopted
    their_teacher.locator(".breadcrumb a").click()
    expect(their_teacher.locator("section[aria-labelledby=section-adopted]")).to_contain_text(title)
    expect(their_teacher.locator("section[aria-labelledby=section-suggestion]")
           ).not_to_contain_text(title)
