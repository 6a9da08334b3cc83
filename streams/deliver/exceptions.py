from tocsin.errors import TocsinError


class DeliveryFailed(TocsinError):
    """Every attempt to deliver an alert to one endpoint failed."""

    def __init__(self, endpoint: str, attempts: list[str]) -> None:
        super().__init__(f"{endpoint}: {len(attempts)} attempts failed, last: {attempts[-1]}")
        self.endpoint = endpoint
        self.attempts = attempts
