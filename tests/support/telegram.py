"""A local stand-in for t.me's channel previews: pages written here in the structure of the real
``https://t.me/s/<channel>`` page (message wraps, data-post, text, date with <time datetime>,
"edited" meta, link previews, grouped albums, before-paging), served by a real aiohttp server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from aiohttp import web
from aiohttp.test_utils import TestServer

PAGE_SIZE = 20


@dataclass
class TgPost:
    id: int
    text: str  # HTML: <br/> line breaks, <a href> links
    date: datetime = field(default_factory=lambda: datetime.now(UTC))
    edited: bool = False
    preview_url: str | None = None
    album: int = 0  # further media of an album: ids id+1 .. id+album


def message(channel: str, post: TgPost) -> str:
    permalink = f"https://t.me/{channel}/{post.id}"
    grouped = ""
    if post.album:
        photos = "".join(
            f'<a class="tgme_widget_message_photo_wrap grouped_media_wrap blured js-message_photo" '
            f'style="width:200px;height:200px;background-image:url(\'https://cdn.example/p{post.id + n}.jpg\')" '
            f'data-ratio="1" href="https://t.me/{channel}/{post.id + n}?single"></a>'
            for n in range(post.album + 1)
        )
        grouped = (
            f'<div class="tgme_widget_message_grouped_wrap js-message_grouped_wrap" data-margin-w="2" data-margin-h="2" style="width:400px;">'
            f'<div class="tgme_widget_message_grouped js-message_grouped"><div class="tgme_widget_message_grouped_layer js-message_grouped_layer">'
            f"{photos}</div></div></div>"
        )
    preview = ""
    if post.preview_url:
        preview = (
            f'<a class="tgme_widget_message_link_preview" href="{escape(post.preview_url)}">'
            f'<div class="link_preview_site_name accent_color" dir="auto">Example</div>'
            f'<div class="link_preview_title" dir="auto">Linked article</div></a>'
        )
    edited = '<span class="tgme_widget_message_meta">edited </span>' if post.edited else ""
    return f"""
<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{channel}/{post.id}" data-view="x{post.id}">
  <div class="tgme_widget_message_user"><a href="https://t.me/{channel}"><i class="tgme_widget_message_user_photo bgcolor0"></i></a></div>
  <div class="tgme_widget_message_bubble">
    <i class="tgme_widget_message_bubble_tail"></i>
    <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/{channel}"><span dir="auto">Channel {channel}</span></a></div>
    {grouped}
    <div class="tgme_widget_message_text js-message_text" dir="auto">{post.text}</div>
    {preview}
    <div class="tgme_widget_message_footer compact js-message_footer">
      <div class="tgme_widget_message_info short js-message_info">
        <span class="tgme_widget_message_views">12.3K</span>{edited}<span class="copyonclick">
        <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="{permalink}"><time datetime="{post.date.isoformat()}" class="time">{post.date:%H:%M}</time></a></span></span>
      </div>
    </div>
  </div>
</div></div>"""


def page(channel: str, posts: list[TgPost], *, before: int | None = None) -> bytes:
    """The page of up to PAGE_SIZE posts older than ``before`` (the latest without it), oldest first."""
    shown = sorted((p for p in posts if before is None or p.id < before), key=lambda p: p.id)[-PAGE_SIZE:]
    older = shown[0].id if shown and any(p.id < shown[0].id for p in posts) else None
    prev = f'<link rel="prev" href="/s/{channel}?before={older}">' if older else ""
    more = (
        f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/{channel}?before={older}" '
        f'class="tme_messages_more js-messages_more" data-before="{older}"></a></div>'
        if older else ""
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Channel {channel} – Telegram</title>
<meta property="og:title" content="Channel {channel}"><link rel="canonical" href="https://t.me/s/{channel}">{prev}</head>
<body class="widget_frame_base tgme_webpreview_body"><main class="tgme_main"><div class="tgme_container">
<section class="tgme_channel_history js-message_history">{more}{''.join(message(channel, p) for p in shown)}</section>
</div></main></body></html>""".encode()


class PreviewServer:
    """Serves /s/<channel>[?before=N] for the channels in ``posts``; counts requests per page."""

    def __init__(self, channels: dict[str, list[TgPost]]) -> None:
        self.channels = channels
        self.requests: list[str] = []
        app = web.Application()
        app.router.add_get("/s/{channel}", self._page)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def origin(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def _page(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        self.requests.append(request.path_qs)
        if channel not in self.channels:
            return web.Response(body=b"<html><body><div class='tgme_page'>not found</div></body></html>", content_type="text/html")
        before = request.query.get("before")
        return web.Response(body=page(channel, self.channels[channel], before=int(before) if before else None), content_type="text/html", charset="utf-8")

    async def __aenter__(self) -> PreviewServer:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()
