"""Versioned JSON records: the only shapes that cross a Kafka topic.

Every record carries ``schema`` and ``version`` so that a consumer can refuse
what it does not understand (and dead-letter it) instead of guessing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, ClassVar, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from tocsin.net.urls import without_credentials
from tocsin.records.exceptions import RecordError

LARGEST_RECORD_BYTES = 16 * 1024 * 1024
"""A value larger than this is refused before parsing: larger than anything Tocsin writes (its
producers send at most 1 MiB records, the broker's default), by a wide margin, so that no
configuration of the record size can make a valid record unreadable."""


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a time zone")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_require_utc)]
"""A timezone-aware timestamp, normalised to UTC on the way in."""


def _web_only(value: str | None) -> str | None:
    # Article URLs travel into webhook payloads, chat links and the API: a javascript:, data: or
    # file: URL from a careless (or hostile) feed must not become a link anyone clicks, and
    # credentials in one (user:password@) must not be repeated to every receiver.
    if value is None or not value[:8].lower().startswith(("http://", "https://")):
        return None
    return without_credentials(value)


WebUrl = Annotated[str | None, AfterValidator(_web_only)]
"""An http(s) URL, or None: any other scheme is dropped on the way in."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class Model(BaseModel):
    """Frozen, strict-about-keys base for every nested part of a record."""

    # NaN and infinities as json.dumps writes them (NaN, Infinity), so that they read back.
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="constants")


class Record(Model):
    """A top-level Kafka record with a schema name and version."""

    SCHEMA: ClassVar[str]
    VERSION: ClassVar[int]
    READS_OLDER: ClassVar[tuple[int, ...]] = ()
    """Earlier versions this one still decodes: each only lacks fields that have defaults here."""

    def to_bytes(self) -> bytes:
        """Compact UTF-8 JSON, ``schema`` and ``version`` first, then the fields in declaration order.

        pydantic's own (Rust) encoder writes the fields, spliced in after the envelope: the same
        bytes as ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` of the dumped
        model at a third of the cost (the poller encodes every article it publishes). Floats
        below 1e-4 are spelled 0.00001 rather than 1e-05: the same number to every JSON reader.
        """
        body = self.__pydantic_serializer__.to_json(self)
        return self._envelope() + (b"}" if body == b"{}" else b"," + body[1:])

    @classmethod
    def from_bytes(cls, raw: bytes | str | None) -> Self:
        """The record, or a RecordError for *any* input that is not one: the only exception a
        reader has to handle, so that no value on a topic can stop a consumer."""
        if raw is None:
            raise RecordError("empty", f"{cls.SCHEMA}: no value")
        if len(raw) > LARGEST_RECORD_BYTES:
            raise RecordError("too_large", f"{cls.SCHEMA}: {len(raw)} bytes, the limit is {LARGEST_RECORD_BYTES}")
        try:
            return cls._decode(raw)
        except RecordError:
            raise
        except RecursionError as exc:
            raise RecordError("too_deep", f"{cls.SCHEMA}: nested too deeply to read") from exc
        except Exception as exc:  # a decoder bug must not stop the reader either
            raise RecordError("undecodable", f"{cls.SCHEMA}: {type(exc).__name__}: {str(exc)[:200]}") from exc

    @classmethod
    def _decode(cls, raw: bytes | str) -> Self:
        envelope = cls._envelope() + b","
        if isinstance(raw, bytes) and raw.startswith(envelope):
            # What to_bytes wrote: pydantic parses the rest in Rust, without building Python dicts first.
            return cls._validated(lambda: cls.model_validate_json(b"{" + raw[len(envelope) :]))
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RecordError("bad_json", f"{cls.SCHEMA}: {exc}") from exc
        if not isinstance(data, dict):
            raise RecordError("bad_json", f"{cls.SCHEMA}: top level is not an object")
        schema, version = data.pop("schema", None), data.pop("version", None)
        if schema != cls.SCHEMA:
            raise RecordError("wrong_schema", f"expected {cls.SCHEMA}, got {repr(schema)[:80]}")
        if version != cls.VERSION and version not in cls.READS_OLDER:
            readable = ", ".join(str(v) for v in (*cls.READS_OLDER, cls.VERSION))
            raise RecordError("unsupported_version", f"{cls.SCHEMA}: version {version!r}, this build reads {readable}")
        return cls._validated(lambda: cls.model_validate(data))

    @classmethod
    @cache
    def _envelope(cls) -> bytes:
        """What to_bytes writes before the fields."""
        return b'{"schema":%s,"version":%d' % (json.dumps(cls.SCHEMA, ensure_ascii=False).encode(), cls.VERSION)

    @classmethod
    def _validated(cls, validate: Callable[[], Self]) -> Self:
        try:
            return validate()
        except ValidationError as exc:
            first = exc.errors()[0]
            if first["type"] == "json_invalid":
                raise RecordError("bad_json", f"{cls.SCHEMA}: {first['msg']}") from exc
            where = ".".join(str(p) for p in first["loc"]) or "(record)"
            raise RecordError("invalid", f"{cls.SCHEMA}: {where}: {first['msg']}") from exc
