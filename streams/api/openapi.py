"""The API's OpenAPI 3.1 description, served at /openapi.json.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect); the tests validate
the document and check every documented response of a running API against it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tocsin.records import AlertKind, Metric, Severity

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _json(schema: dict[str, Any], description: str, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": schema}}}


def _query(name: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "required": required, "schema": schema}


_UNAUTHORIZED = _problem("No bearer token, or not the configured one (only when a token is configured).")
_BAD = _problem("A query parameter that does not parse.")
_LIMIT = _query("limit", "Most items to return.", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50})
_SINCE = _query("since", "Only events updated at or after this moment (ISO 8601 with a time zone).", {"type": "string", "format": "date-time"})
_UNTIL = _query("until", "Only nights on or before this date.", {"type": "string", "format": "date"})
_LIST = {"type": "string", "description": "Comma-separated; empty means any."}
_FEED_FILTERS = [
    _query("kinds", f"Alert kinds ({', '.join(k.value for k in AlertKind)}).", _LIST),
    _query("metrics", "Metrics.", _LIST),
    _query("min_severity", "Lowest severity.", {"type": "string", "enum": [s.value for s in Severity]}),
    _query("targets", "Target countries (ISO 3166 alpha-2).", _LIST),
    _query("locations", "Oblast/city names or ISO 3166-2 codes; any one on the event matches.", _LIST),
    _LIMIT,
]
_NUMBERS = {"type": "object", "additionalProperties": {"type": "number"}}

_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "required": ["type", "title", "status", "detail"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}},
    },
    "EventSummary": {
        "type": "object",
        "required": ["event_id", "revision", "attacker", "target", "night_of", "figures", "disputed", "aliases", "sources", "historical", "updated_at"],
        "properties": {
            "event_id": {"type": "string"},
            "revision": {"type": "integer", "minimum": 1},
            "attacker": {"type": "string"},
            "target": {"type": "string"},
            "night_of": {"type": "string", "format": "date"},
            "figures": _NUMBERS,
            "disputed": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
            "aliases": {"type": "array", "items": {"type": "string"}, "description": "Ids of events found to be this attack (their reports are in this one)."},
            "sources": {"type": "integer", "minimum": 0},
            "historical": {"type": "boolean"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "EventsPage": {
        "type": "object",
        "required": ["events", "next_cursor"],
        "properties": {
            "events": {"type": "array", "items": _ref("EventSummary")},
            "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last."},
        },
    },
    "Event": {
        "type": "object",
        "description": "A tocsin.event record (the events topic's value), see the product spec.",
        "required": ["schema", "version", "event_id", "revision", "attacker", "target", "window", "figures", "sources", "updated_at"],
        "properties": {
            "schema": {"const": "tocsin.event"},
            "version": {"type": "integer"},
            "aliases": {"type": "array", "items": {"type": "string"}},
            "event_id": {"type": "string"},
            "revision": {"type": "integer"},
            "attacker": {"type": "string"},
            "target": {"type": "string"},
            "window": {"type": "object", "required": ["night_of"]},
            "figures": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["metric", "value", "qualifier", "claims"],
                    "properties": {"metric": {"enum": [m.value for m in Metric]}, "value": {"type": "number"}, "claims": {"type": "array"}},
                },
            },
            "sources": {"type": "array", "items": {"type": "object", "required": ["article_id", "source", "kind"]}},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "EventDetail": {
        "type": "object",
        "required": ["event", "revisions"],
        "properties": {
            "event": _ref("Event"),
            "revisions": {"type": "array", "items": {"type": "object", "required": ["revision", "updated_at", "figures"]}},
        },
    },
    "Records": {
        "type": "object",
        "required": ["records"],
        "properties": {
            "records": {
                "type": "object",
                "description": "scope → metric → the current record and its ladder.",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["value", "event_id", "night_of", "history"],
                        "properties": {
                            "value": {"type": "number"},
                            "event_id": {"type": "string"},
                            "night_of": {"type": "string", "format": "date"},
                            "history": {"type": "array", "items": {"type": "object", "required": ["value", "event_id", "night_of"]}},
                        },
                    },
                },
            }
        },
    },
    "JsonFeed": {
        "type": "object",
        "description": "JSON Feed 1.1; each item's id is the alert id, `_tocsin.alert` the alert record.",
        "required": ["version", "title", "items"],
        "properties": {
            "version": {"const": "https://jsonfeed.org/version/1.1"},
            "title": {"type": "string"},
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "content_text", "date_published", "_tocsin"],
                    "properties": {"id": {"type": "string", "pattern": "^alert_"}, "_tocsin": {"type": "object", "required": ["alert"]}},
                },
            },
        },
    },
    "FeatureCollection": {
        "type": "object",
        "description": "GeoJSON (RFC 7946): one Point per located place of an event.",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"const": "Feature"},
                        "geometry": {
                            "type": "object",
                            "required": ["type", "coordinates"],
                            "properties": {"type": {"const": "Point"}, "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2}},
                        },
                        "properties": {"type": "object", "required": ["event_id", "night_of"]},
                    },
                },
            },
        },
    },
}

_TEXT = {"type": "string"}


def _paths() -> dict[str, Any]:
    return {
        "/": {
            "get": {
                "summary": "The web page: recent events with evidence, record ladders, feed health",
                "parameters": [_query("cursor", "Older events (the page's own link).", _TEXT), _SINCE, _UNTIL],
                "responses": {"200": _json(_TEXT, "HTML", "text/html"), "400": _BAD, "401": _UNAUTHORIZED},
            }
        },
        "/events": {
            "get": {
                "summary": "Recent events, newest night first, a page at a time",
                "parameters": [
                    _SINCE,
                    _UNTIL,
                    _query("target", "Target country (ISO 3166 alpha-2).", _TEXT),
                    _query("metric", "The metric `min` applies to.", {"type": "string", "enum": [m.value for m in Metric], "default": "drones_launched"}),
                    _query("min", "Lowest value of `metric`.", {"type": "number"}),
                    _LIMIT,
                    _query("cursor", "`next_cursor` of the previous page.", _TEXT),
                ],
                "responses": {"200": _json(_ref("EventsPage"), "A page of events; a `Link: rel=next` header when there are more."), "400": _BAD, "401": _UNAUTHORIZED},
            }
        },
        "/events/{event_id}": {
            "get": {
                "summary": "One event and its latest revisions",
                "parameters": [{"name": "event_id", "in": "path", "required": True, "schema": _TEXT}],
                "responses": {"200": _json(_ref("EventDetail"), "The event"), "401": _UNAUTHORIZED, "404": _problem("No such event here.")},
            }
        },
        "/records": {
            "get": {
                "summary": "The current record and ladder per scope and metric",
                "parameters": [
                    _query("scope", "Record scope (target country).", _TEXT),
                    _query("metric", "Metric.", {"type": "string", "enum": [m.value for m in Metric]}),
                ],
                "responses": {"200": _json(_ref("Records"), "Records"), "400": _BAD, "401": _UNAUTHORIZED},
            }
        },
        "/alerts.atom": {
            "get": {
                "summary": "Recent alerts as an Atom feed (entry id = alert id)",
                "parameters": _FEED_FILTERS,
                "responses": {
                    "200": _json(_TEXT, "Atom 1.0", "application/atom+xml"),
                    "400": _BAD,
                    "401": _UNAUTHORIZED,
                    "503": _problem("Kafka did not answer; retry later."),
                },
            }
        },
        "/alerts.json": {
            "get": {
                "summary": "Recent alerts as a JSON Feed 1.1 (item id = alert id)",
                "parameters": _FEED_FILTERS,
                "responses": {
                    "200": _json(_ref("JsonFeed"), "JSON Feed 1.1", "application/feed+json"),
                    "400": _BAD,
                    "401": _UNAUTHORIZED,
                    "503": _problem("Kafka did not answer; retry later."),
                },
            }
        },
        "/export": {
            "get": {
                "summary": "Events as CSV (the historical dataset's columns), GeoJSON or JSON lines",
                "parameters": [_query("format", "Export format.", {"type": "string", "enum": ["csv", "geojson", "jsonl"]}, required=True), _SINCE],
                "responses": {
                    "200": {
                        "description": "The events, oldest night first",
                        "content": {
                            "text/csv": {"schema": _TEXT},
                            "application/geo+json": {"schema": _ref("FeatureCollection")},
                            "application/jsonl": {"schema": _TEXT},
                        },
                    },
                    "400": _BAD,
                    "401": _UNAUTHORIZED,
                },
            }
        },
        "/healthz": {
            "get": {
                "summary": "Liveness",
                "security": [],
                "responses": {"200": _json({"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}, "Alive")},
            }
        },
        "/readyz": {
            "get": {
                "summary": "Readiness: connected and done recovering the tables",
                "security": [],
                "responses": {
                    "200": _json(_ref("Readiness"), "Ready"),
                    "503": _json(_ref("Readiness"), "Not ready yet"),
                },
            }
        },
        "/openapi.json": {
            "get": {"summary": "This description", "security": [], "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")}}
        },
    }


@cache
def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tocsin worker API",
            "version": "1",
            "description": (
                "Events, records, alert feeds and exports of one Tocsin worker (it answers for the partitions it owns). "
                "With `api.token` configured every operation but health, readiness and this description needs "
                "`Authorization: Bearer <token>` (or `?access_token=`). Errors are problem+json (RFC 9457)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**_SCHEMAS, "Readiness": {
                "type": "object", "required": ["ready"],
                "properties": {"ready": {"type": "boolean"}, "components": {"type": "object", "additionalProperties": {"type": "boolean"}}},
            }},
        },
    }
