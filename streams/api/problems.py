"""Errors as RFC 9457 problem details (application/problem+json), for every route."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus

import structlog
from aiohttp import web

log = structlog.get_logger(__name__)

PROBLEM_TYPE = "application/problem+json"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type=PROBLEM_TYPE, headers=headers
    )


@web.middleware
async def problems_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own errors (no such route, wrong method) and any unexpected failure, as problems."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        detail = exc.text if exc.text and exc.text != f"{exc.status}: {exc.reason}" else f"{request.method} {request.path}: {exc.reason}"
        return problem(exc.status, detail, {k: v for k, v in exc.headers.items() if k.lower() == "allow"})
    except Exception:
        log.exception("api request failed", path=request.path)
        return problem(500, "the server failed to answer; the error is in its log")
