from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from streams.deliver.render import chat, cloudevents
from tocsin.records import Alert
from tocsin.settings import WebhookEndpoint, WebhookFormat


@dataclass(frozen=True)
class Body:
    content: bytes
    content_type: str


def message_id(alert: Alert) -> str:
    """The webhook-id and CloudEvent id: the alert id, so receivers can drop
    repeats; a later revision of the same alert is a new message."""
    revision = getattr(alert, "revision", 1)
    return alert.alert_id if revision == 1 else f"{alert.alert_id}.r{revision}"


_RENDERERS: dict[WebhookFormat, Callable[[Alert, str, WebhookEndpoint], dict[str, Any]]] = {
    "cloudevents": lambda alert, mid, _: cloudevents.envelope(alert, mid),
    "slack": lambda alert, _, __: chat.slack(alert),
    "discord": lambda alert, _, __: chat.discord(alert),
    "teams": lambda alert, _, __: chat.teams(alert),
    "telegram": lambda alert, _, endpoint: chat.telegram(alert, endpoint.telegram_chat_id or ""),
}


class BodyCache:
    """The last few bodies by (message id, format, chat): a fan-out to fifty
    endpoints renders each alert once per format, not fifty times."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._bodies: OrderedDict[tuple[str, str, str | None], Body] = OrderedDict()

    def render(self, alert: Alert, endpoint: WebhookEndpoint) -> Body:
        key = (message_id(alert), endpoint.format, endpoint.telegram_chat_id)
        body = self._bodies.get(key)
        if body is None:
            body = self._bodies[key] = render(alert, endpoint)
            if len(self._bodies) > self._size:
                self._bodies.popitem(last=False)
        return body


def render(alert: Alert, endpoint: WebhookEndpoint) -> Body:
    document = _RENDERERS[endpoint.format](alert, message_id(alert), endpoint)
    content = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    content_type = cloudevents.CONTENT_TYPE if endpoint.format == "cloudevents" else "application/json"
    return Body(content, content_type)
