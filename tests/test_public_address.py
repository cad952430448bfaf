"""One setting for this journal's public address (JOURNAL_PUBLIC_URL): links in e-mails and
calendar feeds and the address a linked journal is given all use it; the old name
JOURNAL_BASE_URL still works for one release, with a warning in the log and from
``journal check``."""

from __future__ import annotations

import logging

import pytest

from journal.plugins.testing import make_test_app
from journal.public_address import absolute_url
from journal.public_address import public_url
from tests.test_cli import initialised  # noqa: F401  (a fixture: an instance made by `journal init`)

EN = {"Accept-Language": "en"}
ADDRESS = "https://logboek.school.test"


def test_the_configured_address_wins_everywhere(tmp_path):
    app = make_test_app(tmp_path, JOURNAL_PUBLIC_URL=ADDRESS + "/")
    with app.test_request_context("/", base_url="http://10.0.0.5:5000"):
        assert public_url() == ADDRESS  # not the address the request came in at
        assert absolute_url("home.index") == ADDRESS + "/"
    with app.app_context():  # outside a request: a digest, the CLI
        assert absolute_url("reminders.settings") == ADDRESS + "/account/reminders"


def test_without_a_setting_the_request_answers_and_else_localhost(tmp_path):
    app = make_test_app(tmp_path)
    with app.test_request_context("/", base_url="https://journal.school.test/logboek"):
        assert public_url() == "https://journal.school.test/logboek"
        assert absolute_url("home.index") == "https://journal.school.test/logboek/"
    with app.app_context():
        assert public_url() == "http://localhost:5000"


def test_the_old_name_still_works_and_says_it_is_deprecated(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        app = make_test_app(tmp_path, JOURNAL_BASE_URL=ADDRESS)
    assert app.config["JOURNAL_PUBLIC_URL"] == ADDRESS and "JOURNAL_BASE_URL" not in app.config
    (notice,) = app.extensions["journal.config_notices"]
    assert "JOURNAL_BASE_URL is deprecated" in notice and "rename it to JOURNAL_PUBLIC_URL" in notice
    assert notice in caplog.text
    with app.app_context():
        assert absolute_url("home.index") == ADDRESS + "/"


def test_the_old_name_from_the_environment_works_too(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_BASE_URL", ADDRESS)
    app = make_test_app(tmp_path)
    assert app.config["JOURNAL_PUBLIC_URL"] == ADDRESS
    assert app.extensions["journal.config_notices"]


def test_the_new_name_wins_over_the_old_one(tmp_path):
    app = make_test_app(tmp_path, JOURNAL_BASE_URL="https://old.school.test",
                        JOURNAL_PUBLIC_URL=ADDRESS)
    assert app.config["JOURNAL_PUBLIC_URL"] == ADDRESS
    (notice,) = app.extensions["journal.config_notices"]
    assert "ignored because JOURNAL_PUBLIC_URL is set too" in notice


def test_a_current_configuration_has_no_notice(tmp_path):
    assert make_test_app(tmp_path, JOURNAL_PUBLIC_URL=ADDRESS).extensions[
        "journal.config_notices"] == []


@pytest.fixture
def app_config():
    return {"JOURNAL_PUBLIC_URL": ADDRESS, "JOURNAL_SMTP_HOST": "smtp.school.test",
            "JOURNAL_SMTP_SENDER": "logboek@school.test"}


def test_the_admin_sees_where_links_point_and_is_warned_without_an_address(app, users, login):
    client = login(app.test_client(), "admin")
    page = client.get("/admin/mail/", headers=EN).get_data(as_text=True)
    assert f"<dd>{ADDRESS}</dd>" in page and "is not set" not in page
    app.config["JOURNAL_PUBLIC_URL"] = ""
    page = client.get("/admin/mail/", headers=EN).get_data(as_text=True)
    assert "<dd>http://localhost/ " not in page and "JOURNAL_PUBLIC_URL is not set" in page


def test_the_centre_tells_its_admin_the_configured_address(tmp_path):
    from journal.accounts import create_user

    centre = make_test_app(tmp_path, JOURNAL_INSTANCE_KIND="centre", JOURNAL_PUBLIC_URL=ADDRESS)
    with centre.app_context():
        create_user("dirk", roles=["admin"], password="a long enough passphrase 42")
        client = centre.test_client()
        assert client.post("/login", data={"username": "dirk", "password":
                                           "a long enough passphrase 42"}).status_code == 302
        page = client.post("/centre/admin/schools/code", headers=EN).get_data(as_text=True)
    assert f"<code>{ADDRESS}</code>" in page and "http://localhost" not in page


def test_journal_check_names_the_old_setting(tmp_path, initialised):
    import shutil

    from tests.test_cli import InProcess

    folder = tmp_path / "instance"
    shutil.copytree(initialised, folder)
    with open(folder / "config.py", "a", encoding="utf-8") as config:
        config.write(f'\nJOURNAL_BASE_URL = "{ADDRESS}"\n')
    result = InProcess(folder)("check")
    assert result.exit_code == 0, result.output
    assert "NOTICE: The setting JOURNAL_BASE_URL is deprecated" in result.output
    assert "rename it to JOURNAL_PUBLIC_URL" in result.output and "is intact" in result.output
