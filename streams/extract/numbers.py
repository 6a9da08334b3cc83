"""Counts in English, Ukrainian and Russian text.

Digits in every grouping convention (1,000 / 1 000 / 1.000), number words with
their Ukrainian/Russian case forms, vague quantities ("dozens" = 12, "сотні" =
100, both ``at_least`` by the conflict-coder convention) and the qualifier
written in front ("at least", "понад", "около"). Dates, clock times, years,
ages, percentages, money and weapon designators ("Kh-101") are not counts.
The generic number-parser packages fail on Ukrainian apostrophes and case
forms, hence this small parser.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from streams.extract.dates import MONTH, MONTHS
from streams.extract.trie import alternation
from tocsin.records.report import Qualifier

# value -> folded word forms. Values ≥ 100 that multiply ("hundred") are in _SCALES.
_WORDS: dict[int, tuple[str, ...]] = {
    0: ("none", "жодна", "жодної", "жодну", "жоден", "жодного"),  # "none of the missiles were intercepted"
    1: ("one", "один", "одна", "одне", "одного", "одної", "однієї", "одному", "одній", "одним", "одною",
        "одну", "одно", "одной", "однією", "одною"),
    2: ("two", "два", "дві", "двох", "двом", "двома", "двоє", "обидва", "обидві", "обох", "both", "две", "двух", "двум", "двумя",
        "двое", "оба"),
    3: ("three", "три", "трьох", "трьом", "трьома", "троє", "трех", "трем", "тремя", "трое"),
    4: ("four", "чотири", "чотирьох", "чотирьом", "чотирма", "четверо", "четыре", "четырех", "четырем",
        "четырьмя"),
    5: ("five", "п'ять", "п'яти", "п'ятьох", "п'ятьом", "п'ятьма", "п'ятеро", "пять", "пяти", "пятью",
        "пятеро"),
    6: ("six", "шість", "шести", "шістьох", "шістьом", "шістьма", "шестеро", "шесть", "шестью"),
    7: ("seven", "сім", "семи", "сімох", "сімом", "сімома", "семеро", "семь", "семью"),
    8: ("eight", "вісім", "восьми", "вісьмох", "вісьмом", "вісьма", "вісьмома", "восьмеро", "восемь",
        "восьмью"),
    9: ("nine", "дев'ять", "дев'яти", "дев'ятьох", "дев'ятьом", "дев'ятьма", "дев'ятеро", "девять",
        "девяти", "девятью"),
    10: ("ten", "десять", "десяти", "десятьох", "десятьом", "десятьма", "десятеро", "десятью"),
    11: ("eleven",),
    12: ("twelve", "a dozen", "dozen"),
    13: ("thirteen",),
    14: ("fourteen",),
    15: ("fifteen",),
    16: ("sixteen",),
    17: ("seventeen",),
    18: ("eighteen",),
    19: ("nineteen",),
    20: ("twenty",),
    30: ("thirty",),
    40: ("forty", "сорок", "сорока"),
    50: ("fifty",),
    60: ("sixty",),
    70: ("seventy",),
    80: ("eighty",),
    90: ("ninety", "дев'яносто", "дев'яноста", "девяносто", "девяноста"),
    100: ("сто", "ста", "a hundred", "сотня", "сотню", "сотнею", "сотней"),
    200: ("двісті", "двохсот", "двомстам", "двомастами", "двести", "двухсот"),
    300: ("триста", "трьохсот", "трьомстам", "трехсот"),
    400: ("чотириста", "чотирьохсот", "четыреста", "четырехсот"),
    500: ("п'ятсот", "п'ятисот", "пятьсот", "пятисот"),
    600: ("шістсот", "шестисот", "шестьсот"),
    700: ("сімсот", "семисот", "семьсот"),
    800: ("вісімсот", "восьмисот", "восемьсот"),
    900: ("дев'ятсот", "дев'ятисот", "девятьсот"),
    1000: ("a thousand", "тисяча", "тисячу", "тысяча", "тысячу"),
}
_HALVES = {"півтори": 1.5, "півтора": 1.5, "полтора": 1.5, "полторы": 1.5}

# Ukrainian/Russian teens and tens decline regularly from a stem.
_DECLINED_STEMS: dict[int, tuple[str, ...]] = {
    11: ("одинадцят", "одиннадцат"), 12: ("дванадцят", "двенадцат"), 13: ("тринадцят", "тринадцат"),
    14: ("чотирнадцят", "четырнадцат"), 15: ("п'ятнадцят", "пятнадцат"), 16: ("шістнадцят", "шестнадцат"),
    17: ("сімнадцят", "семнадцат"), 18: ("вісімнадцят", "восемнадцат"), 19: ("дев'ятнадцят", "девятнадцат"),
    20: ("двадцят", "двадцат"), 30: ("тридцят", "тридцат"), 50: ("п'ятдесят", "пятьдесят", "пятидесят"),
    60: ("шістдесят", "шістдесят", "шестьдесят", "шестидесят"), 70: ("сімдесят", "семьдесят", "семидесят"),
    80: ("вісімдесят", "восемьдесят", "восьмидесят"),
}
_DECLINED_ENDINGS = ("ь", "и", "ьох", "ьом", "ьма", "ью", "", "ти", "тью")

_SCALES: dict[str, int] = {
    "dozen": 12, "дюжини": 12, "hundred": 100, "a hundred": 100, "thousand": 1000, "a thousand": 1000,
    "тисяча": 1000, "тисячі": 1000, "тисяч": 1000, "тисячу": 1000, "тисячею": 1000, "тисячами": 1000,
    "сотні": 100, "сотня": 100, "сотню": 100, "сотнею": 100, "сотни": 100,
    "тис": 1000, "тысяча": 1000, "тысячи": 1000, "тысяч": 1000, "тысячу": 1000, "тыс": 1000,
}

# Plural "tens/dozens/hundreds" stand for their lower bound (spec convention).
_VAGUE: dict[str, int] = {
    "dozens": 12, "tens": 10, "hundreds": 100, "thousands": 1000,
    "десятки": 10, "десятків": 10, "десятками": 10, "десятков": 10,
    "сотні": 100, "сотень": 100, "сотнями": 100, "сотни": 100, "сотен": 100,
    "тисячі": 1000, "тысячи": 1000,
}


def _word_values() -> dict[str, float]:
    values: dict[str, float] = {form: value for value, forms in _WORDS.items() for form in forms}
    values.update(_HALVES)
    for value, stems in _DECLINED_STEMS.items():
        for stem in stems:
            for ending in _DECLINED_ENDINGS:
                values.setdefault(stem + ending, value)
    return values


WORD_VALUES = _word_values()

# Qualifier phrases immediately before a count, folded; longest alternatives first by the trie.
_QUALIFIERS: dict[str, Qualifier] = {
    **dict.fromkeys(
        ("at least", "a minimum of", "no fewer than", "no less than", "not less than", "щонайменше", "принаймні",
         "не менше ніж", "не менше як", "не менше", "не менш ніж", "як мінімум", "мінімум", "по меньшей мере",
         "не менее", "как минимум", "минимум", "по крайней мере"),
        Qualifier.AT_LEAST,
    ),
    **dict.fromkeys(
        ("more than", "over", "in excess of", "upwards of", "понад", "більше ніж", "більш ніж", "більше як",
         "більш як", "більше", "свыше", "более", "больше", "более чем", "больше чем", "well over"),
        Qualifier.MORE_THAN,
    ),
    **dict.fromkeys(
        ("about", "around", "roughly", "approximately", "some", "nearly", "almost", "close to", "an estimated",
         "estimated", "близько", "приблизно", "майже", "орієнтовно", "біля", "около", "примерно", "почти",
         "порядка", "almost", "just under", "just over"),
        Qualifier.ABOUT,
    ),
    **dict.fromkeys(("up to", "as many as", "до", "аж до", "вплоть до"), Qualifier.UP_TO),
    # "rose to 5" is an exact figure, not a bound.
    **dict.fromkeys(
        ("rose to", "risen to", "increased to", "climbed to", "grew to", "reached", "зросла до", "зросло до",
         "зросли до", "збільшилася до", "збільшилась до", "досягла", "выросло до", "возросло до",
         "выросла до", "возросла до", "увеличилось до", "total of", "a total of", "загалом", "всього",
         "всего", "усього", "in total", "totaling", "totalling"),
        Qualifier.EXACT,
    ),
}
_SEVERAL = ("several", "a few", "кілька", "кількох", "декілька", "декількох", "несколько", "нескольких")
_LONGEST_QUALIFIER = max(len(q.split()) for q in (*_QUALIFIERS, *_SEVERAL))
_QUALIFIER_ENDINGS = frozenset(q.split()[-1] for q in (*_QUALIFIERS, *_SEVERAL))
_PLUS_AFTER = re.compile(r"\+|-plus\b| or more\b| і більше\b| и более\b| або більше\b")

# The first digit leads and the look back follows it: ``re`` skips ahead to a digit only when the pattern
# starts with one (a leading look-behind runs at every character, 4x slower).
_DIGITS = re.compile(
    r"(\d(?<![\w.,/:-]\d)(?:\d{0,2}(?:,\d{3})+|\d{0,2}(?:\.\d{3})+(?!\d)|\d{0,2}(?: \d{3})+(?![\d,.]\d)|\d*(?:[.,]\d+)?))"
    r"(?:\s*(thousand|тис\.?|тисяч\w*|тыс\.?|тысяч\w*))?(?![\w])"
)
_WORD = re.compile(rf"(?<![\w'])(?:{alternation(WORD_VALUES)}|{alternation(_VAGUE)})(?![\w'])")
_AND_A_HALF = re.compile(r"\s+and a half(?![\w'])|\s+з половиною(?![\w'])|\s+с половиной(?![\w'])")
_SCALE_AFTER = re.compile(rf"[\s-]+({alternation(_SCALES)})(?![\w'])")
_JOIN_AFTER = re.compile(rf"(?:[\s-]+|\s+and\s+)({alternation(WORD_VALUES)})(?![\w'])")

# What makes a number next to it not a count: clock times, percentages, money,
# ages, ranges/scores and dates. Checked at each number, never by a full scan.
_NOT_COUNT_AFTER = re.compile(
    r":\d{2}|\s*(?:%|percent\b|per cent\b|відсот|процент)"
    r"|\s*(?:billion|million|bn|mln|млрд|млн|мільярд|мільйон|миллиард|миллион|dollars|euros?\b|hryvni?as?\b|гривень"
    r"|гривні|гривня|грн|доларів|долари|євро|рублей|рублів|руб\b|usd|eur\b|uah)"
    r"|-(?:year|річн|летн)|\s+years?\s+old|\s+(?:років|року|рік|лет|года)(?![\w'])|[-–]\d"
    # "a seven-metre crater", "25-поверхівка", "5- та 16-поверхових": a measure, not a count ("54-ма" is a case ending)
    r"|-?[a-zа-яіїєґ]{4,}|-\s+(?:and|та|і|й|и)\s"
    rf"|(?P<month>(?:st|nd|rd|th|-го|-е)?(?:\s+of)?\s+{MONTH}(?![\w']))"
)
_AGE_LIST = re.compile(r"(?:aged|віком|вік|возрасте|віці)\s+(?:\d+(?:,\s*|\s+(?:and|та|і|й|и)\s+))*$")
_CURRENCY = ("$", "€", "£", "₴")
_ONE_OF_THE_MOST = re.compile(
    r"\s+(?:of|з|із|из)\s+(?:the\s+|its\s+|their\s+|the\s+)?(?:\w+est\b|most\b|worst\b|най|самы|крупнейш|наибол)"
)
_NEGATIONS = (" no", " not a", " жодна", " жодної", " ни одна", " ни один", " ні одна", " ні один")
_EVERY = (" every", " each", "every", "each")
_DAY_AND_MONTH = re.compile(r"\d{1,2}\.(\d{2})")


class Count(NamedTuple):
    value: float
    start: int  # of the qualifier when there is one, else of the number
    end: int
    number_start: int
    qualifier: Qualifier
    vague: bool
    year_like: bool  # a bare 1900–2100 that is only a count if a noun follows


_GROUPED = re.compile(r"\d{1,3}(?:[,. ]\d{3})+")
_GROUP_SEPARATOR = re.compile(r"[,. ]")


def _parse_digits(text: str) -> float:
    if text.isdigit():
        return float(text)  # most counts: no separator to read
    if _GROUPED.fullmatch(text):
        return float(_GROUP_SEPARATOR.sub("", text))
    return float(text.replace(",", "."))


def _not_a_count(low: str, start: int, end: int, value: float) -> bool:
    """Clock time, percentage, money, age, range or a day of a month rather than a count."""
    after = _NOT_COUNT_AFTER.match(low, end)
    # "4 July" is a date but "in June 479 drones" is a count: days only go to 31.
    if after and (not after.group("month") or value <= 31):
        return True
    head = low[max(0, start - 40) : start]
    bare = head.rstrip()
    if value == 1 and ((" " + bare).endswith(_NEGATIONS) or _ONE_OF_THE_MOST.match(low, end) or bare.endswith(_EVERY)):
        return True  # "no one was killed", "one of the heaviest attacks", "every one of the 14 drones"
    if bare.endswith(_CURRENCY) or (head[-1:] in "-–" and head[-2:-1].isdigit()):
        return True
    if value <= 31 and (words := bare.split()) and words[-1].rstrip(".") in MONTHS:
        return True
    return bool(_AGE_LIST.search(head))


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= pos < end for start, end in spans)


def _word_number(low: str, match: re.Match[str]) -> tuple[float, int, bool]:
    """Value and end of a run of number words starting at ``match``; vague flag."""
    word = match.group(0)
    if word in _VAGUE and word not in WORD_VALUES:
        return float(_VAGUE[word]), match.end(), True
    total, current, end = 0, WORD_VALUES[word], match.end()
    while True:
        scale = _SCALE_AFTER.match(low, end)
        if scale:
            factor = _SCALES[scale.group(1)]
            if factor == 100:
                current *= 100
            else:
                total, current = total + current * factor, 0
            end = scale.end()
            continue
        if half := _AND_A_HALF.match(low, end):
            return float(total + current) + 0.5, half.end(), False
        nxt = _JOIN_AFTER.match(low, end)
        # Compose only smaller parts: "двісті тридцять дев'ять", not "two and three".
        if nxt and WORD_VALUES[nxt.group(1)] < _place(current) and WORD_VALUES[nxt.group(1)] < 1000:
            current += WORD_VALUES[nxt.group(1)]
            end = nxt.end()
            continue
        return float(total + current), end, False


def _place(value: int) -> int:
    """The smallest unit a following word may add to: 200 → 100, 30 → 10, 7 → 1."""
    if value == 0:
        return 10**9
    for unit in (1000, 100, 10):
        if value % unit == 0:
            return unit
    return 1


def find_counts(low: str, start: int = 0, end: int | None = None) -> list[Count]:
    """Counts in folded text ``low[start:end]``, in order."""
    end = len(low) if end is None else end
    raw: list[tuple[float, int, int, bool, bool]] = []
    for m in _DIGITS.finditer(low, start, end):
        text = m.group(1)
        value = _parse_digits(text)
        if m.group(2):
            value *= 1000
        elif "." in text and (date := _DAY_AND_MONTH.fullmatch(text)) and 1 <= int(date.group(1)) <= 12:
            continue  # 04.07 is a date
        if _not_a_count(low, m.start(), m.end(), value):
            continue
        plain = text.isdigit() and not m.group(2)
        raw.append((value, m.start(), m.end(), False, plain and 1900 <= value <= 2100))
    digit_spans = [(r[1], r[2]) for r in raw]
    taken_until = -1
    for m in _WORD.finditer(low, start, end):
        if m.start() < taken_until or _inside(m.start(), digit_spans):
            continue
        value, word_end, vague = _word_number(low, m)
        taken_until = word_end
        if not _not_a_count(low, m.start(), word_end, value):
            raw.append((value, m.start(), word_end, vague, False))
    raw.sort(key=lambda r: r[1])
    return [
        Count(value, begin, end, begin, Qualifier.AT_LEAST if vague else Qualifier.EXACT, vague, year_like)
        for value, begin, end, vague, year_like in raw
    ]


def qualified(low: str, count: Count) -> Count:
    """The count with the qualifier written around it ("at least 2", "понад 500", "500+"); done only for figures."""
    begin, end = count.number_start, count.end
    qualifier, vague, start = count.qualifier, count.vague, begin
    head = low[max(0, begin - 48) : begin]
    words = head.split()
    if not words or (words[-1] not in _QUALIFIER_ENDINGS and words[-1].lstrip("(\"'") not in _QUALIFIER_ENDINGS):
        words = []  # most counts stand bare: no phrase ends right before them
    for n in range(min(_LONGEST_QUALIFIER, len(words)), 0, -1):
        phrase = " ".join(words[-n:]).lstrip("(\"'")
        if phrase in _QUALIFIERS or phrase in _SEVERAL:
            if phrase in _QUALIFIERS:
                qualifier = _QUALIFIERS[phrase]
            else:
                qualifier, vague = Qualifier.AT_LEAST, True
            start = begin - len(head) + head.rstrip().rfind(phrase)
            break
    if _PLUS_AFTER.match(low, end) and qualifier is Qualifier.EXACT:
        qualifier = Qualifier.MORE_THAN if low[end] == "+" or low.startswith("-plus", end) else Qualifier.AT_LEAST
    return Count(count.value, start, end, begin, qualifier, vague, count.year_like)
