"""Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature)."""

from __future__ import annotations

from datetime import datetime

from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook


def signed_headers(message_id: str, body: bytes, secret: SecretStr | None, now: datetime) -> dict[str, str]:
    """Headers for one attempt. The timestamp is the attempt's, so a retry is
    not refused as stale by a receiver's 5-minute tolerance."""
    headers = {"webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp()))}
    if secret is not None:
        # The library stamps the datetime as UTC without converting it: hand it UTC.
        assert now.utcoffset() is not None and not now.utcoffset(), "sign with a UTC datetime"
        signer = Webhook(secret.get_secret_value())
        headers["webhook-signature"] = signer.sign(message_id, now, body.decode())
    return headers
