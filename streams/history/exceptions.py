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
