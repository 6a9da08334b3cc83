from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from streams.deliver.signing import Signer

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_a_receiver_verifies_with_the_standardwebhooks_library() -> None:
    body = b'{"id":"alert_1","data":{}}'
    headers = Signer([SecretStr(SECRET)]).headers("alert_1", body, datetime.now(UTC))
    assert headers["webhook-id"] == "alert_1"
    assert Webhook(SECRET).verify(body, headers) == {"id": "alert_1", "data": {}}


def test_a_tampered_body_or_other_secret_fails() -> None:
    headers = Signer([SecretStr(SECRET)]).headers("alert_1", b"{}", datetime.now(UTC))
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(b'{"x":1}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(b"{}", headers)


def test_unsigned_endpoint_still_gets_the_id() -> None:
    headers = Signer([]).headers("alert_1", b"{}", datetime.now(UTC))
    assert "webhook-signature" not in headers and headers["webhook-id"] == "alert_1"


def test_only_utc_datetimes_are_signed() -> None:
    # The library would stamp a Kyiv wall-clock time as if it were UTC: a wrong signature.
    with pytest.raises(AssertionError):
        Signer([SecretStr(SECRET)]).headers("a", b"{}", datetime.now(timezone(timedelta(hours=3))))


NEW_SECRET = "whsec_" + "N3wK3y" * 6


def test_a_rotation_signs_with_every_key_so_old_and_new_receivers_verify() -> None:
    body = b'{"id":"alert_2"}'
    headers = Signer([SecretStr(NEW_SECRET), SecretStr(SECRET)]).headers("alert_2", body, datetime.now(UTC))
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert all(s.startswith("v1,") for s in headers["webhook-signature"].split(" "))
    assert Webhook(SECRET).verify(body, headers) == {"id": "alert_2"}
    assert Webhook(NEW_SECRET).verify(body, headers) == {"id": "alert_2"}
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(body, headers)
