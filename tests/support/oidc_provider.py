"""A real OpenID Connect provider for tests, built from Authlib's server parts.

It runs on 127.0.0.1 (a thread, or its own process) and speaks the real
protocol: a discovery document, a JWKS endpoint, Authlib's
``AuthorizationServer`` with the authorisation code grant, the OpenID Connect
code extension (``OpenIDCode``, nonce required) and PKCE (``CodeChallenge``,
S256 required), RS256-signed ID tokens (keys from joserfc, the JOSE library
Authlib itself uses now that ``authlib.jose`` is deprecated), and an
``end_session_endpoint`` for RP-initiated logout.

People sign in on a plain HTML form (user name and password; works without
JavaScript, so the browser suite can use it too).

Tell it to misbehave, per test, with :meth:`TestProvider.misbehave` (or
``POST /_test/misbehave`` with ``{"modes": [...]}`` when it runs as a process):

``wrong_audience``   the ID token is for another client
``wrong_issuer``     the ID token names another issuer
``expired``          the ID token expired an hour ago
``future_iat``       the ID token was issued ten minutes from now
``bad_signature``    signed with a key not in the JWKS (same ``kid``)
``unknown_key``      signed with a key not in the JWKS (a ``kid`` nobody knows)
``replayed_nonce``   the ID token carries the nonce of an earlier sign-in
``unknown_subject``  the ID token names a ``sub`` nobody has seen
``missing_mfa``      no ``amr``/``acr`` claim, whatever the person used
``no_end_session``   the discovery document leaves out ``end_session_endpoint``

As a pytest fixture::

    from tests.support.oidc_provider import running_provider

    @pytest.fixture
    def provider():
        with running_provider(USERS) as p:
            yield p

As a process (for the browser suite, or several ``journal serve`` processes)::

    python -m tests.support.oidc_provider --port 9400 --users users.json

``users.json`` is a list of people: ``{"username", "password", "sub", "email",
"name", "amr": ["pwd", "otp"], "acr": "..."}`` (``amr``/``acr`` optional).
Clients: ``--client-id``/``--client-secret`` (default ``journal``/
``journal-secret``); any redirect URI on loopback is accepted unless
``--redirect-uri`` (repeatable) names the only ones. The process prints
``READY <issuer>`` on one line once it answers.
"""

from __future__ import annotations

import argparse
import html
import ipaddress
import json
import secrets
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.grants.util import create_half_hash
from flask import Flask
from flask import jsonify
from flask import redirect
from flask import request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

MODES = {"wrong_audience", "wrong_issuer", "expired", "future_iat", "bad_signature",
         "unknown_key", "replayed_nonce", "unknown_subject", "missing_mfa", "no_end_session"}

DEFAULT_USERS = [
    {"username": "juf.an", "password": "an-at-school", "sub": "a1b2c3-an", "name": "An Peeters",
     "email": "an.peeters@school.example", "amr": ["pwd", "mfa", "otp"]},
]


def _loopback(url: str) -> bool:
    """Whether ``url`` is on this machine (``localhost``, 127.0.0.0/8 or ``::1``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


@dataclass
class Client:
    """A relying party registered at the test provider (Authlib's ClientMixin interface)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        if self.redirect_uris:
            return redirect_uri in self.redirect_uris
        return _loopback(redirect_uri)

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(self.client_secret, client_secret or "")

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Person:
    username: str
    password: str
    sub: str
    name: str = ""
    email: str = ""
    amr: list[str] | None = None
    acr: str | None = None

    def get_user_id(self):
        return self.sub


@dataclass
class Code:
    """An issued authorisation code (Authlib's OIDC AuthorizationCodeMixin interface)."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return self.person.acr

    def get_amr(self):
        return self.person.amr


class TestProvider:
    """The provider's state: people, clients, keys, issued codes, and what to get wrong."""

    __test__ = False  # not a pytest test class

    def __init__(self, users: list[dict] | None = None, *, client_id: str = "journal",
                 client_secret: str = "journal-secret", redirect_uris: list[str] | None = None):
        self.people = {u["username"]: Person(**u) for u in (users or DEFAULT_USERS)}
        self.clients = {client_id: Client(client_id, client_secret, list(redirect_uris or []))}
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig",
                                                         "alg": "RS256"})
        # Same kid, different key: a token signed with it fails the signature check.
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
        self.stranger_key = RSAKey.generate_key(2048, parameters={"kid": "not-in-jwks"})
        self.codes: dict[str, Code] = {}
        self.modes: set[str] = set()
        self.nonces_seen: list[str] = []
        self.logouts: list[dict] = []
        self.tokens_issued = 0
        self.issuer = ""
        self.lock = threading.Lock()
        self.app = self._build_app()

    # -- what tests call ---------------------------------------------------------

    def misbehave(self, *modes: str) -> None:
        """Get the given things wrong from now on (until :meth:`reset`)."""
        unknown = set(modes) - MODES
        if unknown:
            raise ValueError(f"unknown modes: {sorted(unknown)}")
        self.modes |= set(modes)

    def reset(self) -> None:
        """Behave again."""
        self.modes.clear()

    def add_person(self, **person) -> Person:
        """Add someone who can sign in here."""
        self.people[person["username"]] = Person(**person)
        return self.people[person["username"]]

    def sign_in(self, authorize_url: str, username: str, password: str | None = None,
                session=None) -> str:
        """Do what a person does at the provider: open ``authorize_url``, fill in the
        form, and return the callback URL the provider sends the browser back to."""
        import requests

        http = session or requests.Session()
        page = http.get(authorize_url, allow_redirects=False, timeout=10)
        if page.status_code != 200:
            raise AssertionError(f"authorize page: {page.status_code} {page.text[:200]}")
        person = self.people[username]
        answer = http.post(authorize_url, data={"username": username,
                                                "password": password or person.password},
                           allow_redirects=False, timeout=10)
        if answer.status_code != 302:
            raise AssertionError(f"sign-in at provider: {answer.status_code} {answer.text[:200]}")
        return answer.headers["Location"]

    # -- the Flask app -----------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("test_oidc_provider")
        app.config["SECRET_KEY"] = secrets.token_hex(16)
        provider = self

        def query_client(client_id):
            return provider.clients.get(client_id)

        def save_token(token, oauth_request):
            provider.tokens_issued += 1

        server = AuthorizationServer(app, query_client=query_client, save_token=save_token)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, oauth_request):
                payload = oauth_request.payload
                with provider.lock:
                    provider.codes[code] = Code(
                        code=code, client_id=oauth_request.client.get_client_id(),
                        redirect_uri=payload.redirect_uri, scope=payload.scope,
                        person=oauth_request.user, nonce=payload.data.get("nonce"),
                        code_challenge=payload.data.get("code_challenge"),
                        code_challenge_method=payload.data.get("code_challenge_method"),
                        auth_time=int(time.time()))

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                if found and found.client_id == client.get_client_id():
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class Code_(OpenIDCode):
            def exists_nonce(self, nonce, oauth_request):
                return nonce in provider.nonces_seen

            def generate_user_info(self, user, scope):
                info = UserInfo(sub=user.sub)
                if "profile" in scope:
                    info["name"] = user.name
                    info["preferred_username"] = user.username
                if "email" in scope:
                    info["email"] = user.email
                    info["email_verified"] = True
                return info

            def encode_id_token(self, token, oauth_request):
                return provider._id_token(self, token, oauth_request)

        server.register_grant(CodeGrant, [Code_(require_nonce=True), CodeChallenge(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            document = {
                "issuer": provider.issuer,
                "authorization_endpoint": provider.issuer + "/authorize",
                "token_endpoint": provider.issuer + "/token",
                "jwks_uri": provider.issuer + "/jwks",
                "userinfo_endpoint": provider.issuer + "/userinfo",
                "end_session_endpoint": provider.issuer + "/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                          "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "name",
                                     "email", "amr", "acr"],
            }
            if "no_end_session" in provider.modes:
                document.pop("end_session_endpoint")
            return jsonify(document)

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            if request.method == "GET":
                try:
                    server.get_consent_grant(end_user=None)
                except Exception as error:  # noqa: BLE001 - shown to the tester
                    return f"<p>bad request: {html.escape(str(error))}</p>", 400
                return _login_form()
            person = provider.people.get(request.form.get("username", ""))
            if person is None or not secrets.compare_digest(
                    person.password, request.form.get("password", "")):
                return _login_form(error=True), 401
            nonce = request.args.get("nonce")
            grant = server.get_consent_grant(end_user=person)
            response = server.create_authorization_response(grant=grant, grant_user=person)
            if nonce:
                with provider.lock:
                    provider.nonces_seen.append(nonce)
            return response

        def _login_form(error: bool = False) -> str:
            action = html.escape(request.full_path)
            message = '<p role="alert">Wrong user name or password.</p>' if error else ""
            return (
                "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<title>Test provider: sign in</title></head><body><main>"
                "<h1>Test provider</h1>" + message +
                f"<form method='post' action='{action}'>"
                "<label for='username'>User name</label> <input id='username' name='username'>"
                "<label for='password'>Password</label> "
                "<input id='password' name='password' type='password'>"
                "<button type='submit'>Sign in at the test provider</button>"
                "</form></main></body></html>")

        @app.post("/token")
        def issue_token():
            return server.create_token_response()

        @app.get("/logout")
        def end_session():
            target = request.args.get("post_logout_redirect_uri", "")
            client = provider.clients.get(request.args.get("client_id", ""))
            hint = request.args.get("id_token_hint", "")
            valid_hint = False
            if hint:
                try:
                    jwt.decode(hint, provider.key, algorithms=["RS256"])
                    valid_hint = True
                except Exception:  # noqa: BLE001
                    valid_hint = False
            provider.logouts.append({"client_id": request.args.get("client_id"),
                                     "id_token_hint_valid": valid_hint, "redirect": target})
            if target and client and client.check_redirect_uri(target):
                return redirect(target)
            return "<!doctype html><title>Signed out</title><p>You have signed out.</p>"

        @app.post("/_test/misbehave")
        def control():
            provider.reset()
            provider.misbehave(*(request.get_json(force=True).get("modes") or []))
            return jsonify({"modes": sorted(provider.modes)})

        return app

    def _id_token(self, extension, token, oauth_request) -> str:
        """Authlib's ID token, with whatever this test asked to get wrong."""
        now = int(time.time())
        code = oauth_request.authorization_code
        claims = {"iss": self.issuer, "aud": [oauth_request.client.get_client_id()],
                  "iat": now, "exp": now + 300, "auth_time": code.get_auth_time()}
        claims.update(extension.get_authorization_code_claims(code))
        if token.get("access_token"):
            claims["at_hash"] = create_half_hash(token["access_token"], "RS256").decode()
        claims.update(extension.generate_user_info(oauth_request.user, token["scope"]))
        modes = self.modes
        if "wrong_audience" in modes:
            claims["aud"] = ["another-client"]
        if "wrong_issuer" in modes:
            claims["iss"] = self.issuer + "/elsewhere"
        if "expired" in modes:
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        if "future_iat" in modes:
            claims["iat"] = now + 600
            claims["exp"] = now + 900
        if "replayed_nonce" in modes:
            earlier = [n for n in self.nonces_seen if n != claims.get("nonce")]
            claims["nonce"] = earlier[-1] if earlier else "an-earlier-nonce"
        if "unknown_subject" in modes:
            claims["sub"] = "unknown-" + secrets.token_hex(6)
        if "missing_mfa" in modes:
            claims.pop("amr", None)
            claims.pop("acr", None)
        key = self.key
        if "bad_signature" in modes:
            key = self.rogue_key
        if "unknown_key" in modes:
            key = self.stranger_key
        header = {"alg": "RS256", "kid": key.kid}
        return jwt.encode(header, claims, key, algorithms=["RS256"])


class RunningProvider:
    """A :class:`TestProvider` served on 127.0.0.1 in a thread."""

    def __init__(self, provider: TestProvider, port: int = 0):
        self.provider = provider
        self.server = make_server("127.0.0.1", port, provider.app, threaded=True)
        provider.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name="test-oidc-provider")

    def start(self) -> TestProvider:
        self.thread.start()
        return self.provider

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def running_provider(users: list[dict] | None = None, **options):
    """Serve a test provider on a free loopback port for the ``with`` block."""
    running = RunningProvider(TestProvider(users, **options))
    try:
        yield running.start()
    finally:
        running.stop()


def provider_config(provider: TestProvider, **overrides) -> dict:
    """The journal's ``JOURNAL_OIDC_PROVIDERS`` entry for this provider."""
    entry = {"id": "test-idp", "name": "Testschool", "issuer": provider.issuer,
             "client_id": provider.client_id, "client_secret": provider.client_secret}
    entry.update(overrides)
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--users", help="a JSON file with the people who can sign in")
    parser.add_argument("--client-id", default="journal")
    parser.add_argument("--client-secret", default="journal-secret")
    parser.add_argument("--redirect-uri", action="append", default=[])
    parser.add_argument("--client", action="append", default=[], metavar="ID:SECRET",
                        help="another client (one per journal, say); repeatable")
    parser.add_argument("--misbehave", action="append", default=[], choices=sorted(MODES))
    args = parser.parse_args(argv)
    users = None
    if args.users:
        with open(args.users, encoding="utf-8") as handle:
            users = json.load(handle)
    provider = TestProvider(users, client_id=args.client_id, client_secret=args.client_secret,
                            redirect_uris=args.redirect_uri)
    provider.misbehave(*args.misbehave)
    for extra in args.client:
        client_id, _, secret = extra.partition(":")
        provider.clients[client_id] = Client(client_id, secret, list(args.redirect_uri))
    running = RunningProvider(provider, args.port)
    print(f"READY {provider.issuer}", flush=True)
    try:
        running.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["TestProvider", "RunningProvider", "running_provider", "provider_config", "MODES"]
