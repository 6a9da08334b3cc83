"""A stop that cannot finish cleanly (Kafka gone) still ends the process, at its deadline."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from support.daemon import Daemon, isolated_config, write_config
from support.net import free_ports

from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig


async def test_sigterm_with_kafka_gone_still_ends_the_daemon(tmp_path: Path) -> None:
    # Its own broker, to take away under a running daemon.
    port, controller = free_ports(2)
    broker = LocalBroker(LocalBrokerConfig(port=port, controller_port=controller, data_dir=tmp_path / "kafka"))
    broker.start()
    config = isolated_config(tmp_path, broker.bootstrap)
    config["shutdown_timeout_seconds"] = 2.0
    daemon = Daemon(write_config(tmp_path / "tocsin.toml", config), "run")
    try:
        await daemon.start()
        await daemon.wait_ready()
    finally:
        await asyncio.to_thread(broker.stop)
    # Without a deadline the worker's stop waits on Kafka for ever (its commits and flushes cannot
    # complete); Daemon.stop fails the test if the process outlives the generous timeout.
    code = await daemon.stop(signal.SIGTERM, timeout=120)
    assert code == 0 or (code == 1 and "graceful stop overran its deadline" in daemon.logs()), daemon.logs()
