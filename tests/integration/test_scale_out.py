"""Scale-out on the real broker: two worker processes of one app share every stage's
partitions; one is SIGKILLed mid-stream, the other takes its partitions over, and
every alert reaches the receiver exactly once."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from test_events import publish_articles
from test_faults import failover_config, night, owned_partitions

from support.daemon import Daemon, write_config
from support.net import free_ports
from support.servers import WebhookReceiver
from support.streams import eventually, read_topic
from tocsin.records import Alert

pytestmark = [
    pytest.mark.integration,
    # Known defect, issue 17/20 (2026-12-03): after the victim dies, the survivor's stages each take
    # one or two messages of the new assignment and then stall (2 of 3 runs on the 2-core machine at
    # load 2-4; 1 of 3 before the extract stage acked on output). Not understood yet: the stages ack
    # manually (Pipeline.each) across a rebalance. Kept as the reproduction: remove the mark to run it.
    pytest.mark.skip(reason="known stall after a rebalance with two workers (issues 17, 20); run by removing this mark"),
]

PARTITIONS = 4
NIGHTS = 12


async def test_two_workers_one_killed_mid_stream_deliver_every_alert_once(tmp_path: Path, kafka_bootstrap: str) -> None:
    async with WebhookReceiver() as receiver:
        config = failover_config(tmp_path, kafka_bootstrap, receiver.url)
        config["kafka"]["topics"]["partitions"] = PARTITIONS
        prefix = config["kafka"]["topics"]["prefix"]
        workers = []
        for n in range(2):
            metrics, api = free_ports(2)
            own = {**config, "data_dir": str(tmp_path / f"state-{n}"), "metrics": {**config["metrics"], "port": metrics},
                   "api": {**config["api"], "port": api}}
            workers.append(Daemon(write_config(tmp_path / f"worker-{n}.toml", own), "worker"))
        survivor, victim = workers
        try:
            for worker in workers:
                await worker.start()
            for worker in workers:
                await worker.wait_ready()

            async def shared() -> bool:
                # Both members hold part of every stage's topic: the group spread the work.
                owned = [[await owned_partitions(w, f"{prefix}.{t}") for t in ("articles", "reports", "events")] for w in workers]
                return all(all(parts) for parts in owned)

            await eventually(shared, 90, "both workers to own partitions of every stage", survivor)
            await publish_articles(kafka_bootstrap, f"{prefix}.articles", [night(d) for d in range(1, NIGHTS // 2 + 1)], tmp_path)
            await eventually(lambda: delivered(receiver, NIGHTS // 2), 60, "the first half's alerts", survivor)
            # The second half is on its way through both workers when one of them dies.
            await publish_articles(kafka_bootstrap, f"{prefix}.articles", [night(d) for d in range(NIGHTS // 2 + 1, NIGHTS + 1)], tmp_path)
            victim.process.kill()  # type: ignore[union-attr]
            await victim.process.wait()  # type: ignore[union-attr]

            async def owns_all() -> bool:
                return await owned_partitions(survivor, f"{prefix}.articles") == {str(p) for p in range(PARTITIONS)}

            await eventually(owns_all, 60, "the survivor to own every partition", survivor)
            await eventually(lambda: delivered(receiver, NIGHTS), 90, "every alert", survivor)
            ids = [h["webhook-id"] for h in receiver.headers]
            assert len(ids) == len(set(ids)) == NIGHTS, ids  # none lost, none doubled
            raised = {Alert.from_bytes(value).alert_id for _, value in await read_topic(kafka_bootstrap, f"{prefix}.alerts")}
            assert len(raised) == NIGHTS, raised  # one alert id per night, however often redelivery re-published it
        finally:
            await survivor.stop(signal.SIGTERM)


async def delivered(receiver: WebhookReceiver, n: int) -> bool:
    return len(receiver.received) >= n
