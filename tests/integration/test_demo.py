"""`make demo` keeps its promise: alerts arrive at the local receiver, offline, and
the first run shows a record alert naming the record it broke, from the bundled history."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "run_demo.py"


def test_demo_shows_a_record_alert_with_the_previous_record_and_logs_no_error() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO), "--timeout", "150"], capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL
    )
    alerts = [line for line in done.stdout.splitlines() if line.startswith("demo: ALERT")]
    assert done.returncode == 0, done.stdout + done.stderr[-5000:]
    assert len(alerts) == 5, done.stdout
    assert any("massive-drone-attack" in a and "drones_launched = 539" in a for a in alerts)
    assert any(a.startswith("demo: ALERT") and "record drones_launched" in a and "= 539" in a and "previous record 479 on 2025-06-09" in a for a in alerts)
    assert any("record aerial_weapons_launched" in a and "= 550" in a and "previous record 537 on 2025-06-29" in a for a in alerts)
    assert "the page: http://127.0.0.1:19465/" in done.stdout
    errors = [line for line in done.stderr.splitlines() if '"level": "error"' in line or " [error    ]" in line]
    assert not errors, "\n".join(errors)
