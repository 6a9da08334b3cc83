"""User threshold rules against an event revision, and their cool-down. Pure."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from tocsin.records import AttackEvent, Metric
from tocsin.settings import Comparison, ThresholdRule, WeaponClass

_COMPARE: dict[Comparison, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_WEAPON_METRIC: dict[WeaponClass, Metric] = {
    "drone": Metric.DRONES_LAUNCHED,
    "missile": Metric.MISSILES_LAUNCHED,
    "cruise_missile": Metric.CRUISE_MISSILES_LAUNCHED,
    "ballistic_missile": Metric.BALLISTIC_MISSILES_LAUNCHED,
}


def matching_rules(event: AttackEvent, rules: Iterable[ThresholdRule]) -> list[ThresholdRule]:
    return [rule for rule in rules if _matches(event, rule)]


def event_time(event: AttackEvent) -> datetime:
    """When the attack was first reported: the clock cool-downs run on, so a replay decides as live did."""
    published = [s.published_at for s in event.sources if s.published_at is not None]
    return min(published, default=event.updated_at)


def cooled_down(rule: ThresholdRule, last_fired: datetime | None, now: datetime) -> bool:
    if rule.cooldown_hours is None or last_fired is None:
        return True
    return now - last_fired >= timedelta(hours=rule.cooldown_hours)


def _matches(event: AttackEvent, rule: ThresholdRule) -> bool:
    if rule.attacker and rule.attacker != event.attacker:
        return False
    if rule.target and rule.target != event.target:
        return False
    if rule.oblast and not any(loc.iso3166_2 == rule.oblast for loc in event.locations):
        return False
    if rule.city and not any(loc.name.casefold() == rule.city.casefold() for loc in event.locations):
        return False
    if rule.weapon_class and not (event.value(_WEAPON_METRIC[rule.weapon_class]) or 0) > 0:
        return False
    value = event.value(rule.metric)
    return value is not None and _COMPARE[rule.op](value, rule.value)
