from __future__ import annotations

import json
import logging

import pytest
from aiokafka.errors import GroupAuthorizationFailedError, GroupCoordinatorNotAvailableError

from tocsin.observability.logs import configure_logging
from tocsin.settings import LoggingSettings


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_a_retried_coordinator_lookup_is_a_warning_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LoggingSettings(level="info", format="json"))
    coordinator = logging.getLogger("aiokafka.consumer.group_coordinator")
    coordinator.error("Group Coordinator Request failed: %s", GroupCoordinatorNotAvailableError())
    coordinator.error("Group Coordinator Request failed: %s", GroupAuthorizationFailedError())
    first, second = lines(capsys)
    assert first["level"] == "warning" and "GroupCoordinatorNotAvailableError" in str(first["event"])
    assert second["level"] == "error"  # not retried: still an error
