"""A public channel's web preview (t.me/s/<channel>) → its posts. Pure and synchronous.

The preview lists a channel's latest posts, oldest first: each a ``tgme_widget_message`` element
whose ``data-post`` is ``<channel>/<id>``, with the text in ``tgme_widget_message_text``, the date
in the ``datetime`` of the ``time`` inside ``tgme_widget_message_date``, and a link preview in
``tgme_widget_message_link_preview``. An album is one message whose media link to their own ids
(``<channel>/<id>?single``). Older posts are behind ``?before=<id>`` (``link rel="prev"``, and the
``tme_messages_more`` button's ``data-before``). A deleted post is simply absent; an edited one
shows its new text, marked "edited" next to its date.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from lxml import etree

from monitor.exceptions import ParseError
from monitor.parse import decode

_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_POST = re.compile(r"^([A-Za-z0-9_]+)/(\d+)$")
_MEDIA_ID = re.compile(r"/(\d+)(?:\?single)?$")
_BEFORE = re.compile(r"[?&]before=(\d+)")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_MESSAGES = etree.XPath(f"//div[{_has_class('tgme_widget_message')}][@data-post]")
_TEXT = etree.XPath(f".//div[{_has_class('tgme_widget_message_bubble')}]/div[{_has_class('tgme_widget_message_text')}]")
_DATE = etree.XPath(f".//a[{_has_class('tgme_widget_message_date')}]//time/@datetime")
_META = etree.XPath(f"string(.//span[{_has_class('tgme_widget_message_meta')}])")
_PREVIEW = etree.XPath(f".//a[{_has_class('tgme_widget_message_link_preview')}]/@href")
_GROUPED = etree.XPath(f".//a[{_has_class('grouped_media_wrap')}]/@href")
_PREV = etree.XPath("//link[@rel='prev']/@href")
_MORE = etree.XPath(f"//a[{_has_class('tme_messages_more')}]/@data-before")
_CHANNEL_PAGE = etree.XPath(f"//*[{_has_class('tgme_channel_history')}]")


class Post(NamedTuple):
    channel: str
    id: int
    published: datetime | None
    text_html: str  # the message's text as HTML (inline links and line breaks kept)
    links: tuple[str, ...]  # links in the text, then the link preview's
    edited: bool
    ids: tuple[int, ...]  # every message id it covers: an album's media have ids of their own

    @property
    def permalink(self) -> str:
        return f"https://t.me/{self.channel}/{self.id}"


class ChannelPage(NamedTuple):
    posts: tuple[Post, ...]  # oldest first
    before: int | None  # where the next older page starts, None on the channel's first page

    @property
    def oldest(self) -> int | None:
        return min((i for p in self.posts for i in p.ids), default=None)


def parse_page(body: bytes, content_type: str | None = None) -> ChannelPage:
    text, _ = decode(body, content_type)
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not a Telegram preview page: {exc}") from exc
    if root is None or not _CHANNEL_PAGE(root):
        raise ParseError("not a Telegram channel preview (no tgme_channel_history): a private or unknown channel?")
    posts = sorted((p for p in map(_post, _MESSAGES(root)) if p is not None), key=lambda p: p.id)
    return ChannelPage(tuple(posts), _before(root))


def _post(element: etree._Element) -> Post | None:
    match = _POST.match(element.get("data-post", ""))
    if match is None:
        return None
    channel, post_id = match.group(1), int(match.group(2))
    text = _TEXT(element)
    text_html = _inner_html(text[0]) if text else ""
    links = [a for t in text for a in t.xpath(".//a/@href") if a.startswith(("http://", "https://"))]
    links += _PREVIEW(element)
    media = {int(m.group(1)) for href in _GROUPED(element) if (m := _MEDIA_ID.search(href.split("#")[0]))}
    dates = _DATE(element)
    return Post(
        channel=channel,
        id=post_id,
        published=_datetime(dates[0]) if dates else None,
        text_html=text_html,
        links=tuple(dict.fromkeys(links)),
        edited="edited" in _META(element).split(),
        ids=tuple(sorted(media | {post_id})),
    )


def _inner_html(element: etree._Element) -> str:
    parts = [element.text or ""]
    parts += [etree.tostring(child, encoding="unicode", method="html") for child in element]
    return "".join(parts)


def _datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _before(root: etree._Element) -> int | None:
    for href in _PREV(root):
        if match := _BEFORE.search(href):
            return int(match.group(1))
    for value in _MORE(root):
        if value.isdigit():
            return int(value)
    return None
