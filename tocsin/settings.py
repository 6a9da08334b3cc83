"""One typed settings model for all of Tocsin.

Sources, highest precedence first: ``TOCSIN_*`` environment variables
(nested with ``__``, e.g. ``TOCSIN_KAFKA__BOOTSTRAP_SERVERS``), then the TOML
file named by ``--config`` or ``TOCSIN_CONFIG``, then the defaults here.
Every section forbids unknown keys so that a typo fails at start instead of
being silently ignored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from tocsin.errors import TocsinError
from tocsin.records import Metric, Severity, SourceKind

_HTTP_URL = TypeAdapter(HttpUrl)


def _http_url(value: str) -> str:
    return str(_HTTP_URL.validate_python(value))


HttpUrlStr = Annotated[str, AfterValidator(_http_url)]
Port = Annotated[int, Field(ge=1, le=65535)]
PositiveSeconds = Annotated[float, Field(gt=0)]


def _require_unique(key: str, values: Iterable[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {key} {value!r}")
        seen.add(value)


class ConfigError(TocsinError):
    """Bad configuration: the message names the key and the problem."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalKafkaSettings(Section):
    """The single-node broker Tocsin runs itself when no cluster is named."""

    port: Port = 9092
    controller_port: Port = 9093
    data_dir: Path = Path("~/.local/state/tocsin/kafka")
    cache_dir: Path = Path("~/.cache/tocsin/kafka")
    heap: str = "512m"
    start_timeout_seconds: PositiveSeconds = 120.0

    @field_validator("data_dir", "cache_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()


class TopicSettings(Section):
    prefix: str = Field(default="tocsin", pattern=r"^[A-Za-z0-9._-]+$")
    partitions: int = Field(default=6, ge=1, le=1024)
    replication_factor: int = Field(default=1, ge=1)
    articles_retention_hours: PositiveSeconds = 7 * 24
    reports_retention_hours: PositiveSeconds = 7 * 24
    alerts_retention_hours: PositiveSeconds = 90 * 24
    dead_letters_retention_hours: PositiveSeconds = 30 * 24


class KafkaSettings(Section):
    bootstrap_servers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Existing cluster to use; empty means Tocsin starts its local broker.",
    )
    app_id: str = Field(default="tocsin", pattern=r"^[A-Za-z0-9._-]+$")
    topics: TopicSettings = TopicSettings()
    local: LocalKafkaSettings = LocalKafkaSettings()

    @field_validator("bootstrap_servers", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("bootstrap_servers")
    @classmethod
    def _host_port(cls, servers: list[str]) -> list[str]:
        for server in servers:
            host, sep, port = server.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{server!r} is not host:port")
        return servers

    @property
    def uses_local_broker(self) -> bool:
        return not self.bootstrap_servers


class FeedConfig(Section):
    url: HttpUrlStr
    name: str | None = None
    language: str | None = None
    interval_seconds: PositiveSeconds | None = None
    tags: list[str] = Field(default_factory=list)
    full_text: bool = False
    kind: SourceKind = SourceKind.MEDIA

    @property
    def display_name(self) -> str:
        return self.name or self.url


class FeedSettings(Section):
    interval_seconds: PositiveSeconds = 300.0
    timeout_seconds: PositiveSeconds = 20.0
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    user_agent: str = "Tocsin/0.1 (+https://github.com/tocsin)"
    allow_private_addresses: bool = False
    sources: list[FeedConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_urls(self) -> FeedSettings:
        _require_unique("url", (f.url for f in self.sources))
        return self


class WebhookEndpoint(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    url: HttpUrlStr
    secret: SecretStr | None = None
    timeout_seconds: PositiveSeconds = 10.0
    enabled: bool = True


class WebhookSettings(Section):
    max_attempts: int = Field(default=5, ge=1, le=100)
    endpoints: list[WebhookEndpoint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> WebhookSettings:
        _require_unique("name", (e.name for e in self.endpoints))
        return self


Comparison = Literal[">=", ">", "<=", "<", "=="]


class ThresholdRule(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    metric: Metric
    op: Comparison = ">="
    value: float
    severity: Severity = Severity.WARNING
    attacker: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    target: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class RuleSettings(Section):
    threshold: list[ThresholdRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> RuleSettings:
        _require_unique("name", (r.name for r in self.threshold))
        return self


class MetricsSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: Port = 9464


class LoggingSettings(Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOCSIN_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    data_dir: Path = Field(
        default=Path("~/.local/state/tocsin"), description="Worker table state (Faust data dir)."
    )
    kafka: KafkaSettings = KafkaSettings()
    feeds: FeedSettings = FeedSettings()
    webhooks: WebhookSettings = WebhookSettings()
    rules: RuleSettings = RuleSettings()
    metrics: MetricsSettings = MetricsSettings()
    logging: LoggingSettings = LoggingSettings()

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file.get())
        return (init_settings, env_settings, toml)


_config_file: ContextVar[Path | None] = ContextVar("tocsin_config_file", default=None)


def load_settings(config_file: Path | None) -> Settings:
    """Read and validate settings, or raise ConfigError with one clear line."""
    where = str(config_file) if config_file else "environment"
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"config error: {config_file}: no such file")
        try:
            tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config error: {config_file}: not valid TOML: {exc}") from exc
    token = _config_file.set(config_file)
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(f"config error: {where}: {_first_problem(exc)}") from exc
    except SettingsError as exc:
        raise ConfigError(f"config error: {where}: {exc}") from exc
    finally:
        _config_file.reset(token)


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    problem = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{key}: {problem}{more}"
