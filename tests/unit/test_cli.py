"""The real `tocsin` executable refuses bad configuration with one clear line."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from support.daemon import TOCSIN


def run_tocsin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TOCSIN, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[kafka]\nbootstrap_server = ['k:9092']\n", "kafka.bootstrap_server: unknown key"),
        ("[[feeds.sources]]\nurl = 'htp:/broken'\n", "feeds.sources.0.url:"),
    ],
)
def test_bad_config_exits_non_zero_with_one_line(tmp_path: Path, toml: str, expected: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    done = run_tocsin("--config", str(config), "run")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr
    assert done.stderr.startswith("tocsin: config error:")


def test_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "tocsin.toml"
        config.write_text(f"[metrics]\nport = {port}\n[kafka]\nbootstrap_servers = ['127.0.0.1:1']\n")
        done = run_tocsin("--config", str(config), "run")
    assert done.returncode == 2
    assert f"metrics.port: 127.0.0.1:{port} is not free" in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_help_works_everywhere() -> None:
    for command in ([], ["run"], ["poll"], ["worker"], ["kafka"], ["kafka", "start"], ["topics"], ["extract"]):
        done = run_tocsin(*command, "--help")
        assert done.returncode == 0 and "Usage:" in done.stdout, (command, done.stderr)


def test_export_to_a_missing_directory_is_one_line_before_kafka_is_read(tmp_path: Path) -> None:
    config = tmp_path / "tocsin.toml"
    config.write_text("[kafka]\nbootstrap_servers = ['127.0.0.1:1']\n")  # never reached
    done = run_tocsin("--config", str(config), "export", "--format", "csv", "-o", str(tmp_path / "missing" / "out.csv"))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().endswith(f"{tmp_path / 'missing'} is not a directory"), done.stderr
