"""The parents' inspection copy, with the review step that removes other pupils' names."""

from __future__ import annotations

import json

import pytest

from journal.privacy import export
from journal.privacy import redaction
from journal.storage import get_store

EN = {"Accept-Language": "en"}


def _all_text(data) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_the_copy_holds_everything_about_the_pupil_and_nothing_else(app, users, school):
    data = export.build(school["lotte"]["id"])
    text = _all_text(data)
    assert data["pupil"]["name"] == "Lotte Peeters"
    assert {t["title"] for t in data["trajectories"]} == {"Lezen", "Rekenen"}
    for expected in ("Lotte leest zelfstandig", "werkte samen met Jonas", "duwde een klasgenoot",
                     "Intern overleg", "Nog niet af", "Jonas helpt haar", "Taalontwikkelingsstoornis",
                     "Frans", "Hoe help ik Lotte", "voorlezen met een vinger",
                     "lezen thuis elke avond mee"):
        assert expected in text, expected
    assert "Jonas-observatie" not in text and "Jonas traject" not in text
    reading = next(t for t in data["trajectories"] if t["title"] == "Lezen")
    said = next(v for v in reading["voices"] if not v["on_their_own_page"])
    assert said["speaker"] == "pupil" and said["written_by"] == "Teacher"
    (agreed,) = reading["goals"][0]["voices"]
    assert agreed["agrees_with_goal"] and agreed["written_by"] == "Support"
    # A parent's reaction on their page, and their personal link (never its secret).
    assert "Thuis lezen we samen" in text
    reaction = next(v for v in reading["voices"] if v["on_their_own_page"])
    assert reaction["written_by"] == "Mama van Lotte" and reaction["speaker"] == "parents"
    (link,) = reading["personal_links"]
    assert link["name"] == "Mama van Lotte" and link["made_by"] == "Support"
    assert "digest" not in text and school["link"]["digest"] not in text


def test_the_copy_names_people_not_accounts_and_holds_no_secrets(app, users, school):
    text = _all_text(export.build(school["lotte"]["id"]))
    assert "Teacher" in text and "Support" in text  # authors by display name
    for user in users.values():
        assert user["id"] not in text
    assert "argon2" not in text and school["lotte"]["id"] not in text


def test_earlier_versions_only_on_request(app, users, school):
    without = export.build(school["lotte"]["id"])
    assert "earlier_versions" not in _all_text(without)
    with_history = export.build(school["lotte"]["id"], with_history=True)
    entries = [e for t in with_history["trajectories"] for e in t["entries"]]
    assert any(e.get("earlier_versions") for e in entries)


def test_review_proposes_other_pupils_names_found_in_the_texts(app, users, school):
    found = dict(redaction.candidates(school["lotte"]["id"], export.build(school["lotte"]["id"])))
    assert found.get("Jonas") == 2
    assert "Lotte" not in found and "Peeters" not in found


def test_redaction_replaces_whole_words_only(app):
    data = {"a": "Jonas en jonas, maar niet Jonasson.", "b": ["Bij Jonas"]}
    redacted, count = redaction.redact(data, ["Jonas"])
    assert redacted == {"a": "[name removed] en [name removed], maar niet Jonasson.",
                        "b": ["Bij [name removed]"]}
    assert count == 3


@pytest.fixture
def coordinator(app, users, login):
    return login(app.test_client(), "coordinator")


def test_the_review_page_lists_names_with_counts(coordinator, school):
    page = coordinator.get(f"/privacy/pupils/{school['lotte']['id']}/export", headers=EN)
    assert page.status_code == 200
    assert b'value="Jonas" checked' in page.data and b"2 times" in page.data


def test_printable_copy_with_names_removed(coordinator, school):
    page = coordinator.post(f"/privacy/pupils/{school['lotte']['id']}/export", headers=EN,
                            data={"redact": ["Jonas"], "extra": "maandag\n", "restricted": "1",
                                  "format": "html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b"Jonas" not in page.data and b"maandag" not in page.data
    assert b"[name removed]" in page.data and b"Lotte leest zelfstandig" in page.data
    assert b"Taalontwikkelingsstoornis" in page.data
    assert b"voorlezen met een vinger" in page.data and b"written down by Support" in page.data
    assert page.headers["Cache-Control"] == "no-store"


def test_json_copy_is_a_download_and_can_leave_out_the_restricted_section(coordinator, school):
    response = coordinator.post(f"/privacy/pupils/{school['lotte']['id']}/export",
                                data={"redact": ["Jonas"], "format": "json"})
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Lotte" not in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "Jonas" not in text and "Taalontwikkelingsstoornis" not in text
    assert json.loads(text)["pupil"]["name"] == "Lotte Peeters"


def test_each_copy_is_registered_and_audited_without_content(coordinator, school):
    coordinator.post(f"/privacy/pupils/{school['lotte']['id']}/export",
                     data={"redact": ["Jonas"], "format": "json"})
    request = get_store().privacy_requests.find(pupil_id=school["lotte"]["id"])[0]
    assert request["kind"] == "inspection" and request["redactions"] == 2
    record = [r for r in get_store().audit.all() if r["action"] == "export"][-1]
    assert record["pupil_id"] == school["lotte"]["id"] and record["detail"] == "inspection:json:redacted=2"
    assert "Jonas" not in str(get_store().audit.all())


def test_hostile_text_in_the_copy_stays_inert(app, users, login, school, make_entry):
    make_entry(school["reading"], users["teacher"], seen="<script>alert(1)</script> [x](javascript:alert(1))")
    client = login(app.test_client(), "coordinator")
    page = client.post(f"/privacy/pupils/{school['lotte']['id']}/export", data={"format": "html"})
    assert b"<script>alert" not in page.data and b'href="javascript' not in page.data


@pytest.mark.parametrize("who", ["teacher", "support", "admin"])
def test_only_the_coordinator_makes_copies(app, users, login, school, who):
    client = login(app.test_client(), who)
    url = f"/privacy/pupils/{school['lotte']['id']}/export"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"format": "json"}).status_code == 403


def test_unknown_pupil_is_not_found(coordinator, school):
    assert coordinator.get("/privacy/pupils/no-such-pupil/export").status_code == 404
