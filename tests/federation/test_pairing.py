"""Pairing: a one-time code shown at the centre and typed in at the school; short-lived,
single use, throttled; hostile input refused plainly; the school admin's page."""

from __future__ import annotations

import time

import pytest
import requests

from journal.errors import Forbidden
from journal.errors import ValidationError
from journal.federation import keys
from journal.federation import links
from journal.federation import pairing
from journal.storage import get_store
from tests.support.federation import admin
from tests.support.federation import make_user


def _code(centre_app) -> str:
    with centre_app.app_context():
        return pairing.new_code(admin("centre-admin"))[0]


def _pair(app, school_url, centre_url, code, **kwargs):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return pairing.pair_with_centre(admin("school-admin"), centre_url=centre_url, code=code,
                                        shares=links.clean_shares(kwargs.get("shares", ())),
                                        own_url=school_url, own_name="De Linde")


def test_pairing_exchanges_keys_and_both_sides_keep_the_link(app, school_url, centre_app,
                                                            centre_url):
    link = _pair(app, school_url, centre_url, _code(centre_app), shares=("library",))
    with centre_app.app_context():
        theirs = get_store().federation_links.get(link["id"])
        assert get_store().pairing_codes.all() == []  # used up
    assert theirs["peer_public_key"] == keys.public_key_text(link["private_key"])
    assert link["peer_public_key"] == keys.public_key_text(theirs["private_key"])
    assert theirs["peer_url"] == school_url and theirs["peer_name"] == "De Linde"
    assert link["peer_name"] == "Leersteuncentrum De Brug" and link["side"] == "school"
    assert theirs["shares"] == {"caseload": False, "library": True, "patterns": False}


def test_a_code_works_once(app, school_url, centre_app, centre_url):
    code = _code(centre_app)
    _pair(app, school_url, centre_url, code)
    with pytest.raises(ValidationError) as caught:
        _pair(app, school_url, centre_url, code)
    assert "already used or expired" in str(caught.value.errors["code"][0])


def test_an_expired_code_is_refused(app, school_url, centre_app, centre_url):
    code = _code(centre_app)
    with centre_app.app_context():
        (record,) = get_store().pairing_codes.all()
        get_store().pairing_codes.update(record["id"], {"expires": time.time() - 1})
    with pytest.raises(ValidationError):
        _pair(app, school_url, centre_url, code)


def test_an_unused_code_and_its_key_are_gone_once_expired(centre_app):
    """docs/privacy.md promises pairing codes are kept until used or expired, not forever."""
    _code(centre_app)
    with centre_app.app_context():
        (stale,) = get_store().pairing_codes.all()
        get_store().pairing_codes.update(stale["id"], {"expires": time.time() - 1})
    _code(centre_app)
    with centre_app.app_context():
        (kept,) = get_store().pairing_codes.all()
        assert kept["id"] != stale["id"] and kept["expires"] > time.time()


def test_guessing_codes_is_throttled_and_audited(app, school_url, centre_app, centre_url):
    statuses = []
    for _ in range(7):
        answer = requests.post(centre_url + "/federation/v1/pair", timeout=5, json={
            "code": "AAAA-BBBB-CCCC", "name": "X", "url": school_url,
            "public_key": keys.public_key_text(keys.new_private_key())})
        statuses.append(answer.status_code)
    assert statuses[0] == 403 and statuses[-1] == 429
    # Even the right code waits while pairing is throttled.
    with pytest.raises(ValidationError) as caught:
        _pair(app, school_url, centre_url, _code(centre_app))
    assert "Too many wrong codes" in str(caught.value.errors["code"][0])
    with centre_app.app_context():
        details = {r["detail"] for r in get_store().audit.all() if r["action"] == "denied"}
    assert {"unknown_code", "throttled"} <= details


def test_hostile_pairing_input_is_refused_without_a_server_error(centre_app, centre_url):
    from tests.security.corpus import all_hostile
    from tests.security.corpus import sample

    good_key = keys.public_key_text(keys.new_private_key())
    for text in sample(all_hostile(), 60):
        for payload in ({"code": text, "name": "X", "url": "http://127.0.0.1:1", "public_key": good_key},
                        {"code": "AAAABBBBCCCC", "name": text, "url": text, "public_key": text},
                        {"code": ["x"], "name": {"a": 1}, "url": 5, "public_key": None},
                        text):
            answer = requests.post(centre_url + "/federation/v1/pair", json=payload, timeout=5)
            assert answer.status_code in (400, 403, 429), (payload, answer.status_code)
    with centre_app.app_context():
        assert get_store().federation_links.all() == []


@pytest.mark.parametrize("address", ["http://centre.example", "ftp://127.0.0.1", "javascript:alert(1)",
                                     "", "https://"])
def test_the_school_refuses_an_address_that_is_not_https(app, school_url, address):
    with pytest.raises(ValidationError) as caught:
        _pair(app, school_url, address, "AAAA-BBBB-CCCC")
    assert "centre_url" in caught.value.errors


def test_an_answer_without_the_codes_confirmation_makes_no_link(app, school_url, centre_app,
                                                                centre_url, monkeypatch):
    code = _code(centre_app)
    real = pairing.confirmation
    # The school checks the confirmation against another key than the one the centre sent.
    monkeypatch.setattr(pairing, "confirmation",
                        lambda code, link, c, s: real(code, link, keys.public_key_text(
                            keys.new_private_key()), s))
    with pytest.raises(ValidationError) as caught:
        _pair(app, school_url, centre_url, code)
    assert "cannot be trusted" in str(caught.value.errors["centre_url"][0])
    assert get_store().federation_links.all() == []


def test_the_school_admin_links_chooses_shares_and_ends_a_link_on_the_page(
        app, client, users, login, school_url, centre_app, centre_url):
    login(client, "admin")
    page = client.get("/admin/centres/")
    assert page.status_code == 200 and b"Link to a centre" in page.data
    wrong = client.post("/admin/centres/pair", data={"centre_url": centre_url,
                                                     "code": "typo", "shares": ["library"]})
    assert wrong.status_code == 400 and b"typo" in wrong.data  # what was typed stays
    done = client.post("/admin/centres/pair", data={"centre_url": centre_url,
                                                    "code": _code(centre_app).lower(),
                                                    "shares": ["library"]})
    assert done.status_code == 302
    (link,) = get_store().federation_links.all()
    client.post(f"/admin/centres/{link['id']}/shares", data={"shares": ["caseload", "patterns"]})
    with centre_app.app_context():
        told = get_store().federation_links.get(link["id"])["shares"]
    assert told == {"caseload": True, "library": False, "patterns": True}
    assert client.post(f"/admin/centres/{link['id']}/check").status_code == 302
    client.post(f"/admin/centres/{link['id']}/revoke")
    with centre_app.app_context():
        assert get_store().federation_links.get(link["id"])["status"] == "revoked"
    actions = [(r["action"], r["detail"]) for r in get_store().audit.all()
               if r["object_type"] == "federation_link"]
    assert ("update", "shares:caseload,patterns") in actions
    assert any(a == "delete" and d.startswith("revoked") for a, d in actions)
    assert client.post(f"/admin/centres/{link['id']}/revoke").status_code == 404


def test_only_the_admin_reaches_the_links_page(app, client, users, login):
    for who in ("teacher", "support", "coordinator"):
        assert login(app.test_client(), who).get("/admin/centres/").status_code == 403


def test_only_an_admin_pairs_changes_checks_or_ends_a_link_in_the_services(
        app, users, school_url, centre_app, centre_url):
    link = _pair(app, school_url, centre_url, _code(centre_app), shares=("library",))
    retired = dict(admin("retired-admin"), active=False)
    for actor in (users["teacher"], users["support"], users["coordinator"], retired):
        with app.test_request_context():
            with pytest.raises(Forbidden):
                pairing.pair_with_centre(actor, centre_url=centre_url, code=_code(centre_app),
                                         shares=links.clean_shares(()), own_url=school_url,
                                         own_name="De Linde")
            with pytest.raises(Forbidden):
                links.set_shares(actor, link["id"], links.clean_shares(links.SHARES))
            with pytest.raises(Forbidden):
                links.check(actor, link["id"])
            with pytest.raises(Forbidden):
                links.revoke(actor, link["id"])
    assert get_store().federation_links.get(link["id"])["status"] == "active"
    assert get_store().federation_links.get(link["id"])["shares"]["caseload"] is False
    assert len(get_store().federation_links.all()) == 1  # no second link was made
    refusals = [r for r in get_store().audit.all() if r["action"] == "denied"]
    assert {r["user_id"] for r in refusals} == {users["teacher"]["id"], users["support"]["id"],
                                                users["coordinator"]["id"], "retired-admin"}
    assert len(refusals) == 16 and {r["detail"] for r in refusals} == {"role"}

    ondersteuner = make_user(centre_app, "jonas", ["support"])
    with centre_app.test_request_context():
        with pytest.raises(Forbidden):
            pairing.new_code(ondersteuner)
        with pytest.raises(Forbidden):
            links.revoke(ondersteuner, link["id"])
        assert get_store().federation_links.get(link["id"])["status"] == "active"
        assert {r["user_id"] for r in get_store().audit.all()
                if r["action"] == "denied"} == {ondersteuner["id"]}
    with centre_app.app_context():
        assert len(get_store().pairing_codes.all()) == 4  # the codes made by the admin above
