"""X-Hub-Signature (WebSub §7.1): ``method=hex`` with the HMAC of the body under the subscription's secret."""

from __future__ import annotations

import hashlib
import hmac

_METHODS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def sign(body: bytes, secret: str, method: str = "sha256") -> str:
    return f"{method}={hmac.new(secret.encode(), body, _METHODS[method]).hexdigest()}"


def valid_signature(body: bytes, header: str | None, secret: str) -> bool:
    """Whether the header is a recognised method and the body's HMAC under the secret (compared in constant time)."""
    if not header:
        return False
    method, _, signature = header.strip().partition("=")
    algorithm = _METHODS.get(method.strip().lower())
    if algorithm is None or not signature:
        return False
    expected = hmac.new(secret.encode(), body, algorithm).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())
