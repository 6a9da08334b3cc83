"""Kafka keys and partitions that keep each attack, and each record scope, in order.

Reports are keyed by the pair ``attacker>target``: every report of one attack
(and of the nights around it, which merging compares against) lands on one
partition, so the merge stage sees them in order. Events stay keyed by event
id on the compacted events topic, but are *routed* to the partition of their
record scope (the target country), so one detect agent sees every event of a
scope in order and owns that scope's record history.
"""

from __future__ import annotations

from aiokafka.partitioner import murmur2

from tocsin.records import AttackEvent, ExtractionReport


def pair_key(report: ExtractionReport) -> str:
    return f"{report.attacker}>{report.target}"


def record_scope(event: AttackEvent) -> str:
    """Record scope (spec default): the target country."""
    return event.target


def partition_for(key: str, partitions: int) -> int:
    """Kafka's default partitioner (murmur2, positive, modulo), so keyed and routed sends agree."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions
