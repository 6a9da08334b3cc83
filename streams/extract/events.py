"""Does a text report an attack that happened, whatever figures it gives? (Issue 12, families 10 and 11.)

Many first reports state no figure at all ("Explosions heard in Kyiv, air defence in operation", "У Києві
уламки дрона влучили в багатоповерхівку"). The headline or the opening sentence of such a report names a
weapon or strike *and* something that happened: an impact, damage, casualties, air defence at work. Texts
that name attacks without one happening are not reports of one: commemorations, trials, sanctions,
production and capacity, warnings, light shows, timelines.
"""

from __future__ import annotations

import re

from streams.extract.context import Reason, find_cues
from streams.extract.text import WordStartPattern

# Word-start alternations, tried only where one of their literal openings starts a word (a plain scan of
# such patterns costs ~100 ns a character, and every article that reaches the end of the read asks them).
_WEAPON = WordStartPattern(re.compile(
    r"(?<![\w'])(?:drone|uav|missile|rocket|shahed|air attack|air raid|strike|attack|bombard|shelling|refiner|oil depot"
    r"|explosions?|blasts?|дрон|бпла|безпілот|ракет|шахед|атак|удар|обстріл|нпз|беспилот|бла\b|обстрел|вибух|взрыв)"
))
_HAPPENED = WordStartPattern(re.compile(
    r"(?<![\w'])(?:explosions?|blasts?|debris|wreckage|fragments|hit|hits|struck|damag\w*|ablaze|fire|fires|burn\w*"
    r"|injur\w*|kill\w*|wounded|dead|casualt\w*|shelter\w*|intercept\w*|shot down|downed|destroy\w*|approaching"
    # air defence at work, not air defence as a thing bought or shipped
    r"|air defen[cs]es? (?:\w+ )?(?:in operation|operating|working|worked|at work|active|engag\w*|repel\w*|respond\w*)"
    r"|(?:ппо|пво) (?:\w+ )?(?:працю\w*|працювал\w*|відбива\w*|работа\w*|отража\w*)|(?:працю\w*|работа\w*) (?:ппо|пво)"
    r"|на підльоті|на подлете|на подлёте|launch(?:ed|es)|fired|under attack|left without (?:power|electricity)"
    r"|атаку\w*|атакує|запуст\w*|випуст\w*|выпуст\w*|нанес\w*|отража\w*|відбива\w*|повредил\w*|під удар\w*"
    r"|под удар\w*|вдарил\w*|ударил\w*|б'є|бьет|без (?:світла|електро\w*|электр\w*|свет\w*)"
    r"|closes|closed|halts|halted|attacked|attacks? on|strikes? on|strikes? (?:russian|ukrainian)|engag\w*|unprecedented"
    r"|вибух\w*|уламк\w*|влучи\w*|влучан\w*|пошкод\w*|пожеж\w*|горить|загин\w*|поранен\w*|постражд\w*|ппо|збит\w*|знищ\w*"
    r"|уражен\w*|уразил\w*|атакува\w*|атакувала|атака на|удар по|під ударом|б'ють|гучно|приліт\w*|прилет\w*"
    r"|взрыв\w*|обломк\w*|поврежд\w*|пожар\w*|погиб\w*|ранен\w*|пострада\w*|сбит\w*|уничтож\w*|поражен\w*"
    r"|атаковал\w*|упал\w*|упали|впал\w*)"
))
# Texts about attacks in general, past ones remembered or judged, or ones that may come.
_NOT_AN_EVENT = WordStartPattern(re.compile(
    r"(?<![\w'])(?:memorial|commemorat\w*|anniversary|remember\w*|sentenced|trial|court|convicted|suspect\w*"
    r"|sanction\w*|production|produc(?:e|es|ing)\b|factory|manufactur\w*|display|show\b|light show|guinness"
    r"|analysts?\b|forecast\w*|could|would|will\b|plans? to|planning|aims?\b|target of|threat of|danger of|warning"
    r"|sightings?|test\w*|exercise\w*|timeline|chronolog\w*|year in review|interceptors?\b|interceptor drones|shipments?"
    r"|deliver\w*|loan|programme|program\b|doubled|halved|already (?:destroy|shot|down)\w*|percent"
    r"|вшанов\w*|вшанува\w*|роковин\w*|пам'ят\w*|вирок\w*|засуд\w*|суд\b|підозр\w*|затрима\w*|виробництв\w*|виготов\w*"
    r"|шоу|гіннес\w*|прогноз\w*|здатн\w*|готується|планує|загроза атак\w*|хронолог\w*|перехоплювач\w*|скороти\w*"
    r"|зменши\w*|втричі|вдвічі|командувал\w*|причетн\w*|(?:вже|уже) (?:знищ|збил|уничтож|сбил)\w*|постачан\w*"
    r"|series of|серію|серия|серії|daily|every (?:day|night)|щодня|щоночі|ежедневно|каждую ночь"
    r"|перехватчик\w*|поставк\w*|landmines?|mine blast|підірва\w*|подорва\w*|interview|інтерв'ю|интервью|спецоперац\w*|special operation"
    r"|приговор\w*|подозр\w*|задерж\w*|производств\w*|нарастил\w*|гиннес\w*|опасност\w* атак\w*"
    r"|испытан\w*|сможет|предупредил\w*)"
))


def reports_attack(headline: str, opening: str) -> bool:
    """Whether the folded ``headline``, or else the ``opening`` sentence, reports an attack that happened
    (and neither frames it as a forecast, a habit or a period's total: "up to 8 hours a day", "in a year and
    a half his unit downed 150")."""
    for text in (headline, opening):
        if _WEAPON.finditer(text) and _HAPPENED.finditer(text):
            return not (
                names_no_event(headline) or names_no_event(text) or _framed(headline, _FRAMES)
                or _framed(opening, (Reason.CUMULATIVE,))
            )
    return False


_FRAMES = (Reason.FORECAST, Reason.CUMULATIVE)


def _framed(text: str, reasons: tuple[Reason, ...]) -> bool:
    return any(cue.reason in reasons for cue in find_cues(text, 0, len(text)))


def names_no_event(headline: str) -> bool:
    """A headline about attacks remembered, judged, produced or foreseen: no figure makes it one attack's report."""
    return "%" in headline or bool(_NOT_AN_EVENT.finditer(headline))
