"""Plugin pages (/p/<plugin>/…) as a surface: every hostile string a plugin page might echo
comes out inert, in the journal's layout or bare; forms stay usable."""

from __future__ import annotations

import pytest
from flask import Blueprint
from flask import render_template_string
from flask import request

from journal import hookimpl
from journal.rendering import sanitize_page_html

from .corpus import all_hostile
from .corpus import elements
from .corpus import sample
from .corpus import url_scheme

# Written down here, NOT read from journal.rendering (a page may hold forms, never code).
#: Elements that run code, load content or restyle the page.
NEVER_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "link", "meta", "base", "img", "video", "audio", "source", "track", "picture",
    "canvas", "template", "slot", "noscript", "marquee", "dialog", "portal", "isindex", "xmp",
    "plaintext",
}
#: Attributes that run code, restyle, load content or send a form elsewhere.
NEVER_ATTRIBUTES = {
    "style", "srcdoc", "src", "srcset", "formaction", "background", "dynsrc", "lowsrc", "ping",
    "poster", "xlink:href", "xmlns", "is", "autofocus", "contenteditable", "target",
    "http-equiv", "form", "formtarget", "formmethod",
}
NEVER_SCHEMES = {"javascript", "data", "vbscript", "file", "blob", "filesystem", "jar"}
#: Attributes a browser follows as a URL (a field's value is only text).
URL_ATTRIBUTES = {"href", "action", "formaction", "src", "cite", "data", "poster", "background",
                  "xlink:href", "manifest", "icon"}


def assert_inert(html: str) -> None:
    """Fail when ``html`` holds anything from the never-lists above."""
    for tag, attrs in elements(html):
        assert tag not in NEVER_TAGS, f"tag <{tag}> survived"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} on <{tag}> survived"
            assert name not in NEVER_ATTRIBUTES, f"attribute {name} on <{tag}> survived"
            if name in URL_ATTRIBUTES:
                assert url_scheme(value or "") not in NEVER_SCHEMES, f"{name}={value!r} on <{tag}>"


def test_every_hostile_string_comes_out_of_the_page_sanitiser_inert():
    for text in all_hostile():
        assert_inert(str(sanitize_page_html(text)))
        assert_inert(str(sanitize_page_html(f'<form action="{text}"><input value="{text}">'
                                            f'<a href="{text}">x</a></form>')))


def test_a_page_form_keeps_what_it_needs():
    html = str(sanitize_page_html(
        '<form method="post" action="/p/x/save"><input type="hidden" name="csrf_token" '
        'value="t"><label for="a">A</label><select id="a" name="a" aria-describedby="a-help">'
        '<option value="1" selected>1</option></select><button type="submit">Go</button></form>'))
    assert 'action="/p/x/save"' in html and 'name="csrf_token"' in html
    assert 'aria-describedby="a-help"' in html and "<button" in html


class Echo:
    """A careless plugin page that echoes what it is given as HTML."""

    def __init__(self):
        self.bp = Blueprint("echo_pages", __name__)

        @self.bp.route("/layout")
        def layout():
            return render_template_string(
                '{% extends "plugin_page.html" %}{% block page %}<p>{{ text|safe }}</p>'
                '<form method="post" action="{{ text }}"><button>Ok</button></form>{% endblock %}',
                text=request.args.get("text", ""))

        @self.bp.route("/bare")
        def bare():
            return f'<p>{request.args.get("text", "")}</p>'

    @hookimpl
    def journal_blueprints(self):
        return [self.bp]


@pytest.mark.parametrize("view", ["layout", "bare"])
def test_hostile_text_echoed_by_a_plugin_page_is_inert(app, login, register_plugin, view):
    register_plugin(Echo(), "echo")
    teacher = login(app.test_client(), "teacher")
    for text in sample(all_hostile(), 150):
        response = teacher.get(f"/p/echo/{view}", query_string={"text": text})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        main = page.split("<main", 1)[1].split("</main>", 1)[0] if view == "layout" else page
        assert_inert(main)
