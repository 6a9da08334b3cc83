"""Which alert offsets may be committed. Pure.

An alert's offset is committable once every delivery it started has a state
on record (delivered, retrying or dead). Until then the uncommitted offset is
what keeps a first attempt durable: a restart reads the alert again.
"""

from __future__ import annotations

from collections import Counter


class CommitTracker:
    def __init__(self) -> None:
        self._unrecorded: dict[int, Counter[int]] = {}
        self._next: dict[int, int] = {}
        self._committed: dict[int, int] = {}

    def consumed(self, partition: int, offset: int, deliveries: int) -> None:
        self._next[partition] = offset + 1
        if deliveries:
            self._unrecorded.setdefault(partition, Counter())[offset] += deliveries

    def recorded(self, partition: int, offset: int) -> None:
        waiting = self._unrecorded.get(partition)
        if waiting is None or offset not in waiting:
            return  # the partition was revoked meanwhile
        waiting[offset] -= 1
        if waiting[offset] <= 0:
            del waiting[offset]

    def committable(self) -> dict[int, int]:
        """Per partition, the next offset to commit, where it moved on since the last commit."""
        ready = {}
        for partition, following in self._next.items():
            waiting = self._unrecorded.get(partition)
            target = min(waiting) if waiting else following
            if target > self._committed.get(partition, -1):
                ready[partition] = target
        return ready

    def committed(self, offsets: dict[int, int]) -> None:
        self._committed.update(offsets)

    def forget(self, partitions: set[int]) -> None:
        for partition in partitions:
            self._unrecorded.pop(partition, None)
            self._next.pop(partition, None)
            self._committed.pop(partition, None)
