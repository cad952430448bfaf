"""Every form route refuses a POST without the CSRF token, and changes nothing.

CSRF protection is off in the test fixtures (most tests post forms directly), so a
view or blueprint exempted by mistake would pass every other test. This matrix turns
the protection on and walks ``app.url_map`` (installed plugins included) like the
access matrix: every state-changing method of every route outside the JSON API must
be refused by the CSRF check itself, for a signed-in insider and for an anonymous
visitor, and no stored document may change.
"""

from __future__ import annotations

import re

import pytest
from flask_wtf.csrf import CSRFError

from journal.storage import get_store

from .world import ExportEverything
from .world import fillers
from .world import snapshot

#: The body our test handler answers a CSRF refusal with (nothing else says this).
REFUSED = "csrf-refused"
#: Endpoints that may take a state-changing request without a CSRF token -> why: only
#: machine-to-machine calls that carry their own signature. The JSON API under
#: /api/ is left out as a whole: it authenticates with Bearer tokens, never the session cookie.
EXEMPT: dict[str, str] = {
    # Calls from a linked centre's journal: no cookie, every one signed (RFC 9421) and
    # refused unsigned (tests/federation/test_signing.py).
    "federation.hello": "signed call between linked journals",
    "federation.revoke": "signed call between linked journals",
    "federation_school.school_caseload": "signed call between linked journals",
    "federation_school.school_calendar": "signed call between linked journals",
}
CHANGING = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def app_config():
    return {"JOURNAL_LOAD_ENTRYPOINTS": True, "JOURNAL_STRICT_PLUGINS": False}


def _form_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        for method in sorted(set(rule.methods) & set(CHANGING)):
            yield rule, method


def _recognise_refusals(app):
    app.register_error_handler(CSRFError, lambda error: (REFUSED, 400))


def _table_sizes() -> dict:
    store = get_store()
    return {name: len(getattr(store, name).all()) for name in ("users", "sessions", "tokens")
            if hasattr(store, name)}


def test_no_form_route_accepts_a_post_without_the_csrf_token(app, users, login, world,
                                                              register_plugin):
    _recognise_refusals(app)
    register_plugin(ExportEverything(), "matrix")
    fill = fillers(world, users)
    insider = login(app.test_client(), "coordinator")
    anonymous = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True
    before, sizes = snapshot(), _table_sizes()
    accepted, tried = [], 0
    for rule, method in _form_routes(app):
        if rule.endpoint in EXEMPT:
            continue
        url = rule.build({a: fill.get(a, "x") for a in rule.arguments}, append_unknown=False)[1]
        for who, client in (("coordinator", insider), ("anonymous", anonymous)):
            response = client.open(url, method=method, data={"title": "x", "text": "x"},
                                   headers={"Accept-Language": "en"})
            tried += 1
            if response.get_data(as_text=True) != REFUSED:
                accepted.append(f"{method} {rule.rule} as {who}: {response.status_code}")
    assert tried > 100  # every form of the journal and its plugins, not a handful
    assert not accepted, "state-changing requests without a CSRF token got through:\n" + \
        "\n".join(accepted)
    assert snapshot() == before and _table_sizes() == sizes


def test_the_same_form_with_its_token_is_not_refused(app, users, login, world):
    _recognise_refusals(app)
    client = login(app.test_client(), "outsider_support")
    app.config["WTF_CSRF_ENABLED"] = True
    entry, trajectory = world["entry"], world["theirs"]
    page = client.get(f"/t/{trajectory['id']}/entries/{entry['id']}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    url = f"/t/{trajectory['id']}/entries/{entry['id']}/comments"
    assert client.post(url, data={"body": "Goed gezien."}).get_data(as_text=True) == REFUSED
    response = client.post(url, data={"body": "Goed gezien.", "csrf_token": token})
    assert response.status_code == 302
    assert [c["body"] for c in get_store().comments.find(entry_id=entry["id"])][-1] == "Goed gezien."
