"""The deliverer SIGKILLed mid-retry and started again: nothing lost, nothing doubled."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

import pytest

from support.daemon import Daemon, isolated_config, write_config
from support.webhooks import SECRET, SignedReceiver, alerts, eventually, publish_alerts

pytestmark = pytest.mark.integration

N = 5


async def test_sigkill_mid_retry_resumes_without_loss_or_duplicates(tmp_path: Path, kafka_bootstrap: str) -> None:
    steady, down = SignedReceiver(), SignedReceiver(status=503)
    async with steady, down:
        config = isolated_config(tmp_path, kafka_bootstrap, webhooks={
            "retry_schedule_seconds": [0, 0.3], "retry_jitter": 0.1, "max_attempts": 100,
            "breaker_failures": 1000, "allow_private_addresses": True,
            "endpoints": [
                {"name": "steady", "url": steady.url, "secret": SECRET},
                {"name": "down", "url": down.url, "secret": SECRET},
            ],
        })
        prefix = config["kafka"]["topics"]["prefix"]
        config_file = write_config(tmp_path / "tocsin.toml", config)
        run = uuid.uuid4().hex[:8]
        sent = alerts(run, N)
        ids = {a.alert_id for a in sent}

        first = Daemon(config_file, "deliver")
        await first.start()
        try:
            await first.wait_ready()
            await publish_alerts(kafka_bootstrap, prefix, sent)

            async def steady_recorded() -> bool:
                metrics = await first.metrics()
                return metrics.get('tocsin_alerts_delivered_total{endpoint="steady",outcome="delivered"}') == N

            # Killed once "steady" has every alert on record and "down" is retrying all of them.
            await eventually(steady_recorded, "steady's deliveries to be recorded", first)
            await eventually(lambda: all(down.attempted(i) >= 2 for i in ids), "retries to the down receiver", first)
        finally:
            first.process.kill()  # type: ignore[union-attr]
            await first.process.wait()  # type: ignore[union-attr]
        assert down.delivered == []

        down.status = 200
        second = Daemon(config_file, "deliver")
        await second.start()
        try:
            await second.wait_ready()
            await eventually(lambda: set(down.delivered) == ids, "the resumed deliveries", second)
            # A later alert goes behind the resumed ones: once it is in, any repeat would be too.
            (marker,) = alerts(run + "m", 1)
            await publish_alerts(kafka_bootstrap, prefix, [marker])
            await eventually(lambda: marker.alert_id in steady.delivered and marker.alert_id in down.delivered, "the marker alert", second)
        finally:
            code = await second.stop(signal.SIGTERM)
        assert code == 0, second.logs()
        assert sorted(steady.delivered) == sorted(ids | {marker.alert_id})
        assert sorted(down.delivered) == sorted(ids | {marker.alert_id})
        assert steady.bad_signatures == down.bad_signatures == 0
