"""Every call between linked journals is signed: a tampered body, a replay, a wrong key,
a revoked or unknown link, a stale or future signature and an unsigned call are all
refused and audited; an answer not signed by the other side is not trusted."""

from __future__ import annotations

import json
import time

import pytest
import requests

from journal.federation import client
from journal.federation import keys
from journal.federation import links
from journal.federation import signing
from journal.storage import get_store
from tests.support.federation import admin
from tests.support.federation import pair


@pytest.fixture
def linked(app, school_url, centre_app, centre_url):
    """A school linked to a centre; the centre's view of the link."""
    link_id = pair(app, school_url, centre_app, centre_url)
    with centre_app.app_context():
        return get_store().federation_links.get(link_id)


def _refusals(app, reason: str) -> list[dict]:
    with app.app_context():
        return [r for r in get_store().audit.all()
                if r["action"] == "denied" and r["detail"] == f"signature:{reason}"]


def _signed_request(link: dict, url: str, body: bytes, *, nonce: str = "n-0123456789abcdef",
                    method: str = "POST", created: float | None = None):
    prepared = requests.Request(method, url + "/federation/v1/hello", data=body or None,
                                headers={"Content-Type": "application/json"}).prepare()
    signer = signing._signer(link["id"], link["private_key"])
    from datetime import datetime
    from datetime import timezone

    when = datetime.fromtimestamp(created or time.time(), timezone.utc)
    signer.sign(prepared, key_id=link["id"], nonce=nonce, tag=signing.TAG, body=body,
                created=when, covered_component_ids=signing.REQUEST_COMPONENTS)
    return prepared


def _send(prepared):
    with requests.Session() as session:
        return session.send(prepared, timeout=5)


def test_a_signed_call_is_answered_and_the_answer_is_verified(app, centre_app, linked,
                                                             school_url):
    with centre_app.app_context():
        answer = links.ask_peer(linked, "POST", "/federation/v1/hello", {})
    assert answer == {"name": "Basisschool De Linde", "kind": "school"}


def test_a_tampered_body_is_refused_and_audited(app, linked, school_url):
    prepared = _signed_request(linked, school_url, b'{"a":1}')
    prepared.body = b'{"a":2}'
    response = _send(prepared)
    assert response.status_code == 401 and response.json() == {"error": "bad_digest"}
    assert _refusals(app, "bad_digest")[0]["object_id"] == linked["id"]


def test_a_replayed_call_is_refused_and_audited(app, linked, school_url):
    prepared = _signed_request(linked, school_url, b"{}", nonce="once-only-nonce-123456")
    assert _send(prepared).status_code == 200
    again = _send(prepared)
    assert again.status_code == 401 and again.json()["error"] == "replay"
    assert _refusals(app, "replay")


def test_a_call_signed_with_another_key_is_refused_and_audited(app, linked, school_url):
    forged = dict(linked, private_key=keys.new_private_key())
    response = _send(_signed_request(forged, school_url, b"{}"))
    assert response.status_code == 401 and response.json()["error"] == "bad_signature"
    assert _refusals(app, "bad_signature")


@pytest.mark.parametrize("seconds", [-600, 600])
def test_a_signature_outside_the_clock_skew_is_refused(app, linked, school_url, seconds):
    response = _send(_signed_request(linked, school_url, b"{}", created=time.time() + seconds))
    assert response.status_code == 401 and response.json()["error"] == "clock_skew"
    assert _refusals(app, "clock_skew")


def test_an_unsigned_call_is_refused_and_audited(app, linked, school_url):
    response = requests.post(school_url + "/federation/v1/hello", json={}, timeout=5)
    assert response.status_code == 401 and response.json()["error"] == "unsigned"
    assert _refusals(app, "unsigned")


def test_an_unknown_link_is_refused(app, linked, school_url):
    stranger = dict(linked, id="someone-else-entirely")
    response = _send(_signed_request(stranger, school_url, b"{}"))
    assert response.json()["error"] == "unknown_link"
    assert _refusals(app, "unknown_link")[0]["object_id"] == "someone-else-entirely"


def test_a_link_revoked_at_the_school_refuses_the_centre_and_tells_it(app, centre_app, linked,
                                                                     school_url):
    school_link = get_store().federation_links.get(linked["id"])
    links.revoke(admin("school-admin"), school_link["id"])
    assert get_store().federation_links.get(linked["id"])["private_key"] == ""
    with centre_app.app_context():
        # The school told the centre: the link is ended there too.
        assert get_store().federation_links.get(linked["id"])["status"] == "revoked"
    response = _send(_signed_request(linked, school_url, b"{}"))
    assert response.json()["error"] == "revoked"
    assert _refusals(app, "revoked")


def test_an_answer_not_signed_by_the_other_side_is_not_trusted(app, centre_app, linked):
    wrong = dict(linked, peer_public_key=keys.public_key_text(keys.new_private_key()))
    with centre_app.app_context():
        with pytest.raises(client.Unreachable) as caught:
            links.ask_peer(wrong, "POST", "/federation/v1/hello", {})
    assert caught.value.reason == "bad_answer_signature"


def test_a_school_that_does_not_answer_is_unreachable_within_the_timeout(centre_app, linked):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)  # accepts, never answers
        port = s.getsockname()[1]
        silent = dict(linked, peer_url=f"http://127.0.0.1:{port}")
        started = time.monotonic()
        out = client.call_each({"x": (client.Peer.of(silent), "POST", "/federation/v1/hello",
                                      {})}, timeout=1, skew=120)
    assert isinstance(out["x"], client.Unreachable) and time.monotonic() - started < 5


def test_hostile_payloads_are_refused_without_a_server_error(app, linked, school_url):
    from tests.security.corpus import all_hostile
    from tests.security.corpus import sample

    for text in sample(all_hostile(), 40):
        body = text.encode("utf-8", "surrogatepass")
        for path in ("/federation/v1/caseload", "/federation/v1/calendar",
                     "/federation/v1/patterns?school_year=" + "x"):
            prepared = _signed_request(linked, school_url, body, nonce=f"h-{hash((text, path))}")
            prepared.url = school_url + path
            # Re-signed for the right path, the body itself is what is hostile.
            prepared = _resign(linked, prepared, body, path)
            response = _send(prepared)
            assert response.status_code < 500, (text, path, response.status_code)
        headers = {"Signature-Input": text.encode("utf-8", "replace").decode("latin-1",
                                                                               "replace"),
                   "Signature": text.encode("utf-8", "replace").decode("latin-1", "replace")}
        try:
            response = requests.post(school_url + "/federation/v1/hello", data=body,
                                     headers=headers, timeout=5)
        except (ValueError, requests.RequestException):
            continue  # requests itself refuses header values it cannot send
        assert response.status_code == 401


def _resign(link, prepared, body, path):
    method = "GET" if "patterns" in path else "POST"
    fresh = requests.Request(method, prepared.url, data=body or None,
                             headers={"Content-Type": "application/json"}).prepare()
    signing.sign_request(fresh, link_id=link["id"], private_pem=link["private_key"],
                         nonce=json.dumps(hash(fresh.url + str(body)))[:40].strip('"-') + "x",
                         body=body)
    return fresh
