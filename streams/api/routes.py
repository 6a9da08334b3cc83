"""The API's routes over whatever holds the data (the worker's tables and Kafka, see server.py).

Every error is a problem+json (problems.py); with a token configured every
route but health, readiness and the description needs it (auth.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web
from pydantic import ValidationError

from streams.api import export, feeds
from streams.api.auth import TOKEN_PARAMETER, bearer_auth
from streams.api.openapi import document
from streams.api.page import CONTENT_SECURITY_POLICY, FeedHealth, PageData, ladders_of, render_page
from streams.api.pagination import decode_cursor, paginate
from streams.api.problems import Handler, problem, problems_middleware
from streams.api.sources import SourceUnavailable
from streams.api.views import EventQuery, current_records, event_summary, limit_param, since_param
from streams.detect import RecordLadder
from tocsin.observability.http import health_handlers
from tocsin.records import Alert, AttackEvent, Metric, utc_now
from tocsin.settings import ApiSettings

PAGE_EVENTS = 10


class ApiData(Protocol):
    def events(self) -> Iterable[AttackEvent]: ...
    def event(self, event_id: str) -> AttackEvent | None: ...
    def revisions(self, event_id: str) -> list[dict[str, Any]]: ...
    def ladders(self) -> Iterable[tuple[str, RecordLadder]]: ...
    def ready(self) -> bool: ...
    async def alerts(self) -> list[Alert]: ...
    async def feeds(self) -> list[FeedHealth]: ...


class BadQuery(ValueError):
    """A query parameter that does not parse; the message names it."""


def _json(body: Any, status: int = 200, content_type: str = "application/json") -> web.Response:
    return web.Response(status=status, text=json.dumps(body, ensure_ascii=False), content_type=content_type)


def _limit(request: web.Request, default: int) -> int:
    try:
        return limit_param(request.query, default)
    except ValueError as exc:
        raise BadQuery(str(exc)) from None


def _since(request: web.Request) -> datetime | None:
    try:
        return since_param(request.query)
    except ValueError as exc:
        raise BadQuery(str(exc)) from None


def _event_query(request: web.Request, limit: int) -> EventQuery:
    try:
        return EventQuery.from_params(request.query, limit)
    except ValueError as exc:
        raise BadQuery(str(exc)) from None


def _page(data: ApiData, request: web.Request, limit: int) -> tuple[list[AttackEvent], str | None]:
    query = _event_query(request, limit)
    try:
        after = decode_cursor(request.query["cursor"]) if "cursor" in request.query else None
    except ValueError as exc:
        raise BadQuery(str(exc)) from None
    page = paginate((e for e in data.events() if query.matches(e)), limit, after)
    return page.events, page.next_cursor


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _self_url(request: web.Request) -> str:
    """The request's URL without a token passed as a parameter: a feed's text is shared, its token not."""
    return str(request.url.with_query({k: v for k, v in request.query.items() if k != TOKEN_PARAMETER}))


@web.middleware
async def expected_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadQuery as exc:
        return problem(400, f"bad query: {exc}")
    except SourceUnavailable as exc:
        return problem(503, f"Kafka did not answer: {exc}", {"Retry-After": "5"})


def api_application(data: ApiData, settings: ApiSettings) -> web.Application:
    middlewares = [problems_middleware]
    if settings.bearer_token is not None:
        middlewares.append(bearer_auth(settings.bearer_token))
    app = web.Application(middlewares=[*middlewares, expected_errors])

    async def page(request: web.Request) -> web.Response:
        events, cursor = _page(data, request, PAGE_EVENTS)
        try:
            feed_health: list[FeedHealth] | None = await data.feeds()
        except SourceUnavailable:
            feed_health = None
        query = {k: v for k, v in request.query.items() if k != "cursor"}  # a token given in the address stays in it
        token = {k: v for k, v in request.query.items() if k == TOKEN_PARAMETER}  # and in every link of the page
        html = render_page(
            PageData(
                events=[json.loads(e.to_bytes()) for e in events],
                next_page=cursor,
                ladders=ladders_of(data.ladders()),
                feeds=feed_health,
                generated_at=utc_now(),
            ),
            query,
            token,
        )
        return web.Response(text=html, content_type="text/html", headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    async def events(request: web.Request) -> web.Response:
        found, cursor = _page(data, request, _limit(request, 50))
        headers = {}
        if cursor:
            headers["Link"] = f'<{request.rel_url.update_query(cursor=cursor)}>; rel="next"'
        response = _json({"events": [event_summary(e) for e in found], "next_cursor": cursor})
        response.headers.update(headers)
        return response

    async def event(request: web.Request) -> web.Response:
        event_id = request.match_info["event_id"]
        found = data.event(event_id)
        if found is None:
            return problem(404, f"no event {event_id}")
        return _json({"event": json.loads(found.to_bytes()), "revisions": data.revisions(event_id)})

    async def records(request: web.Request) -> web.Response:
        found = current_records(data.ladders())
        if scope := request.query.get("scope"):
            found = {scope: found.get(scope, {})}
        if metric := request.query.get("metric"):
            if metric not in set(Metric):
                raise BadQuery(f"metric: give one of {', '.join(Metric)}")
            found = {s: {m: r for m, r in by.items() if m == metric} for s, by in found.items()}
        return _json({"records": found})

    async def chosen_alerts(request: web.Request) -> list[Alert]:
        try:
            filters = feeds.feed_filters(request.query)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise BadQuery(f"{'.'.join(str(p) for p in first['loc'][:1])}: {first['msg']}") from None
        limit = _limit(request, 50)
        return feeds.recent_alerts(await data.alerts(), filters, limit)

    async def atom(request: web.Request) -> web.Response:
        chosen = await chosen_alerts(request)
        body = feeds.atom_feed(chosen, _self_url(request), _base_url(request), utc_now())
        return web.Response(body=body, content_type=feeds.ATOM_TYPE, charset="utf-8")

    async def json_feed(request: web.Request) -> web.Response:
        chosen = await chosen_alerts(request)
        return _json(feeds.json_feed(chosen, _self_url(request), _base_url(request), utc_now()), content_type=feeds.JSON_FEED_TYPE)

    async def exported(request: web.Request) -> web.Response:
        fmt = request.query.get("format", "")
        if fmt not in export.FORMATS:
            raise BadQuery(f"format: give one of {', '.join(export.FORMATS)}")
        chosen = export.since(data.events(), _since(request))
        filename = f"tocsin-events.{fmt}"
        return web.Response(
            text=export.render(chosen, fmt), content_type=export.FORMATS[fmt], charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    # The worker's own probes: its tables, as its metrics endpoint reports them too.
    health, readiness = health_handlers(lambda: [], lambda: {"work": data.ready()})

    async def description(_: web.Request) -> web.Response:
        return _json(document(), content_type="application/json")

    for path, handler in (
        ("/", page), ("/events", events), ("/events/{event_id}", event), ("/records", records),
        ("/alerts.atom", atom), ("/alerts.json", json_feed), ("/export", exported),
        ("/healthz", health), ("/readyz", readiness), ("/openapi.json", description),
    ):
        app.router.add_get(path, handler)
    return app
