"""Bytes made safe and honest before any parser sees them."""

from __future__ import annotations

import re

# The whole DOCTYPE with its internal subset: entity definitions are where external-entity
# (XXE) and expansion (billion laughs) attacks live, and a feed has no use for them.
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_DECLARED = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])([A-Za-z0-9._-]+)\2""")
_UTF8_NAMES = frozenset({b"utf-8", b"utf8"})


def without_doctype(body: bytes) -> bytes:
    return _DOCTYPE.sub(b"", body, count=1)


def honest_encoding(body: bytes) -> bytes:
    """Bytes that are valid UTF-8 win over a declared charset that says otherwise."""
    match = _DECLARED.match(body)
    if match is None or match.group(3).lower() in _UTF8_NAMES:
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body  # the declaration may well be right
    return body[: match.start(3)] + b"utf-8" + body[match.end(3) :]


def sanitized(body: bytes) -> bytes:
    return honest_encoding(without_doctype(body.lstrip(b"\xef\xbb\xbf")))
