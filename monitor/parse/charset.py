"""Feed bytes → text, by one precedence (the first that applies wins):

1. a byte-order mark, or ``<?`` / ``<`` written in UTF-16 or UTF-32 (an unambiguous signature);
2. bytes that are valid UTF-8 are UTF-8, whatever is declared (publishers mislabel UTF-8 far more
   often than they send other bytes that happen to be valid UTF-8);
3. the ``charset`` of the HTTP ``Content-Type``, if the bytes decode in it (ISO-8859-1 and
   US-ASCII read as windows-1252, as browsers do);
4. the XML declaration's ``encoding`` (or an HTML ``<meta charset>``), if the bytes decode in it;
5. sniffing (charset-normalizer), else windows-1252 with undecodable bytes replaced.

The HTTP charset outranks the document's own declaration, as RFC 7303 and feedparser's encoding
tests have it: a server re-encoding documents says so in its header, not in the bytes.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose mark is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SIGNATURES = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The document's text and the encoding it was read in."""
    for mark, encoding in _BOMS:
        if body.startswith(mark):
            return _strict(body[len(mark) :], encoding) or body[len(mark) :].decode(encoding, "replace"), encoding
    for signature, encoding in _SIGNATURES:
        if body.startswith(signature) and (text := _strict(body, encoding)) is not None:
            return text, encoding
    if (text := _strict(body, "utf-8")) is not None:
        return text, "utf-8"
    declared = _CHARSET.search(content_type or "")
    in_document = _DECLARED.match(body) or _META.search(body[:2048])
    for name in (declared.group(1) if declared else None, in_document.group(1).decode("ascii") if in_document else None):
        for encoding in _codecs(name) if name else ():
            if (text := _strict(body, encoding)) is not None:
                return text, encoding
    best = charset_normalizer.from_bytes(body[:65536]).best()
    if best is not None and (text := _strict(body, best.encoding)) is not None:
        return text, best.encoding
    return body.decode("windows-1252", "replace"), "windows-1252"


# Labels that mean windows-1252 in practice (as in the WHATWG Encoding standard): feeds declaring
# them use its curly quotes and dashes in 0x80-0x9F, which Latin-1 would turn into control codes.
_MEANS_1252 = frozenset({"latin-1", "iso8859-1", "ascii"})


def _codecs(name: str) -> tuple[str, ...]:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return ()
    return ("cp1252", "latin-1") if codec in _MEANS_1252 else (codec,)


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
