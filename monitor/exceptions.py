from tocsin.errors import TocsinError


class MonitorError(TocsinError):
    """A feed could not be polled; the poller logs it, counts it and retries later."""


class FetchError(MonitorError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class ParseError(MonitorError):
    pass


class PublishError(MonitorError):
    pass
