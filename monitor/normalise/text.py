"""HTML fragments → clean paragraphs of text."""

from __future__ import annotations

import lxml.html
from lxml.etree import ParserError

_INVISIBLE = ("script", "style", "noscript", "template")


def html_to_text(html: str) -> str:
    if "<" not in html:
        return _tidy(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return _tidy(html)
    for hidden in list(root.iter(*_INVISIBLE)):
        hidden.drop_tree()
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"):
        block.tail = "\n\n" + (block.tail or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    """Blanks collapsed inside lines; runs of empty lines become one paragraph break.
    (str.split rather than regular expressions: this runs for every entry of every changed feed.)"""
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in text.split("\n"):
        if words := line.split():
            lines.append(" ".join(words))
        elif lines:
            paragraphs.append("\n".join(lines))
            lines = []
    if lines:
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)
