"""Markdown rendering: the sanitiser holds against published hostile corpora and
the parser can never hold a worker for long (size, nesting and time bounds)."""

from __future__ import annotations

import sys

import pytest

from journal import rendering
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

# What must never pass the sanitiser, written down here and NOT read from
# journal.rendering: a test that took its expectations from the module it tests
# would pass whatever the module allowed (adding onclick to the allowlist included).

#: Elements that run code, load content, submit data or restyle the page.
NEVER_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "link", "meta", "base", "form", "input", "button", "textarea", "select", "option",
    "img", "video", "audio", "source", "track", "picture", "canvas", "template", "slot",
    "noscript", "marquee", "details", "dialog", "portal", "isindex", "xmp", "plaintext",
}
#: Attributes that run code, restyle, load content or change where a form goes.
NEVER_ATTRIBUTES = {
    "style", "srcdoc", "src", "srcset", "formaction", "action", "background", "dynsrc",
    "lowsrc", "ping", "poster", "xlink:href", "xmlns", "is", "autofocus", "contenteditable",
    "id", "name", "form", "target", "http-equiv",
}
#: URL schemes that run code or carry a document of their own.
NEVER_SCHEMES = {"javascript", "data", "vbscript", "file", "blob", "filesystem", "jar"}
#: The only attributes an element may keep at all, per element (plus nh3's own rel on links).
MAY_KEEP = {"a": {"href", "title", "rel"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"},
            "ol": {"start"}, "span": {"class"}, "div": {"class"}}
#: Harmless attributes nh3 keeps on any element.
ANY_ELEMENT_MAY_KEEP = {"title", "lang"}
#: Elements the sanitiser passes on purpose (Markdown's output), for the probes below.
SAFE_TAGS = ("p", "a", "span", "div", "abbr", "td", "th", "ol", "li", "strong", "em",
             "code", "pre", "blockquote", "table", "h2", "mark", "small")


def assert_inert(html: str) -> None:
    """Fail unless ``html`` holds nothing from the never-lists and no attribute outside MAY_KEEP."""
    for tag, attrs in elements(html):
        assert tag not in NEVER_TAGS, f"tag <{tag}> survived"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} on <{tag}> survived"
            assert name not in NEVER_ATTRIBUTES, f"attribute {name} on <{tag}> survived"
            assert name in MAY_KEEP.get(tag, set()) | ANY_ELEMENT_MAY_KEEP, f"attribute {name} on <{tag}> survived"
            scheme = url_scheme(value or "")
            assert scheme not in NEVER_SCHEMES, f"{name}={value!r} on <{tag}> survived"
            if name == "class":
                assert all(c.replace("-", "").isalnum() for c in (value or "").split()), value


@pytest.mark.parametrize("tag", SAFE_TAGS)
@pytest.mark.parametrize("attribute", [
    "onclick", "onmouseover", "onerror", "onload", "onfocus", "onanimationstart",
    "onpointerenter", "ontoggle", "style", "srcdoc", "formaction", "xmlns", "id", "name",
])
def test_no_allowed_element_keeps_a_dangerous_attribute(tag, attribute):
    html = str(sanitize_html(f'<{tag} {attribute}="alert(1)" title="t">tekst</{tag}>'))
    assert attribute not in html.lower()
    assert "tekst" in html
    assert_inert(html)


@pytest.mark.parametrize("scheme", ["javascript:alert(1)", "JAVASCRIPT:alert(1)",
                                    " java\tscript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
                                    "vbscript:msgbox(1)", "file:///etc/passwd"])
def test_links_keep_no_dangerous_scheme(scheme):
    html = str(sanitize_html(f'<a href="{scheme}">x</a><div class="x"><a href="{scheme}">y</a></div>'))
    for name, attrs in elements(html):
        assert "href" not in attrs or url_scheme(attrs["href"] or "") not in NEVER_SCHEMES
    assert_inert(html)


@pytest.mark.parametrize("tag", sorted(NEVER_TAGS - {"plaintext", "xmp", "noscript", "template"}))
def test_dangerous_elements_are_removed(tag):
    html = str(sanitize_html(f"<{tag}>x</{tag}><p>rest</p>"))
    assert f"<{tag}" not in html.lower()
    assert "<p>rest</p>" in html


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
def test_pathological_inputs_are_refused_before_any_parsing(text, monkeypatch):
    # Refused by the linear-time precheck: the parser (in process or isolated) never runs.
    monkeypatch.setattr(rendering, "_markdown_to_html", _never_called)
    monkeypatch.setattr(rendering, "_render_isolated", _never_called)
    with pytest.raises(RenderError):
        render_markdown(text)


def test_slow_input_that_passes_the_precheck_is_stopped_by_the_time_limit():
    # Many unclosed links: each one makes Python-Markdown rescan the rest (about 5 s of
    # parsing on an idle machine); "took too long" can only come from the killed worker.
    text = "[a](b " * 3300
    rendering.precheck(text)
    with pytest.raises(RenderError, match="took too long"):
        render_markdown(text, timeout=0.3)


def test_recursion_in_the_isolated_renderer_is_a_render_error(monkeypatch, tmp_path):
    # Which texts make Python-Markdown recurse too deeply changes between its releases (3.11.4
    # no longer recurses once per definition-list item), so the isolated worker runs here with
    # a parser that always does: its real RecursionError, in its own interpreter, must come back
    # as "nested too deeply", not as a crash.
    interpreter = tmp_path / "python-with-a-recursing-parser"
    interpreter.write_text(
        "#!/bin/sh\n"
        f'exec "{sys.executable}" -c "import sys; from journal import rendering\n'
        "def recurse(text): return recurse(text)\n"
        'rendering._markdown_to_html = recurse; sys.exit(rendering._worker_main())" "$@"\n')
    interpreter.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(interpreter))
    with pytest.raises(RenderError, match="nested"):
        render_markdown("term\n: def\n" * 1000, timeout=300)


def test_a_long_definition_list_renders_or_is_refused_but_never_crashes():
    # The time limit is lifted far out of reach: only the text itself decides.
    try:
        html = str(render_markdown("term\n: def\n" * 1000, timeout=300))
    except RenderError as exc:  # Markdown releases that recurse once per item
        assert "nested" in str(exc)
    else:  # newer releases nest the list; the sanitiser bounds how deep it comes out
        assert html.startswith("<dl>") and "<dt>term</dt>" in html


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


def test_ordinary_text_renders_in_process(monkeypatch):
    # Everyday entries never pay for a separate interpreter.
    monkeypatch.setattr(rendering, "_render_isolated", _never_called)
    text = "Jan keek **goed** naar het bord.\n\n- pictogrammen\n- timer\n\n[uitleg](https://school.be)"
    assert "<strong>goed</strong>" in str(render_markdown(text))


def _never_called(*args, **kwargs):
    raise AssertionError("this input should not have reached the parser")


def test_nesting_depth_counts_markers_and_indentation():
    assert nesting_depth("gewone tekst") == 0
    assert nesting_depth("- a\n    - b\n        - c") == 3
    assert nesting_depth("> > - x") == 3
