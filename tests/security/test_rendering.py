"""Markdown rendering: the sanitiser holds against published hostile corpora and
the parser can never hold a worker for long (size, nesting and time bounds)."""

from __future__ import annotations

import time

import pytest

from journal.rendering import ALLOWED_ATTRIBUTES
from journal.rendering import ALLOWED_TAGS
from journal.rendering import URL_SCHEMES
from journal.rendering import RenderError
from journal.rendering import nesting_depth
from journal.rendering import render_markdown
from journal.rendering import sanitize_html

from .corpus import all_hostile
from .corpus import blns
from .corpus import elements
from .corpus import markdown_vectors
from .corpus import url_scheme
from .corpus import xss_payloads

#: Attributes nh3 adds itself.
ADDED = {"a": {"rel"}}


def assert_inert(html: str) -> None:
    """Fail unless ``html`` holds only allowlisted tags, attributes and URL schemes."""
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived"
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ADDED.get(tag, set())
        for name, value in attrs.items():
            assert name in allowed, f"attribute {name} on <{tag}> survived"
            if name == "href":
                scheme = url_scheme(value or "")
                assert scheme is None or scheme in URL_SCHEMES, f"href {value!r} survived"


def test_corpora_are_vendored_and_large():
    assert len(blns()) == 515
    assert len(xss_payloads()) > 800
    assert len(markdown_vectors()) > 20


def test_every_hostile_string_renders_inert():
    refused = 0
    for text in all_hostile():
        try:
            html = render_markdown(text)
        except RenderError:
            refused += 1
            continue
        assert_inert(str(html))
    # The corpora are ordinary-sized strings: refusing them would make the
    # journal unusable for text that merely looks odd.
    assert refused == 0


@pytest.mark.parametrize("payload", xss_payloads()[:200])
def test_raw_html_payloads_reach_no_sanitiser_as_html(payload):
    # Raw HTML in Markdown is escaped by the renderer itself: the sanitiser is the second wall.
    assert_inert(str(sanitize_html(payload)))


@pytest.mark.parametrize("markdown, forbidden", [
    ("[x](javascript:alert(1))", "javascript"),
    ("[x](JaVaScRiPt:alert(1))", "javascript"),
    ("[x](&#106;avascript:alert(1))", "avascript:"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ("[x](vbscript:msgbox(1))", "vbscript"),
    ("[x]: javascript:alert(1)\n\n[y][x]", "javascript"),
    ("![i](https://tracker.example/pixel.png)", "<img"),
    ("<script>alert(1)</script>", "<script"),
    ("<img src=x onerror=alert(1)>", "<img"),
    ("<details open ontoggle=alert(1)>", "<details"),
    ("<meta http-equiv=refresh content='0;url=https://evil.example'>", "<meta"),
    ("<form action=https://evil.example><input name=password></form>", "<form"),
    ("para\n{: onclick=alert(1) }", None),  # attr_list is off: shown as text
])
def test_known_markdown_vectors_are_neutralised(markdown, forbidden):
    html = str(render_markdown(markdown))
    if forbidden:
        assert forbidden.lower() not in html.lower()
    assert_inert(html)


def test_raw_html_is_shown_as_text():
    html = str(render_markdown("Hij schreef <b>vet</b> & <script>x</script>"))
    assert "&lt;b&gt;vet&lt;/b&gt;" in html
    assert "<script" not in html


def test_plugin_html_goes_through_the_same_allowlist():
    html = str(sanitize_html('<p class="x">ok</p><img src=x onerror=alert(1)><a href="javascript:1">a</a>'))
    assert "<p>ok</p>" in html
    assert "<img" not in html and "javascript" not in html


def test_ordinary_markdown_still_works():
    html = str(render_markdown("**vet** en *schuin*\n\n- een\n- twee\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n"
                               "[site](https://school.be)"))
    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html
    assert "<li>een</li>" in html
    assert '<td align="left">1</td>' in html
    assert 'href="https://school.be"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_too_long_text_is_refused():
    with pytest.raises(RenderError):
        render_markdown("a" * 101, max_chars=100)


@pytest.mark.parametrize("text", [
    "[" * 20000,
    "- " * 500 + "x",
    "1. " * 500 + "x",
    ">" * 2000 + "x",
    "![" * 5000,
    "".join(" " * (4 * i) + "- a\n" for i in range(60)),
])
def test_pathological_inputs_are_refused_quickly(text):
    started = time.perf_counter()
    with pytest.raises(RenderError):
        render_markdown(text)
    assert time.perf_counter() - started < 0.5


def test_slow_input_that_passes_the_precheck_is_stopped_by_the_time_limit():
    # Many unclosed links: each one makes Python-Markdown rescan the rest (~2 s at this size).
    text = "[a](b " * 2000
    started = time.perf_counter()
    with pytest.raises(RenderError, match="too long"):
        render_markdown(text, timeout=0.3)
    assert time.perf_counter() - started < 2.0


def test_recursion_in_the_isolated_renderer_is_a_render_error():
    # A long definition list makes Python-Markdown recurse once per item.
    with pytest.raises(RenderError, match="nested"):
        render_markdown("term\n: def\n" * 1000)


def test_long_ordinary_text_renders_isolated_with_the_same_result():
    paragraph = "Lotte werkt **geconcentreerd** met de [timer](https://school.be/timer). "
    text = (paragraph * 20 + "\n\n") * 12
    assert len(text) > 4000
    html = str(render_markdown(text))
    assert html.count("<strong>geconcentreerd</strong>") == 240
    assert html == str(sanitize_html(_in_process(text)))


def _in_process(text):
    from journal.rendering import _markdown_to_html

    return _markdown_to_html(text)


def test_ordinary_text_renders_fast():
    text = "Jan keek **goed** naar het bord.\n\n- pictogrammen\n- timer\n\n[uitleg](https://school.be)"
    render_markdown(text)
    best = min(_timed(text) for _ in range(7))
    assert best < 0.005


def _timed(text):
    started = time.perf_counter()
    render_markdown(text)
    return time.perf_counter() - started


def test_nesting_depth_counts_markers_and_indentation():
    assert nesting_depth("gewone tekst") == 0
    assert nesting_depth("- a\n    - b\n        - c") == 3
    assert nesting_depth("> > - x") == 3
