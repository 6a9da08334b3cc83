"""Feed dates: RFC 822 (RSS), ISO 8601 / RFC 3339 (Atom, JSON Feed, Dublin Core), then whatever
feedparser's lenient date parser reads. A time without an offset stays naive: which zone it is in
is the feed's business (tocsin/timezones.py), decided by the normaliser that knows the feed."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from feedparser.datetimes import _parse_date as lenient_date


def parse_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not (value := value.strip()):
        return None
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        moment = None
    if moment is not None:
        # email.utils marks "-0000" and a missing zone alike as naive: both say "zone unknown".
        return moment
    try:
        parsed = lenient_date(value)
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    except (ValueError, OverflowError, OSError, TypeError):
        return None
