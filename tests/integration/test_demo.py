"""`make demo` keeps its promise: alerts arrive at the local receiver, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "run_demo.py"


def test_demo_delivers_its_alerts_and_stops_cleanly() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO), "--timeout", "150"], capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL
    )
    alerts = [line for line in done.stdout.splitlines() if line.startswith("demo: ALERT")]
    assert done.returncode == 0, done.stdout + done.stderr[-5000:]
    assert len(alerts) == 3
    assert any("massive-drone-attack" in a and "drones_launched = 539" in a for a in alerts)
