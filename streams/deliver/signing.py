"""Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature)."""

from __future__ import annotations

from datetime import datetime

from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook


class Signer:
    """One endpoint's signer, built once: the key is decoded here, not per attempt."""

    def __init__(self, secret: SecretStr | None) -> None:
        self._webhook = None if secret is None else Webhook(secret.get_secret_value())

    def headers(self, message_id: str, body: bytes, now: datetime) -> dict[str, str]:
        """Headers for one attempt. The timestamp is the attempt's, so a retry is
        not refused as stale by a receiver's 5-minute tolerance."""
        headers = {"webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp()))}
        if self._webhook is not None:
            # The library stamps the datetime as UTC without converting it: hand it UTC.
            assert now.utcoffset() is not None and not now.utcoffset(), "sign with a UTC datetime"
            headers["webhook-signature"] = self._webhook.sign(message_id, now, body.decode())
        return headers
