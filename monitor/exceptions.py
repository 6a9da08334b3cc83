from tocsin.errors import TocsinError


class MonitorError(TocsinError):
    """A feed could not be polled; the poller logs it, counts it and retries later."""


class FetchError(MonitorError):
    def __init__(self, reason: str, detail: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class BlockedAddressError(FetchError):
    """The URL leads to an address the guard (tocsin.net.guard) refuses: a poll failure like any other."""

    def __init__(self, detail: str) -> None:
        super().__init__("blocked_address", detail)


class ParseError(MonitorError):
    reason = "parse"


class PublishError(MonitorError):
    """Kafka did not acknowledge: not the feed's fault, so polling pauses instead of backing the feed off."""


class DigestError(MonitorError):
    """Something unexpected while digesting a fetched document: the feed backs off and it is logged."""

    reason = "digest_error"
