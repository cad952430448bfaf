"""E-mail digests against a real SMTP server (aiosmtpd on loopback): counts and links only,
once per period even with two senders, a server that is down and comes back, STARTTLS
with a test certificate, and what the admin sees."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.plugins.testing import make_test_app
from journal.process import visits
from journal.reminders import digests
from journal.storage import get_store
from tests.support.smtp_server import TestMailServer
from tests.support.smtp_server import make_certificate

ZONE = ZoneInfo("Europe/Brussels")
#: A Monday morning, after the digest hour.
MONDAY = datetime(2031, 3, 3, 8, 0, tzinfo=ZONE)
PUPIL = "Lotte Verbruggen"


@pytest.fixture
def server():
    mail_server = TestMailServer().start()
    yield mail_server
    mail_server.stop()


@pytest.fixture
def app_config(server):
    return {**server.settings(), "JOURNAL_PUBLIC_URL": "https://logboek.school.test"}


@pytest.fixture
def school(users, make_pupil, make_trajectory, make_goal):
    pupil = make_pupil(display_name=PUPIL, class_group="4A")
    mine = make_trajectory(users["teacher"], users["support"], pupil_id=pupil["id"],
                           title="Lotte leest")
    make_goal(mine, text="Lotte leest zelf", review_date="2031-03-05")   # this week
    make_goal(mine, text="Lotte vraagt hulp", review_date="2031-02-20")  # overdue
    get_store().visits.create({"trajectory_id": mine["id"], "pupil_id": pupil["id"],
                               "date": "2031-03-04", "start_time": None, "end_time": None,
                               "visitor_ids": [users["support"]["id"]], "purpose": "Leesles",
                               "status": "planned", "created_by": users["support"]["id"]})
    for name, frequency in (("teacher", "weekly"), ("support", "daily")):
        digests.save_settings(users[name], {"frequency": frequency,
                                            "email": f"{name}@school.test"})
    return mine


def test_a_weekly_digest_has_counts_and_links_only(app, users, server, school):
    result = digests.run_once(MONDAY)
    assert result["sent"] == 2 and result["failed"] == 0
    by_to = {str(m["To"]): m for m in server.messages}
    weekly = by_to["teacher@school.test"]
    text = weekly.get_content()
    assert weekly["Subject"] == "Journal: your week" and weekly["From"] == "logboek@school.test"
    assert "1 goal is past its review date" in text
    assert "1 goal to review" in text and "1 class visit planned" in text
    assert "https://logboek.school.test/" in text
    assert "https://logboek.school.test/account/reminders" in text
    for private in ("Lotte", "Verbruggen", "leest", "Leesles", "hulp", "4A"):
        assert private not in text, private
    daily = by_to["support@school.test"].get_content()
    assert "1 goal is past its review date" in daily and "class visit" not in daily  # not today


def test_never_twice_for_a_period_even_with_two_senders(app, tmp_path, users, server, school):
    digests.run_once(MONDAY)
    assert len(server.messages) == 2
    digests.run_once(MONDAY + timedelta(hours=3))
    assert len(server.messages) == 2
    tuesday = MONDAY + timedelta(days=1)
    digests.run_once(tuesday)
    assert [str(m["To"]) for m in server.messages[2:]] == ["support@school.test"]  # daily only


def test_two_processes_on_one_instance_send_once(tmp_path, server):
    """Two journals (as two processes would) on one data folder, sending at the same time."""
    import threading

    settings = {**server.settings(), "JOURNAL_IN_MEMORY": False}
    first = make_test_app(tmp_path, **settings)
    second = make_test_app(tmp_path, **settings)
    with first.app_context():
        store = get_store()
        for n in range(6):
            user = store.users.create({"username": f"u{n}", "display_name": f"U{n}",
                                       "roles": ["teacher"], "password_hash": "x",
                                       "active": True, "locale": "en"})
            trajectory = store.trajectories.create({
                "target": "team", "title": f"T{n}", "members": [{"user_id": user["id"],
                                                                   "role": "teacher"}],
                "phase": "observation", "pupil_id": None})
            store.goals.create({"trajectory_id": trajectory["id"], "status": "ongoing",
                                "review_date": "2031-03-03", "text": "x", "html": {}})
            digests.save_settings(user, {"frequency": "daily", "email": f"u{n}@school.test"})
    results = []

    def run(app):
        with app.app_context():
            results.append(digests.run_once(MONDAY))

    threads = [threading.Thread(target=run, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(str(m["To"]) for m in server.messages) == [f"u{n}@school.test" for n in range(6)]
    assert sum(r["sent"] for r in results) == 6
    for app in (first, second):
        get_store_of(app).close()


def get_store_of(app):
    with app.app_context():
        return get_store()


def test_a_server_that_is_down_and_comes_back(app, users, login, server, school):
    server.stop()
    result = digests.run_once(MONDAY)
    assert result["failed"] == 2 and server.messages == []
    state = digests.status()
    assert state["waiting"] == state["failing"] == 2
    assert "cannot reach the mail server 127.0.0.1" in state["last_error"]
    # The journal keeps working meanwhile, and the admin sees the failure.
    client = login(app.test_client(), "admin")
    page = client.get("/admin/mail/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2 digests could not be sent yet." in page and "cannot reach the mail server" in page
    assert login(app.test_client(), "teacher").get("/").status_code == 200
    # Too soon for a retry: nothing is tried (backoff), even with the server back.
    server.start()
    assert digests.run_once(MONDAY + timedelta(seconds=30))["sent"] == 0
    result = digests.run_once(MONDAY + timedelta(minutes=2))
    assert result["sent"] == 2 and len(server.messages) == 2
    state = digests.status()
    assert state["waiting"] == 0 and state["last_error_resolved"]


def test_backoff_grows_between_attempts(app, users, server, school):
    server.stop()
    now = MONDAY
    pauses = []
    for _attempt in range(4):
        digests.run_once(now)
        record = get_store().digests.find(user_id=users["teacher"]["id"])[0]
        next_try = datetime.fromisoformat(record["next_try"])
        pauses.append(round((next_try - now).total_seconds() / 60))
        now = next_try + timedelta(seconds=1)
    assert pauses == [1, 2, 4, 8]


def test_a_period_that_is_over_is_not_sent_late(app, users, server, school):
    server.stop()
    digests.run_once(MONDAY)
    server.start()
    result = digests.run_once(MONDAY + timedelta(days=9))
    assert result["expired"] >= 1
    assert not any(m["Subject"] == "Journal: your week" and "2031-W10" in str(m)
                   for m in server.messages)
    weekly = get_store().digests.find(user_id=users["teacher"]["id"], period="2031-W10")
    assert weekly[0]["status"] == "expired"


def test_nothing_to_report_sends_nothing(app, users, server):
    digests.save_settings(users["teacher"], {"frequency": "daily", "email": "t@school.test"})
    assert digests.run_once(MONDAY)["nothing"] == 1
    assert server.messages == []


def test_no_digest_before_the_hour_or_at_the_weekend(app, users, server, school):
    assert digests.run_once(MONDAY.replace(hour=6))["planned"] == 0
    saturday = MONDAY - timedelta(days=2)
    assert digests.run_once(saturday)["planned"] == 0
    assert server.messages == []


def test_the_account_page_saves_the_choice_and_keeps_wrong_input(app, client, users, login,
                                                                 server):
    login(client, "teacher")
    wrong = client.post("/account/reminders/digest", data={"frequency": "weekly",
                                                           "email": "not an address"},
                        headers={"Accept-Language": "en"})
    assert wrong.status_code == 400
    assert b'id="email-error"' in wrong.data and b'value="not an address"' in wrong.data
    ok = client.post("/account/reminders/digest", data={"frequency": "daily",
                                                        "email": "an@school.test"})
    assert ok.status_code == 302
    assert digests.settings_of(get_store().users.get(users["teacher"]["id"])) == {
        "frequency": "daily", "email": "an@school.test"}
    record = [r for r in get_store().audit.all() if r["detail"].startswith("digest:")]
    assert record[-1]["detail"] == "digest:daily" and "an@school.test" not in str(record)


def test_sent_digests_are_audited_without_content(app, users, server, school):
    digests.run_once(MONDAY)
    records = [r for r in get_store().audit.all() if r["object_type"] == "digest"]
    assert {r["user_id"] for r in records} == {users["teacher"]["id"], users["support"]["id"]}
    assert all(r["action"] == "export" and "school.test" not in str(r) for r in records)


def test_old_records_are_forgotten(app, users, server, school):
    digests.run_once(MONDAY)
    assert digests.prune(MONDAY + timedelta(days=digests.KEEP_DAYS)) == 0
    assert digests.prune(MONDAY + timedelta(days=digests.KEEP_DAYS + 8)) == 2


def test_the_cli_sends_and_reports(app, runner, users, server, school, monkeypatch):
    monkeypatch.setattr(digests, "local_now", lambda: MONDAY)
    result = runner.invoke(args=["digests", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output and len(server.messages) == 2
    status = runner.invoke(args=["digests", "status"])
    assert "waiting 0" in status.output


def test_the_cli_says_when_no_server_is_set(tmp_path):
    app = make_test_app(tmp_path, JOURNAL_SMTP_HOST="")
    result = app.test_cli_runner().invoke(args=["digests", "send"])
    assert result.exit_code != 0 and "JOURNAL_SMTP_HOST" in result.output


def test_the_admin_test_message(app, users, login, server):
    client = login(app.test_client(), "admin")
    ok = client.post("/admin/mail/test", data={"to": "it@school.test"},
                     headers={"Accept-Language": "en"})
    assert ok.status_code == 200 and b"handed to the mail server" in ok.data
    assert [str(m["To"]) for m in server.messages] == ["it@school.test"]
    server.stop()
    down = client.post("/admin/mail/test", data={"to": "it@school.test"},
                       headers={"Accept-Language": "en"})
    assert down.status_code == 502 and b"cannot reach the mail server" in down.data
    assert login(app.test_client(), "teacher").get("/admin/mail/").status_code == 403


class TestStarttls:
    @pytest.fixture
    def server(self, tmp_path):
        mail_server = TestMailServer(tls_files=make_certificate(tmp_path), password="s3cret").start()
        yield mail_server
        mail_server.stop()

    def test_digests_go_over_starttls_with_a_login(self, app, users, server, school):
        assert digests.run_once(MONDAY)["sent"] == 2
        assert len(server.messages) == 2

    def test_an_untrusted_certificate_is_refused(self, app, users, server, school):
        app.config["JOURNAL_SMTP_CA_FILE"] = ""
        assert digests.run_once(MONDAY)["failed"] == 2
        assert "secure connection failed" in digests.status()["last_error"]
        assert server.messages == []

    def test_a_wrong_password_is_named(self, app, users, server, school):
        app.config["JOURNAL_SMTP_PASSWORD"] = "wrong"
        digests.run_once(MONDAY)
        assert "refused the user name or password" in digests.status()["last_error"]
