from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from support.net import free_ports
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Apache Kafka for the whole session: the cluster named by
    TOCSIN_TEST_KAFKA_BOOTSTRAP, else a local broker stopped at the end
    (and, being attached, killed with pytest should pytest itself die)."""
    existing = os.environ.get("TOCSIN_TEST_KAFKA_BOOTSTRAP")
    if existing:
        yield existing
        return
    port, controller_port = free_ports(2)
    config = LocalBrokerConfig(port=port, controller_port=controller_port, data_dir=tmp_path_factory.mktemp("kafka"))
    with LocalBroker(config) as broker:
        yield broker.bootstrap
