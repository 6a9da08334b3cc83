from tocsin.errors import TocsinError


class KafkaSetupError(TocsinError):
    """Kafka could not be made ready for Tocsin (missing tools, bad config, no broker)."""


class BrokerError(KafkaSetupError):
    """The local Kafka broker could not be fetched, formatted, started or stopped.

    The message says what failed and, where the broker or Maven wrote
    something, ends with the last lines of that output.
    """


class NotDrained(TocsinError):
    """The pipeline still had unprocessed records when the wait for it ended."""
