"""Each payload format on a record and a threshold alert: snapshot, size limits,
and for the default payload the JSON Schema. UPDATE_SNAPSHOTS=1 rewrites them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from streams.deliver.render import limits, message_id, render
from streams.deliver.sample import sample_alert
from tocsin.records import Alert, AlertKind, EventSource, SourceKind
from tocsin.settings import WebhookEndpoint

SNAPSHOTS = Path(__file__).parent / "snapshots"
SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "streams/deliver/schema/alert-v1.json").read_text())
FORMATS = ["cloudevents", "slack", "discord", "teams", "telegram"]


def endpoint(fmt: str) -> WebhookEndpoint:
    return WebhookEndpoint(name=fmt, url="https://hooks.example/x", format=fmt, telegram_chat_id="-100123")


def body(alert: Alert, fmt: str) -> dict:
    return json.loads(render(alert, endpoint(fmt)).content)


@pytest.mark.parametrize("kind", [AlertKind.RECORD, AlertKind.THRESHOLD])
@pytest.mark.parametrize("fmt", FORMATS)
def test_snapshot(fmt: str, kind: AlertKind) -> None:
    rendered = json.dumps(body(sample_alert(kind), fmt), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path = SNAPSHOTS / f"{fmt}-{kind.value}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(rendered)
    assert rendered == path.read_text()


@pytest.mark.parametrize("kind", [AlertKind.RECORD, AlertKind.THRESHOLD])
def test_default_payload_is_a_cloudevent_matching_the_schema(kind: AlertKind) -> None:
    alert = sample_alert(kind)
    document = body(alert, "cloudevents")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert document["id"] == alert.alert_id == message_id(alert)
    assert document["data"]["event"]["figures"][0]["claims"][0]["evidence"]["text"]
    assert render(alert, endpoint("cloudevents")).content_type.startswith("application/cloudevents+json")


def test_record_payload_carries_the_previous_record() -> None:
    assert body(sample_alert(AlertKind.RECORD), "cloudevents")["data"]["previous"]["value"] == 479


def test_schema_refuses_a_threshold_alert_without_its_rule() -> None:
    document = body(sample_alert(AlertKind.THRESHOLD), "cloudevents")
    document["data"]["rule"] = None
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


def test_a_later_revision_is_a_new_message() -> None:
    alert = sample_alert().model_copy(update={"revision": 2, "updated": True})
    assert message_id(alert) == f"{alert.alert_id}.r2"
    assert body(alert, "cloudevents")["id"] == f"{alert.alert_id}.r2"


def huge_alert() -> Alert:
    """Far more sources, text and places than any destination takes."""
    alert = sample_alert(AlertKind.RECORD)
    sources = tuple(
        EventSource(article_id=f"a{i}", source="An outlet with a very long name " * 20, kind=SourceKind.MEDIA, url=f"https://news.example/{'x' * 300}/{i}")
        for i in range(300)
    )
    locations = tuple(alert.event.locations[0].model_copy(update={"name": f"Place {'y' * 200} {i}"}) for i in range(300))
    event = alert.event.model_copy(update={"sources": sources, "locations": locations})
    return alert.model_copy(update={"event": event})


@pytest.mark.parametrize("alert", [sample_alert(AlertKind.RECORD), sample_alert(AlertKind.THRESHOLD), huge_alert()], ids=["record", "threshold", "huge"])
def test_chat_payloads_stay_within_documented_limits(alert: Alert) -> None:
    slack = body(alert, "slack")
    assert len(slack["blocks"]) <= limits.SLACK_MAX_BLOCKS and len(slack["text"]) <= limits.SLACK_FALLBACK_TEXT
    for block in slack["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= limits.SLACK_HEADER_TEXT
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= limits.SLACK_SECTION_TEXT
            fields = block.get("fields", [])
            assert len(fields) <= limits.SLACK_MAX_FIELDS and all(len(f["text"]) <= limits.SLACK_FIELD_TEXT for f in fields)

    (embed,) = body(alert, "discord")["embeds"]
    assert len(embed["title"]) <= limits.DISCORD_TITLE and len(embed["description"]) <= limits.DISCORD_DESCRIPTION
    assert len(embed["fields"]) <= limits.DISCORD_FIELDS and len(embed["footer"]["text"]) <= limits.DISCORD_FOOTER
    assert all(len(f["name"]) <= limits.DISCORD_FIELD_NAME and len(f["value"]) <= limits.DISCORD_FIELD_VALUE for f in embed["fields"])
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"]) + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= limits.DISCORD_EMBED_TOTAL

    assert len(render(alert, endpoint("teams")).content) <= limits.TEAMS_MESSAGE_BYTES
    telegram = body(alert, "telegram")
    assert 1 <= len(telegram["text"]) <= limits.TELEGRAM_TEXT and telegram["chat_id"] == "-100123"


def test_a_superseded_record_says_so_and_names_what_outranks_it() -> None:
    alert = sample_alert(AlertKind.RECORD)
    assert alert.previous is not None
    outranked = alert.model_copy(update={"revision": 2, "updated": True, "superseded": True, "disputed": (500.0, 539.0)})
    document = body(outranked, "cloudevents")
    jsonschema.validate(document, SCHEMA)
    assert document["data"]["superseded"] is True and document["data"]["disputed"] == [500, 539]
    text = json.dumps(body(outranked, "slack"), ensure_ascii=False)
    assert "Superseded: Record" in text and "Outranked by" in text
