"""Markdown to safe HTML: the only place user or plugin HTML becomes ``Markup``.

Python-Markdown does not sanitise, so every rendering goes through an nh3
allowlist afterwards: no script, no event handlers, no ``javascript:`` or
``data:`` links, no images. Rendering happens at save time (never on page
views) and is bounded in size, nesting and time; see :func:`render_markdown`.

Python-Markdown is quadratic on some inputs (``'[' * 20000`` takes ~40 s) and
recurses on deep nesting, so :func:`render_markdown`

1. refuses text that is too long, nested too deeply or full of unclosed
   brackets, at once and in linear time (:func:`precheck`);
2. renders short, plain text in this process (well under 5 ms);
3. renders everything else in a separate Python process that is killed after
   ``timeout`` seconds, so no input can hold a web worker for long.

This file is also the worker's script (``python -I rendering.py``), so it must
keep importing only Markdown, nh3 and markupsafe: no relative imports.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import markdown
import nh3
from markupsafe import Markup

#: Bump when the allowlist changes, so stored HTML can be re-rendered.
SANITIZER_VERSION = 1

MD_EXTENSIONS = ["tables", "sane_lists", "fenced_code", "def_list", "abbr"]
MD_EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del",
    "ins", "code", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
    "tbody", "tr", "th", "td", "a", "abbr", "sup", "sub", "span", "div", "small", "mark",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "span": {"class"},
    "div": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}

#: Deepest list/blockquote nesting accepted (Python-Markdown recurses per level).
MAX_NESTING = 40
#: Most unclosed ``[`` accepted (each one makes the inline parser rescan the rest).
MAX_OPEN_BRACKETS = 400
#: Text at most this long with at most this many ``[`` renders in-process.
INPROCESS_MAX_CHARS = 4000
INPROCESS_MAX_BRACKETS = 100
DEFAULT_TIMEOUT = 2.0

# One leading block marker: a bullet, an ordered-list number or a quote sign.
_MARKER = re.compile(r"[ \t]*(?:[-*+][ \t]+|\d{1,9}[.)][ \t]+|>[ \t]*)")


class RenderError(ValueError):
    """The text cannot be rendered safely (too long, too deeply nested, too slow)."""


def sanitize_html(html: str) -> Markup:
    """Return ``html`` cleaned by the allowlist, marked safe for templates.

    Use it for every piece of HTML a plugin returns, too.
    """
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(cleaned)


#: Plugin pages (``/p/<plugin>/…``) may also hold forms, tables and page structure; the
#: same rules otherwise: no scripts, no event handlers, no styles, no ``javascript:`` URLs.
PAGE_ALLOWED_TAGS = ALLOWED_TAGS | {
    "form", "input", "select", "option", "optgroup", "textarea", "button", "label",
    "fieldset", "legend", "caption", "colgroup", "col", "tfoot", "section", "article",
    "header", "footer", "nav", "aside", "figure", "figcaption", "details", "summary", "time",
    "meter", "progress", "output",
}
PAGE_ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "hidden", "role"},
    "a": {"href", "title", "hreflang"},
    "form": {"action", "method", "novalidate", "enctype", "accept-charset"},
    "input": {"type", "name", "value", "checked", "disabled", "readonly", "required", "min",
              "max", "step", "minlength", "maxlength", "pattern", "placeholder", "size",
              "autocomplete", "inputmode", "multiple", "accept", "list"},
    "select": {"name", "required", "multiple", "disabled", "size", "autocomplete"},
    "option": {"value", "selected", "disabled", "label"},
    "optgroup": {"label", "disabled"},
    "textarea": {"name", "rows", "cols", "required", "minlength", "maxlength", "placeholder",
                 "readonly", "disabled", "wrap", "autocomplete"},
    "button": {"type", "name", "value", "disabled"},
    "label": {"for"},
    "th": {"scope", "colspan", "rowspan", "align", "abbr", "headers"},
    "td": {"colspan", "rowspan", "align", "headers"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "details": {"open"},
    "meter": {"value", "min", "max", "low", "high", "optimum"},
    "progress": {"value", "max"},
    "output": {"for", "name"},
    "abbr": {"title"},
}


_PAGE_URL_ATTRIBUTES = {"href", "action", "cite"}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters_in_urls(tag: str, attribute: str, value: str) -> str | None:
    # "java\x01script:" is not a scheme to a browser, but no real URL holds control characters.
    if attribute in _PAGE_URL_ATTRIBUTES and _CONTROL_CHARACTERS.search(value):
        return None
    return value


def sanitize_page_html(html: str) -> Markup:
    """Return a plugin page's own HTML cleaned by the page allowlist, marked safe.

    Like :func:`sanitize_html`, with forms and page structure allowed (and
    ``aria-*``/``data-*`` attributes); URLs in links and form actions must be
    relative or http(s)/mailto, without control characters.
    """
    cleaned = nh3.clean(
        html,
        tags=PAGE_ALLOWED_TAGS,
        attributes=PAGE_ALLOWED_ATTRIBUTES,
        generic_attribute_prefixes={"aria-", "data-"},
        url_schemes=URL_SCHEMES,
        attribute_filter=_no_control_characters_in_urls,
        link_rel=None,  # links on a page are navigation (no target attribute is allowed)
        strip_comments=True,
    )
    return Markup(cleaned)


def _markdown_to_html(text: str) -> str:
    md = markdown.Markdown(extensions=MD_EXTENSIONS, extension_configs=MD_EXTENSION_CONFIGS,
                           output_format="html")
    # Raw HTML in Markdown is shown as text, never passed on (the sanitiser is the second wall).
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md.convert(text)


def nesting_depth(text: str) -> int:
    """Return the deepest block nesting in ``text``: list and quote markers at
    the start of a line plus its indentation in steps of four columns."""
    deepest = 0
    for line in text.splitlines():
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip(" "))
        markers = 0
        pos = 0
        while True:
            found = _MARKER.match(line, pos)
            if not found or found.end() == pos:
                break
            markers += 1
            pos = found.end()
        deepest = max(deepest, markers + indent // 4)
    return deepest


def open_brackets(text: str) -> int:
    """Return how many ``[`` in ``text`` are never closed by a later ``]``."""
    depth = 0
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    return depth


def precheck(text: str, *, max_chars: int = 20_000) -> None:
    """Refuse, in linear time, text that is known to make the parser slow or crash.

    :raise RenderError: too long, nested too deeply or too many unclosed brackets.
    """
    if len(text) > max_chars:
        raise RenderError(f"text longer than {max_chars} characters")
    if text.count("[") > MAX_OPEN_BRACKETS and open_brackets(text) > MAX_OPEN_BRACKETS:
        raise RenderError("too many unclosed brackets")
    if nesting_depth(text) > MAX_NESTING:
        raise RenderError("text nested too deeply")


def _needs_isolation(text: str) -> bool:
    return len(text) > INPROCESS_MAX_CHARS or text.count("[") > INPROCESS_MAX_BRACKETS


def _render_in_process(text: str) -> str:
    try:
        return _markdown_to_html(text)
    except RecursionError as exc:
        raise RenderError("text nested too deeply") from exc


def _render_isolated(text: str, timeout: float) -> str:
    """Render in a fresh interpreter that is killed when it overruns ``timeout``."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", os.path.abspath(__file__)],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError("rendering took too long") from exc
    if done.returncode == _EXIT_TOO_DEEP:
        raise RenderError("text nested too deeply")
    if done.returncode != 0:
        raise RenderError("the renderer failed")
    return done.stdout.decode("utf-8")


def render_markdown(text: str, *, max_chars: int = 20_000, timeout: float | None = None) -> Markup:
    """Render user Markdown to sanitised HTML, bounded in size, nesting and time.

    :param max_chars: refuse longer input.
    :param timeout: seconds an isolated render may take; default the app's
        ``JOURNAL_MARKDOWN_TIMEOUT_SECONDS`` (2 s outside an app).
    :raise RenderError: the text is too long, too deeply nested or too slow to render.
    """
    precheck(text, max_chars=max_chars)
    if _needs_isolation(text):
        html = _render_isolated(text, _timeout(timeout))
    else:
        html = _render_in_process(text)
    return sanitize_html(html)


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    try:
        from flask import current_app

        return float(current_app.config.get("JOURNAL_MARKDOWN_TIMEOUT_SECONDS", DEFAULT_TIMEOUT))
    except RuntimeError:  # no application context (scripts, some tests)
        return DEFAULT_TIMEOUT


_EXIT_TOO_DEEP = 3


def _worker_main() -> int:
    """Read Markdown on stdin, write unsanitised HTML to stdout (the caller sanitises)."""
    text = sys.stdin.buffer.read().decode("utf-8")
    try:
        html = _markdown_to_html(text)
    except RecursionError:
        return _EXIT_TOO_DEEP
    sys.stdout.buffer.write(html.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main())
