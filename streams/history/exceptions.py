from tocsin.errors import TocsinError


class HistoryError(TocsinError):
    """A historical data file that cannot be read; the message names the line and the problem."""
