"""A small school: pupil Lotte with two trajectories full of data, and pupil Jonas
who is mentioned by name in Lotte's entries."""

from __future__ import annotations

import pytest

from journal.storage import get_store


@pytest.fixture
def school(app, users, make_pupil, make_trajectory, make_goal, make_entry, make_comment):
    store = get_store()
    lotte = make_pupil(display_name="Lotte Peeters", class_group="4A")
    jonas = make_pupil(display_name="Jonas Maes", class_group="4A")
    reading = make_trajectory(users["teacher"], users["support"], pupil_id=lotte["id"],
                              title="Lezen", learning_question="Hoe help ik Lotte bij het lezen?")
    older = make_trajectory(users["teacher"], users["support"], pupil_id=lotte["id"],
                            title="Rekenen", phase="closed", closed_on="2023-06-30")
    goal = make_goal(reading, text="Lotte leest zelfstandig een korte tekst.")
    plain = make_entry(reading, users["teacher"], seen="Lotte werkte samen met Jonas aan de tekst.")
    store.entries.update(plain["id"], {"fields": dict(plain["fields"], moment="maandag")})
    breach = make_entry(reading, users["teacher"], seen="Lotte duwde een klasgenoot.",
                        breach_of_rules=True)
    internal = make_entry(reading, users["support"], seen="Intern overleg over de aanpak.",
                          internal=True)
    draft = make_entry(reading, users["support"], seen="Nog niet af.", publish=False)
    comment = make_comment(plain, users["support"], "Jonas helpt haar echt goed.")
    note = store.restricted_notes.create({
        "trajectory_id": reading["id"], "pupil_id": lotte["id"], "category": "report",
        "title": "Verslag logopedie", "text": "Taalontwikkelingsstoornis vermoed.",
        "html": {"text": "<p>Taalontwikkelingsstoornis vermoed.</p>"},
        "created_by": users["support"]["id"]})
    jonas_trajectory = make_trajectory(users["outsider_teacher"], pupil_id=jonas["id"],
                                       title="Jonas traject")
    jonas_entry = make_entry(jonas_trajectory, users["outsider_teacher"], seen="Jonas-observatie.")
    from journal.process import voices

    voice = voices.record_voice(users["teacher"], reading["id"], {
        "speaker": "pupil", "date": "2025-02-03", "text": "Lotte: voorlezen met een vinger helpt."})
    agreed = voices.record_voice(users["support"], reading["id"], {
        "speaker": "parents", "date": "2025-02-04", "goal_id": goal["id"], "agrees": "1",
        "text": "De ouders lezen thuis elke avond mee."})
    from journal.process import family_links
    from journal.process import family_page

    family_page.save_settings(users["support"], reading["id"], {
        "goal_ids": [goal["id"]], "plain_" + goal["id"]: "Lotte leest alleen een tekstje."})
    link, _secret = family_links.create_link(users["support"], reading["id"],
                                             {"audience": "parent", "name": "Mama van Lotte"})
    reaction = family_page.react(_secret, {"text": "Thuis lezen we samen voor het slapengaan."})
    plugin_row = store.plugin_table("tos_instruction").create(
        {"trajectory_id": reading["id"], "teachers": [{"key": "t1", "label": "Frans"}]})
    return {
        "lotte": lotte, "jonas": jonas, "reading": reading, "older": older, "goal": goal,
        "plain": plain, "breach": breach, "internal": internal, "draft": draft,
        "comment": comment, "note": note, "jonas_trajectory": jonas_trajectory,
        "jonas_entry": jonas_entry, "plugin_row": plugin_row, "voice": voice, "agreed": agreed,
        "link": link, "reaction": reaction,
    }
