"""Is a count about *this* attack? Other attacks, forecasts and running totals are not.

Cues are checked in the clause holding the count (so that "539 drones, beating
the previous record of 479" keeps 539 and drops 479) and a few strong ones in
the whole sentence.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple

from streams.extract.text import WordStartPattern


class Reason(Enum):
    OTHER_ATTACK = "other_attack"
    FORECAST = "forecast"
    CUMULATIVE = "cumulative"
    COMPARISON = "comparison"
    OTHER_SIDE = "other_side"  # the other side's claim: the Russian MoD's count in a report of a Russian attack
    PART = "part"  # "one of the drones": a part of some total, never a launch figure
    RELATED_LINK = "related_link"  # a linked headline inside the body ("READ MORE: …")


_OTHER_ATTACK = (
    r"(?:days?|weeks?|months?|years?|nights?) (?:ago|earlier|before)\b(?! (?:christmas|new year|easter|\w+ eve|\w+ day))|previous\w*|preceding|earlier (?:this|that|in)\b"
    r"|last (?:week|month|year|time|summer|winter|spring|autumn|fall)\b|the day before\b|a day earlier\b"
    r"|set (?:on|in)\b|former record|prior record|old record|the record of\b|the last record"
    r"|попередн\w*|минулого (?:тижня|місяця|року)|минулому (?:тижні|місяці|році)|(?<! у )(?<! в )тому(?![\w'])(?! що)|раніше|напередодні"
    r"|передуюч\w*|предыдущ\w*|прошл\w* (?:недел\w*|месяц\w*|год\w*)|назад\b|ранее\b|накануне"
    r"|the previous night|позаминул\w*|in (?:a|an|the) (?:similar|separate|another) attack"
    # "a day after its record attack with 539 drones", "last Tuesday", "separately, …", "as reported earlier"
    r"|(?:a|one|two|three|four|five|six) (?:days?|nights?|weeks?) after\b|the day after\b|day after\b|hours after\b"
    r"|last (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|separately\b|окремо\b|отдельно\b"
    r"|минул\w* (?:понеділ\w*|вівтор\w*|серед\w*|четвер\w*|п'ятниц\w*|субот\w*|неділ\w*)"
    r"|прошл\w* (?:понедельник|вторник|сред\w*|четверг|пятниц\w*|суббот\w*|воскресень\w*)"
    r"|as reported|as previously reported|as earlier reported|як повідомлял\w*|как сообщал\w*|как ранее сообщал\w*"
)
_FORECAST = (
    r"(?:could|might|would|will|shall|can)\b|may\b(?<!\d may)(?<!\d)(?! \d)|plans?\b|planning|aims?\b|expect\w*|capable\b|capacity"
    r"|produc(?:e|es|ed|ing)\b|production of|output|allocat\w*|budget\w*|funding|financ\w*|manufactur\w*|procure\w*|purchas\w*|deliver(?:y|ies|ed)\b|per (?:day|night|month|week)|a (?:day|night|month|week)\b(?! (?:after|before|earlier|later))|daily\b"
    r"|forecast\w*|warn\w* that|predict\w*|estimat\w* that|intends?"
    r"|може|можуть|зможе|зможуть|планує|планують|плану\w*|очіку\w*|прогноз\w*|виробля\w*|виробит\w*|виробництв\w*|закуп\w*|постач\w*|виділ\w*|бюджет\w*|фінансув\w*|на день|на добу"
    r"|щодня|щоночі|щомісяця|в день|у день|за день|може\b|сможет|смогут|могут|планиру\w*|ожида\w*"
    # habits and prices are no one night's count: "on average his group downs three", "the price of one Shahed"
    r"|on average|typically|usually|в середньому|зазвичай|в среднем|обычно|prices?\b|costs?\b|ціна|ціну|вартіст\w*|цена|цену|стоимост\w*"
    r"|производ(?:ит|ят|ство)\b|закуп\w*|постав\w*|выдел\w*|финансир\w*|в сутки|ежедневно|ежесуточно|здатн\w*|способн\w*|накопич\w*"
)
_CUMULATIVE = (
    r"since (?:the )?(?:start|beginning|outbreak)(?! of the (?:day|night|attack))|in the past (?:week|month|year)\b|since (?:february|the full-scale|20\d\d|january)|so far this"
    r"|this (?:year|month|week|summer|spring|winter|autumn)|in (?:total )?since|over the (?:past|last) (?:week|month|year|\d+ (?:days|weeks|months)|(?:two|three|four|five|six|seven|several|few) (?:days|weeks|months))"
    r"|during (?:the )?(?:month|week|year)|in (?:january|february|march|april|june|july|august"
    r"|september|october|november|december)\b(?! \d)|(?:in|per) a (?:week|month|year)\b|monthly|weekly|in 20\d\d|in (?:the )?past (?:\w+ )?(?:years|months|weeks)"
    r"|in stock|stockpile\w*|arsenal\w*|inventor(?:y|ies)|на склад\w*|запас\w*|арсенал\w*"
    r"|за (?:\S+ )?(?:роки|років|року|місяці|місяців|тижні|тижнів|года|лет|месяца|месяцев|недели|недель)\b"
    r"|(?:january|february|march|april|may|june|july|august|september|october|november|december|січень|лютий|березень"
    r"|квітень|травень|червень|липень|серпень|вересень|жовтень|листопад|грудень|январь|февраль|март|апрель|май|июнь"
    r"|июль|август|сентябрь|октябрь|ноябрь|декабрь)(?: 20\d\d)?\s*:"
    r"|(?:за|from|від|с|з) (?:january|february|march|april|june|july|august|september|october|november|december|січень"
    r"|лютий|березень|квітень|травень|червень|липень|серпень|вересень|жовтень|листопад|грудень|січня|лютого|березня"
    r"|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|января|февраля|марта|апреля|мая|июня|июля"
    r"|августа|сентября|октября|ноября|декабря|январь|февраль|март|апрель|июнь|июль|август|сентябрь|октябрь|ноябрь"
    r"|декабрь)(?! \d)|підсумк\w* (?:року|місяця|тижня|\w+ня)|итог\w* (?:года|месяца|недели)|in numbers|у цифрах|в цифрах|year in review|round-?up|за рік|за год|за тиждень|за неделю"
    r"|минулої доби|за минулу добу"
    r"|full-scale invasion|з початку(?! (?:дня|доби|ночі|атаки))|від початку(?! (?:дня|доби|ночі|атаки))|цього (?:року|місяця|тижня)|за (?:минулий |останній )?(?:тиждень|місяць|рік)"
    r"|протягом (?:тижня|місяця|року)|[ув] (?:січні|лютому|березні|квітні|травні|червні|липні|серпні|вересні|жовтні|листопаді|грудні)"
    r"|за весь|за увесь|з лютого|с начала(?! (?:дня|суток|ночи|атаки))|в этом году|за (?:неделю|месяц|год)|в (?:январе|феврале|марте|апреле|мае|июне|июле"
    r"|августе|сентябре|октябре|ноябре|декабре)|за час|за період|за время"
    r"|cumulative|altogether since|in all since"
)
# Words right before a count that make it the other side of a comparison: "than the 479", "up from 479".
_COMPARISON_WORDS = frozenset(
    ("than", "versus", "vs", "vs.", "ніж", "проти", "чем", "против", "previous", "попередній", "предыдущий")
)
_COMPARISON_STEMS = (
    "surpass", "beat", "exceed", "eclips", "topp", "overtak", "breaking", "перевищ", "перевершив", "побив", "превыс",
    "побил", "порівняно", "сравнению", "compared",
)
_COMPARISON_PAIRS = frozenset(("up from", "down from", "record of", "high of", "рекорд у", "рекорд в"))
_QUALIFYING_COMPARATIVES = frozenset(("more", "fewer", "less", "більше", "менше", "більш", "менш", "более", "больше", "меньше"))
_NIGHT_WORDS = frozenset(("ніч", "ночь"))

# Run on every sentence with a figure: gated by its openings, as a plain scan costs ~100 ns a character.
_CUE = WordStartPattern(
    re.compile(rf"(?<![\w'])(?:(?P<other>{_OTHER_ATTACK})|(?P<cumulative>{_CUMULATIVE})|(?P<forecast>{_FORECAST}))")
)
_REASONS = {"other": Reason.OTHER_ATTACK, "cumulative": Reason.CUMULATIVE, "forecast": Reason.FORECAST}


class Cue(NamedTuple):
    """A phrase that moves the counts near it off this attack: found once per sentence."""

    start: int
    reason: Reason
    carries: bool  # its time frame carries over to later clauses of the sentence
    backward: bool = False  # a period closing an enumeration: "… 1,500 drones and 50 missiles over the past week"


def find_cues(low: str, start: int, end: int) -> list[Cue]:
    cues = []
    for m in _CUE.finditer(low, start, end):
        if m.group(0).startswith(_SINCE) and _SUPERLATIVE.search(low, start, m.start()):
            continue  # "the most massive attack since the start of the invasion: 158 ..." frames a record
        reason = _REASONS[m.lastgroup or "other"]
        # A period ("In July, ...") or an earlier time ("Five days ago, ...") carries over; a modal verb does
        # not ("Ukraine will respond, he said, after Russia launched 539"), nor a loose "previous".
        carries = reason is Reason.CUMULATIVE or (reason is Reason.OTHER_ATTACK and not m.group(0).startswith(_LOOSE_OTHER))
        backward = m.group(0).startswith(_PAST_PERIOD) and not _SUPERLATIVE.search(low, start, end)
        cues.append(Cue(m.start(), reason, carries, backward))
    return cues


def excluded(low: str, cues: list[Cue], clause_start: int, clause_end: int, count_start: int) -> Reason | None:
    """Why a count is not this attack's figure, from the sentence's ``cues`` and the words before it."""
    if _compared(low[max(clause_start, count_start - 60) : count_start].split()[-4:]):
        return Reason.COMPARISON
    for cue in cues:
        if clause_start <= cue.start < clause_end or (cue.start < clause_start and cue.carries):
            return cue.reason
        if cue.backward and cue.start >= clause_end and not _THIS_NIGHT.search(low, clause_start, clause_end):
            return cue.reason  # "70 drones overnight, and 1,500 over the past week": the night keeps its own
    return None


_SUPERLATIVE = re.compile(
    r"largest|biggest|heaviest|strongest|deadliest|worst|greatest|most \w+|record|(?<![\w'])най\w+|рекорд|крупнейш"
    r"|мощнейш|масштабнейш|наибол\w*|самы\w+ \w+|сам(?:ая|ой|ую) \w+"
)
# "менш ніж за тиждень": a span of time, not a period's total.
_WITHIN = re.compile(r"(?:less than|within|in under|менш ніж|менше ніж|менш як|менее чем|меньше чем|всего за|лише за)\s+$")
_SINCE = ("since", "з початку", "від початку", "с начала", "full-scale", "з лютого")
# "previous"/"preceding" in an earlier clause usually qualify a different noun than the count.
_THIS_NIGHT = re.compile(r"overnight|last night|tonight|this morning|вночі|уночі|за ніч|цієї ночі|ночью|за ночь|этой ночью")
_PAST_PERIOD = ("over the past", "over the last", "in the past", "during the past", "за минул", "за останн", "за прошедш", "за последн")
_LOOSE_OTHER = (
    "previous", "preceding", "попередн", "предыдущ", "a day after", "day after", "the day after", "one day", "two days",
    "three days", "days after", "hours after", "a week after",
)


def _compared(words: list[str]) -> bool:
    for i, word in enumerate(words):
        previous = words[i - 1] if i else ""
        following = words[i + 1] if i + 1 < len(words) else ""
        # "more than 500" qualifies a count ("more than 140 drones and 23" too); "у ніч проти 4 липня" names a night.
        qualifying = word in ("than", "ніж", "чем") and previous in _QUALIFYING_COMPARATIVES
        if word in _COMPARISON_WORDS and not (qualifying and (not following or following[0].isdigit())):
            if previous not in _NIGHT_WORDS:
                return True
        if word.startswith(_COMPARISON_STEMS) or f"{previous} {word}" in _COMPARISON_PAIRS:
            return True
    return False


def period_summary(title: str) -> bool:
    """A headline framed as a period's total ("In July ...", "Підсумки року", "Итоги недели") is not one attack."""
    return any(
        cue.reason is Reason.CUMULATIVE and not _WITHIN.search(title, 0, cue.start)
        for cue in find_cues(title, 0, len(title))
    )
