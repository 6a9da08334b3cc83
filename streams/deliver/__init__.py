from streams.deliver.exceptions import DeliveryFailed
from streams.deliver.webhook import WebhookSender

__all__ = ["DeliveryFailed", "WebhookSender"]
