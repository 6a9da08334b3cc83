"""Candidate figures: every count in a text, with what it counts and what happened to it.

A count's *thing* is the noun behind it ("539 ударними БпЛА"); its *action* is
the verb that governs it, searched in this order: a verb right behind it
("268 збито", "23 were injured"), the nearest verb before it in its clause,
an earlier verb in the sentence (enumerations: "attacked with 550 means: 539
drones, 11 missiles"), and a passive verb later in the sentence ("23 people,
including 3 children, were injured").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from streams.extract.context import Cue, Reason, excluded, find_cues
from streams.extract.dates import WEEKDAY, WEEKDAYS, DateMention, find_dates, last_weekday
from streams.extract.lexicon import (
    AEROBALLISTIC,
    ACTION,
    ACTION_WORDS,
    AUXILIARY,
    BALLISTIC,
    CRUISE,
    FILLER_WORD,
    NOT_ATTACK_DRONE,
    ORDINALS,
    OF_THEM,
    OUT_OF_BEFORE,
    OUT_OF_ENDINGS,
    SINGULAR_VICTIM,
    SINGULAR_VICTIM_NOUN,
    SINGULAR_WEAPON,
    SINGULAR_WEAPON_FORM,
    SINGULAR_WEAPON_NOUN,
    MILITARY,
    singular_casualty_starts,
    CASUALTY_HINTS,
    THING_AT,
    Action,
    Thing,
)
from streams.extract.limits import (
    MAX_CANDIDATES_PER_ARTICLE,
    MAX_COUNTS_PER_ARTICLE,
    MAX_COUNTS_PER_SENTENCE,
    MAX_SENTENCE_CHARS,
    Work,
)
from streams.extract.numbers import WORD_VALUES, Count, find_counts, qualified
from streams.extract.parties import RU, side_phrases
from streams.extract.text import Span, WordStartPattern, clause_starts, hinted_sentences, matches_at
from streams.extract.weapons import find_models
from tocsin.records.report import Metric, Qualifier, TextField


class MissileClass:
    CRUISE = "cruise"
    BALLISTIC = "ballistic"


class Candidate(NamedTuple):
    """A count read as a figure, before the report picks one per metric (a tuple: thousands are made a second)."""

    metric: Metric | None  # None for shot-down / lost parts that only add up to a metric
    action: Action
    thing: Thing
    value: float
    qualifier: Qualifier
    field: TextField
    start: int
    end: int
    clause: Span
    missile_class: str | None
    detail: bool  # names a class or model, so is a part of a total: "4 cruise missiles", "6 Iskander-M"
    guessed: bool  # no verb governs it; read as a launch by default
    additive: bool  # "ще трьох", "a further two": adds to the figure before it
    excluded: Reason | None
    singular: bool = False  # "a ballistic missile": counts only when no number is stated for the metric

    @property
    def usable(self) -> bool:
        return self.excluded is None


# Whether a date named in the text is some other attack's (not this night's); the flag makes the evening
# before this night another day too.
ForeignDate = Callable[..., bool]
# "on Monday", "у понеділок", "в понедельник", "Monday's": a day, not a night ("Monday night", "overnight into
# Monday" name the night itself).
_WEEKDAY_WORD = WordStartPattern(
    re.compile(rf"(?<![\w'])(?P<day>{WEEKDAY})(?![\w'])(?!\s+(?:night|evening|вечер\w*|ніч\w*|ночь\w*))")
)
# What every weekday name holds: a plain substring test spares most sentences the weekday scan.
_WEEKDAY_STEMS = (
    "day", "понеділ", "вівтор", "серед", "четвер", "п'ятниц", "субот", "неділ", "понедельник", "вторник", "сред",
    "пятниц", "суббот", "воскресень",
)
_ON_BEFORE = re.compile(r"(?<![\w'])(?:on|у|в|во)\s+$")

_MAX_FILLERS = 3
_NOUN_GAP = " -–—\"'"
_SAME_KIND_JOINT = re.compile(r"[ -]|\s*(?:,|/|and|or|та|і|й|и|або|или)\s+")
_CASUALTY_ACTIONS = (Action.KILL, Action.INJURE)
# A count's unknown subject noun phrase right before its passive casualty verb: up to six words, no punctuation.
_SUBJECT_GAP = re.compile(
    r"(?:\s+[a-zа-яіїєґ'-]+){1,6}\s+(?:were|was|have been|has been|had been|були|було|був|була|были|было|был)\s+"
    r"(?:also\s+|reportedly\s+)?(?:killed|injured|wounded|hurt|hospitali[sz]ed|поранен\w*|травмован\w*|ранен\w*|убит\w*)"
)
# Counts a verb may share across a list ("309 UAVs and 2 missiles were shot down"); more ends the search, so
# that a sentence's reading stays linear in its counts.
_LISTED_REACH = 6
# No single wave comes near these (the records are in the hundreds); larger counts are running totals.
_ONE_WAVE_MAX = {Thing.DRONE: 2000, Thing.AERIAL: 2500, Thing.MISSILE: 300, Thing.HOUR: 72, Thing.PERSON: 1000, Thing.CHILD: 500}
_ADJACENT = 32  # characters between a verb and a bare count it governs ("killing two", "збито 476")
_INCLUDING = re.compile(
    r"(?:including|among them|among whom|incl\.|серед них|серед яких|у тому числі|в тому числі|в том числе|среди них"
    r"|з них|из них|of them|of whom)\s*$"
)
_BARE_THING = re.compile(rf"(?<![\w'])(?:{THING_AT.pattern})")
_WEAPON_GROUPS = {"drone", "missile", "aerial"}
_TOLL_BEFORE = re.compile(r"(?:total|toll|tally|кількість|число|загальна|всього|загалом)\W+(?:\w+\W+){0,5}$")
_PASSIVE_AUXILIARY = re.compile(r"(?:were|was|are|is|been|були|було|був|була|были|было|был)\s+$")
_ASIDE_AFTER = re.compile(
    r"\s*,?\s*(?:including|among them|among whom|incl\.|серед них|серед яких|у тому числі|в тому числі|в том числе|среди них)"
)
_OF_THE = re.compile(r"\s+(?:of|з|із|из)\s+(?:the|its|these|those|all)?(?=\s)")
# Words that end the search for a count's noun: "injuring 18 in the Moscow region", "двоє дорослих і дитина".
_STOP_WORDS = frozenset(
    "in at on over across near from to into by for with and or у в на над під по з із до від за для при под от из"
    " і та й и або чи".split()
)
_TIME_ASIDE = re.compile(r"(?:за (?:минулу |цю )?ніч|за ночь|за прошедшую ночь|overnight|вночі|уночі|ночью)(?![\w'])")
_ADDITIVE = re.compile(r"(?:another|a further|further|ще|іще|еще|ещё)\s+$")
# What may follow a count that names no noun at all: punctuation, a conjunction, a verb.
_BARE_AFTER = re.compile(
    r"\s*(?:$|[,.;:)!?\-–—]|(?:and|or|та|і|й|и|або|of|з|із|из|were|was|are|is|have|has|had|more|others?|in|at|on|near"
    r"|across|у|в|на|під|по|под|при)(?![\w'])"
    rf"|{ACTION.pattern})"
)
# Between a noun and the next count of one coordinated list: "309 UAVs and 2 ..."
_COORDINATED = re.compile(r"\s*(?:,|and|та|і|й|и|&|,\s*and)?\s*(?:(?:all|both|всі|усі|все|обидві|обидва|обе|оба)\s+)?")
_THING_NAMES = {name: Thing(name) for name in ("aerial", "drone", "missile", "person", "child", "hour", "other")}

_METRICS: dict[tuple[Thing, Action], Metric] = {
    (Thing.DRONE, Action.LAUNCH): Metric.DRONES_LAUNCHED,
    (Thing.DRONE, Action.NEUTRALIZE): Metric.DRONES_NEUTRALIZED,
    (Thing.MISSILE, Action.LAUNCH): Metric.MISSILES_LAUNCHED,
    (Thing.MISSILE, Action.NEUTRALIZE): Metric.MISSILES_INTERCEPTED,
    (Thing.MISSILE, Action.SHOT_DOWN): Metric.MISSILES_INTERCEPTED,
    (Thing.AERIAL, Action.LAUNCH): Metric.AERIAL_WEAPONS_LAUNCHED,
    (Thing.PERSON, Action.KILL): Metric.KILLED,
    (Thing.PERSON, Action.INJURE): Metric.INJURED,
    (Thing.CHILD, Action.KILL): Metric.CHILDREN_KILLED,
    (Thing.CHILD, Action.INJURE): Metric.CHILDREN_INJURED,
    (Thing.HOUR, Action.LAST): Metric.DURATION_HOURS,
    (Thing.HOUR, Action.LAUNCH): Metric.DURATION_HOURS,
}
# Drone parts that become a metric only once the report sees the whole split.
_DRONE_PARTS = {Action.SHOT_DOWN, Action.LOST}


class _Noun(NamedTuple):
    thing: Thing
    end: int
    participle: Action | None  # "118 збитих українських дронів": the verb inside the noun phrase


def _noun_after(low: str, pos: int, limit: int) -> _Noun | None:
    """The noun a count at ``pos`` counts, skipping a few adjectives and participles; None past a comma.

    A casualty participle with no noun behind it is the noun ("12 загиблих", "троє поранених").
    """
    cursor, participle, participle_end = pos, None, pos
    for _ in range(_MAX_FILLERS + 1):
        while cursor < limit and low[cursor] in _NOUN_GAP:
            cursor += 1
        match = THING_AT.match(low, cursor)
        if match and match.end() <= limit:
            thing, end = _THING_NAMES[match.lastgroup or "other"], match.end()
            # "203 drone decoys", "дронів-імітаторів", "cruise and ballistic missiles": one noun phrase. Only
            # missile classes are coordinated ("drones and missiles" is the aerial noun, matched whole above).
            while end < limit and (low[end] in " -" or thing is Thing.MISSILE):
                joint = _SAME_KIND_JOINT.match(low, end) if thing is Thing.MISSILE else None
                more = THING_AT.match(low, joint.end() if joint else end + 1)
                if not (more and more.end() <= limit and _THING_NAMES[more.lastgroup or "other"] is thing):
                    break
                end = more.end()
            return _Noun(thing, end, participle)
        if (aside := _TIME_ASIDE.match(low, cursor)) and aside.end() <= limit:
            cursor = aside.end()  # "95 знищених за ніч українських дронів"
            continue
        filler = FILLER_WORD.match(low, cursor)
        if not filler or filler.end() > limit or filler.group(0) in _STOP_WORDS or filler.group(0) in WORD_VALUES:
            # "injuring 18 in the Moscow region": the noun comes before any preposition or another count.
            return _Noun(Thing.PERSON, participle_end, participle) if participle in _CASUALTY_ACTIONS else None
        # "attack"/"ударними" before a noun is an adjective, "збитих" a participle: both may precede the noun.
        verb = ACTION.match(low, cursor)
        if verb and verb.lastgroup != Action.LAUNCH.name:
            action = Action[verb.lastgroup or "LAUNCH"]
            if action in (Action.KILL, Action.INJURE) and cursor > pos + 1:
                return _Noun(Thing.PERSON, verb.end(), action)  # "one dock worker injured": people, whoever
            if participle is None:
                participle, participle_end = action, verb.end()
        cursor = filler.end()
    return _Noun(Thing.PERSON, participle_end, participle) if participle in _CASUALTY_ACTIONS else None


def _with_singulars(low: str, sentence: Span, counts: list[Count], verbs: list[int]) -> list[Count]:
    """Counts plus one per unnumbered singular victim not already counted ("одна людина" is), and one per
    singular casualty verb with no count before it in its clause (``verbs``: where they start)."""
    counts = _with_singular_nouns(low, sentence, counts)
    if not verbs:
        return counts
    starts = clause_starts(low, sentence)
    extra = []
    for verb in verbs:
        clause = _clause_of(starts, verb, sentence.end)
        if not any(clause.start <= c.start < verb for c in counts) and not MILITARY.search(low, max(clause.start, verb - 40), verb + 40):
            extra.append(Count(1.0, verb, verb, verb, Qualifier.EXACT, vague=False, year_like=False))
    return sorted(counts + extra, key=lambda c: c.start) if extra else counts


def _with_singular_nouns(low: str, sentence: Span, counts: list[Count]) -> list[Count]:
    if not SINGULAR_VICTIM_NOUN.search(low, sentence.start, sentence.end):
        return counts
    extra = []
    ends = {c.end for c in counts}
    for m in SINGULAR_VICTIM.finditer(low, sentence.start, sentence.end):
        # The count ends where the noun starts, so the noun is read as what it counts.
        end = m.start("enoun") if m.group("enoun") else m.start()
        if not any(m.start() - 3 <= e <= m.start() for e in ends):
            value = float(ORDINALS[m.group("ordinal")]) if m.group("ordinal") else 1.0
            extra.append(Count(value, m.start(), end, m.start(), Qualifier.EXACT, vague=False, year_like=False))
    return sorted(counts + extra, key=lambda c: c.start) if extra else counts


def _looks_like_figure(low: str, count: Count, sentence: Span) -> bool:
    """Cheap test before reading a sentence: a count with a noun of ours, or a verb right beside it."""
    noun = _noun_after(low, count.end, sentence.end)
    if noun is not None:
        return noun.thing is not Thing.OTHER
    after = AUXILIARY.match(low, count.end)
    return bool(ACTION.match(low, after.end() if after else count.end)) or bool(
        ACTION.search(low, max(sentence.start, count.start - _ADJACENT - 8), count.start)
    ) or bool(_SUBJECT_GAP.match(low, count.end))


def _verb_after(low: str, pos: int) -> bool:
    after = AUXILIARY.match(low, pos)
    return bool(ACTION.match(low, after.end() if after else pos))


def _noun_end(low: str, count: Count, limit: int) -> int:
    noun = _noun_after(low, count.end, limit)
    return noun.end if noun else count.end


def _actions(low: str, span: Span) -> list[tuple[int, int, Action]]:
    starts = {start for _word, start, _end in ACTION_WORDS.find(low, span.start, span.end)}
    return [(m.start(), m.end(), Action[m.lastgroup or "LAUNCH"]) for m in matches_at(ACTION, low, starts, span.end)]


def _clause_of(starts: list[int], pos: int, sentence_end: int) -> Span:
    """The clause holding ``pos``; ``starts`` ascend from the sentence's start."""
    i = bisect_right(starts, pos)
    return Span(starts[i - 1], (starts[i] - 1) if i < len(starts) else sentence_end)


@dataclass(slots=True)
class _Reading:
    """What one count says, before exclusion: thing, action, evidence end."""

    count: Count
    thing: Thing | None
    action: Action | None
    end: int
    part: bool = False  # "one of the drones": counted out of a total the sentence does not state


class _SentenceReader:
    def __init__(
        self,
        low: str,
        sentence: Span,
        counts: list[Count],
        previous_thing: Thing | None,
        published: date | None,
        foreign: ForeignDate,
        singular_verbs: list[int] = [],  # noqa: B006 - read only
    ) -> None:
        self.low = low
        self.published = published
        self.foreign = foreign
        self._dates: list[DateMention] | None = None
        self._weekdays: list[re.Match[str]] | None = None
        self.sentence = sentence
        self.starts = clause_starts(low, sentence)
        self.actions = _actions(low, sentence)
        self.counts = _with_singulars(low, sentence, counts, singular_verbs)
        self._cues: list[Cue] | None = None
        self.previous_thing = previous_thing

    def read(self) -> list[_Reading]:
        readings: list[_Reading] = []
        totals: dict[int, _Noun] = {}  # index of "X" in "X of the Y" -> Y's noun
        for i, count in enumerate(self.counts):
            clause = _clause_of(self.starts, count.number_start, self.sentence.end)
            limit = min(clause.end + 1, self.sentence.end)
            noun = _noun_after(self.low, count.end, limit)
            of = _OF_THE.match(self.low, count.end)
            if noun is None and of:
                noun = _noun_after(self.low, of.end(), limit)  # "none of the missiles", "one of the drones"
            part = of is not None and noun is not None
            if noun is None and i + 1 < len(self.counts):
                nxt = self.counts[i + 1]
                if OUT_OF_BEFORE.search(self.low, count.end, nxt.start) and not self.low[count.end : nxt.start].strip(" ,").count(" ") > 3:
                    total_noun = _noun_after(self.low, nxt.end, min(clause.end + 1, self.sentence.end))
                    if total_noun is not None:
                        totals[i] = total_noun
            reading = self._reading(i, count, clause, noun, totals.get(i), readings)
            reading.part = part and i not in totals
            readings.append(reading)
        return readings

    def _reading(
        self, i: int, count: Count, clause: Span, noun: _Noun | None, total: _Noun | None, done: list[_Reading]
    ) -> _Reading:
        low = self.low
        if count.year_like and noun is None:
            return _Reading(count, None, None, count.end)
        tail = total.end if total else (noun.end if noun else count.end)
        thing = total.thing if total else (noun.thing if noun else None)
        if thing is Thing.DRONE and NOT_ATTACK_DRONE.search(low, count.start, min(self.sentence.end, tail + 24)):
            thing = Thing.OTHER  # FPV, reconnaissance, interceptor drones: counted, but not ours
        if self._is_total(count, i) or self._listed_after_total(count, done):
            # "476 drones were intercepted out of a record 539": the total counts what its part counts.
            return _Reading(count, thing or (done[-1].thing if done else None), Action.LAUNCH, tail)
        if noun and noun.participle:
            action, adjacent = noun.participle, True
        elif total is not None:
            action, adjacent = self._action(i, count, clause, tail)
            if action is Action.LAUNCH:
                action = None  # the X of "X of the Y launched" is a part: downed, hit, lost, never the launch
        elif done and _INCLUDING.search(low, max(0, count.start - 25), count.start) and not _verb_after(low, tail):
            # "four people, including a teenager, were injured"; but "з них 200 збито" has a verb of its own
            action, adjacent = done[-1].action, False
        elif (
            done
            and thing is None
            and _ADDITIVE.search(low, max(0, count.start - 12), count.start)
            and _BARE_AFTER.match(low, count.end)
            and not _verb_after(low, count.end)
            and not any(clause.start <= start < clause.end for start, _e, _a in self.actions)
        ):
            # "у Харкові поранено сімох людей, на Дніпропетровщині — ще трьох": more of the same
            return _Reading(count, done[-1].thing, done[-1].action, tail)
        else:
            action, adjacent = self._action(i, count, clause, tail)
        if thing is None:
            thing = self._implied_thing(count, action, adjacent, done)
        return _Reading(count, thing, action, tail)

    @property
    def cues(self) -> list[Cue]:
        """The sentence's context cues, looked for only once a count reads as a figure (most never do)."""
        if self._cues is None:
            self._cues = find_cues(self.low, self.sentence.start, self.sentence.end)
        return self._cues

    def names_other_date(self, start: int, end: int) -> bool:
        """A clause dated to another day ("On June 29, Russia fired 537") is about another attack."""
        if self._dates is None:
            self._dates = find_dates(self.low, self.published, self.sentence.start, self.sentence.end)
        if any(start <= d.start < end and self.foreign(d.day) for d in self._dates):
            return True
        if self.published is None:
            return False
        # "On Monday, Russia launched …" in a report of another night: a weekday that is not this night's.
        if self._weekdays is None and not any(stem in self.low[self.sentence.start : self.sentence.end] for stem in _WEEKDAY_STEMS):
            self._weekdays = []
        if self._weekdays is None:
            self._weekdays = [
                m for m in _WEEKDAY_WORD.finditer(self.low, self.sentence.start, self.sentence.end)
                if _ON_BEFORE.search(self.low, max(0, m.start() - 4), m.start())
            ]
        for m in (m for m in self._weekdays if start <= m.start() < end):
            # Opening its clause ("On Friday, waves of drones hit Kyiv"), the day sets the scene: even the
            # evening before this night is another attack's. Elsewhere ("said on Saturday") only other days are.
            opens = _ON_BEFORE.fullmatch(self.low[start : m.start()].lstrip(" \n\t-–—\"'")) is not None and self.low.startswith(",", m.end())
            if self.foreign(last_weekday(WEEKDAYS[m.group("day")], self.published), opens):
                return True
        return False

    def _is_total(self, count: Count, i: int) -> bool:
        """The Y of "X of the Y", or "із 539 дронів": a total launched."""
        head = self.low[max(self.sentence.start, count.start - 20) : count.start]
        if not head.rstrip().endswith(OUT_OF_ENDINGS):
            return False
        return bool(OUT_OF_BEFORE.search(head)) and not OF_THEM.search(self.low, count.start - 8, count.end + 4)

    def _listed_after_total(self, count: Count, done: list[_Reading]) -> bool:
        """"most of the 405 drones and 28 missiles": a count listed right after a total is one too,
        unless it opens its own "X of the Y" ("476 of the 539 drones and 6 of the 11 missiles")."""
        if not done or done[-1].action is not Action.LAUNCH or not self._is_total(done[-1].count, len(done) - 1):
            return False
        return bool(_COORDINATED.fullmatch(self.low, done[-1].end, count.start)) and not _OF_THE.match(self.low, count.end)

    def _action(self, i: int, count: Count, clause: Span, tail: int) -> tuple[Action | None, bool]:
        after = AUXILIARY.match(self.low, tail)
        pos = after.end() if after else tail
        for start, _end, action in self.actions:
            if start == pos and (action is not Action.LAUNCH or (after and after.group(0).strip())):
                return action, True
        if _ASIDE_AFTER.match(self.low, tail) and (passive := self._passive_after(i, tail, auxiliary=True)):
            return passive[0], False  # "four people, including a teenager, were injured"
        before = [(s, e, a) for s, e, a in self.actions if e <= count.start]
        in_clause = [(s, e, a) for s, e, a in before if s >= clause.start]
        if in_clause:
            casualty = [x for x in in_clause if x[2] in (Action.KILL, Action.INJURE)]
            # A bare count after "кількість загиблих внаслідок удару" belongs to the casualty word, not the strike.
            s, e, a = casualty[-1] if casualty and tail == count.end else in_clause[-1]
            # "кількість загиблих ... зросла до 28": a casualty noun governs its clause's bare count.
            reach = self.sentence.end if a in (Action.KILL, Action.INJURE) else _ADJACENT
            return a, count.start - e <= reach and not self._count_between(e, count.start)
        passive = self._passive_after(i, tail)
        if before and (passive is None or not (self._opens_clause(count, clause) or self._own_predicate(passive, clause))):
            return before[-1][2], False
        return (passive[0] if passive else None), False

    def _own_predicate(self, passive: tuple[Action, int, int], clause: Span) -> bool:
        """The verb after a count in its own clause is its predicate ("adding that 333 drones were shot down",
        "ще 4 людини дістали поранень"); a gerund ("..., killing two") describes the whole attack instead."""
        _action, start, end = passive
        return clause.start <= start < clause.end and not self.low.endswith("ing", start, end)

    def _passive_after(self, i: int, tail: int, auxiliary: bool = False) -> tuple[Action, int, int] | None:
        """The first casualty/interception verb after the count, before the next count that is not an aside
        ("including 3 children") or a coordinated part ("309 UAVs and 2 missiles were shot down")."""
        limit, cursor = self.sentence.end, tail
        for nxt in self.counts[i + 1 : i + 1 + _LISTED_REACH]:
            gap = self.low[cursor : nxt.start]
            aside = _INCLUDING.search(self.low, max(0, nxt.start - 25), nxt.start)
            # "86 drones, 67 intercepted": a bare count starts its own predicate; "309 UAVs and 2 missiles" share one.
            listed = _COORDINATED.fullmatch(gap) and _noun_after(self.low, nxt.end, self.sentence.end) is not None
            if not (listed or aside):
                limit = nxt.start
                break
            cursor = _noun_end(self.low, nxt, self.sentence.end)
        own = _clause_of(self.starts, self.counts[i].number_start, self.sentence.end)
        for start, _end, action in self.actions:
            if not tail <= start < limit:
                continue
            clause = _clause_of(self.starts, start, self.sentence.end)
            if clause != own and self._governs_next(clause, _end):
                return None  # "..., з них знешкоджено 592": that verb governs its own clause's count
            if auxiliary and not _PASSIVE_AUXILIARY.search(self.low, max(0, start - 12), start):
                return None  # "549 weapons, including 496 drones, killing five": not a passive predicate
            if action is not Action.LAUNCH:
                return action, start, _end
        return None

    def _governs_next(self, clause: Span, verb_end: int) -> bool:
        """A verb opening a new subject's clause, or standing right before a count, is that count's."""
        if OF_THEM.search(self.low, clause.start, min(clause.end, clause.start + 12)):
            return True
        return any(0 <= c.start - verb_end <= 3 for c in self.counts)

    def _opens_clause(self, count: Count, clause: Span) -> bool:
        head = self.low[clause.start : count.start]
        return not head.strip(" \n\t-–—•*") or bool(OF_THEM.search(head)) or bool(re.fullmatch(r"\W*(?:and|та|і|й|и)\W*", head))

    def _count_between(self, start: int, end: int) -> bool:
        return any(start <= c.number_start < end for c in self.counts)

    def _implied_thing(self, count: Count, action: Action | None, adjacent: bool, done: list[_Reading]) -> Thing | None:
        if action in (Action.KILL, Action.INJURE) and _TOLL_BEFORE.search(self.low, max(0, count.start - 60), count.start):
            return Thing.PERSON  # "bringing the total for the region to 19", "загальна кількість — 142"
        if action is None:
            return None
        if adjacent and action in (Action.KILL, Action.INJURE):
            return Thing.PERSON  # "двоє енергетиків травмовані": whoever is counted next to a casualty verb
        if action in (Action.KILL, Action.INJURE) and _SUBJECT_GAP.match(self.low, count.end):
            return Thing.PERSON  # "three crew members aboard the vessel were injured": a few words, then the verb
        if not (_BARE_AFTER.match(self.low, count.end) or _verb_after(self.low, count.end)):
            return None  # "знищили 3 гармати": a count of some noun we do not know is not a bare count
        if action in (Action.NEUTRALIZE, Action.SHOT_DOWN, Action.LOST, Action.LAUNCH):
            # "Of the drones, 47 were shot down", "кількість ракет, застосованих тієї ночі: 40": a noun named
            # since the previous count, without a count of its own.
            since = done[-1].end if done else self.sentence.start
            named = [m for m in _BARE_THING.finditer(self.low, since, count.start) if m.lastgroup in _WEAPON_GROUPS]
            if named:
                return _THING_NAMES[named[-1].lastgroup or "drone"]
            if not adjacent:
                return None
            # "268 збито, 208 втрачено", "of them 476 were shot down": the noun counted before.
            for reading in reversed(done):
                if reading.thing in (Thing.DRONE, Thing.MISSILE, Thing.AERIAL):
                    return reading.thing
            return self.previous_thing
        return None


def _any_within(starts: list[int], span: Span) -> bool:
    i = bisect_left(starts, span.start)
    return i < len(starts) and starts[i] < span.end


def _counted(low: str, start: int) -> bool:
    """Whether a count stands right before ``start``: "21 украинский беспилотник", "два дрони"."""
    words = low[max(0, start - 24) : start].split()
    return bool(words) and (words[-1][-1:].isdigit() or words[-1] in WORD_VALUES)


_DOWNED_AFTER = re.compile(
    r"(?:\s+\w+){0,6}?\s+(?:was|has been|had been|були|було|був|була|был|была|было)\s+(?:\w+\s+)?"
    r"(?:shot down|downed|destroyed|intercepted|suppressed|jammed|збит\w*|знищен\w*|перехоплен\w*|подавлен\w*|сбит\w*|уничтожен\w*|перехвачен\w*|подавлен\w*)"
)
_DOWNED_BEFORE = re.compile(
    r"(?:збито|знищено|збили|знищили|сбит|сбили|уничтожен|уничтожили|перехвачен|shot down|downed|destroyed|intercepted)"
    r"(?:\s+(?:ще|еще|ещё|another|one more))?\s+(?:\w+\s+)?$"
)


def _singular_weapons(low: str, sentence: Span, field: TextField) -> list[Candidate]:
    """Launch candidates of one for each unnumbered weapon in an attack sentence ("a Russian Shahed hit a car")."""
    found: list[Candidate] = []
    if not SINGULAR_WEAPON_NOUN.search(low, sentence.start, sentence.end) or not SINGULAR_WEAPON_FORM.search(
        low, sentence.start, sentence.end
    ):
        return found
    cues: list[Cue] | None = None
    for m in SINGULAR_WEAPON.finditer(low, sentence.start, sentence.end):
        if NOT_ATTACK_DRONE.search(low, m.start(), m.end()) or _counted(low, m.start()):
            continue  # "21 украинский беспилотник": the noun of a count, not one more weapon
        cues = find_cues(low, sentence.start, sentence.end) if cues is None else cues
        drone = bool(m.group("edrone") or m.group("drone"))
        thing = Thing.DRONE if drone else Thing.MISSILE
        # "a drone was shot down over Moscow", "уничтожен еще один беспилотник" → one intercepted
        downed = _DOWNED_AFTER.match(low, m.end()) or _DOWNED_BEFORE.search(low, max(sentence.start, m.start() - 24), m.start())
        found.append(Candidate(
            metric=_DOWNED[thing] if downed else (Metric.DRONES_LAUNCHED if drone else Metric.MISSILES_LAUNCHED),
            action=Action.NEUTRALIZE if downed else Action.LAUNCH,
            thing=thing,
            value=1.0,
            qualifier=Qualifier.EXACT,
            field=field,
            start=m.start(),
            end=m.end(),
            clause=sentence,
            missile_class=None if drone else _missile_class(low, m.start(), m.end()),
            detail=False,
            # "launched a ballistic missile", "росіяни випустили ракету": a launch verb governs it
            guessed=not (downed or _launch_before(low, sentence.start, m.start())),
            additive=False,
            excluded=excluded(low, cues, sentence.start, sentence.end, m.start()),
            singular=True,
        ))
    return found


def _missile_class(low: str, start: int, end: int) -> str | None:
    phrase = low[start:end]
    if AEROBALLISTIC.search(phrase):
        return None
    ballistic, cruise = BALLISTIC.search(phrase), CRUISE.search(phrase)
    if ballistic and cruise:
        return None  # "11 cruise and ballistic missiles": a total of both classes
    if ballistic:
        return MissileClass.BALLISTIC
    if cruise:
        return MissileClass.CRUISE
    return None


@dataclass(frozen=True, slots=True)
class FieldReading:
    candidates: list[Candidate]
    counts: list[Count]  # every count in the sentences that were read
    sentences: list[Span]  # the sentences that speak of attacks at all: where this attack's places are named
    last_thing: Thing | None = None  # the weapon counted last: "Of them, 50 were shot down" in the next field


class Note(NamedTuple):
    """One count as read, for ``explain``: the candidate it became, or why it became none."""

    field: TextField
    start: int
    end: int
    value: float
    candidate: Candidate | None
    why_not: str


def _why_not(reading: _Reading) -> str:
    if reading.count.year_like and reading.thing is None:
        return "a year, not a count"
    if reading.thing is None:
        return "not a count noun: no drone, missile or person beside it, and no verb of ours"
    if reading.thing is Thing.OTHER:
        return "not a count noun: counts something else (places, buildings, metres, directions, front-line drones …)"
    if reading.action is None:
        return f"no verb of ours governs this count of {reading.thing.value}s"
    if reading.action is Action.HIT:
        return f"{reading.thing.value}s that hit: hits are not interceptions"
    return f"no metric for {reading.thing.value} {reading.action.value}"


def _pieces(low: str, sentence: Span, work: Work) -> Iterator[Span]:
    """The sentence, or an overlong one as pieces of at most MAX_SENTENCE_CHARS cut at a clause break or space."""
    if sentence.end - sentence.start <= MAX_SENTENCE_CHARS:
        yield sentence
        return
    work.split_sentences += 1
    start = sentence.start
    while sentence.end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = max(low.rfind(",", start, limit), low.rfind(";", start, limit), low.rfind(":", start, limit))
        if cut <= start + MAX_SENTENCE_CHARS // 2:
            cut = low.rfind(" ", start + MAX_SENTENCE_CHARS // 2, limit)
        cut = limit if cut <= start else cut + 1
        yield Span(start, cut)
        start = cut
    yield Span(start, sentence.end)


def read_field(
    low: str,
    text: str,
    field: TextField,
    hints: list[int],
    published: date | None,
    foreign: ForeignDate,
    work: Work | None = None,
    attacker: Callable[[], str] | None = None,
    previous_thing: Thing | None = None,
) -> FieldReading:
    """Candidates in one text field (``low`` is ``fold(text)``); only sentences with attack words (starting at
    ``hints``, ascending) are read, each within the caps of ``limits``."""
    work = Work() if work is None else work
    found: list[Candidate] = []
    seen: list[Count] = []
    spans: list[Span] = []
    launches: list[Candidate] = []
    sentence_of: list[Span] = []  # each found candidate's sentence
    casualty_hints = [h for h in hints if low.startswith(CASUALTY_HINTS, h)]
    for sentence in (piece for whole in hinted_sentences(text, hints) for piece in _pieces(low, whole, work)):
        first = bisect_left(hints, sentence.start)
        if first == len(hints) or hints[first] >= sentence.end:
            continue
        if len(found) >= MAX_CANDIDATES_PER_ARTICLE or work.counts >= MAX_COUNTS_PER_ARTICLE:
            work.skipped_sentences += 1
            continue
        work.sentences += 1
        spans.append(sentence)
        singles = _singular_weapons(low, sentence, field)
        found += singles
        sentence_of += [sentence] * len(singles)
        counts = find_counts(low, sentence.start, sentence.end)
        if len(counts) > MAX_COUNTS_PER_SENTENCE:
            work.dropped_counts += len(counts) - MAX_COUNTS_PER_SENTENCE
            counts = counts[:MAX_COUNTS_PER_SENTENCE]
        work.counts += len(counts)
        # Singular casualty verbs are looked for only where a casualty word opens one of the sentence's hints.
        verbs = singular_casualty_starts(low, sentence.start, sentence.end) if _any_within(casualty_hints, sentence) else []
        if not verbs and not any(_looks_like_figure(low, c, sentence) for c in counts) and not (
            SINGULAR_VICTIM_NOUN.search(low, sentence.start, sentence.end)
            and SINGULAR_VICTIM.search(low, sentence.start, sentence.end)
        ):
            if launches and _mentions_all(low, sentence):
                more = _all_of(low, sentence, [], launches)  # "All of them were shot down."
                found += more
                sentence_of += [sentence] * len(more)
            continue
        seen += counts
        reader = _SentenceReader(low, sentence, counts, previous_thing, published, foreign, verbs)
        here: list[Candidate] = []
        for reading in reader.read():
            candidate = _candidate(low, reader, reading, field)
            if reading.thing in (Thing.DRONE, Thing.MISSILE, Thing.AERIAL):
                previous_thing = reading.thing
            if candidate is not None:
                here.append(candidate)
            elif work.notes is not None:
                work.notes.append(Note(field, reading.count.start, max(reading.end, reading.count.end), reading.count.value, None, _why_not(reading)))
        more = _all_of(low, sentence, here, launches)
        here += more
        launches = [c for c in here if c.action is Action.LAUNCH and c.usable] or launches
        found += here
        sentence_of += [sentence] * len(here)
    if attacker is not None:
        found = _without_other_side(low, found, sentence_of, attacker)
    if work.notes is not None:
        work.notes += [Note(field, c.start, c.end, c.value, c, "") for c in found]
    return FieldReading(found, seen, spans, previous_thing)


def _without_other_side(
    low: str, found: list[Candidate], sentence_of: list[Span], attacker: Callable[[], str]
) -> list[Candidate]:
    """The candidates, those of sentences that speak only of the other side's attack marked so: "Russia's defence
    ministry said it downed 95 Ukrainian drones" in a report of a Russian attack, and the reverse. When a
    sentence names both sides, its clause decides. One scan covers every sentence with a candidate."""
    pending = [i for i, c in enumerate(found) if c.excluded is None]
    if not pending:
        return found
    # The sentences with candidates, joined into one text for one scan; offsets are mapped back.
    spans = sorted({sentence_of[i] for i in pending})
    offsets, parts, at = [], [], 0
    for span in spans:
        offsets.append(at)
        parts.append(low[span.start : span.end])
        at += span.end - span.start + 1
    joined = "\n".join(parts)
    ua_found, ru_found, _weak = side_phrases(joined)
    if not ua_found and not ru_found:
        return found

    def absolute(pos: int) -> int:
        k = bisect_right(offsets, pos) - 1
        return spans[k].start + pos - offsets[k]

    ua_at, ru_at = [absolute(m.start()) for m in ua_found], [absolute(m.start()) for m in ru_found]
    russia = attacker() == RU
    marked = list(found)
    for i in pending:
        c, sentence = found[i], sentence_of[i]
        ua, ru = _any_within(ua_at, sentence), _any_within(ru_at, sentence)
        if ua and ru:
            ua, ru = _any_within(ua_at, c.clause), _any_within(ru_at, c.clause)
        if (ua and not ru) if russia else (ru and not ua):
            marked[i] = c._replace(excluded=Reason.OTHER_SIDE)
    return marked


# "all 24 Shaheds were destroyed", "every one of the 14 drones", "усі 40 збиті"
_ALL_BEFORE = re.compile(
    r"(?:\ball(?: of)?(?: the)?|\bevery one of(?: the)?|\beach of(?: the)?|(?<![\w'])(?:всі|усі|всіх|усіх|все|всех)(?: з| із| из)?)\s+$"
)
# "…, all of them were shot down", "усі вони були знищені", "все они сбиты"
_ALL_OF_THEM = WordStartPattern(re.compile(
    r"(?<![\w'])(?:all (?:of )?(?:them|which|these|those)|all|every one|(?:усі|всі|все)(?: вони| они| з них| из них)?)"
    r"\s+(?:(?:were|was|have been|had been|are|got|було|були|были|было|успішно|успешно)\s+)?"
))
_NOT_ALL = re.compile(r"(?:\bnot|(?<![\w'])не|далеко не)\s+$")
_ALL_WORD = re.compile(r"\b(?:all|every|усі|всі|все)\b")
_ALL_STEMS = ("all", "every", "each", "усі", "всі", "все")


def _mentions_all(low: str, sentence: Span) -> bool:
    text = low[sentence.start : sentence.end]
    return any(stem in text for stem in _ALL_STEMS) and bool(_ALL_WORD.search(text))
_LAUNCHED = {Thing.DRONE: Metric.DRONES_LAUNCHED, Thing.MISSILE: Metric.MISSILES_LAUNCHED}
_DOWNED = {Thing.DRONE: Metric.DRONES_NEUTRALIZED, Thing.MISSILE: Metric.MISSILES_INTERCEPTED}
_DOWNING = (Action.NEUTRALIZE, Action.SHOT_DOWN)


_LAUNCH_REACH = 48


def _launch_before(low: str, start: int, end: int) -> bool:
    verbs = [m for m in ACTION.finditer(low, max(start, end - _LAUNCH_REACH), end)]
    return bool(verbs) and verbs[-1].lastgroup == Action.LAUNCH.name and verbs[-1].group(0) not in _ATTACK_NOUNS


# Launch words that are nouns ("a drone attack", "удар дрона"): they name the attack, not a launch of one weapon.
_ATTACK_NOUNS = frozenset(
    "attack attacks strike strikes атака атаки атаку атакою удар удару ударом удари ударів обстріл обстрілу обстрел".split()
)


def _downing_before(low: str, start: int, end: int) -> bool:
    verbs = [Action[m.lastgroup or "LAUNCH"] for m in ACTION.finditer(low, start, end)]
    return bool(verbs) and verbs[-1] in _DOWNING


def _all_of(low: str, sentence: Span, here: list[Candidate], before: list[Candidate]) -> list[Candidate]:
    """"All N downed" is both the launch and the interception; "N launched, all of them downed" likewise.

    ``here`` are the sentence's candidates, ``before`` the last launches read (for "All of them were shot
    down." as a sentence of its own)."""
    found = []
    for c in here:
        head = low[max(0, c.start - 24) : c.start]
        if c.thing not in _LAUNCHED or not any(stem in head for stem in _ALL_STEMS) or not _ALL_BEFORE.search(head):
            continue
        if c.action in _DOWNING:
            found.append(c._replace(metric=_LAUNCHED[c.thing], action=Action.LAUNCH, guessed=False))
        elif c.action is Action.LAUNCH and _downing_before(low, c.clause.start, c.start):
            # "destroyed every one of the 14 drones Russia sent": the total, all of it downed
            found.append(c._replace(metric=_DOWNED[c.thing], action=Action.NEUTRALIZE, guessed=False))
    if not _mentions_all(low, sentence):
        return found
    for m in _ALL_OF_THEM.finditer(low, sentence.start, sentence.end):
        if _NOT_ALL.search(low, max(sentence.start, m.start() - 12), m.start()):
            continue  # "not all were shot down"
        verb = ACTION.match(low, m.end())
        if not verb or Action[verb.lastgroup or "LAUNCH"] not in _DOWNING:
            continue
        launched = [c for c in here if c.action is Action.LAUNCH and c.start < m.start() and c.thing in _DOWNED]
        if not launched and not low[sentence.start : m.start()].strip(" \"'-–—"):
            launched = [c for c in before if c.thing in _DOWNED]
        downed = {c.thing for c in here if c.action in _DOWNING and c.start < m.start()}
        found += [
            c._replace(metric=_DOWNED[c.thing], action=Action.NEUTRALIZE, guessed=False, end=max(c.end, verb.end()))
            for c in launched
            if c.thing not in downed and c.usable
        ]
    return found


def _candidate(
    low: str, reader: _SentenceReader, reading: _Reading, field: TextField
) -> Candidate | None:
    thing = reading.thing
    if thing is None or thing is Thing.OTHER:
        return None
    count = qualified(low, reading.count)
    weapon = thing in (Thing.DRONE, Thing.MISSILE, Thing.AERIAL)
    # A weapon count with no verb is a launch: "539 drones and 11 missiles in total".
    action = reading.action or (Action.LAUNCH if weapon else None)
    if action is None:
        return None
    metric = _METRICS.get((thing, action))
    if metric is None and not (thing is Thing.DRONE and action in _DRONE_PARTS):
        return None
    clause = _clause_of(reader.starts, count.number_start, reader.sentence.end)
    sentence_start = reader.sentence.start
    reason = excluded(low, reader.cues, clause.start, clause.end, count.number_start)
    if reason is None and reading.part and action is Action.LAUNCH:
        reason = Reason.PART
    if reason is None and reader.names_other_date(sentence_start, clause.end):
        reason = Reason.OTHER_ATTACK
    if reason is None and count.value > _ONE_WAVE_MAX.get(thing, float("inf")):
        reason = Reason.CUMULATIVE
    # The class adjective may follow a model name: "6 Iskander-M/KN-23 ballistic missiles".
    following = [c.number_start for c in reader.counts if c.number_start > count.end]
    class_end = min([clause.end, reading.end + 24, *following])
    missile_class = _missile_class(low, count.end, class_end) if thing is Thing.MISSILE else None
    phrase = low[count.end : class_end] if thing is Thing.MISSILE else ""
    detail = bool(phrase) and bool(find_models(phrase) or AEROBALLISTIC.search(phrase) or missile_class)
    return Candidate(
        metric=metric,
        action=action,
        thing=thing,
        value=count.value,
        qualifier=count.qualifier,
        field=field,
        start=count.start,
        end=max(reading.end, count.end),
        clause=clause,
        missile_class=missile_class,
        detail=detail,
        guessed=reading.action is None,
        additive=bool(_ADDITIVE.search(low, max(0, count.start - 12), count.start)),
        excluded=reason,
    )
