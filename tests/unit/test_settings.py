from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.records import Metric
from tocsin.settings import ConfigError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "tocsin.example.toml"


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "tocsin.toml"
    path.write_text(text)
    return load_settings(path)


def test_example_config_is_valid() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.kafka.uses_local_broker
    assert settings.feeds.sources and settings.webhooks.endpoints and settings.rules.threshold


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[kafka.local]\nprot = 9092\n", "kafka.local.prot: unknown key"),
        ("surprise = 1\n", "surprise: unknown key"),
        ('[[feeds.sources]]\nurl = "not a url"\n', "feeds.sources.0.url:"),
        ('[[webhooks.endpoints]]\nname = "a"\nurl = "ftp//x"\n', "webhooks.endpoints.0.url:"),
        ("[metrics]\nport = 70000\n", "metrics.port:"),
        ('[kafka]\nbootstrap_servers = ["nohost"]\n', "'nohost' is not host:port"),
        ('[[rules.threshold]]\nname = "r"\nmetric = "drones"\nvalue = 1\n', "rules.threshold.0.metric:"),
        ('[[rules.threshold]]\nname = "r"\nmetric = "killed"\nop = "~"\nvalue = 1\n', "rules.threshold.0.op:"),
        ("[kafka\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    rule = '[[rules.threshold]]\nname = "r"\nmetric = "killed"\nvalue = 1\n'
    with pytest.raises(ConfigError, match="duplicate name 'r'"):
        load(tmp_path, rule + rule)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "absent.toml")


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_KAFKA__BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("TOCSIN_METRICS__PORT", "9999")
    settings = load(tmp_path, "[metrics]\nport = 9100\n")
    assert settings.kafka.bootstrap_servers == ["k1:9092", "k2:9092"]
    assert not settings.kafka.uses_local_broker
    assert settings.metrics.port == 9999


def test_rules_parse_metrics_and_defaults(tmp_path: Path) -> None:
    settings = load(tmp_path, '[[rules.threshold]]\nname = "big"\nmetric = "drones_launched"\nvalue = 400\n')
    (rule,) = settings.rules.threshold
    assert rule.metric is Metric.DRONES_LAUNCHED and rule.op == ">=" and rule.severity.value == "warning"
