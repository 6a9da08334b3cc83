"""Bearer-token authentication (RFC 6750) of the worker's API and page.

Without a configured token (allowed only on a loopback address, see
ApiSettings) every route is open. With one, every route but health,
readiness and the API description needs ``Authorization: Bearer <token>``,
or the ``access_token`` query parameter for clients that cannot set a header
(feed readers, a browser's address bar).
"""

from __future__ import annotations

import hmac

from aiohttp import web
from pydantic import SecretStr

from streams.api.problems import Handler, problem

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json"})
TOKEN_PARAMETER = "access_token"


def bearer_auth(token: SecretStr) -> web.middleware:
    expected = token.get_secret_value().encode()

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS:
            return await handler(request)
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            given = request.query.get(TOKEN_PARAMETER, "")
        if not given:
            return problem(401, "this API needs a bearer token", {"WWW-Authenticate": 'Bearer realm="tocsin"'})
        if not hmac.compare_digest(given.strip().encode(), expected):
            return problem(401, "the bearer token is not valid", {"WWW-Authenticate": 'Bearer realm="tocsin", error="invalid_token"'})
        return await handler(request)

    return authenticate
