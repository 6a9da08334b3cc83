"""Vocabulary of attack reports in en/uk/ru, as regex fragments over folded text.

Ukrainian and Russian words are stems followed by ``\\w*`` so that every noun
case ("дронів", "дронами", "БпЛА") and verb form ("збито", "збили") matches.
"""

from __future__ import annotations

import re
from enum import Enum

from streams.extract.text import WordScanner, WordStartPattern, alternation_of
from streams.extract.trie import alternation


class Thing(Enum):
    """What a count counts."""

    AERIAL = "aerial"  # drones and missiles together ("means of air attack")
    DRONE = "drone"
    MISSILE = "missile"
    PERSON = "person"
    CHILD = "child"
    HOUR = "hour"
    OTHER = "other"  # a count of something we do not report (regions, recon drones, bombs)


class Action(Enum):
    LAUNCH = "launch"
    NEUTRALIZE = "neutralize"  # shot down and suppressed together, or unspecified interception
    SHOT_DOWN = "shot_down"
    LOST = "lost"  # suppressed by electronic warfare, "locationally lost"
    HIT = "hit"  # reached targets: not a reported metric
    KILL = "kill"
    INJURE = "injure"
    LAST = "last"  # the attack lasted ...


_DRONE = (
    r"drones?|uavs?|unmanned (?:aerial|air) vehicles?|unmanned aircraft|shaheds?|gerans?|gerberas?|decoys?"
    r"|kamikazes?|imitators?|дрон\w*|бпла|безпілотн\w*|шахед\w*|гербер\w*|імітатор\w*|геран\w*"
    r"|беспилотн\w*|бла"
)
_MISSILE = (
    r"missiles?|rockets?|ракет\w*|kalibrs?|калібр\w*|калибр\w*|iskander\w*(?:-[mkм])?|іскандер\w*|искандер\w*"
    r"|kinzhals?|кинджал\w*|кинжал\w*|zircons?|циркон\w*|(?:kh|x|х)-\d+\w*(?:/[\w-]+)?|(?:s|с)-[34]00\w*(?:/[\w-]+)?"
    r"|ballistic|cruise|балістичн\w*|крилат\w*|баллистическ\w*|крылат\w*"
)
_AERIAL = (
    r"aerial (?:weapons|targets|attack (?:weapons|assets|means))|air(?:borne)? (?:attack )?(?:weapons|assets|targets)"
    r"|means of (?:air|aerial) attack|air attack means|weapons|(?:aerial |air )?threats|загроз\w*|угроз\w*"
    r"|засоб\w* (?:повітряного нападу|пн\b)|повітрян\w* ціл\w*|ціл(?:ей|і|ями|ях|ь|ам)|средств\w* (?:воздушного нападения|вн\b)"
    r"|воздушн\w* цел\w*|цел(?:ей|и|ь)\b|targets"
    rf"|(?:{_DRONE}) (?:and|та|і|й|и) (?:{_MISSILE})|(?:{_MISSILE}) (?:and|та|і|й|и) (?:{_DRONE})"
)
_PERSON = (
    r"people|persons?|civilians?|residents?|men|women|man|woman|individuals|victims|others|casualties"
    r"|люд\w*|осіб|особ\w*|мешкан\w*|цивільн\w*|жител\w*|чоловік\w*|жін\w*|человек\w*|мирн\w*|пострадавш\w*"
)
_CHILD = (
    r"children|child|kids|minors?|teenagers?|boys?|girls?|bab(?:y|ies)|infants?|toddlers?|newborns?"
    r"|дітей|діти|дитин\w*|неповнолітн\w*|підліт\w*|хлопчик\w*|дівчинк\w*|дівчат\w*|немовл\w*|малюк\w*"
    r"|детей|дети|ребен\w*|несовершеннолетн\w*|подрост\w*|мальчик\w*|девочк\w*|младен\w*"
)
_HOUR = r"hours?|годин\w*|час(?:а|ов)?"
# Casualties are civilians': a pilot or soldier killed is no figure of ours.
_MILITARY = (
    r"pilots?|soldiers?|servicem[ae]n|troops|military personnel|serviceme?n|пілот\w*|військовослужбов\w*|військов(?:ий|і|их)"
    r"|бійц\w*|боєць|военнослужащ\w*|военн(?:ый|ые|ых)|летчик\w*|бойц\w*"
)
MILITARY = re.compile(rf"(?<![\w'])(?:{_MILITARY})")
# Nouns a count can name that are not ours; they stop the search for a drone noun behind them.
_OTHER = (
    r"regions?|oblasts?|areas?|locations?|sites?|cities|towns|villages|settlements|districts|buildings?|homes?"
    r"|houses?|apartments?|cars?|vehicles|km|kilometres?|kilometers?|metres?|days?|weeks?|months?|years?|minutes?"
    rf"|{_MILITARY}"
    r"|times|bombs?|shells?|glide|directions?|metres?|meters?|storeys?|stories|floors?|craters?|напрямк\w*|напрям\w*"
    r"|направлени\w*|поверх\w*|этаж\w*|вирв\w*|воронк\w*|companies|firms|manufacturers|makers|producers|enterprises|factories|plants"
    r"|votes|points|goals|medals|tonnes|tons|областях|областей|област\w*|регіон\w*|район\w*|локаці(?:я|ї|й|ях|ями)|населен\w*|пункт\w*"
    r"|будин\w*|будівл\w*|квартир\w*|авто\w*|хвилин\w*|дн(?:ів|і)|тиж\w*|місяц\w*|рок\w*|рік|разів|бомб\w*|каб\w*"
    r"|снаряд\w*|мін\b|компані\w*|підприєм\w*|виробник\w*|завод\w*|очк\w*|тонн\w*|предприят\w*"
    r"|объект\w*|об'єкт\w*|дом\w*|лет\b|суток|минут\w*|районах"
)
# Kinds of drone that are not long-range attack drones.
NOT_ATTACK_DRONE = re.compile(
    r"reconnaissance|recon\b|surveillance|fpv|lancet|orlan|zala|supercam|front-?line|tactical|naval|sea\b|maritime"
    r"|розвідувальн\w*|розвідник\w*|фпв|ланцет\w*|орлан\w*|тактичн\w*|морськ\w*|безекіпажн\w*|катер\w*"
    r"|разведывательн\w*|разведчик\w*|тактическ\w*|морск\w*|безэкипажн\w*|безекипажн\w*|квадрокоптер\w*|quadcopter"
    r"|interceptor\w*|перехоплювач\w*|перехватчик\w*|light drones|drone (?:light )?show|light show|шоу\b"
)
AEROBALLISTIC = re.compile(r"aeroballistic|аеробалістичн\w*|аэробаллистическ\w*|kinzhal|кинджал|кинжал")
# Class is read from the adjective only: labels and reports name the class, not every model's.
BALLISTIC = re.compile(r"ballistic|балістичн\w*|баллистическ\w*")
CRUISE = re.compile(r"cruise|крилат\w*|крылат\w*")

THING_AT = re.compile(
    rf"(?:(?P<aerial>{_AERIAL})|(?P<drone>{_DRONE})|(?P<missile>{_MISSILE})|(?P<child>{_CHILD})|(?P<person>{_PERSON})"
    rf"|(?P<hour>{_HOUR})|(?P<other>{_OTHER}))(?![\w'])"
)
# Words allowed between a count and its noun: adjectives and designators ("539 Shahed-type attack drones").
FILLER_WORD = re.compile(r"[a-zа-яіїєґ'][\w'/-]*|\w+-\d+[\w/-]*")

_PAIR = r"\s*(?:/|or|and|або|чи|та|і|й|или|и)\s*"
_OR_SUPPRESSED = _PAIR + r"(?:suppressed|jammed|neutrali[sz]ed|lost|подавлен\w*|подавил\w*|локаційно втрачен\w*|подавл\w*)"
_OR_SHOT_DOWN = _PAIR + r"(?:shot down|downed|destroyed|збит\w*|збил\w*|збив\w*|уражен\w*|сбит\w*|сбил\w*)"
# Each action's words as (leading literal, regex rest): a sentence is scanned for the literals in one automaton
# pass and ACTION is tried only where one starts (its plain scan costs ~110 ns a character).
_ACTIONS: dict[Action, tuple[tuple[str, str], ...]] = {
    Action.KILL: (
        ("killed", ""), ("killing", ""), ("kill", "s?"), ("dead", ""), ("died", ""), ("death", "s?"),
        ("death toll", ""), ("fatalit", r"\w*"), ("lost ", r"(?:their|his|her) li\w*"), ("perished", ""),
        ("life", ""), ("lives", ""), ("toll", ""), ("загин", r"\w*"), ("загибл", r"\w*"), ("вбит", r"\w*"), ("вбив", r"\w*"),
        ("убит", r"\w*"), ("убил", r"\w*"), ("погиб", r"\w*"), ("смерт", r"\w*"), ("жертв", r"\w*"),
    ),
    Action.INJURE: (
        ("injur", r"\w*"), ("wounded", ""), ("wounding", ""), ("hurt", ""), ("hospitali", "[sz]ed"),
        ("поранен", r"\w*"), ("поранил", r"\w*"), ("поранення", ""), ("травмован", r"\w*"), ("травм", r"\w*"),
        ("постражда", r"\w*"), ("ранен", r"\w*"), ("taken to hospital", ""), ("in hospital", ""),
        ("needed medical", r" \w+"), ("required medical", r" \w+"), ("received medical", r" \w+"),
        ("sought medical", r" \w+"), ("госпіталіз", r"\w*"), ("госпитализ", r"\w*"), ("медичн", r"\w* допомог\w*"),
        ("медицинск", r"\w* помощ\w*"), ("concussion", "s?"), ("контуз", r"\w*"), ("suffered a concussion", ""), ("ранил", r"\w*"), ("ранения", ""), ("пострадал", r"\w*"),
        ("пострадавш", r"\w*"),
    ),
    Action.LOST: (
        ("locationally lost", ""), ("location-lost", ""), ("lost", ""), ("jammed", ""), ("suppressed", ""), ("diverted", ""),
        ("electronic warfare", ""), ("ew", r"\b"), ("radio-electronic", ""), ("локаційно", ""), ("втрачен", r"\w*"),
        ("подавлен", r"\w*"), ("реб", r"\b"), ("рэб", r"\b"), ("не долетіл", r"\w*"), ("не досягл", r"\w*"),
        ("did not reach", ""), ("failed to reach", ""), ("не змогли досягти", ""), ("не змогли долетіти", ""),
        ("не смогли достичь", ""), ("локационно", ""), ("потерян", r"\w*"),
        ("не достигл", r"\w*"), ("disappeared from radar", "s?"), ("lost from radar", "s?"),
        ("vanished from radar", "s?"), ("зникл", r"\w* з радар\w*"),
    ),
    Action.NEUTRALIZE: (
        # "shot down/suppressed", "збито/подавлено", "сбиты или подавлены": both parts together
        ("shot down", _OR_SUPPRESSED), ("downed", _OR_SUPPRESSED), ("destroyed", _OR_SUPPRESSED),
        ("збит", r"\w*" + _OR_SUPPRESSED), ("збил", r"\w*" + _OR_SUPPRESSED), ("збив", r"\w*" + _OR_SUPPRESSED),
        ("уражен", r"\w*" + _OR_SUPPRESSED), ("сбит", r"\w*" + _OR_SUPPRESSED), ("сбил", r"\w*" + _OR_SUPPRESSED),
        ("поражен", r"\w*" + _OR_SUPPRESSED),
        # the same pair the other way round: "подавили чи збили", "suppressed or shot down"
        ("suppressed", _OR_SHOT_DOWN), ("jammed", _OR_SHOT_DOWN), ("подавлен", r"\w*" + _OR_SHOT_DOWN),
        ("подавил", r"\w*" + _OR_SHOT_DOWN), ("подавл", r"\w*" + _OR_SHOT_DOWN),
        ("neutrali", r"[sz]\w*"), ("intercept", r"\w*"), ("destroy", r"\w*"), ("stopped", ""), ("stops", ""),
        ("stop", ""), ("halted", ""), ("обезвред", r"\w*"), ("знешкодж", r"\w*"), ("зупинил", r"\w*"),
        ("зупинен", r"\w*"), ("остановил", r"\w*"), ("остановлен", r"\w*"), ("taken out", ""), ("knocked out", ""),
        ("eliminated", ""), ("repelled", ""), ("repulsed", ""), ("defeated", ""), ("збито/подавлено", ""),
        ("збито та подавлено", ""), ("збито або подавлено", ""), ("знешкод", r"\w*"), ("нейтраліз", r"\w*"),
        ("перехоп", r"\w*"), ("знищ", r"\w*"), ("сбито/подавлено", ""), ("уничтож", r"\w*"), ("перехват", r"\w*"),
        ("перехвач", r"\w*"), ("нейтрализ", r"\w*"), ("відбит", r"\w*"), ("отбит", r"\w*"), ("подолан", r"\w*"),
    ),
    Action.SHOT_DOWN: (
        ("shot down", ""), ("shoot down", ""), ("shooting down", ""), ("shoots down", ""), ("downed", ""),
        ("downs", ""), ("downing", ""), ("brought down", ""), ("збит", r"\w*"), ("збив", r"\w*"), ("збил", r"\w*"),
        ("сбит", r"\w*"), ("сбил", r"\w*"), ("уражен", r"\w* вогнем"), ("вогнем уражен", r"\w*"), ("сбива", r"\w*"),
    ),
    Action.HIT: (
        ("hit ", "(?:targets|their targets)"), ("reached ", "(?:their )?targets"), ("hit", "s? by"), ("hit", "s? of"),
        # "the two drones that were not downed": negated interception is no interception
        ("not downed", ""), ("not shot down", ""), ("not intercepted", ""), ("not destroyed", ""), ("не збит", r"\w*"),
        ("не сбит", r"\w*"), ("не знищен", r"\w*"), ("не уничтожен", r"\w*"), ("не перехоплен", r"\w*"),
        ("влучан", r"\w*"), ("влучил", r"\w*"), ("влучен", r"\w*"), ("попадан", r"\w*"),
        ("уражен", r"\w* (?:об'єкт|цил)"), ("hits were recorded", ""),
    ),
    Action.LAUNCH: (
        ("launch", r"\w*"), ("fired", ""), ("fire", ""), ("firing", ""), ("fires", ""), ("attack", r"\w*"),
        ("struck", ""), ("strike", "s?"), ("used", ""), ("using", ""), ("sent", ""), ("sending", ""),
        ("deployed", ""), ("deploying", ""), ("unleash", r"\w*"), ("hurled", ""), ("targeted", ""), ("targeting", ""),
        ("aimed", ""), ("directed", ""), ("involv", r"\w*"), ("included", ""), ("includes", ""), ("barrage", ""),
        ("salvo", ""), ("пуск", r"\w*"), ("спрямован", r"\w*"), ("направлен", r"\w*"), ("атакува", r"\w*"),
        ("атакує", ""), ("атакуют", ""), ("атак", r"\w*"), ("запуст", r"\w*"), ("запуска", r"\w*"),
        ("випуст", r"\w*"), ("випуска", r"\w*"), ("застосува", r"\w*"), ("застосов", r"\w*"), ("використа", r"\w*"),
        ("використову", r"\w*"), ("спрямува", r"\w*"), ("атаковал", r"\w*"), ("атакует", ""), ("выпуст", r"\w*"),
        ("примен", r"\w*"), ("использ", r"\w*"), ("направ", r"\w*"), ("удар", r"\w*"), ("обстріл", r"\w*"),
        ("обстрел", r"\w*"),
    ),
    Action.LAST: (
        ("lasted", ""), ("lasting", ""), ("тривал", r"\w*"), ("тривав", ""), ("продолжал", r"\w*"), ("длил", r"\w*"),
    ),
}
ACTION = re.compile(
    # Apostrophes are letters inside Ukrainian words but quotes around English ones ("were 'lost'").
    "(?<!\\w)(?<!\\w')(?:"
    + "|".join(rf"(?P<{action.name}>(?:{alternation_of(words)})(?!\w|'\w))" for action, words in _ACTIONS.items())
    + ")"
)
ACTION_WORDS = WordScanner(dict.fromkeys(word for words in _ACTIONS.values() for word, _rest in words), quoted=True)

# A count with no noun is still ours when a verb stands right beside it
# ("268 збито", "23 were injured", "killing two").
AUXILIARY = re.compile(
    r"\s*(?:[-–—:]\s*)?(?:(?:of (?:them|which|these|those)|з них|із них|из них)\s+)?(?:(?:more|further|others?|ще)\s+)?(?:(?:were|was|have been|has been|had been|are|is|got|were reportedly|reportedly|received|sustained"
    r"|suffered|отримал\w*|отримав|зазнал\w*|дістал\w*|дістав|получил\w*|були|було|був|була|есть|были|было|был)\s+)?"
    r"(?:(?:also|later|partially|reportedly|were)\s+)?[\"']?"
)
# Totals that a part is counted out of: "476 of the 539", "з 539 дронів збито 476".
# "476 out of a record 539", "out of the total 60", "із загальних 500": a word or two may qualify the total.
_TOTAL_WORDS = r"(?:\s+(?:a|an|the|record|total|whopping|reported|all|launched|загальн\w*|рекордн\w*|общ\w*))"
OUT_OF_BEFORE = re.compile(
    rf"(?:(?<!total )(?<!number )\bof(?: the| all| its)?|\bout of{_TOTAL_WORDS}{{0,2}}|(?<![\w'])(?:з|із|зі|из|от|з усіх|из всех){_TOTAL_WORDS}?)\s+$"
)
# The last word of every OUT_OF_BEFORE match: most heads end otherwise, and a suffix test spares the regex search.
OUT_OF_ENDINGS = (
    "of", "the", "all", "its", "з", "із", "зі", "из", "от", "усіх", "всех", "a", "an", "record", "total", "whopping",
    "reported", "launched", "х", "их", "ої", "ая", "ой", "ых",
)
OF_THEM = re.compile(
    r"(?:\bof (?:them|which|these|those)\b|(?<![\w'])(?:з|із|зі|из) (?:них|яких|которых|їх)(?![\w']))"
)

# One unnumbered victim: "a 45-year-old man was killed", "загинула жінка". The count is the words before
# the noun ("a 45-year-old"), or nothing before it in Ukrainian/Russian, which have no article. "A fifth
# person was killed" counts five: the ordinal is the toll so far.
SINGULAR_VICTIM = re.compile(
    r"(?<![\w'])(?:(?:a|an|one)\s+(?:(?P<ordinal>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+)?"
    r"(?:[\w'-]+\s+){0,2}?(?P<enoun>child|boy|girl|teenager|man|woman|person|resident"
    r"|civilian|pensioner|baby|infant|toddler|teen)"
    r"|(?P<noun>дитин[ау]|хлопчик[а]?|хлопця|дівчинк[ау]|чоловік[а]?|жінк[ау]|людин[ау]|підліт(?:ок|ка)"
    r"|пенсіонер(?:ка|ку|а)?|немовля|немовляти|малюк[а]?|ребенок|ребенка|младенец|мальчик[а]?|девочк[аиу]|мужчин[аыу]|женщин[аыу]|подрост(?:ок|ка)))(?![\w'])"
)
# The nouns every SINGULAR_VICTIM match holds: a plain scan for them (literal openings, so ``re`` skips ahead)
# spares most sentences that costlier pattern.
SINGULAR_VICTIM_NOUN = re.compile(
    r"child|boy|girl|teen|man|person|resident|civilian|pensioner|baby|infant|toddler|дитин|хлопч|хлопц|дівчинк"
    r"|чоловік|жінк|людин|підліт|пенсіонер|немовл|малюк|ребен|младен|мальчик|девочк|мужчин|женщин|подрост"
)

# One unnumbered victim named by the verb alone: "погиб мирный житель", "the driver was killed", "отримала
# поранення". Singular verb forms only; a plural verb has its count ("троє загинули").
SINGULAR_CASUALTY = WordStartPattern(re.compile(
    r"(?<![\w'])(?:was (?:killed|injured|wounded|hurt|hospitali[sz]ed|taken to hospital)"
    r"|загинув|загинула|помер|померла|поранений|поранена|постраждав|постраждала|травмован(?:ий|а)"
    r"|госпіталізован(?:ий|а)|(?:отримав|отримала|дістав|дістала) (?:\w+ )?(?:поранен\w*|травм\w*)"
    r"|погиб|погибла|скончал(?:ся|ась)|ранен|ранена|пострадал|пострадала|госпитализирован[а]?"
    r"|(?:получил|получила) (?:\w+ )?(?:ранени\w*|травм\w*))(?![\w'])"
))
_NO_ONE = re.compile(r"(?:\bno one|\bnobody|\bnot|ніхто|никто|(?<![\w'])не|жоден|ни один)\s+(?:\w+\s+)?$")


def singular_casualty_starts(low: str, start: int, end: int) -> list[int]:
    """Where singular casualty verbs stand in ``low[start:end]``, less negated ones ("ніхто не загинув")."""
    return [m.start() for m in SINGULAR_CASUALTY.finditer(low, start, end) if not _NO_ONE.search(low, max(start, m.start() - 16), m.start())]


# One unnumbered weapon: "an attack drone", "a ballistic missile", "балістичною ракетою", "шахедом".
# "A drone attack" names an attack, not one drone.
SINGULAR_WEAPON = re.compile(
    r"(?<![\w'])(?:(?:a|an)\s+(?:[\w'-]+\s+){0,2}?(?:(?P<edrone>drone|uav|shahed|geran)|(?P<emissile>missile|rocket))"
    r"(?!\s+(?:and\s+\w+\s+)?(?:attacks?|strikes?|raids?|alerts?|threats?|debris|fragments?|wreckage|warning|danger"
    r"|units?|operators?|production|makers?|pieces?|parts?|sirens?|launch(?:er|es)?|defen[cs]e|system|program+e?|show)\b)"
    r"|(?:[\w'-]+(?:ою|ою|ну|на|ий|им|ого|ой|ую|ая)\s+)?(?:(?P<drone>(?:дрон|шахед|безпілотник|беспилотник)(?:ом)?)"
    r"|(?P<missile>ракет(?:а|у|ою|ой))))(?![\w'-])"
)
# The nouns every SINGULAR_WEAPON match holds: a plain scan for them spares most sentences that costlier pattern.
SINGULAR_WEAPON_NOUN = re.compile(r"drone|uav|shahed|geran|missile|rocket|дрон|шахед|безпілотник|беспилотник|ракет")
# What every SINGULAR_WEAPON match holds as well: "a"/"an" as a word, or a singular Cyrillic noun. Most sentences
# naming weapons name them in the plural ("539 drones"): this second plain scan spares them the costly one. Each
# branch opens with a literal so that ``re`` skips ahead to its letters; the look-behind follows that letter.
SINGULAR_WEAPON_FORM = re.compile(
    r"a(?<![\w']a)n?\s|дрон(?:ом)?(?![\w'-])|шахед(?:ом)?(?![\w'-])|безпілотник(?:ом)?(?![\w'-])"
    r"|беспилотник(?:ом)?(?![\w'-])|ракет(?:а|у|ою|ой)(?![\w'-])"
)

# Stems of every word an attack report cannot do without, at a word start (ATTACK_HINT). Pages are scanned
# for them by attack_hints: the scan of a 3 KB page that mentions none of them is the common case.
_HINT_STEMS = (
    "drone", "uav", "missile", "shahed", "rocket", "air attack", "air defen", "strike", "attack", "shell", "bomb",
    "killed", "injur", "wounded", "dead", "toll", "died", "death", "hurt", "hospital", "shot down", "downed", "intercept",
    "neutrali", "destroy", "suppress", "stopped", "radar", "locationally", "explosion",
    "дрон", "бпла", "безпілот", "ракет", "шахед", "атак", "удар", "обстр", "загин", "загиб", "жертв", "поран", "ппо",
    "пострада", "постражда", "травм", "госпітал", "збит", "збил", "знешкод", "знищ", "подавл", "перехоп",
    "локаційн", "вибух",
    "беспилот", "погиб", "ранен", "госпитал", "сбит", "сбил", "уничтож", "перехват", "обезвред", "взрыв",
)
# The hint stems that open every singular casualty verb (SINGULAR_CASUALTY).
CASUALTY_HINTS = ("killed", "injur", "wounded", "hurt", "hospital", "загин", "поран", "постражда", "травм", "госпітал",
                  "погиб", "ранен", "пострада", "госпитал")
ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
ATTACK_HINT = re.compile(rf"(?<![\w']){alternation(_HINT_STEMS)}")
LONGEST_HINT = max(map(len, _HINT_STEMS))
_HINT_SCANNER = WordScanner(_HINT_STEMS)


def attack_hints(low: str, start: int = 0) -> list[int]:
    """Where ``ATTACK_HINT`` matches in folded ``low[start:]``, by one automaton pass (the regex scan of whole
    3 KB pages took a sixth of all extraction time). No stem is a prefix of another, so at most one starts
    anywhere; like ``finditer``, a stem inside an earlier match ("attack" of "air attack") is skipped."""
    hints: list[int] = []
    taken = 0
    for _stem, begin, end in _HINT_SCANNER.find(low, start):
        if begin >= taken:
            hints.append(begin)
            taken = end
    return hints
