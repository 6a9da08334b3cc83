"""Calendar words (months, weekdays) in en/uk/ru and the date phrases built from them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from streams.extract.text import WordScanner
from streams.extract.trie import alternation

# Every form a month name takes in dates and "in July" phrases, folded.
_MONTH_FORMS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "січня", "січень", "січні", "января", "январь", "январе"),
    2: ("february", "feb", "лютого", "лютий", "лютому", "февраля", "февраль", "феврале"),
    3: ("march", "mar", "березня", "березень", "березні", "марта", "март", "марте"),
    4: ("april", "apr", "квітня", "квітень", "квітні", "апреля", "апрель", "апреле"),
    5: ("may", "травня", "травень", "травні", "мая", "май", "мае"),
    6: ("june", "jun", "червня", "червень", "червні", "июня", "июнь", "июне"),
    7: ("july", "jul", "липня", "липень", "липні", "июля", "июль", "июле"),
    8: ("august", "aug", "серпня", "серпень", "серпні", "августа", "август", "августе"),
    9: ("september", "sept", "sep", "вересня", "вересень", "вересні", "сентября", "сентябрь", "сентябре"),
    10: ("october", "oct", "жовтня", "жовтень", "жовтні", "октября", "октябрь", "октябре"),
    11: ("november", "nov", "листопада", "листопад", "листопаді", "ноября", "ноябрь", "ноябре"),
    12: ("december", "dec", "грудня", "грудень", "грудні", "декабря", "декабрь", "декабре"),
}
MONTHS: dict[str, int] = {form: month for month, forms in _MONTH_FORMS.items() for form in forms}
MONTH = alternation(MONTHS)
_MONTH_WORDS = WordScanner(MONTHS)

# Weekday forms incl. Ukrainian/Russian accusative ("на п'ятницю") and genitive ("проти суботи").
_WEEKDAY_FORMS: dict[int, tuple[str, ...]] = {
    0: ("monday", "понеділок", "понеділка", "понедельник", "понедельника"),
    1: ("tuesday", "вівторок", "вівторка", "вторник", "вторника"),
    2: ("wednesday", "середа", "середу", "середи", "среда", "среду", "среды"),
    3: ("thursday", "четвер", "четверга", "четверг", "четверга"),
    4: ("friday", "п'ятниця", "п'ятницю", "п'ятниці", "пятница", "пятницу", "пятницы"),
    5: ("saturday", "субота", "суботу", "суботи", "суббота", "субботу", "субботы"),
    6: ("sunday", "неділя", "неділю", "неділі", "воскресенье", "воскресенья"),
}
WEEKDAYS: dict[str, int] = {form: day for day, forms in _WEEKDAY_FORMS.items() for form in forms}
WEEKDAY = alternation(WEEKDAYS)

_ORDINAL = r"(?:st|nd|rd|th|-го|-е|-ого)?"
# "4 July", "4th of July", "July 4", "4 липня 2025"; groups: day, month | month, day; year.
DAY_MONTH = re.compile(
    rf"(?<![\w'])(?:(\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+({MONTH})\b|({MONTH})\.?\s+(\d{{1,2}}){_ORDINAL}\b)"
    rf"(?:,?\s+(\d{{4}}))?"
)
# 04.07.2025 and 04.07: the numeric form officials use. Led by a digit (the word-start test follows it) so
# that ``re`` skips ahead to digits.
NUMERIC_DATE = re.compile(r"(\d(?<!\w\d)\d?)\.(\d{2})(?:\.(\d{4}|\d{2}))?\b(?!\.\d)")


class DateMention(NamedTuple):
    day: date
    start: int
    end: int


def infer_year(month: int, day: int, published: date | None) -> date | None:
    """The latest such date not after the publication (plus a day of clock skew)."""
    if published is None:
        return None
    for year in (published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= published + timedelta(days=1):
            return candidate
    return None


def _make(year: str | None, month: int, day: int, published: date | None) -> date | None:
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        try:
            return date(full, month, day)
        except ValueError:
            return None
    return infer_year(month, day, published)


def find_dates(low: str, published: date | None, start: int = 0, end: int | None = None) -> list[DateMention]:
    end = len(low) if end is None else end
    found: list[DateMention] = []
    # Each day-and-month date names a month at a word start: most sentences name none, and that is cheap to see.
    for m in DAY_MONTH.finditer(low, start, end) if _MONTH_WORDS.find(low, start, end) else ():
        if m.group(1):
            day, month = int(m.group(1)), MONTHS[m.group(2)]
        else:
            day, month = int(m.group(4)), MONTHS[m.group(3)]
        if m.group(3) == "may" and not m.group(5):
            # "may 4" is more often "may" the verb followed by a count.
            continue
        resolved = _make(m.group(5), month, day, published)
        if resolved is not None:
            found.append(DateMention(resolved, m.start(), m.end()))
    for m in NUMERIC_DATE.finditer(low, start, end):
        month = int(m.group(2))
        if 1 <= month <= 12:
            resolved = _make(m.group(3), month, int(m.group(1)), published)
            if resolved is not None:
                found.append(DateMention(resolved, m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found


def last_weekday(weekday: int, on_or_before: date) -> date:
    return on_or_before - timedelta(days=(on_or_before.weekday() - weekday) % 7)
