from tocsin.errors import TocsinError


class RecordError(TocsinError):
    """A Kafka record that cannot be decoded into its schema.

    ``reason`` is a short, stable token (bad_json, wrong_schema,
    unsupported_version, invalid) used as a metric label and stored with the
    dead letter; the message carries the detail.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
