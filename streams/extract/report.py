"""One article in, one ExtractionReport out: picks a figure per metric from the candidates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from datetime import date, timedelta

from streams.extract.context import Reason, period_summary
from streams.extract.events import names_no_event, reports_attack
from streams.extract.figures import Candidate, FieldReading, ForeignDate, MissileClass, read_field
from streams.extract.lexicon import LONGEST_HINT, Action, Thing, attack_hints
from streams.extract.limits import MAX_FIELD_CHARS, Work
from streams.extract.locations import PlaceMention, find_places
from streams.extract.numbers import qualified
from streams.extract.parties import MENTIONS_SIDES, OTHER_WARS, attacker_target
from streams.extract.text import Span, WordStartPattern, fold
from streams.extract.weapons import count_for, find_models
from streams.extract.window import local_date, night_of
from tocsin.records.article import Article, SourceKind
from tocsin.records.report import (
    Evidence,
    ExtractionReport,
    Figure,
    Location,
    Metric,
    Qualifier,
    RecordClaim,
    TextField,
    WeaponCount,
    Window,
)

EXTRACTOR_VERSION = "tocsin-extract/0.1.0"

T = TypeVar("T")

_FIELD_ORDER = (TextField.TITLE, TextField.SUMMARY, TextField.BODY)
_LEAD_CHARS = 900
_OPENING_CHARS = 1500
_PLACES_LEAD_CHARS = 1500
_SENTENCE_BREAK = re.compile(r"[.!?]\s|\n")
_OPENING_SENTENCE_CHARS = 400
_SPLIT_REACH = 600  # characters from a shot-down part to the lost part that completes it (a region list between)
# Casualties alone make an attack report only next to words of an air/strike attack.
_STRIKE_WORDS = re.compile(
    r"drone|missile|shahed|strike|attack|shell|bomb|air raid|explosion|дрон|бпла|безпілот|ракет|шахед|удар|атак|обстр"
    r"|вибух|беспилот|взрыв|обстрел"
)
# A headline about one night or day ("у ніч на 9 червня", "overnight") is about one attack whatever else it says.
_NIGHT_CUE = re.compile(r"overnight|night|ніч|вночі|ночь|ночью|today|сьогодні|сегодня|this morning|зранку|утром")
# A headline naming a further wave of the night or day: the one text cue that a night holds two attacks.
# Only the headline, and only wave words: a body that tells both waves, or "the second attack on Kyiv this
# week", is about one attack.
_FURTHER_WAVE = re.compile(
    r"(?:second|another|new|fresh|third|later) wave|second (?:attack|strike|barrage)s? (?:of|on|in) the (?:same )?(?:day|night|morning)"
    r"|(?:друг|нов|повторн|трет)\w* хвил\w*|(?:втор|нов|повторн|трет)\w* волн\w*|повторн\w* (?:атак|удар|обстріл|обстрел)"
)
# The General Staff's daily report opens with the day's combat clashes.
_FRONT_LINE_SUMMARY = re.compile(
    r"бойов\w* зіткнен\w*|боєзіткнен\w*|combat (?:engagements|clashes)|боестолкновен\w*|боев\w* столкновен\w*"
)
_FRONT_LINE_REACH = 400
_RECORD_STEMS = (
    "record", "largest", "biggest", "massive", "heaviest", "рекорд", "наймасов", "наймасштаб", "наймасивн", "найбільш",
    "крупнейш", "массированн", "масштабнейш",
)
_RECORD = re.compile(
    r"(?<![\w'])(?:record(?!ed|ing|s\b)|largest|biggest|most massive|heaviest|рекорд\w*|наймасованіш\w*|наймасштабніш\w*"
    r"|наймасивніш\w*|найбільш\w* (?:масован|масштабн|атак)|крупнейш\w*|самой массированной|самая массированная|масштабнейш\w*)"
)
_NOT_THIS_RECORD = re.compile(
    r"(?:previous|former|prior|old|last|попередн\w*|минул\w*|предыдущ\w*|прошл\w*)\s+(?:\w+\s+)?$"
)
_ATTACK_METRICS = {
    Metric.DRONES_LAUNCHED,
    Metric.DRONES_NEUTRALIZED,
    Metric.MISSILES_LAUNCHED,
    Metric.MISSILES_INTERCEPTED,
    Metric.AERIAL_WEAPONS_LAUNCHED,
    Metric.CRUISE_MISSILES_LAUNCHED,
    Metric.BALLISTIC_MISSILES_LAUNCHED,
}
_METRIC_ORDER = {metric: i for i, metric in enumerate(Metric)}
_CASUALTIES = {Metric.KILLED, Metric.INJURED, Metric.CHILDREN_KILLED, Metric.CHILDREN_INJURED}
# Figures whose parts (a region's, a model's, an earlier update's) are never larger than the whole.
_WHOLES = {Metric.DRONES_LAUNCHED, Metric.DRONES_NEUTRALIZED, Metric.AERIAL_WEAPONS_LAUNCHED}
_ADD_REACH = 400  # characters from a figure to "another N" that adds to it
_WEAKER = {Qualifier.EXACT: 0, Qualifier.AT_LEAST: 1, Qualifier.MORE_THAN: 1, Qualifier.ABOUT: 2, Qualifier.UP_TO: 3}


@dataclass(frozen=True, slots=True)
class _Field:
    name: TextField
    text: str
    low: str
    hints: list[int]  # where attack words start in ``low``


def extract(article: Article, work: Work | None = None) -> ExtractionReport:
    """Read one article. Pure: same article, same report. ``work``, when given, tallies what was read and
    where a cap of ``limits`` cut the reading short (for the caller's metric)."""
    work = Work() if work is None else work
    texts = [(name, _within_cap(text, work)) for name, text in zip(_FIELD_ORDER, (article.title, article.summary, article.body)) if text]
    # An attack report says so in its opening: most pages are dismissed on that alone, before the full read.
    openings = [fold(text[:_OPENING_CHARS]) for _, text in texts]
    opening_hints = [attack_hints(low) for low in openings]
    if not any(opening_hints):
        work.gate = "no attack words in the opening"
        return _report(article, is_attack=False, confidence=0.95)
    fields = [_field(name, text, low, found) for (name, text), low, found in zip(texts, openings, opening_hints)]
    whole = "\n".join(f.low for f in fields)
    if not MENTIONS_SIDES.search(whole) and OTHER_WARS.search(whole) and not _places(fields):
        work.gate = "names another war and neither side of this one"
        return _report(article, is_attack=False, confidence=0.9)
    lead = "\n".join(f.low[:_LEAD_CHARS] for f in fields)
    # A headline framed as a period's total makes an attack report only of a figure told as today's or
    # tonight's ("the week's 1,600 drones … and today another 240"). The General Staff's daily front-line
    # report is decided before the costly read: counts of a day's fighting, not one wave.
    period = not _NIGHT_CUE.search(fields[0].low) and period_summary(fields[0].low)
    if period:
        # Only the text around "today"/"tonight" is read: the rest is the period's.
        fields = [_near_tonight(f) for f in fields]
        if not any(f.hints for f in fields):
            work.gate = "the headline frames a period's total"
            return _report(article, is_attack=False, confidence=0.8)
    if _FRONT_LINE_SUMMARY.search(lead, 0, _FRONT_LINE_REACH):
        work.gate = "the General Staff's front-line summary"
        return _report(article, is_attack=False, confidence=0.8)
    night = _Lazy(lambda: night_of(lead, article.published_at))
    published = local_date(article.published_at)
    sides = _Lazy(
        lambda: attacker_target(
            lead,
            fields[0].low if fields[0].name is TextField.TITLE else "",
            lambda: [
                m.place.country for f in fields for m in find_places(f.text[:_LEAD_CHARS])
                if not _LAUNCH_SITE.search(f.low, max(0, m.start - 12), m.start)
            ],
        )
    )
    readings: dict[TextField, FieldReading] = {}
    thing: Thing | None = None
    for f in fields:
        reading = read_field(f.low, f.text, f.name, f.hints, published, _foreign_day(night), work, lambda: sides.value[0], thing)
        readings[f.name], thing = reading, reading.last_thing
    candidates = [c for reading in readings.values() for c in reading.candidates]
    if period:
        lows = {f.name: f.low for f in fields}
        candidates = [c for c in candidates if _told_as_tonight(lows[c.field], c)]
    usable = _without_headline_echoes(candidates)
    figures = _choose(usable, article.id, {f.name: f.text for f in fields})
    metrics = {f.metric for f in figures}
    headline = fields[0].low if fields[0].name is TextField.TITLE else ""
    is_attack = bool(metrics & _ATTACK_METRICS) or bool(metrics & _CASUALTIES and _STRIKE_WORDS.search(whole))
    other_war = bool(OTHER_WARS.search(headline)) and not MENTIONS_SIDES.search(headline)
    if is_attack and (other_war or (names_no_event(headline) and not _NIGHT_CUE.search(headline))):
        # "Vinnytsia remembers the 27 killed in the missile strike", "Israel intercepts Iranian drones"
        is_attack = False
    elif not is_attack and not period and not other_war and (MENTIONS_SIDES.search(whole) or not OTHER_WARS.search(whole)):
        # An attack report need state no figure: "Explosions heard in Kyiv, air defence at work".
        is_attack = reports_attack(headline, _opening_sentence(fields))
    if not is_attack:
        work.gate = "the headline frames a period's total" if period else "no figure of an attack and no attack event"
        return _report(article, is_attack=False, confidence=0.8)
    attacker, target = sides.value
    return _report(
        article,
        is_attack=True,
        confidence=_confidence(metrics, article),
        attacker=attacker,
        target=target,
        window=Window(night_of=night.value) if night.value else None,
        figures=tuple(figures),
        weapons=tuple(_weapons(fields, readings, candidates)),
        locations=tuple(_locations(_places(fields, readings), target)),
        record_claims=tuple(_record_claims(fields, readings, usable)),
        separate_wave=bool(_FURTHER_WAVE.search(fields[0].low)),
    )


_TONIGHT_REACH = 120
# "launched from Kursk", "з Брянщини", "из Крыма": a launch site is the attacker's ground, not the target's.
_LAUNCH_SITE = re.compile(r"(?:\bfrom(?: the)?|(?<![\w'])(?:з|із|зі|из|со|с|от|від))\s+(?:\w+\s+)?$")
# Tried only where its literal openings start a word: it scans whole fields of period summaries.
_TONIGHT = WordStartPattern(re.compile(
    r"(?<![\w'])(?:today|tonight|this morning|overnight|last night|early today|сьогодні|цієї ночі|вночі|уночі|сегодня"
    r"|этой ночью|ночью)(?![\w'])"
))


def _near_tonight(f: _Field) -> _Field:
    near = [m.start() for m in _TONIGHT.finditer(f.low)]
    hints = [h for h in f.hints if any(abs(h - t) <= _TONIGHT_REACH for t in near)]
    return _Field(f.name, f.text, f.low, hints)


def _told_as_tonight(low: str, c: Candidate) -> bool:
    """A figure in a period's summary told as this night's or today's: "удар і сьогодні: понад 240 дронів"."""
    return bool(_TONIGHT.finditer(low, max(0, c.start - _TONIGHT_REACH), c.end))


def _opening_sentence(fields: list[_Field]) -> str:
    """The first sentence below the headline (folded), where a report says what happened."""
    below = next((f for f in fields if f.name is not TextField.TITLE), None)
    if below is None:
        return ""
    head = below.low[:_OPENING_SENTENCE_CHARS]
    end = _SENTENCE_BREAK.search(head, 40)
    return head[: end.start() + 1] if end else head


def _within_cap(text: str, work: Work) -> str:
    if len(text) <= MAX_FIELD_CHARS:
        return text
    work.truncated_fields += 1
    return text[:MAX_FIELD_CHARS]


def _field(name: TextField, text: str, opening: str, found: list[int]) -> _Field:
    """The whole field, folded and scanned for attack words, reusing the opening's fold and scan.

    Folding is per character, so the opening's fold is a prefix of the whole fold. The scan resumes at the
    opening's last attack word (no stem is a prefix of another, so the whole scan finds the same one there)
    or, without one, where a word could first straddle the opening's end.
    """
    if len(text) <= len(opening):
        return _Field(name, text, opening, found)
    low = opening + fold(text[len(opening) :])
    resume = found[-1] if found else max(0, len(opening) - LONGEST_HINT)
    return _Field(name, text, low, found[:-1] + attack_hints(low, resume))


def _report(article: Article, **fields: object) -> ExtractionReport:
    first = article.sources[0] if article.sources else None
    return ExtractionReport(
        article_id=article.id,
        article_url=article.url,
        source=first.feed_name if first else "unknown",
        source_kind=first.kind if first else SourceKind.MEDIA,
        language=article.language,
        published_at=article.published_at,
        extractor=EXTRACTOR_VERSION,
        raw_arrived_at=article.fetched_at,
        **fields,  # type: ignore[arg-type]
    )


class _Lazy(Generic[T]):
    """A value computed on first use: articles without candidates never need their window."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._done = False
        self._value: T | None = None

    @property
    def value(self) -> T:
        if not self._done:
            self._value, self._done = self._compute(), True
        return self._value  # type: ignore[return-value]


def _foreign_day(night: _Lazy[date | None]) -> ForeignDate:
    """Any day but this night's (or the evening before, when the wave began) is another attack's; with
    ``strict``, the evening before is too ("On Friday, waves of drones hit Kyiv" in Saturday night's report)."""

    def foreign(day: date, strict: bool = False) -> bool:
        if night.value is None:
            return False
        return day != night.value if strict else day not in (night.value, night.value - timedelta(days=1))

    return foreign


def _rank(candidate: Candidate) -> tuple[int, int, int]:
    return (_WEAKER[candidate.qualifier], _FIELD_ORDER.index(candidate.field), candidate.start)


def _figure(metric: Metric, candidate: Candidate, article_id: str, texts: dict[TextField, str]) -> Figure:
    return Figure(
        metric=metric,
        value=candidate.value,
        qualifier=candidate.qualifier,
        evidence=_evidence(candidate.field, candidate.start, candidate.end, texts),
        article_id=article_id,
    )


def _evidence(field: TextField, start: int, end: int, texts: dict[TextField, str]) -> Evidence:
    return Evidence(field=field, start=start, end=end, text=texts[field][start:end])


def _first(candidates: Iterable[Candidate]) -> Candidate | None:
    return min(candidates, key=_rank, default=None)


def _toll(metric: Metric, found: list[Candidate], article_id: str, texts: dict[TextField, str]) -> Figure:
    """A whole: the largest stated (a toll only grows within an article; regional parts and sub-counts are
    smaller), plus the parts added right after it ("in Kharkiv seven were injured, in Dnipro another three";
    a later "another three were killed in Kyiv" two paragraphs on is a part of a total already given)."""
    running: Candidate | None = None
    added = 0.0
    last_end = 0
    chained = False  # the candidate just before is the figure or a part added to it (not a smaller part)
    for c in sorted(found, key=lambda c: (_FIELD_ORDER.index(c.field), c.start)):
        reach = _SENTENCE_BREAK.search(texts[c.field], last_end, c.start) is None if metric in _WHOLES else c.start - last_end <= _ADD_REACH
        if c.additive and chained and running is not None and c.field is running.field and reach:
            added += c.value
            last_end = c.end
        elif running is None or _outranks(c, running, added, metric in _WHOLES):
            # Equal values: the body's wording ("at least six") is more careful than a headline's ("six killed").
            running, added, last_end, chained = c, 0.0, c.end, True
        else:
            chained = False  # "most of them, 63, over Bryansk; another eight over Yaroslavl": parts of the 90
    assert running is not None
    figure = _figure(metric, running, article_id, texts)
    return figure.model_copy(update={"value": running.value + added}) if added else figure


_LISTED_GAP = 24
# "жінка та двоє її дітей", "a man and two children": what may stand between the adults and the children listed.
_AND = re.compile(r"\s*(?:,\s*)?(?:and|та|і|й|и|with)\s+(?:(?:her|his|their|її|його|їхні|їхніх|ее|его|их)\s+)?", re.IGNORECASE)
_ROUNDED = 1.25  # "almost 500" beside "472": a rounded restatement of one figure, not a larger one


def _outranks(c: Candidate, running: Candidate, added: float, whole: bool) -> bool:
    """Whether ``c`` replaces the figure so far. The larger wins (parts are smaller, tolls only grow); for a
    whole, an exact figure beats a rounder one near it ("472" over "almost 500"), not a far larger one ("more
    than 80 over the country" over "three near Kirishi")."""
    if not whole:
        return c.value >= running.value + added
    looser, tighter = _WEAKER[c.qualifier] > _WEAKER[running.qualifier], _WEAKER[c.qualifier] < _WEAKER[running.qualifier]
    if tighter and running.value <= c.value * _ROUNDED:
        return True
    if looser and c.value <= (running.value + added) * _ROUNDED:
        return False
    return c.value >= running.value + added


def _choose(usable: list[Candidate], article_id: str, texts: dict[TextField, str]) -> list[Figure]:
    numbered = {c.metric for c in usable if not c.singular}
    # A single missile a launch verb governs counts ("launched a ballistic missile"); a single drone only listed
    # with counted launches: reports say "a drone hit a house" of what struck, not of how many were sent.
    usable = [
        c for c in usable
        if not c.singular
        or (c.metric not in numbered and (
            (not c.guessed and (c.thing is Thing.MISSILE or c.action is Action.NEUTRALIZE)) or _listed_with_launches(c, usable)
        ))
    ]
    by_metric: dict[Metric, list[Candidate]] = {}
    for c in _without_echoes(usable):
        if c.metric is not None:
            by_metric.setdefault(c.metric, []).append(c)
        elif c.thing is Thing.DRONE and c.action is Action.SHOT_DOWN:
            # A lone "28 drones were shot down" is the interception figure, competing with the others as a whole;
            # with a lost part beside it, the split below makes the sum.
            by_metric.setdefault(Metric.DRONES_NEUTRALIZED, []).append(c._replace(metric=Metric.DRONES_NEUTRALIZED))
    chosen: dict[Metric, Figure] = {}
    for metric, found in by_metric.items():
        if metric in (Metric.MISSILES_LAUNCHED, Metric.MISSILES_INTERCEPTED):
            continue
        if metric in _CASUALTIES or metric in _WHOLES:
            chosen[metric] = _toll(metric, found, article_id, texts)
        elif pick := _first(found):
            chosen[metric] = _figure(metric, pick, article_id, texts)
    _missiles(by_metric.get(Metric.MISSILES_LAUNCHED, []), chosen, article_id, texts)
    if intercepted := _total(by_metric.get(Metric.MISSILES_INTERCEPTED, []), Metric.MISSILES_INTERCEPTED, article_id, texts):
        chosen[Metric.MISSILES_INTERCEPTED] = intercepted
    _drone_split(usable, chosen, article_id, texts)
    _launch_covers_interception(chosen)
    _aerial_sum(chosen, article_id, texts)
    _casualty_floor(chosen, texts)
    return sorted(chosen.values(), key=lambda f: _METRIC_ORDER[f.metric])


def _without_headline_echoes(candidates: list[Candidate]) -> list[Candidate]:
    """Usable candidates, less a headline's figure that the text below it (summary or body: feeds often carry
    the whole story in the summary) states only as another period's or attack's ("про 150 збитих шахедів"
    over "за півтора року збила понад 150 ударних дронів")."""
    below = [c for c in candidates if c.field is not TextField.TITLE]
    periods = (Reason.CUMULATIVE, Reason.FORECAST)
    ruled_out = {(c.thing, c.value) for c in below if c.excluded in periods} - {(c.thing, c.value) for c in below if c.usable}
    return [c for c in candidates if c.usable and (c.field is not TextField.TITLE or (c.thing, c.value) not in ruled_out)]


def _listed_with_launches(single: Candidate, usable: list[Candidate]) -> bool:
    """An unnumbered weapon is a figure only in a sentence that counts launches ("86 БпЛА та балістичною
    ракетою"); alone ("a Shahed hit a warehouse") it tells what struck, which reports do not count."""
    return any(
        not c.singular and c.action is Action.LAUNCH and c.field is single.field and c.thing is not single.thing
        and single.clause.start <= c.start < single.clause.end
        for c in usable
    )


def _without_echoes(usable: list[Candidate]) -> list[Candidate]:
    """Drop verbless counts that repeat a count stated with a verb under another metric.

    "Міноборони РФ говорять про 164 дрони" echoes "ППО знищила 164 безпілотники": that is the
    same figure again, not a launch.
    """
    stated: dict[tuple[Thing, float], set[Metric | None]] = {}
    for c in usable:
        if not c.guessed:
            stated.setdefault((c.thing, c.value), set()).add(c.metric)
    return [c for c in usable if not (c.guessed and c.metric not in stated.get((c.thing, c.value), {c.metric}))]


def _missiles(found: list[Candidate], chosen: dict[Metric, Figure], article_id: str, texts: dict[TextField, str]) -> None:
    """A plain "11 missiles" is the total; parts by class or model add up when no total is stated."""
    for missile_class, metric in (
        (MissileClass.CRUISE, Metric.CRUISE_MISSILES_LAUNCHED),
        (MissileClass.BALLISTIC, Metric.BALLISTIC_MISSILES_LAUNCHED),
    ):
        # "18 Kh-101 cruise missiles, ..., 2 Iskander-K cruise missiles": one enumeration adds up.
        if parts := _first_run([c for c in found if c.missile_class == missile_class], texts):
            chosen[metric] = _summed(metric, parts, article_id, texts)
    if total := _total(found, Metric.MISSILES_LAUNCHED, article_id, texts):
        chosen[Metric.MISSILES_LAUNCHED] = total


def _total(found: list[Candidate], metric: Metric, article_id: str, texts: dict[TextField, str]) -> Figure | None:
    """A plain "11 missiles" is the total; parts by class or model add up when no total is stated."""
    plain = min((c for c in found if not c.detail), key=lambda c: (_WEAKER[c.qualifier], -c.value, _rank(c)), default=None)
    if plain is not None:
        return _figure(metric, plain, article_id, texts)
    parts = _first_run([c for c in found if c.detail], texts)
    return _summed(metric, parts, article_id, texts) if parts else None


def _first_run(parts: list[Candidate], texts: dict[TextField, str]) -> list[Candidate]:
    """The parts listed in the first sentence that names any: one enumeration.

    A breakdown in brackets ("48 cruise (38 Kh-101, 8 Kalibr, 2 ...) and 2 Kinzhal") restates
    the part before it, so bracketed parts count only when nothing outside brackets does.
    """
    first = _first(parts)
    if first is None:
        return []
    text = texts[first.field]
    run = [first]
    for c in sorted((c for c in parts if c.field is first.field and c.start > first.start), key=lambda c: c.start):
        if _SENTENCE_BREAK.search(text, run[-1].end, c.start):
            break
        run.append(c)
    outside = [c for c in run if not _bracketed(text, first.start, c.start)]
    return outside or run


def _bracketed(text: str, since: int, pos: int) -> bool:
    return text.rfind("(", since, pos) > text.rfind(")", since, pos)


def _summed(metric: Metric, parts: list[Candidate], article_id: str, texts: dict[TextField, str]) -> Figure:
    parts = sorted(parts, key=lambda c: c.start)
    field = parts[0].field
    same_field = [c for c in parts if c.field is field]
    return Figure(
        metric=metric,
        value=sum(c.value for c in parts),
        qualifier=max((c.qualifier for c in parts), key=_WEAKER.__getitem__),
        evidence=_evidence(field, same_field[0].start, same_field[-1].end, texts),
        article_id=article_id,
    )


def _drone_split(usable: list[Candidate], chosen: dict[Metric, Figure], article_id: str, texts: dict[TextField, str]) -> None:
    """Shot down + locationally lost = neutralized; a lone "shot down" is the headline figure.

    ``drones_shot_down`` is reported only with the split: alone it is the same claim as the headline.

    When a "lost" part is reported, the downed count stated right before it is
    the shot-down part whatever its verb ("211 destroyed and 225 lost to EW").
    """
    drones = [c for c in usable if c.thing is Thing.DRONE]
    lost = _first(c for c in drones if c.action is Action.LOST)
    if lost is not None:
        shot = max(
            (c for c in drones if c.action in (Action.SHOT_DOWN, Action.NEUTRALIZE) and c.field is lost.field
             and 0 < lost.start - c.start < _SPLIT_REACH),
            key=lambda c: c.start,
            default=None,
        )
        if shot is not None:
            chosen[Metric.DRONES_SHOT_DOWN] = _figure(Metric.DRONES_SHOT_DOWN, shot, article_id, texts)
            chosen[Metric.DRONES_NEUTRALIZED] = _summed(Metric.DRONES_NEUTRALIZED, [shot, lost], article_id, texts)
            return


def _launch_covers_interception(chosen: dict[Metric, Figure]) -> None:
    """No more can be downed than were launched: a launch figure under the interception figure is a part
    (one region's "eight drones attacked the Voronezh region" beside the ministry's 87 downed), not the whole."""
    for launched, downed in (
        (Metric.DRONES_LAUNCHED, Metric.DRONES_NEUTRALIZED),
        (Metric.MISSILES_LAUNCHED, Metric.MISSILES_INTERCEPTED),
    ):
        if launched in chosen and downed in chosen and chosen[launched].value < chosen[downed].value:
            del chosen[launched]


def _casualty_floor(chosen: dict[Metric, Figure], texts: dict[TextField, str]) -> None:
    """Children are people: "three children were killed" alone means killed 3, and "a woman and her two
    children were killed" (adults and children listed side by side) means 3."""
    for total, part in ((Metric.KILLED, Metric.CHILDREN_KILLED), (Metric.INJURED, Metric.CHILDREN_INJURED)):
        if part not in chosen:
            continue
        if total not in chosen:
            chosen[total] = chosen[part].model_copy(update={"metric": total})
            continue
        adults, children = chosen[total], chosen[part]
        a, c = adults.evidence, children.evidence
        listed = a.field is c.field and 0 <= c.start - a.end <= _LISTED_GAP and _AND.fullmatch(texts[a.field][a.end : c.start])
        if adults.value < children.value or listed:
            chosen[total] = adults.model_copy(update={"value": adults.value + children.value})


def _aerial_sum(chosen: dict[Metric, Figure], article_id: str, texts: dict[TextField, str]) -> None:
    drones, missiles = chosen.get(Metric.DRONES_LAUNCHED), chosen.get(Metric.MISSILES_LAUNCHED)
    if Metric.AERIAL_WEAPONS_LAUNCHED in chosen or drones is None or missiles is None:
        return
    evidence = drones.evidence
    if missiles.evidence.field is evidence.field and missiles.evidence.start > evidence.start:
        # One span over "539 drones and 11 missiles" when they are stated together.
        evidence = _evidence(evidence.field, evidence.start, missiles.evidence.end, texts)
    chosen[Metric.AERIAL_WEAPONS_LAUNCHED] = Figure(
        metric=Metric.AERIAL_WEAPONS_LAUNCHED,
        value=drones.value + missiles.value,
        qualifier=max(drones.qualifier, missiles.qualifier, key=_WEAKER.__getitem__),
        evidence=evidence,
        article_id=article_id,
    )


def _confidence(metrics: set[Metric], article: Article) -> float:
    score = 0.5
    score += 0.2 if metrics & {Metric.DRONES_LAUNCHED, Metric.MISSILES_LAUNCHED, Metric.AERIAL_WEAPONS_LAUNCHED} else 0
    score += 0.1 if metrics & {Metric.DRONES_NEUTRALIZED, Metric.MISSILES_INTERCEPTED} else 0
    score += 0.1 if metrics & _CASUALTIES else 0
    score += 0.05 if article.sources and article.sources[0].kind is not SourceKind.MEDIA else 0
    return round(min(score, 0.95), 2)


def _weapons(
    fields: list[_Field], readings: dict[TextField, FieldReading], candidates: list[Candidate]
) -> Iterable[WeaponCount]:
    """Model-level counts, only from counts that were not ruled out as another attack's."""
    ruled_out = [c for c in candidates if not c.usable]
    seen: set[str] = set()
    for f in fields:
        reading = readings[f.name]
        mentions = [m for span in reading.sentences for m in find_models(f.low, span.start, span.end)]
        for mention in mentions:
            count = count_for(mention, reading.counts, f.low)
            if count is None or mention.model in seen or any(
                c.field is f.name and c.start <= count.number_start < c.end for c in ruled_out
            ):
                continue
            count = qualified(f.low, count)
            seen.add(mention.model)
            yield WeaponCount(
                model=mention.model,
                value=count.value,
                qualifier=count.qualifier,
                evidence=Evidence(field=f.name, start=count.start, end=mention.end, text=f.text[count.start : mention.end]),
            )


def _places(
    fields: list[_Field], readings: dict[TextField, FieldReading] | None = None
) -> list[tuple[_Field, PlaceMention]]:
    """Places named in the text; past the lead, only in sentences that speak of attacks (long pages
    go on about other things, and the gazetteer scan is one of the costlier steps)."""
    found = []
    for f in fields:
        lead = Span(0, min(len(f.text), _PLACES_LEAD_CHARS))
        later = [s for s in readings[f.name].sentences if s.start >= lead.end] if readings else []
        for span in (lead, *later) if readings else (Span(0, len(f.text)),):
            for mention in find_places(f.text[span.start : span.end]):
                found.append((f, PlaceMention(mention.place, mention.start + span.start, mention.end + span.start)))
    return found


def _locations(places: list[tuple[_Field, PlaceMention]], target: str) -> Iterable[Location]:
    """Places in the target country; launch sites and the attacker's own towns are not hit."""
    seen: set[tuple[str, str]] = set()
    for f, mention in places:
        place = mention.place
        key = (place.name, place.iso3166_2)
        if place.country != target or key in seen:
            continue
        seen.add(key)
        yield Location(
            name=place.name,
            iso3166_2=place.iso3166_2,
            lat=place.lat,
            lon=place.lon,
            evidence=Evidence(field=f.name, start=mention.start, end=mention.end, text=f.text[mention.start : mention.end]),
        )


def _record_claims(
    fields: list[_Field], readings: dict[TextField, FieldReading], usable: list[Candidate]
) -> list[RecordClaim]:
    """A record word names the figure in its clause (or right after it); "largest attack" alone names none."""
    claims: dict[Metric | None, RecordClaim] = {}
    for f in fields:
        spans = readings[f.name].sentences
        # Every record word holds a stem, and is looked for only in these sentences: a page without one is passed.
        read = "\n".join(f.low[span.start : span.end] for span in spans)
        if not any(stem in read for stem in _RECORD_STEMS):
            continue
        for m in (m for span in spans for m in _RECORD.finditer(f.low, span.start, span.end)):
            if _NOT_THIS_RECORD.search(f.low, max(0, m.start() - 30), m.start()):
                continue
            near = [
                c for c in usable
                if c.field is f.name and c.metric is not None
                and (c.clause.start <= m.start() <= c.clause.end or 0 <= c.start - m.end() <= 60)
            ]
            pick = min(near, key=lambda c: abs(c.start - m.start()), default=None)
            metric = pick.metric if pick else None
            evidence = Evidence(field=f.name, start=m.start(), end=m.end(), text=f.text[m.start() : m.end()])
            claims.setdefault(metric, RecordClaim(metric=metric, evidence=evidence))
    if len(claims) > 1:
        claims.pop(None, None)
    return list(claims.values())
