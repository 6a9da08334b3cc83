"""The default payload: the alert as JSON (schema/alert-v1.json) inside a
CloudEvents 1.0 envelope in structured mode, so every attribute is in the
signed body rather than in unsigned headers."""

from __future__ import annotations

import json
from typing import Any

from tocsin.records import Alert

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
SOURCE = "urn:tocsin:alerts"
DATASCHEMA = "urn:tocsin:schema:alert:1"


def envelope(alert: Alert, message_id: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": message_id,
        "source": SOURCE,
        "type": f"io.tocsin.alert.{alert.kind.value}",
        "subject": alert.event.event_id,
        "time": alert.raised_at.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "dataschema": DATASCHEMA,
        "data": json.loads(alert.to_bytes()),
    }
