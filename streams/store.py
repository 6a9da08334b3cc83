"""The tables' RocksDB store, made to fail loudly and to heal.

Faust's store lets a failed write pass unnoticed by the stream: the agent's
exception ends the iteration and Faust acks the message anyway, and once
RocksDB has met an I/O error (a full disk) it refuses every later write until
the database is reopened. Here a failed read or write raises
:class:`StateStoreError` (which ``Pipeline.durably`` retries before the message
may be acked), closes that partition's database so the next use reopens it
once the fault has cleared, and marks the partition failing until a write to
it succeeds again: what the worker's readiness reports.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

import structlog
from faust.stores import STORES, rocksdb
from faust.streams import current_event
from faust.types import TP

from tocsin.errors import TocsinError

log = structlog.get_logger(__name__)

T = TypeVar("T")

STORE_URL = "tocsin://"


class StateStoreError(TocsinError):
    """A table's local store could not read or write (full disk, I/O error)."""


class HealingStore(rocksdb.Store):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failing: set[int] = set()

    def _set(self, key: bytes, value: bytes | None) -> None:
        partition = self._event_partition()
        self._guard(partition, lambda: super(HealingStore, self)._set(key, value))
        self.failing.discard(partition)

    def _del(self, key: bytes) -> None:
        partition = self._event_partition()
        self._guard(partition, lambda: super(HealingStore, self)._del(key))
        self.failing.discard(partition)

    def _get(self, key: bytes) -> bytes | None:
        return self._guard(self._event_partition(), lambda: super(HealingStore, self)._get(key))

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        # Called back once a changelog record is acknowledged. Losing one only means a
        # longer changelog replay at the next start, so it is not worth failing a callback.
        try:
            self._guard(tp.partition, lambda: super(HealingStore, self).set_persisted_offset(tp, offset))
        except StateStoreError:
            pass

    def revoke_partitions(self, table: Any, tps: set[TP]) -> None:
        super().revoke_partitions(table, tps)
        self.failing -= {tp.partition for tp in tps}

    def _event_partition(self) -> int:
        event = current_event()
        return -1 if event is None else event.message.partition

    def _guard(self, partition: int, op: Callable[[], T]) -> T:
        try:
            return op()
        except StateStoreError:
            raise
        except Exception as exc:  # rocksdict raises bare Exception for every RocksDB status
            if partition >= 0 and partition not in self.failing:  # one line per partition and outage
                log.error("table store failed", table=self.table_name, partition=partition, error=str(exc))
                self.failing.add(partition)
            db = self._dbs.pop(partition, None)
            if db is not None:
                with suppress(Exception):  # closing a failed database reports its error again
                    db.close()
            raise StateStoreError(f"table {self.table_name} partition {partition}: {exc}") from exc


def writable(app: Any) -> bool:
    """No table partition of the app is waiting for its store to take writes again."""
    return not any(isinstance(t.data, HealingStore) and t.data.failing for t in app.tables.values())


STORES.aliases.setdefault(STORE_URL.removesuffix("://"), f"{__name__}:HealingStore")
