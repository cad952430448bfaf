"""Markdown to safe HTML: the only place user or plugin HTML becomes ``Markup``.

Python-Markdown does not sanitise, so every rendering goes through an nh3
allowlist afterwards: no script, no event handlers, no ``javascript:`` or
``data:`` links, no external images. Input size is bounded, and rendering
happens at save time (never on page views); see ``render_markdown``.
"""

from __future__ import annotations

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


class RenderError(ValueError):
    """The text cannot be rendered safely (too long, too deeply nested, too slow)."""


def sanitize_html(html: str) -> Markup:
    """Return ``html`` cleaned by the allowlist, marked safe for templates."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
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


def render_markdown(text: str, *, max_chars: int = 20_000) -> Markup:
    """Render user Markdown to sanitised HTML.

    :param max_chars: refuse longer input (Python-Markdown is quadratic on some inputs).
    :raise RenderError: the text is too long or too deeply nested to render.
    """
    if len(text) > max_chars:
        raise RenderError(f"text longer than {max_chars} characters")
    try:
        html = _markdown_to_html(text)
    except RecursionError as exc:
        raise RenderError("text nested too deeply") from exc
    return sanitize_html(html)
