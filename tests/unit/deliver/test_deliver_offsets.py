from __future__ import annotations

from streams.deliver.offsets import CommitTracker


def test_an_offset_waits_for_every_delivery_it_started() -> None:
    t = CommitTracker()
    t.consumed(0, 10, deliveries=2)
    t.consumed(0, 11, deliveries=1)
    t.consumed(0, 12, deliveries=0)
    assert t.committable() == {0: 10}
    t.committed({0: 10})
    t.recorded(0, 11)
    t.recorded(0, 10)
    assert t.committable() == {}  # offset 10 still has one delivery without a record
    t.recorded(0, 10)
    assert t.committable() == {0: 13}
    t.committed({0: 13})
    assert t.committable() == {}


def test_partitions_are_independent_and_forgotten_on_revocation() -> None:
    t = CommitTracker()
    t.consumed(0, 5, deliveries=1)
    t.consumed(1, 7, deliveries=0)
    assert t.committable() == {0: 5, 1: 8}
    t.forget({0})
    t.recorded(0, 5)  # a late record for a revoked partition is ignored
    assert t.committable() == {1: 8}
