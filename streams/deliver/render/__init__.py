"""Alert → request body, one module per destination format. Pure."""

from streams.deliver.render.body import Body, BodyCache, message_id, render

__all__ = ["Body", "BodyCache", "message_id", "render"]
