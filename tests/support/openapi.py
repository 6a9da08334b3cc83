"""Checks a response against the API's own OpenAPI description (streams.api.openapi)."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from streams.api.openapi import document

_URI = "urn:tocsin:openapi"
_REGISTRY = Registry().with_resource(_URI, DRAFT202012.create_resource(document()))


def check_response(template: str, status: int, media: str, body: bytes) -> None:
    """The status and media type are documented for the path, and a JSON body matches its schema."""
    documented = document()["paths"][template]["get"]["responses"]
    assert str(status) in documented, f"{template}: {status} is not documented"
    content = documented[str(status)]["content"]
    assert media in content, f"{template} {status}: {media} not documented ({list(content)})"
    pointer = f"/paths/{template.replace('/', '~1')}/get/responses/{status}/content/{media.replace('/', '~1')}/schema"
    if media.endswith("json") and media != "application/jsonl":
        Draft202012Validator({"$ref": f"{_URI}#{pointer}"}, registry=_REGISTRY).validate(json.loads(body))
