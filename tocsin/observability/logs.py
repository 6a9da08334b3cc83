"""structlog JSON logs, with the libraries' stdlib logging routed through them.

JSON is the default off a TTY (what log shippers read); a TTY gets the
readable console renderer unless ``logging.format`` says otherwise.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

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


FOLD_WINDOW_SECONDS = 60.0


class RepeatFolder(logging.Filter):
    """One line per kind of warning or error per minute.

    An outage repeats the same few complaints many times a second (every client's
    reconnects, refused commits and fetches, every retry): 8,900 lines in 37 s
    of broker downtime. The first of a kind (logger, level, message template) passes;
    repeats within the window are counted, and the next one after it says how
    many were left out. Info lines, one per article or alert, are never folded.
    """

    def __init__(self, window: float = FOLD_WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._window = window
        self._clock = clock
        self._seen: dict[tuple[str, int, str], list[float]] = {}  # kind → [first shown at, left out since]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        # structlog's records carry their event dict; the libraries' a %-template.
        template = record.msg.get("event") if isinstance(record.msg, dict) else record.msg
        kind = (record.name, record.levelno, str(template))
        now = self._clock()
        seen = self._seen.get(kind)
        if seen is not None and now - seen[0] < self._window:
            seen[1] += 1
            return False
        self._seen[kind] = [now, 0]
        if seen is not None and seen[1]:
            left_out = int(seen[1])
            if isinstance(record.msg, dict):
                record.msg = {**record.msg, "repeats_not_shown": left_out}
            else:
                record.msg, record.args = f"{record.getMessage()} ({left_out} like it not shown)", None
        return True


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
    handler.addFilter(RepeatFolder())
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
