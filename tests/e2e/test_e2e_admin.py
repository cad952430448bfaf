"""The administrator's plugin page and a user's API keys, in a real browser."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request

from playwright.sync_api import expect

PLUGIN = "ass_predictability"
TEMPLATE_LINK = f"a[href*='template={PLUGIN}.']"


def test_admin_disables_and_enables_a_plugin(page, new_context, live_server, login_as,
                                             open_trajectory, axe, shoot):
    # An ondersteuner sees the autism templates while the plugin is enabled.
    writer = new_context().new_page()
    login_as(writer, "support")
    url = open_trajectory(writer, pupil=f"Finn {secrets.token_hex(2)}",
                          teacher=live_server.user_with_role("teacher"))
    writer.goto(url + "/entries/new")
    expect(writer.locator(TEMPLATE_LINK).first).to_be_visible()

    # Only an administrator reaches the plugin page.
    assert writer.goto("admin/plugins/").status == 403

    login_as(page, "admin")
    page.goto("admin/plugins/")
    assert axe(page) == []
    shoot(page, "admin-plugins")
    card = page.locator(f"#plugin-{PLUGIN}")
    disable = card.locator(f"form[action$='/{PLUGIN}/disable'] [type=submit]")
    enable = card.locator(f"form[action$='/{PLUGIN}/enable'] [type=submit]")
    disable.click()
    try:
        expect(page.locator(".flash-success")).to_be_visible()
        expect(enable).to_be_visible()
        expect(disable).to_have_count(0)

        # At once, without a restart: the templates are no longer offered, others still are.
        writer.goto(url + "/entries/new")
        expect(writer.locator("main h1")).to_be_visible()
        expect(writer.locator(TEMPLATE_LINK)).to_have_count(0)
        expect(writer.locator("a[href*='template=tos_instruction.']").first).to_be_visible()
    finally:
        page.goto("admin/plugins/")
        if enable.count():
            enable.click()
    expect(disable).to_be_visible()
    writer.goto(url + "/entries/new")
    expect(writer.locator(TEMPLATE_LINK).first).to_be_visible()


def api_me(live_server, secret: str) -> tuple[int, dict]:
    """Call ``GET /api/v1/me`` with a Bearer token; return the status and JSON body."""
    request = urllib.request.Request(live_server.url + "api/v1/me",
                                     headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_api_key_page_creates_a_working_key_and_revokes_it(page, live_server, login_as, axe,
                                                          unlabelled_fields, shoot):
    username = login_as(page, "teacher")
    page.goto("account/tokens")
    assert unlabelled_fields(page) == []
    assert axe(page) == []

    # A key needs a name: the browser asks for one, and a blank one gets an error next to it.
    submit = page.locator("form:has([name=name]) [type=submit]")
    submit.click()
    assert page.locator("[name=name]").evaluate("el => el.validity.valueMissing")
    page.locator("[name=name]").fill("   ")
    submit.click()
    expect(page.locator("#name-error")).to_be_visible()
    expect(page.locator("#new-token")).to_have_count(0)

    name = f"rapportage {secrets.token_hex(2)}"
    page.locator("[name=name]").fill(name)
    page.locator("form:has([name=name]) [type=submit]").click()
    secret = page.locator("#new-token").inner_text().strip()
    assert len(secret) >= 32
    expect(page.locator("table")).to_contain_text(name)
    assert axe(page) == []
    shoot(page, "api-keys")

    status, me = api_me(live_server, secret)
    assert status == 200
    assert me["username"] == username

    # Shown once: reloading the page does not show the secret again.
    page.goto("account/tokens")
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()

    page.locator("tr", has_text=name).locator("form[action$='/revoke'] [type=submit]").click()
    expect(page.locator("table, main").first).not_to_contain_text(name)
    assert api_me(live_server, secret)[0] == 401
