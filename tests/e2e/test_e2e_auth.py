"""Signing in and out in a real browser, and the login page's accessibility."""

from __future__ import annotations

import re

from playwright.sync_api import expect

LOGOUT = "form[action$='/logout'] [type=submit]"


def test_sign_in_and_out(page, live_server, login_as):
    page.goto("")
    expect(page).to_have_url(re.compile(r"/login"))
    login_as(page, "teacher")
    expect(page).to_have_url(live_server.url)
    expect(page.locator(LOGOUT)).to_be_visible()

    page.locator(LOGOUT).click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("[role=status]")).to_be_visible()  # "you have signed out"
    page.goto("")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_says_so_and_keeps_the_user_name(page, live_server):
    username = live_server.user_with_role("teacher")
    page.goto("login")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill("not the password")
    page.locator("form:has([name=password]) [type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("[name=username]")).to_have_value(username)
    expect(page.locator("[name=password]")).to_have_value("")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_login_page_is_accessible_and_dutch(page, axe, unlabelled_fields, shoot):
    page.goto("login")
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert unlabelled_fields(page) == []
    assert axe(page) == []
    shoot(page, "login")


def test_sign_in_with_the_keyboard_alone(page, live_server, tab_to):
    username = live_server.user_with_role("support")
    page.goto("login")
    skip = tab_to(page, lambda f: f["href"] == "#main")
    assert skip["onscreen"], "the skip link must become visible when focused"
    tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(username)
    tab_to(page, lambda f: f["name"] == "password")
    page.keyboard.type(live_server.password(username))
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url)
    expect(page.locator(LOGOUT)).to_be_visible()
