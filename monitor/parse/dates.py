"""Feed dates: RFC 822 (RSS), ISO 8601 / RFC 3339 (Atom, JSON Feed, Dublin Core), then whatever
feedparser's lenient date parser reads. A time without an offset stays naive: which zone it is in
is the feed's business (tocsin/timezones.py), decided by the normaliser that knows the feed."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from feedparser.datetimes import _parse_date as lenient_date


# The RFC 822 form nearly every RSS feed writes ("Fri, 04 Jul 2025 06:30:00 GMT" or "+0300"), read
# without email.utils' general parser: this runs for every item of every changed document.
_RFC822 = re.compile(r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+(GMT|UTC|UT|Z|[+-]\d{4})")
_MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def _rfc822(value: str) -> datetime | None:
    match = _RFC822.fullmatch(value)
    if match is None or (month := _MONTHS.get(match.group(2).lower())) is None:
        return None
    day, _, year, hour, minute, second, zone = match.groups()
    if zone == "-0000":  # RFC 5322: the zone is unknown
        offset = None
    else:
        offset = UTC if zone[0] not in "+-" else timezone(timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * (1 if zone[0] == "+" else -1))
    try:
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second or 0), tzinfo=offset)
    except ValueError:
        return None


def parse_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not (value := value.strip()):
        return None
    if (moment := _rfc822(value)) is not None:
        return moment
    if value[0].isdigit():  # ISO 8601 starts with the year; RFC 822 with a weekday or the day
        try:
            return datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            pass
    try:
        # email.utils marks "-0000" and a missing zone alike as naive: both say "zone unknown".
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        parsed = lenient_date(value)
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    except (ValueError, OverflowError, OSError, TypeError):
        return None
