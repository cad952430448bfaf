"""Every route declares its access decision; public routes are a short, known list;
URLs carry random ids, never names."""

from __future__ import annotations

import pytest

from journal.security.access import ROLES

#: The only endpoints anyone may reach without signing in.
PUBLIC = {
    "auth.login",          # the sign-in form
    "auth.second_factor",  # the one-time code after a correct password
    "auth.logout",         # ends whatever session the cookie names
    "account.language",    # the language switch on the sign-in page
    "api.openapi_document",  # the API description (no data)
    "signin.start",        # "Sign in with <provider>": sends the browser to the provider
    "signin.callback",     # where the provider sends the browser back (checked, used once)
    # The parents' and the pupil's page: the secret in the URL is the access decision
    # (journal.process.family_links.resolve), throttled per address like sign-in.
    "family.page",
    "family.react",
    "family.agree",
    "reminders.feed",      # a calendar feed: its secret address is the key (no cookies in apps)
    "health.index",        # "ok" for monitoring and the page benchmark (no data)
}
#: Public in a centre's journal only: a school presents a one-time pairing code (throttled).
CENTRE_PUBLIC = {"federation_centre.pair"}


@pytest.fixture
def app_config():
    # Load the installed plugins too: their pages must follow the same rules.
    return {"JOURNAL_LOAD_ENTRYPOINTS": True, "JOURNAL_STRICT_PLUGINS": False}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_declares_an_access_decision(app):
    missing = [f"{r.rule} ({r.endpoint})" for r in _rules(app)
               if getattr(app.view_functions[r.endpoint], "access_decision", None) is None]
    assert not missing, "routes without an access decision:\n" + "\n".join(missing)


def test_only_known_routes_are_public(app):
    public = {r.endpoint for r in _rules(app)
              if app.view_functions[r.endpoint].access_decision == "public"}
    assert public <= PUBLIC, f"unexpected public routes: {sorted(public - PUBLIC)}"


def test_role_decisions_name_real_roles(app):
    for rule in _rules(app):
        decision = app.view_functions[rule.endpoint].access_decision
        # "signed": a call signed by a linked journal (journal.federation.signing)
        assert decision in ("public", "login", "signed") or decision.startswith("role:"), rule.rule
        if decision.startswith("role:"):
            assert set(decision[5:].split(",")) <= set(ROLES), rule.rule


def test_urls_carry_ids_not_names(app):
    # Pupil names or diagnoses must never land in URLs, logs of proxies or browser history.
    allowed = {"fmt", "name", "filename", "path", "plugin", "kind", "template_id", "version",
               "rev", "slot", "key",  # key: a plugin's random column key
               "token"}  # a personal link's or a calendar feed's random secret
    for rule in _rules(app):
        for argument in rule.arguments:
            assert argument.endswith("_id") or argument in allowed, f"{rule.rule}: <{argument}>"


#: The attachment routes: each declares its decision and checks the owner's access itself.
ATTACHMENT_ROUTES = {
    "attachments.upload": ("/t/<trajectory_id>/files", "login"),
    "attachments.show": ("/t/<trajectory_id>/files/<attachment_id>", "login"),
    "attachments.thumb": ("/t/<trajectory_id>/files/<attachment_id>/thumb", "login"),
    "attachments.delete": ("/t/<trajectory_id>/files/<attachment_id>/delete", "login"),
    "attachments.practice_show": ("/practice/files/<picture_id>", "role:teacher,support,coordinator"),
    "attachments.practice_thumb": ("/practice/files/<picture_id>/thumb",
                                   "role:teacher,support,coordinator"),
}


def test_the_attachment_routes_are_known_and_declared(app):
    found = {r.endpoint: (r.rule, app.view_functions[r.endpoint].access_decision)
             for r in _rules(app) if r.endpoint.startswith("attachments.")}
    assert found == ATTACHMENT_ROUTES


def test_an_undeclared_route_is_refused(app, users, login):
    from flask import Blueprint

    bp = Blueprint("undeclared_probe", __name__)

    @bp.route("/probe-undeclared")
    def probe():
        return "secret"

    app.register_blueprint(bp)
    client = login(app.test_client(), "coordinator")
    response = client.get("/probe-undeclared")
    assert response.status_code == 403 and b"secret" not in response.data


#: The parents' page: public only through a link's secret, and the team's pages about it.
FAMILY_ROUTES = {
    "family.page": ("/family/<token>", "public"),
    "family.react": ("/family/<token>/react", "public"),
    "family.agree": ("/family/<token>/agree", "public"),
    "sharing.index": ("/t/<trajectory_id>/parents", "login"),
    "sharing.preview": ("/t/<trajectory_id>/parents/preview", "login"),
    "sharing.new_link": ("/t/<trajectory_id>/parents/links", "login"),
    "sharing.renew_link": ("/t/<trajectory_id>/parents/links/<link_id>/renew", "login"),
    "sharing.revoke_link": ("/t/<trajectory_id>/parents/links/<link_id>/revoke", "login"),
}


def test_the_parents_page_routes_are_known_and_declared(app):
    found = {r.endpoint: (r.rule, app.view_functions[r.endpoint].access_decision)
             for r in _rules(app) if r.endpoint.startswith(("family.", "sharing."))}
    assert found == FAMILY_ROUTES


def test_ids_are_random_and_not_sequential(app, users, make_trajectory):
    ids = [make_trajectory(users["teacher"])["id"] for _ in range(3)]
    assert len(set(ids)) == 3
    assert all(len(i) >= 16 and not i.isdigit() for i in ids)
