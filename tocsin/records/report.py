"""Per-article extraction reports: what one article says about one attack."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from tocsin.records.article import SourceKind
from tocsin.records.base import Model, Record, UtcDatetime, WebUrl


class Metric(StrEnum):
    """Event figures, by their wire names (shared/spec/attack-events.md)."""

    DRONES_LAUNCHED = "drones_launched"
    DRONES_NEUTRALIZED = "drones_neutralized"
    DRONES_SHOT_DOWN = "drones_shot_down"
    MISSILES_LAUNCHED = "missiles_launched"
    MISSILES_INTERCEPTED = "missiles_intercepted"
    CRUISE_MISSILES_LAUNCHED = "cruise_missiles_launched"
    BALLISTIC_MISSILES_LAUNCHED = "ballistic_missiles_launched"
    AERIAL_WEAPONS_LAUNCHED = "aerial_weapons_launched"
    KILLED = "killed"
    INJURED = "injured"
    CHILDREN_KILLED = "children_killed"
    CHILDREN_INJURED = "children_injured"
    DURATION_HOURS = "duration_hours"


class Qualifier(StrEnum):
    EXACT = "exact"
    AT_LEAST = "at_least"
    ABOUT = "about"
    MORE_THAN = "more_than"
    UP_TO = "up_to"


class TextField(StrEnum):
    TITLE = "title"
    SUMMARY = "summary"
    BODY = "body"


class Evidence(Model):
    """Where in the article a claim was read: ``text[start:end]`` of ``field``."""

    field: TextField
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Figure(Model):
    metric: Metric
    value: float
    qualifier: Qualifier = Qualifier.EXACT
    evidence: Evidence
    article_id: str


class WeaponCount(Model):
    model: str
    value: float
    qualifier: Qualifier = Qualifier.EXACT
    evidence: Evidence


class Location(Model):
    name: str
    iso3166_2: str | None = None
    lat: float | None = None
    lon: float | None = None
    evidence: Evidence | None = None


class RecordClaim(Model):
    metric: Metric | None
    evidence: Evidence


class Window(Model):
    """The attack's time span; ``night_of`` is the local date the wave ended."""

    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    night_of: date


class ExtractionReport(Record):
    SCHEMA = "tocsin.report"
    VERSION = 2
    READS_OLDER = (1,)  # v1 had no separate_wave

    article_id: str
    article_url: WebUrl = None
    source: str
    source_kind: SourceKind = SourceKind.MEDIA
    language: str | None = None
    published_at: UtcDatetime | None = None
    is_attack: bool
    confidence: float = Field(ge=0.0, le=1.0)
    attacker: str | None = None
    target: str | None = None
    window: Window | None = None
    figures: tuple[Figure, ...] = ()
    weapons: tuple[WeaponCount, ...] = ()
    locations: tuple[Location, ...] = ()
    record_claims: tuple[RecordClaim, ...] = ()
    extractor: str
    raw_arrived_at: UtcDatetime | None = None
    # The article itself says this is a further wave of the night ("a second attack", "another wave"):
    # the merge stage's only text cue that one night holds two attacks.
    separate_wave: bool = False

    @property
    def mergeable(self) -> bool:
        """An attack with both sides named: what the merge stage takes (it is keyed by attacker>target)."""
        return self.is_attack and bool(self.attacker and self.target)

    def figure(self, metric: Metric) -> Figure | None:
        return next((f for f in self.figures if f.metric is metric), None)
