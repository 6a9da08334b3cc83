"""The local Kafka 4.0.2 broker really starts, serves clients, and never outlives its owner.

Jars come from the default shared cache, so Maven runs at most once per machine.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from support.net import free_ports
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig
from tocsin.kafka.exceptions import BrokerError

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _config(data_dir: Path) -> LocalBrokerConfig:
    port, controller_port = free_ports(2)
    return LocalBrokerConfig(port=port, controller_port=controller_port, data_dir=data_dir)


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while Path(f"/proc/{pid}").exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    with LocalBroker(_config(tmp_path / "kafka")) as running:
        yield running


async def test_produce_consume_status_and_stop(broker: LocalBroker) -> None:
    status = broker.status()
    assert status.running and status.pid is not None
    assert status.bootstrap == broker.bootstrap == f"127.0.0.1:{broker.config.port}"
    pid = status.pid

    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"siren", key=b"k")
    finally:
        await producer.stop()

    # A consumer group exercises the group coordinator and __consumer_offsets (RF 1).
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id="smoke", auto_offset_reset="earliest")
    await consumer.start()
    try:
        record = await consumer.getone()
        await consumer.commit()
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"k", b"siren")

    # Another handle on the same data dir reuses the running broker instead of failing on its ports.
    LocalBroker(broker.config).start()
    assert broker.status().pid == pid

    broker.stop()
    assert _gone(pid, within=1.0)
    after = broker.status()
    assert not after.running and after.pid is None
    assert not (broker.config.data_dir / "broker.pid").exists()


def test_port_in_use_is_refused_and_named(tmp_path: Path) -> None:
    config = _config(tmp_path / "kafka")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", config.port))
        squatter.listen()
        with pytest.raises(BrokerError, match=rf"127\.0\.0\.1:{config.port} \(port\)"):
            LocalBroker(config).start()
    assert not (config.data_dir / "broker.pid").exists()


def test_attached_broker_dies_with_sigkilled_owner(tmp_path: Path) -> None:
    config = _config(tmp_path / "kafka")
    owner_code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig
        broker = LocalBroker(LocalBrokerConfig(port={config.port}, controller_port={config.controller_port},
                                               data_dir=Path({str(config.data_dir)!r})))
        broker.start(attached=True)
        print(broker.status().pid, flush=True)
        time.sleep(600)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    owner = subprocess.Popen([sys.executable, "-c", owner_code], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert owner.stdout is not None
        pid = int(owner.stdout.readline())
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        # PDEATHSIG delivers SIGTERM; Kafka's clean shutdown then takes a few seconds.
        assert _gone(pid, within=30.0)
    finally:
        owner.kill()
        # Never leave a JVM behind, even if the assertion above failed.
        LocalBroker(config).stop(timeout=5.0)
