"""Webhook fan-out: alerts → per-endpoint queues → signed HTTP deliveries."""

from streams.deliver.service import Deliverer

__all__ = ["Deliverer"]
