"""Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook


class Signer:
    """One endpoint's signer, built once: the keys are decoded here, not per attempt.

    With several keys every request carries one signature per key, space-separated
    (the format allows a list): a receiver that still has the old key and one that
    already has the new key both verify, so a rotation needs no gap.
    """

    def __init__(self, secrets: Sequence[SecretStr]) -> None:
        self._webhooks = [Webhook(secret.get_secret_value()) for secret in secrets]

    def headers(self, message_id: str, body: bytes, now: datetime) -> dict[str, str]:
        """Headers for one attempt. The timestamp is the attempt's, so a retry is
        not refused as stale by a receiver's 5-minute tolerance."""
        headers = {"webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp()))}
        if self._webhooks:
            # The library stamps the datetime as UTC without converting it: hand it UTC.
            assert now.utcoffset() is not None and not now.utcoffset(), "sign with a UTC datetime"
            text = body.decode()
            headers["webhook-signature"] = " ".join(w.sign(message_id, now, text) for w in self._webhooks)
        return headers
