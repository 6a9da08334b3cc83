"""Charset precedence and the DOCTYPE stripper, in whatever encoding the document came."""

from __future__ import annotations

import pytest

from monitor.exceptions import ParseError
from monitor.parse import parse_feed
from monitor.parse.charset import decode
from monitor.parse.sanitize import without_doctype

CYRILLIC = "Київ: нічна атака"


def _rss(title: str, declared: str | None = None) -> str:
    head = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    return f"{head}<rss version=\"2.0\"><channel><title>t</title><item><guid>g</guid><title>{title}</title></item></channel></rss>"


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        (_rss(CYRILLIC).encode("cp1251"), "application/rss+xml; charset=windows-1251", "cp1251"),  # only the header says it
        (_rss(CYRILLIC, "koi8-r").encode("cp1251"), "text/xml; charset=windows-1251", "cp1251"),  # the header outranks the declaration
        (_rss(CYRILLIC, "windows-1251").encode("cp1251"), None, "cp1251"),  # the declaration when there is no header charset
        (_rss(CYRILLIC, "windows-1251").encode(), "text/xml; charset=windows-1251", "utf-8"),  # valid UTF-8 outranks both
        (_rss(CYRILLIC, "utf-8").encode("utf-16"), "text/xml; charset=us-ascii", "utf-16-le"),  # the byte-order mark first
        (_rss(CYRILLIC).encode("utf-16-be"), None, "utf-16-be"),  # "<?" in UTF-16 without a mark
    ],
)
def test_charset_follows_the_documented_precedence(body: bytes, content_type: str | None, encoding: str) -> None:
    text, found = decode(body, content_type)
    assert CYRILLIC in text and found == encoding
    (entry,) = parse_feed(body, "http://x/feed", content_type).entries
    assert entry.title == CYRILLIC


def test_undecodable_bytes_without_any_charset_are_sniffed_not_lost() -> None:
    body = _rss("Київ, Харків, Одеса, Дніпро: нічна атака безпілотників").encode("cp1251")
    text, _ = decode(body, None)
    assert "\ufffd" not in text and "<rss" in text


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE r [<!ENTITY a "]>"><!ENTITY b "&a;&a;&a;">]>',  # "]>" inside a quoted value
        "<!DOCTYPE r [<!-- ]> --><!ENTITY c 'x'>]>",  # and inside a comment of the subset
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">',
    ],
)
def test_the_whole_doctype_goes_however_its_values_are_written(doctype: str) -> None:
    assert without_doctype(f'<?xml version="1.0"?><!-- x -->{doctype}<rss/>') == '<?xml version="1.0"?><!-- x --><rss/>'


def test_a_decoy_doctype_in_a_comment_does_not_hide_the_real_one() -> None:
    text = '<?xml version="1.0"?><!-- <!DOCTYPE decoy> --><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss/>'
    assert "ENTITY" not in without_doctype(text)


def test_a_doctype_in_utf16_is_stripped_before_parsing() -> None:
    body = ('<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY x "boom">]>' + _rss("&x;").split("?>", 1)[1]).encode("utf-16")
    (entry,) = parse_feed(body, "http://x/feed").entries
    assert "boom" not in entry.title


def test_an_unterminated_doctype_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="DOCTYPE"):
        without_doctype('<!DOCTYPE r [<!ENTITY x "y">')


def test_latin1_labels_read_as_windows_1252_like_browsers_do() -> None:
    body = '<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><item><title>don’t — stop</title></item></channel></rss>'.encode("cp1252")
    assert parse_feed(body, "http://x/feed").entries[0].title == "don’t — stop"
    undefined_in_1252 = '<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><item><title>a\x81b é</title></item></channel></rss>'.encode("latin-1")
    assert parse_feed(undefined_in_1252, "http://x/feed").entries[0].title == "a\x81b é"


def test_an_entity_inside_cdata_stays_as_written() -> None:
    body = b'<?xml version="1.0"?><rss><channel><item><guid>g</guid><title>a&nbsp;b</title><description><![CDATA[x&nbsp;y &amp; z]]></description></item></channel></rss>'
    (entry,) = parse_feed(body, "http://x/feed").entries
    assert (entry.title, entry.summary_html) == ("a\xa0b", "x&nbsp;y &amp; z")
