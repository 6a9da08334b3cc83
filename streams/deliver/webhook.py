"""Alerts → HTTP POST to a webhook endpoint, retried on transient failures."""

from __future__ import annotations

import asyncio
import random

import aiohttp

from streams.deliver.exceptions import DeliveryFailed
from tocsin.records import Alert
from tocsin.settings import WebhookEndpoint

# Worth another try; any other answer is final.
_TRANSIENT = {408, 425, 429, 500, 502, 503, 504}


class WebhookSender:
    def __init__(self, session: aiohttp.ClientSession, max_attempts: int, *, base_delay: float = 1.0) -> None:
        self._session = session
        self._max_attempts = max_attempts
        self._base_delay = base_delay

    async def deliver(self, endpoint: WebhookEndpoint, alert: Alert) -> None:
        """Return once the endpoint accepted the alert; raise DeliveryFailed otherwise."""
        body = alert.to_bytes()
        headers = {"Content-Type": "application/json", "webhook-id": alert.alert_id}
        timeout = aiohttp.ClientTimeout(total=endpoint.timeout_seconds)
        outcomes: list[str] = []
        for attempt in range(self._max_attempts):
            if attempt:
                await asyncio.sleep(self._base_delay * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))
            try:
                async with self._session.post(endpoint.url, data=body, headers=headers, timeout=timeout) as response:
                    if 200 <= response.status < 300:
                        return
                    outcomes.append(f"HTTP {response.status}")
                    if response.status not in _TRANSIENT:
                        break
            except (aiohttp.ClientError, TimeoutError) as exc:
                outcomes.append(type(exc).__name__)
        raise DeliveryFailed(endpoint.name, outcomes)
