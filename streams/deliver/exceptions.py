from tocsin.errors import TocsinError


class DeliveryError(TocsinError):
    """The deliverer cannot go on (Kafka unreachable, state not writable)."""


class BlockedAddress(DeliveryError, OSError):
    """A webhook URL leads to an address the SSRF guard refuses.

    An OSError too, so that it travels through aiohttp's resolver handling."""
