"""structlog JSON logs, with the libraries' stdlib logging routed through them.

JSON is the default off a TTY (what log shippers read); a TTY gets the
readable console renderer unless ``logging.format`` says otherwise.
"""

from __future__ import annotations

import logging
import sys

import structlog

from tocsin.settings import LoggingSettings

_SHARED: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
    structlog.processors.format_exc_info,
]

# Libraries that narrate every rebalance and fetch at INFO; their warnings still show.
_CHATTY = ("aiokafka", "kafka", "faust", "mode")


class RetriedCoordinatorLookup(logging.Filter):
    """aiokafka logs every failed group-coordinator lookup at ERROR, although it retries it:
    a broker that has just started answers GroupCoordinatorNotAvailable until its offsets
    topic is up, so every healthy first start printed errors. Retriable failures are
    warnings (still shown, still there if the broker never comes up); the rest stay errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.levelno == logging.ERROR
            and record.name == "aiokafka.consumer.group_coordinator"
            and record.msg == "Group Coordinator Request failed: %s"
            and isinstance(record.args, tuple)
            and getattr(record.args[0], "retriable", False)
        ):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure_logging(settings: LoggingSettings) -> None:
    console = settings.format == "console" or (settings.format == "auto" and sys.stderr.isatty())
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer() if console else structlog.processors.JSONRenderer()
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RetriedCoordinatorLookup())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = logging.getLevelName(settings.level.upper())
    root.setLevel(level)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        # Drops calls below the level before any processor runs: a per-article
        # info line must cost nothing when the level is warning.
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
