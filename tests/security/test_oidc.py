"""Signing in through an OpenID Connect provider, against a real provider on loopback.

The provider (tests/support/oidc_provider.py) is built from Authlib's server
parts and signs real tokens; the journal talks to it over HTTP as it would to
Microsoft Entra ID or Google. Each test may tell it to misbehave.
"""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import requests

from journal.security import totp
from journal.signin import identities
from journal.signin import providers as registry
from journal.storage import get_store
from journal.plugins.testing import TEST_PASSWORD
from tests.support.oidc_provider import running_provider
from tests.support.oidc_provider import provider_config

PEOPLE = [
    {"username": "an", "password": "an-pass", "sub": "sub-an-1", "name": "An Peeters",
     "email": "shared@school.example", "amr": ["pwd", "otp"]},
    # The same e-mail address as An, another person (a reused or shared address).
    {"username": "an2", "password": "an2-pass", "sub": "sub-an-2", "name": "An Peeters",
     "email": "shared@school.example", "amr": ["pwd"]},
    {"username": "boss", "password": "boss-pass", "sub": "sub-boss", "name": "Directeur",
     "email": "boss@school.example", "amr": ["pwd", "mfa"], "acr": "urn:school:strong"},
    {"username": "new", "password": "new-pass", "sub": "sub-new", "name": "Nieuwe Collega",
     "email": "new@school.example", "amr": ["pwd"]},
]


@pytest.fixture(scope="module")
def idp():
    with running_provider(PEOPLE) as provider:
        yield provider


@pytest.fixture
def provider(idp):
    idp.reset()
    registry.forget()
    yield idp
    idp.reset()
    registry.forget()


@pytest.fixture
def provider_options():
    """Override to change the journal's settings for the test provider."""
    return {}


@pytest.fixture
def app_config(idp, provider_options):
    return {"JOURNAL_OIDC_PROVIDERS": [provider_config(idp, **provider_options)]}


@pytest.fixture
def linked(app, users, provider):
    """The teacher is linked to An (by subject), the admin to nobody."""
    return identities.link(users["admin"], users["teacher"],
                           registry.get_provider("test-idp"), "sub-an-1")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def start(client, next_url: str = "/"):
    response = client.get("/login/provider/test-idp", query_string={"next": next_url})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def sign_in(client, provider, username: str):
    """The whole round trip: journal -> provider's form -> back to the journal."""
    callback = provider.sign_in(start(client), username)
    return client.get(_path(callback), headers={"Accept-Language": "en"}), callback


def signed_in_as(client) -> str | None:
    page = client.get("/account/")
    if page.status_code != 200:
        return None
    sid_records = get_store().sessions.all()
    text = page.get_data(as_text=True)
    for user in get_store().users.all():
        if f"({user['username']})" in text:
            return user["username"]
    return "?" if sid_records else None


def audit_records(action: str) -> list[dict]:
    return [r for r in get_store().audit.all() if r["action"] == action]


# -- the flow ------------------------------------------------------------------


def test_sign_in_page_offers_a_button_per_provider_without_javascript(client, provider):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sign in with Testschool" in page
    assert "Aanmelden met Testschool" in client.get("/login").get_data(as_text=True)
    assert 'href="/login/provider/test-idp?next=' in page  # a plain link: no script, no form


def test_a_linked_person_signs_in_and_the_audit_names_the_provider(app, client, provider, linked):
    response, _ = sign_in(client, provider, "an")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_as(client) == "teacher"
    login = audit_records("login")[-1]
    assert login["object_id"] == linked["id"] and login["detail"] == "oidc:test-idp"


def test_the_authorisation_request_uses_pkce_state_and_nonce(client, provider, linked):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["response_type"] == ["code"] and "openid" in query["scope"][0].split()
    # The PKCE verifier is kept on the server, never in the cookie.
    pending = get_store().oidc_pending.all()
    assert len(pending) == 1 and pending[0]["code_verifier"]
    assert pending[0]["code_verifier"] not in (client.get_cookie("journal_session").value or "")


def test_next_page_is_kept_through_the_provider(client, provider, linked, users):
    callback = provider.sign_in(start(client, "/account/tokens"), "an")
    assert client.get(_path(callback)).headers["Location"] == "/account/tokens"


@pytest.mark.parametrize("mode, reason", [
    ("wrong_audience", "wrong_audience"),
    ("wrong_issuer", "wrong_issuer"),
    ("expired", "expired"),
    ("future_iat", "issued_in_future"),
    ("bad_signature", "bad_signature"),
    ("unknown_key", "bad_signature"),
    ("replayed_nonce", "nonce"),
])
def test_an_untrustworthy_id_token_signs_no_one_in(client, provider, linked, mode, reason):
    provider.misbehave(mode)
    response, _ = sign_in(client, provider, "an")
    assert response.status_code == 401
    assert "could not be trusted" in response.get_data(as_text=True)
    assert signed_in_as(client) is None
    failure = audit_records("login_failed")[-1]
    assert failure["object_type"] == "oidc_provider" and failure["object_id"] == "test-idp"
    assert failure["detail"] == reason and failure["user_id"] == ""


def test_clock_skew_is_bounded_by_the_setting(app, client, provider, linked):
    provider.misbehave("future_iat")  # issued ten minutes ahead: more than any allowed skew
    app.config["JOURNAL_OIDC_CLOCK_SKEW_SECONDS"] = 3600  # capped at five minutes
    response, _ = sign_in(client, provider, "an")
    assert response.status_code == 401


def test_a_callback_url_works_once(app, client, provider, linked):
    response, callback = sign_in(client, provider, "an")
    assert response.status_code == 302
    client.post("/logout")
    again = client.get(_path(callback), headers={"Accept-Language": "en"})
    assert again.status_code == 401 and "already been used" in again.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert audit_records("login_failed")[-1]["detail"] == "unknown_state"


def test_a_callback_planted_in_another_browser_signs_no_one_in(app, client, provider, linked):
    callback = provider.sign_in(start(client), "an")
    victim = app.test_client()
    victim.get("/login")
    response = victim.get(_path(callback))
    assert response.status_code == 401 and signed_in_as(victim) is None


def test_the_provider_saying_no_is_refused(client, provider, linked):
    url = start(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get(f"/login/provider/test-idp/callback?error=access_denied&state={state}")
    assert response.status_code == 401 and signed_in_as(client) is None


# -- who it is -----------------------------------------------------------------


def test_an_unknown_subject_is_refused_and_nothing_is_created(client, provider, users):
    before = len(get_store().users.all())
    response, _ = sign_in(client, provider, "new")
    text = response.get_data(as_text=True)
    assert response.status_code == 403 and "not linked" in text and "sub-new" in text
    assert len(get_store().users.all()) == before and signed_in_as(client) is None
    assert audit_records("login_failed")[-1]["detail"] == "unknown_subject"


def test_an_unknown_subject_from_a_misbehaving_provider_is_refused(client, provider, linked):
    provider.misbehave("unknown_subject")
    response, _ = sign_in(client, provider, "an")
    assert response.status_code == 403 and signed_in_as(client) is None


class TestSignUpAllowed:
    @pytest.fixture
    def provider_options(self):
        return {"allow_signup": True}

    def test_first_sign_in_makes_an_account_without_a_role(self, app, client, provider, users,
                                                           make_trajectory):
        trajectory = make_trajectory(users["teacher"])
        response, _ = sign_in(client, provider, "new")
        assert response.status_code == 302
        created = identities.find_user(provider.issuer, "sub-new")
        assert created["roles"] == [] and created["password_hash"] is None
        assert created["identities"][0]["subject"] == "sub-new"
        # No data anywhere: every page leads to the waiting page.
        for path in ("/", "/trajectories/", f"/t/{trajectory['id']}", "/search?q=a", "/account/"):
            answer = client.get(path)
            assert answer.status_code == 302 and answer.headers["Location"] == "/waiting", path
        waiting = client.get("/waiting", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Waiting for a role" in waiting and "no role in this journal yet" in waiting
        dutch = client.get("/waiting", headers={"Accept-Language": "nl"}).get_data(as_text=True)
        assert "Wacht op een rol" in dutch

    def test_the_admin_grants_a_role_and_the_person_gets_in(self, app, client, provider, users,
                                                            login):
        sign_in(client, provider, "new")
        created = identities.find_user(provider.issuer, "sub-new")
        admin = login(app.test_client(), "admin")
        listing = admin.get("/admin/accounts/", headers={"Accept-Language": "en"})
        assert "waiting for a role" in listing.get_data(as_text=True)
        admin.post(f"/admin/accounts/{created['id']}",
                   data={"display_name": "Nieuwe Collega", "roles": ["teacher"],
                         "rev": created["rev"]})
        assert client.get("/").status_code == 200

    def test_a_second_sign_in_finds_the_same_account(self, app, client, provider, users):
        sign_in(client, provider, "new")
        client.post("/logout")
        sign_in(client, provider, "new")
        assert len([u for u in get_store().users.all()
                    if any(i["subject"] == "sub-new" for i in u.get("identities", []))]) == 1


def test_accounts_are_linked_by_subject_never_by_email(app, client, provider, users, linked):
    # An and "an2" share an e-mail address; only An's subject is linked to the teacher.
    response, _ = sign_in(client, provider, "an2")
    assert response.status_code == 403 and signed_in_as(client) is None
    other = app.test_client()
    sign_in(other, provider, "an")
    assert signed_in_as(other) == "teacher"


def test_one_identity_links_to_one_account_only(app, users, provider, linked):
    with pytest.raises(identities.IdentityError):
        identities.link(users["admin"], users["support"], registry.get_provider("test-idp"),
                        "sub-an-1")


def test_a_deactivated_account_cannot_sign_in_through_the_provider(app, client, provider, linked,
                                                                   users):
    get_store().users.update(users["teacher"]["id"], {"active": False})
    response, _ = sign_in(client, provider, "an")
    assert response.status_code == 403 and signed_in_as(client) is None


# -- linking -------------------------------------------------------------------


def test_a_signed_in_user_links_their_own_account(app, client, provider, users, login):
    login(client, "support")
    link_url = client.post("/account/sign-in/link/test-idp").headers["Location"]
    callback = provider.sign_in(link_url, "boss")
    response = client.get(_path(callback))
    assert response.headers["Location"] == "/account/sign-in"
    page = client.get("/account/sign-in", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "sub-boss" in page
    client.post("/logout")
    fresh = app.test_client()
    sign_in(fresh, provider, "boss")
    assert signed_in_as(fresh) == "support"
    assert any(r["detail"] == "identity_link:test-idp" for r in audit_records("account"))


def test_the_account_page_lets_its_link_forms_reach_the_provider(app, client, provider, users,
                                                                login):
    login(client, "support")
    page = client.get("/account/sign-in")
    assert f"form-action 'self' {provider.issuer}" in page.headers["Content-Security-Policy"]
    assert client.get("/account/").headers["Content-Security-Policy"].count("form-action 'self';")


def test_linking_an_identity_someone_else_has_is_refused(app, client, provider, users, login,
                                                         linked):
    login(client, "support")
    callback = provider.sign_in(client.post("/account/sign-in/link/test-idp").headers["Location"],
                                "an")
    client.get(_path(callback))
    assert identities.find_user(provider.issuer, "sub-an-1")["id"] == users["teacher"]["id"]
    page = client.get("/account/sign-in", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "already linked to another account" in page


def test_the_admin_links_and_unlinks_an_account_by_subject(app, users, login, provider):
    admin = login(app.test_client(), "admin")
    target = users["coordinator"]
    admin.post(f"/admin/accounts/{target['id']}/identities",
               data={"provider_id": "test-idp", "subject": "sub-boss"})
    assert identities.find_user(provider.issuer, "sub-boss")["id"] == target["id"]
    page = admin.get(f"/admin/accounts/{target['id']}").get_data(as_text=True)
    assert "sub-boss" in page
    admin.post(f"/admin/accounts/{target['id']}/identities/unlink",
               data={"issuer": provider.issuer, "subject": "sub-boss"})
    assert identities.find_user(provider.issuer, "sub-boss") is None


def test_a_refused_admin_link_keeps_what_was_typed(app, users, login, provider, linked):
    admin = login(app.test_client(), "admin")
    response = admin.post(f"/admin/accounts/{users['support']['id']}/identities",
                          data={"provider_id": "test-idp", "subject": "sub-an-1"},
                          follow_redirects=True, headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert "already linked to another account" in text and 'value="sub-an-1"' in text


# -- passwords per role --------------------------------------------------------


def test_password_sign_in_switched_off_for_a_role(app, client, provider, users, login, linked):
    admin = login(app.test_client(), "admin")
    admin.post("/admin/sign-in/passwords", data={"password_off": ["teacher"]})
    assert identities.password_disabled_roles() == ["teacher"]
    refused = client.post("/login", data={"username": "teacher", "password": TEST_PASSWORD},
                          headers={"Accept-Language": "en"})
    assert refused.status_code == 403 and "Passwords are switched off" in refused.get_data(
        as_text=True)
    assert signed_in_as(client) is None
    sign_in(client, provider, "an")
    assert signed_in_as(client) == "teacher"
    other = app.test_client()
    assert other.post("/login", data={"username": "support",
                                      "password": TEST_PASSWORD}).status_code == 302


def test_passwords_stay_on_for_admins_until_a_provider_is_linked_to_one(app, users, login,
                                                                        provider):
    admin = login(app.test_client(), "admin")
    refused = admin.post("/admin/sign-in/passwords", data={"password_off": ["admin", "teacher"]},
                         headers={"Accept-Language": "en"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "cannot be switched off for administrators" in text
    assert identities.password_disabled_roles() == []
    assert 'value="teacher" checked' in text  # what was ticked stays ticked
    identities.link(users["admin"], users["admin"], registry.get_provider("test-idp"), "sub-boss")
    assert admin.post("/admin/sign-in/passwords",
                      data={"password_off": ["admin"]}).status_code == 302
    assert identities.password_disabled_roles() == ["admin"]
    # ... and the admin's last link cannot be removed then.
    admin.post(f"/admin/accounts/{users['admin']['id']}/identities/unlink",
               data={"issuer": provider.issuer, "subject": "sub-boss"})
    assert identities.find_user(provider.issuer, "sub-boss")["id"] == users["admin"]["id"]


# -- the second factor ----------------------------------------------------------


@pytest.fixture
def teacher_with_totp(app, users, linked):
    import pyotp

    secret = pyotp.random_base32()
    get_store().users.update(users["teacher"]["id"], {"totp_secret": secret})
    return secret


def test_without_trust_the_code_step_follows_the_provider(app, client, provider,
                                                          teacher_with_totp):
    import pyotp

    response, _ = sign_in(client, provider, "an")  # An's token says amr otp: not trusted here
    assert response.headers["Location"] == "/login/code"
    assert signed_in_as(client) is None
    done = client.post("/login/code", data={"code": pyotp.TOTP(teacher_with_totp).now()})
    assert done.status_code == 302 and signed_in_as(client) == "teacher"
    assert audit_records("login")[-1]["detail"] == "oidc:test-idp:totp"


class TestTrustedMfa:
    @pytest.fixture
    def provider_options(self):
        return {"trust_mfa": True, "mfa_acr_values": ["urn:school:strong"]}

    def test_a_trusted_mfa_claim_replaces_the_code(self, app, client, provider,
                                                   teacher_with_totp):
        response, _ = sign_in(client, provider, "an")
        assert response.headers["Location"] == "/" and signed_in_as(client) == "teacher"
        assert audit_records("login")[-1]["detail"] == "oidc:test-idp:mfa"

    def test_without_the_claim_the_code_is_still_asked(self, app, client, provider,
                                                       teacher_with_totp):
        provider.misbehave("missing_mfa")
        response, _ = sign_in(client, provider, "an")
        assert response.headers["Location"] == "/login/code" and signed_in_as(client) is None

    def test_a_named_acr_counts_and_spares_enrolment_too(self, app, client, provider, users):
        get_store().settings.set("totp_required_roles", ["coordinator"])
        identities.link(users["admin"], users["coordinator"], registry.get_provider("test-idp"),
                        "sub-boss")
        sign_in(client, provider, "boss")
        assert client.get("/").status_code == 200  # not sent to the enrolment page

    def test_a_password_sign_in_must_still_enrol(self, app, client, users, provider, login):
        get_store().settings.set("totp_required_roles", ["coordinator"])
        login(client, "coordinator")
        assert client.get("/").headers["Location"] == "/account/totp"


def test_mfa_claim_rules():
    trusted = {"trust_mfa": True, "mfa_acr_values": ["gold"]}
    assert identities.mfa_claimed(trusted, {"amr": ["pwd", "mfa"]})
    assert identities.mfa_claimed(trusted, {"amr": ["hwk"]})
    assert identities.mfa_claimed(trusted, {"acr": "gold"})
    assert not identities.mfa_claimed(trusted, {"amr": ["pwd"], "acr": "silver"})
    assert not identities.mfa_claimed({"trust_mfa": False}, {"amr": ["mfa"]})


# -- signing out -----------------------------------------------------------------


def test_sign_out_ends_the_session_and_offers_the_providers_logout(app, client, provider,
                                                                   linked):
    sign_in(client, provider, "an")
    page = client.post("/logout", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Also sign out at Testschool" in text
    assert signed_in_as(client) is None and not get_store().sessions.all()
    import html
    import re

    href = html.unescape(re.search(r'href="(http://127\.0\.0\.1[^"]+/logout[^"]*)"', text)[1])
    answer = requests.get(href, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    assert provider.logouts[-1]["id_token_hint_valid"]


def test_without_an_end_session_endpoint_sign_out_is_local(app, client, provider, linked):
    provider.misbehave("no_end_session")
    sign_in(client, provider, "an")
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert signed_in_as(client) is None


# -- throttling and audit ----------------------------------------------------------


class TestThrottle:
    @pytest.fixture
    def app_config(self, idp):
        return {"JOURNAL_OIDC_PROVIDERS": [provider_config(idp)],
                "JOURNAL_THROTTLE_ACCOUNT_FAILURES": 2}

    def test_a_locked_account_waits_whichever_way_it_signs_in(self, app, client, provider,
                                                              linked):
        for _ in range(2):
            client.post("/login", data={"username": "teacher", "password": "wrong"})
        response, _ = sign_in(client, provider, "an")
        assert response.status_code == 429 and signed_in_as(client) is None

    def test_an_unknown_subject_that_keeps_trying_waits(self, app, client, provider, users):
        for _ in range(2):
            sign_in(client, provider, "new")
        response, _ = sign_in(client, provider, "new")
        assert response.status_code == 429


def test_audit_records_carry_ids_only(app, client, provider, linked):
    sign_in(client, provider, "an2")
    provider.misbehave("bad_signature")
    sign_in(client, provider, "an")
    for record in get_store().audit.all():
        flat = repr(record)
        for secret in ("sub-an", "shared@school", "An Peeters"):
            assert secret not in flat


# -- providers and the admin page --------------------------------------------------


def test_issuers_must_be_https_except_on_loopback():
    assert registry.secure_url("https://login.microsoftonline.com/x/v2.0")
    assert registry.secure_url("http://127.0.0.1:9000")
    assert registry.secure_url("http://localhost:9000")
    assert not registry.secure_url("http://accounts.google.com")
    assert not registry.secure_url("ftp://127.0.0.1")


class TestInsecureIssuer:
    @pytest.fixture
    def app_config(self):
        return {"JOURNAL_OIDC_PROVIDERS": [{"id": "plain", "name": "Plain",
                                            "issuer": "http://idp.example.org",
                                            "client_id": "x"}]}

    def test_an_http_issuer_is_never_offered(self, client):
        assert "Plain" not in client.get("/login").get_data(as_text=True)
        assert client.get("/login/provider/plain").status_code == 404


def test_the_admin_connects_a_provider_and_it_appears_on_the_sign_in_page(app, users, login,
                                                                         provider):
    admin = login(app.test_client(), "admin")
    bad = admin.post("/admin/sign-in/providers/new",
                     data={"id": "second", "name": "Tweede", "issuer": "http://idp.example.org",
                           "client_id": "journal", "scopes": "openid", "enabled": "1"},
                     headers={"Accept-Language": "en"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "must be an https://" in text
    assert 'value="http://idp.example.org"' in text and 'value="Tweede"' in text
    good = admin.post("/admin/sign-in/providers/new",
                      data={"id": "second", "name": "Tweede", "issuer": provider.issuer,
                            "client_id": "journal", "client_secret": "journal-secret",
                            "scopes": "openid email", "enabled": "1"})
    assert good.status_code == 302
    page = app.test_client().get("/login", headers={"Accept-Language": "en"})
    assert "Sign in with Tweede" in page.get_data(as_text=True)
    listing = admin.get("/admin/sign-in").get_data(as_text=True)
    assert "/login/provider/second/callback" in listing and "journal-secret" not in listing
    form = admin.get("/admin/sign-in/providers/second").get_data(as_text=True)
    assert "journal-secret" not in form


def test_only_admins_reach_the_sign_in_settings(app, users, login, provider):
    for who in ("teacher", "support", "coordinator"):
        assert login(app.test_client(), who).get("/admin/sign-in").status_code == 403


# -- hostile input on the new surfaces -------------------------------------------------


def test_sign_in_surfaces_survive_hostile_text(app, client, users, login, provider, linked):
    from .corpus import all_hostile
    from .corpus import sample
    from .test_hostile_input import assert_no_injected_markup

    admin = login(app.test_client(), "admin")
    hostile = sample(all_hostile(), 24)
    target = users["support"]
    for text in hostile:
        for response in (
            admin.post(f"/admin/accounts/{target['id']}/identities",
                       data={"provider_id": "test-idp", "subject": text}, follow_redirects=True),
            admin.post("/admin/sign-in/providers/new",
                       data={"id": text, "name": text, "issuer": text, "client_id": text,
                             "scopes": text, "mfa_acr_values": text}),
            admin.post("/admin/sign-in/passwords", data={"password_off": text}),
            client.get("/login/provider/test-idp/callback",
                       query_string={"state": text, "code": text, "error": text}),
            client.get("/login/provider/test-idp", query_string={"next": text}),
        ):
            body = response.get_data(as_text=True)
            assert response.status_code < 500, (text, response.status_code)
            assert_no_injected_markup(body, repr(text))
    for page in (f"/admin/accounts/{target['id']}", "/admin/sign-in", "/admin/accounts/"):
        assert_no_injected_markup(admin.get(page).get_data(as_text=True), page)
    # A hostile "next" never leads off the journal.
    for text in hostile:
        callback = provider.sign_in(start(client, text), "an")
        location = client.get(_path(callback)).headers.get("Location", "")
        assert location.startswith("/") and not location.startswith("//"), location
        client.post("/logout")
