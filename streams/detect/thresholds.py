"""User threshold rules against an event revision. Pure."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable

from tocsin.records import AttackEvent
from tocsin.settings import Comparison, ThresholdRule

_COMPARE: dict[Comparison, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


def matching_rules(event: AttackEvent, rules: Iterable[ThresholdRule]) -> list[ThresholdRule]:
    return [rule for rule in rules if _matches(event, rule)]


def _matches(event: AttackEvent, rule: ThresholdRule) -> bool:
    if rule.attacker and rule.attacker != event.attacker:
        return False
    if rule.target and rule.target != event.target:
        return False
    value = event.value(rule.metric)
    return value is not None and _COMPARE[rule.op](value, rule.value)
