"""Hostile or careless configuration: misspelt TOCSIN_* variables and credentials in feed URLs."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from monitor.exceptions import ParseError
from monitor.feeds import feeds_from_opml
from support.daemon import TOCSIN
from tocsin.records import Article, utc_now
from tocsin.settings import ConfigError, load_settings

PASSWORD = "hunter2"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.upper().startswith("TOCSIN_") and not n.upper().startswith("TOCSIN_TEST_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize(
    "variable", ["TOCSIN_KAFKA_BOOTSTRAP_SERVERS", "TOCSIN_BOOTSTRAP_SERVERS", "tocsin_kafka_bootstrap_servers", "TOCSIN_METRIC__PORT"]
)
def test_a_misspelt_variable_is_a_config_error_naming_it(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "kafka-0.example:9092")
    with pytest.raises(ConfigError, match=f"{variable}: unknown variable"):
        load_settings(None)


def test_a_misspelt_key_inside_a_section_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOCSIN_KAFKA__BOOTSTRAP_SERVRES", "kafka-0.example:9092")
    with pytest.raises(ConfigError, match="kafka.bootstrap_servres: unknown key"):
        load_settings(None)


def test_known_variables_and_secret_env_names_are_allowed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "tocsin.toml"
    config.write_text('[[webhooks.endpoints]]\nname = "ops"\nurl = "https://hooks.example.org/x"\nsecret_env = "TOCSIN_OPS_SECRET"\n')
    monkeypatch.setenv("TOCSIN_OPS_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    monkeypatch.setenv("TOCSIN_KAFKA__BOOTSTRAP_SERVERS", "kafka-0.example:9092")
    monkeypatch.setenv("TOCSIN_CONFIG", str(config))
    monkeypatch.setenv("TOCSIN_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    settings = load_settings(config)
    assert settings.kafka.bootstrap_servers == ["kafka-0.example:9092"]


def test_credentials_in_a_configured_feed_url_are_refused_without_echo(tmp_path: Path) -> None:
    config = tmp_path / "tocsin.toml"
    config.write_text(f'[[feeds.sources]]\nurl = "https://bob:{PASSWORD}@feeds.example.org/rss"\n')
    with pytest.raises(ConfigError) as refused:
        load_settings(config)
    assert "feeds.sources.0.url" in str(refused.value) and "credentials" in str(refused.value)
    assert PASSWORD not in str(refused.value)


def test_feeds_add_refuses_credentials_without_echo(tmp_path: Path) -> None:
    config = tmp_path / "tocsin.toml"
    config.write_text("[kafka]\nbootstrap_servers = ['127.0.0.1:9']\n")  # never dialled
    done = subprocess.run(
        [TOCSIN, "--config", str(config), "feeds", "add", f"https://bob:{PASSWORD}@feeds.example.org/rss"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2 and "credentials" in done.stderr, done.stderr
    assert PASSWORD not in done.stdout + done.stderr


def test_opml_with_credentials_is_refused_without_echo() -> None:
    opml = f'<opml><body><outline xmlUrl="https://bob:{PASSWORD}@feeds.example.org/rss"/></body></opml>'.encode()
    with pytest.raises(ParseError) as refused:
        feeds_from_opml(opml)
    assert "credentials" in str(refused.value) and PASSWORD not in str(refused.value)


def test_credentials_in_an_article_url_are_not_carried_on() -> None:
    article = Article(id="a", url=f"https://bob:{PASSWORD}@news.example.org/a?b=1#c", title="t", fetched_at=utc_now(), sources=())
    assert article.url == "https://news.example.org/a?b=1#c"


def test_no_deployment_exposes_the_unauthenticated_api() -> None:
    deploy = Path(__file__).resolve().parents[2] / "deploy"
    files = [deploy / "Dockerfile", deploy / "compose.yaml", *(deploy / "k8s").glob("*.yaml"), *(deploy / "systemd").iterdir()]
    for path in files:
        # Comments may say how to publish it (with a token); no setting may do it.
        text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))
        assert "API__HOST" not in text, path  # the API stays on its default, loopback
        assert not re.search(r"^\s*\[api\][^\[]*host\s*=", text, re.MULTILINE), path
