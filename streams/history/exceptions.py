from datetime import UTC, date, datetime, timedelta

from tocsin.errors import TocsinError


class HistoryError(TocsinError):
    """A historical data file that cannot be read: ``line`` and ``detail`` name where and what."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"line {line}: {detail}")
        self.line = line
        self.detail = detail


def count(value: float, line: int, what: str) -> float:
    """A figure as a count: finite and not negative (an ``inf`` would out-record every real attack)."""
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise HistoryError(line, f"{what}: {value!r} is not a count (finite, not negative)")
    return value


def past_night(night: date, line: int) -> date:
    """A night of the past: a year 1 or 9999 in a history file is a typo (or hostile), not an attack."""
    if not date(1970, 1, 1) <= night <= (datetime.now(UTC) + timedelta(days=1)).date():
        raise HistoryError(line, f"night_of {night.isoformat()} is before 1970 or in the future")
    return night
