"""Webhook fan-out: alerts → per-endpoint queues → signed HTTP deliveries."""

from streams.deliver.filters import wants
from streams.deliver.render import message_id, render
from streams.deliver.render.summary import summarise
from streams.deliver.replay import replay_dead, replay_range
from streams.deliver.sample import sample_alert
from streams.deliver.sender import Sender, new_session
from streams.deliver.service import Deliverer

__all__ = ["Deliverer", "Sender", "message_id", "new_session", "render", "replay_dead", "replay_range", "sample_alert", "summarise", "wants"]
