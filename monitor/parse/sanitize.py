"""Text made safe before any parser sees it: the DOCTYPE goes, and the XML declaration tells the truth.

Works on the decoded text (see charset.py), so a DOCTYPE is found in whatever encoding it came.
"""

from __future__ import annotations

import re

from monitor.exceptions import ParseError

# What may precede a DOCTYPE: blanks, the declaration, comments and processing instructions.
_PROLOG_PART = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_DOCTYPE_START = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
# Inside the internal subset, quoted values, comments and PIs may hold "]" or ">" that end nothing.
_SUBSET_PART = re.compile(r"""[^\]"'<]+|"[^"]*"|'[^']*'|<!--.*?-->|<\?.*?\?>|<""", re.DOTALL)
_HEAD_PART = re.compile(r"""[^\[>"']+|"[^"]*"|'[^']*'""")
_DECLARATION = re.compile(r"^<\?xml[^>]*?\?>")


def without_doctype(text: str) -> str:
    """The document without its DOCTYPE and internal subset: entity definitions are where
    external-entity (XXE) and expansion (billion laughs) attacks live, and a feed needs none.
    Only the prolog is searched, the way an XML parser reads it, so a "DOCTYPE" in a comment is
    not taken for one and a "]>" inside a quoted entity value does not end the subset."""
    at = 0
    while match := _PROLOG_PART.match(text, at):
        at = match.end()
    if not _DOCTYPE_START.match(text, at):
        return text
    start, at = at, at + len("<!DOCTYPE")
    while match := _HEAD_PART.match(text, at):
        at = match.end()
    if text.startswith("[", at):
        at += 1
        while match := _SUBSET_PART.match(text, at):
            at = match.end()
        if not text.startswith("]", at):
            raise ParseError("unterminated DOCTYPE internal subset")
        at += 1
        while at < len(text) and text[at].isspace():
            at += 1
    if not text.startswith(">", at):
        raise ParseError("unterminated DOCTYPE")
    return text[:start] + text[at + 1 :]


def utf8_document(text: str) -> bytes:
    """The text as UTF-8 bytes whose XML declaration (if any) says UTF-8."""
    text = text.lstrip("\ufeff")
    declaration = _DECLARATION.match(text.lstrip())
    if declaration is not None:
        text = '<?xml version="1.0" encoding="utf-8"?>' + text.lstrip()[declaration.end() :]
    return text.encode("utf-8", "surrogatepass")
