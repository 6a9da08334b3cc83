"""One article in, one ExtractionReport out: picks a figure per metric from the candidates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from datetime import date, timedelta

from streams.extract.context import Reason, period_summary
from streams.extract.figures import Candidate, FieldReading, ForeignDate, MissileClass, read_field
from streams.extract.lexicon import LONGEST_HINT, Action, Thing, attack_hints
from streams.extract.locations import PlaceMention, find_places
from streams.extract.numbers import Count, qualified
from streams.extract.parties import MENTIONS_SIDES, OTHER_WARS, attacker_target
from streams.extract.text import Span, fold
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
_SPLIT_REACH = 160  # characters from a shot-down part to the lost part that completes it
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
_WEAKER = {Qualifier.EXACT: 0, Qualifier.AT_LEAST: 1, Qualifier.MORE_THAN: 1, Qualifier.ABOUT: 2, Qualifier.UP_TO: 3}


@dataclass(frozen=True, slots=True)
class _Field:
    name: TextField
    text: str
    low: str
    hints: list[int]  # where attack words start in ``low``


def extract(article: Article) -> ExtractionReport:
    """Read one article. Pure: same article, same report."""
    texts = [(name, text) for name, text in zip(_FIELD_ORDER, (article.title, article.summary, article.body)) if text]
    # An attack report says so in its opening: most pages are dismissed on that alone, before the full read.
    openings = [fold(text[:_OPENING_CHARS]) for _, text in texts]
    opening_hints = [attack_hints(low) for low in openings]
    if not any(opening_hints):
        return _report(article, is_attack=False, confidence=0.95)
    fields = [_field(name, text, low, found) for (name, text), low, found in zip(texts, openings, opening_hints)]
    whole = "\n".join(f.low for f in fields)
    if not MENTIONS_SIDES.search(whole) and OTHER_WARS.search(whole) and not _places(fields):
        return _report(article, is_attack=False, confidence=0.9)
    lead = "\n".join(f.low[:_LEAD_CHARS] for f in fields)
    # Decided before the costly read, since no figure could make these an attack: a headline framed as a
    # period's total, and the General Staff's daily front-line report (counts of a day's fighting, not one wave).
    if not _NIGHT_CUE.search(fields[0].low) and period_summary(fields[0].low):
        return _report(article, is_attack=False, confidence=0.8)
    if _FRONT_LINE_SUMMARY.search(lead, 0, _FRONT_LINE_REACH):
        return _report(article, is_attack=False, confidence=0.8)
    night = _Lazy(lambda: night_of(lead, article.published_at))
    published = local_date(article.published_at)
    readings = {f.name: read_field(f.low, f.text, f.name, f.hints, published, _foreign_day(night)) for f in fields}
    candidates = [c for reading in readings.values() for c in reading.candidates]
    usable = _without_headline_echoes(candidates)
    figures = _choose(usable, article.id, {f.name: f.text for f in fields})
    metrics = {f.metric for f in figures}
    is_attack = bool(metrics & _ATTACK_METRICS) or bool(metrics & _CASUALTIES and _STRIKE_WORDS.search(whole))
    if not is_attack:
        return _report(article, is_attack=False, confidence=0.8)
    attacker, target = attacker_target(lead)
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
    """Any day but this night's (or the evening before, when the wave began) is another attack's."""

    def foreign(day: date) -> bool:
        return night.value is not None and day not in (night.value, night.value - timedelta(days=1))

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
    """A casualty figure: the largest stated (a toll only grows within an article; regional parts are smaller),
    plus the parts added to it ("in Kharkiv seven were injured, in Dnipro another three")."""
    running: Candidate | None = None
    added = 0.0
    for c in sorted(found, key=lambda c: (_FIELD_ORDER.index(c.field), c.start)):
        if c.additive and running is not None and c.field is running.field:
            added += c.value
        elif running is None or c.value >= running.value + added:
            # Equal values: the body's wording ("at least six") is more careful than a headline's ("six killed").
            running, added = c, 0.0
    assert running is not None
    figure = _figure(metric, running, article_id, texts)
    return figure.model_copy(update={"value": running.value + added}) if added else figure


def _choose(usable: list[Candidate], article_id: str, texts: dict[TextField, str]) -> list[Figure]:
    numbered = {c.metric for c in usable if not c.singular}
    usable = [c for c in usable if not c.singular or (c.metric not in numbered and _listed_with_launches(c, usable))]
    by_metric: dict[Metric, list[Candidate]] = {}
    for c in _without_echoes(usable):
        if c.metric is not None:
            by_metric.setdefault(c.metric, []).append(c)
    chosen: dict[Metric, Figure] = {}
    for metric, found in by_metric.items():
        if metric in (Metric.MISSILES_LAUNCHED, Metric.MISSILES_INTERCEPTED):
            continue
        if metric in _CASUALTIES:
            chosen[metric] = _toll(metric, found, article_id, texts)
        elif pick := _first(found):
            chosen[metric] = _figure(metric, pick, article_id, texts)
    _missiles(by_metric.get(Metric.MISSILES_LAUNCHED, []), chosen, article_id, texts)
    if intercepted := _total(by_metric.get(Metric.MISSILES_INTERCEPTED, []), Metric.MISSILES_INTERCEPTED, article_id, texts):
        chosen[Metric.MISSILES_INTERCEPTED] = intercepted
    _drone_split(usable, chosen, article_id, texts)
    _aerial_sum(chosen, article_id, texts)
    _casualty_floor(chosen)
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
    plain = _first(c for c in found if not c.detail)
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
    shot = _first(c for c in drones if c.action is Action.SHOT_DOWN)
    if shot is not None and Metric.DRONES_NEUTRALIZED not in chosen:
        chosen[Metric.DRONES_NEUTRALIZED] = _figure(Metric.DRONES_NEUTRALIZED, shot, article_id, texts)


def _casualty_floor(chosen: dict[Metric, Figure]) -> None:
    """Children are people: "three children were killed" alone means killed 3."""
    for total, part in ((Metric.KILLED, Metric.CHILDREN_KILLED), (Metric.INJURED, Metric.CHILDREN_INJURED)):
        if part in chosen and total not in chosen:
            chosen[total] = chosen[part].model_copy(update={"metric": total})


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
