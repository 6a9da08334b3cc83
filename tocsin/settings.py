"""One typed settings model for all of Tocsin.

Sources, highest precedence first: ``TOCSIN_*`` environment variables
(nested with ``__``, e.g. ``TOCSIN_KAFKA__BOOTSTRAP_SERVERS``), then the TOML
file named by ``--config`` or ``TOCSIN_CONFIG``, then the defaults here.
Every section forbids unknown keys so that a typo fails at start instead of
being silently ignored.
"""

from __future__ import annotations

import ipaddress
import os
import re
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
    PrivateAttr,
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
from tocsin.records import AlertKind, Metric, Severity, SourceKind
from tocsin.timezones import zone_named

_HTTP_URL = TypeAdapter(HttpUrl)


def _http_url(value: str) -> str:
    return str(_HTTP_URL.validate_python(value))


HttpUrlStr = Annotated[str, AfterValidator(_http_url)]
Port = Annotated[int, Field(ge=1, le=65535)]
PositiveSeconds = Annotated[float, Field(gt=0)]


def _read_secret(name: str, env: str | None, file: Path | None) -> str | None:
    """The text of a secret named by ``<name>_env`` (an environment variable) or ``<name>_file``,
    stripped; None when neither is set. Errors name where it came from, never the value."""
    if env is not None:
        value = os.environ.get(env, "").strip()
        if not value:
            raise ValueError(f"{name}_env: environment variable {env} is not set")
        return value
    if file is not None:
        try:
            value = file.expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"{name}_file: cannot read {file}: {exc.strerror}") from None
        if not value:
            raise ValueError(f"{name}_file: {file} is empty")
        return value
    return None


def _require_unique(key: str, values: Iterable[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {key} {value!r}")
        seen.add(value)


class ConfigError(TocsinError):
    """Bad configuration: the message names the key and the problem."""


class Section(BaseModel):
    # validate_default: defaults such as "~/.cache/..." go through the same validators.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


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


class GroupMembershipSettings(Section):
    """How soon the consumer groups (workers, deliverers, pollers) notice a member gone.

    A member that sends no heartbeat for ``session_timeout_seconds`` is dropped and
    its partitions go to the others: after a SIGKILL that is how long they stall.
    Shorter means faster failover, but a member stalled for longer (a network
    hiccup, a stop-the-world pause) is dropped too and the group rebalances once
    more; heartbeats run on the consumer's own task (the worker's in its own
    thread), so a busy stage does not miss them. Kafka's default bounds are
    6 s to 30 min (``group.min/max.session.timeout.ms``).
    """

    session_timeout_seconds: PositiveSeconds = 10.0
    heartbeat_interval_seconds: PositiveSeconds = 2.0
    rebalance_timeout_seconds: PositiveSeconds = Field(
        default=30.0, description="How long a rebalance waits for the live members to rejoin."
    )

    @model_validator(mode="after")
    def _heartbeats_within_session(self) -> GroupMembershipSettings:
        if self.heartbeat_interval_seconds * 3 > self.session_timeout_seconds:
            raise ValueError("heartbeat_interval_seconds must be at most a third of session_timeout_seconds")
        return self

    def consumer_options(self) -> dict[str, int]:
        """The same settings as aiokafka consumer arguments."""
        return {
            "session_timeout_ms": int(self.session_timeout_seconds * 1000),
            "heartbeat_interval_ms": int(self.heartbeat_interval_seconds * 1000),
            "rebalance_timeout_ms": int(self.rebalance_timeout_seconds * 1000),
        }


class KafkaSettings(Section):
    bootstrap_servers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Existing cluster to use; empty means Tocsin starts its local broker.",
    )
    app_id: str = Field(default="tocsin", pattern=r"^[A-Za-z0-9._-]+$")
    max_record_bytes: int = Field(
        default=1_000_000,
        ge=64 * 1024,
        le=16 * 1024 * 1024,
        description="Largest record any Tocsin producer sends; topics accept it plus batch overhead. "
        "The poller shortens (or, failing that, skips) an article that would not fit.",
    )
    topics: TopicSettings = TopicSettings()
    membership: GroupMembershipSettings = GroupMembershipSettings()
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


SourceType = Literal["feed", "telegram"]
# A public channel's web preview: https://t.me/s/<channel> (usernames are 4 to 32 characters, [A-Za-z0-9_]).
TELEGRAM_URL = re.compile(r"^https://t\.me/s/([A-Za-z0-9_]{4,32})/?$")


class FeedConfig(Section):
    url: HttpUrlStr
    type: SourceType = Field(default="feed", description="feed: RSS/Atom/JSON Feed; telegram: a public channel's t.me/s/ preview.")
    name: str | None = None
    language: str | None = None
    interval_seconds: PositiveSeconds | None = None
    tags: list[str] = Field(default_factory=list)
    full_text: bool = False
    kind: SourceKind = SourceKind.MEDIA
    timezone: str | None = Field(
        default=None, description="IANA zone of the feed's times without an offset (default: by language, see tocsin/timezones.py)."
    )

    @model_validator(mode="after")
    def _telegram_url(self) -> FeedConfig:
        if self.type == "telegram" and not TELEGRAM_URL.match(self.url):
            raise ValueError(f"a telegram source's url must be https://t.me/s/<channel>, not {self.url!r}")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            zone_named(value)
        return value

    @field_validator("url")
    @classmethod
    def _no_credentials(cls, url: str) -> str:
        # A feed URL is stored on the feeds topic and shown in logs, metrics and `feeds list`:
        # a password in it would be everywhere. (The error names the key, never the value.)
        parsed = _HTTP_URL.validate_python(url)
        if parsed.username or parsed.password:
            raise ValueError("a feed URL must not carry credentials (user:password@)")
        return url

    @property
    def display_name(self) -> str:
        return self.name or self.url


class TelegramSettings(Section):
    origin: HttpUrlStr = Field(
        default="https://t.me", description="Where the channel previews are fetched from (tests point it at a local server)."
    )
    max_pages: int = Field(
        default=5, ge=1, le=50, description="Older preview pages read in one poll when more posts arrived than one page shows."
    )


class WebSubSettings(Section):
    """Push from WebSub hubs the feeds advertise; off until a public callback URL is set."""

    callback_url: HttpUrlStr | None = Field(
        default=None, description="Public base URL the hubs reach this poller's callback server at (per poller process)."
    )
    host: str = "127.0.0.1"
    port: Port = 9467
    lease_seconds: int = Field(default=10 * 24 * 3600, ge=60, description="Lease asked of the hub (it may grant another).")
    renew_before_seconds: PositiveSeconds = Field(
        default=3600.0, description="Renew this long before a lease expires (at the latest at half the lease)."
    )
    verify_timeout_seconds: PositiveSeconds = Field(
        default=60.0, description="How long a hub may take to verify intent before the subscription counts as failed."
    )
    subscribed_interval_seconds: PositiveSeconds = Field(
        default=3600.0, description="Poll interval of a feed while its subscription is active (a safety net; pushes carry the news)."
    )
    retry_seconds: PositiveSeconds = Field(default=3600.0, description="First wait before subscribing again after a hub failed (doubling).")


class FeedSettings(Section):
    interval_seconds: PositiveSeconds = 300.0
    max_interval_seconds: PositiveSeconds = Field(
        default=6 * 3600.0, description="Cap on the next poll from ttl, max-age, Expires and Retry-After."
    )
    max_backoff_seconds: PositiveSeconds = Field(
        default=6 * 3600.0, description="Cap on the jittered exponential backoff of a failing feed."
    )
    timeout_seconds: PositiveSeconds = Field(default=20.0, description="Total time for one fetch.")
    connect_timeout_seconds: PositiveSeconds = 5.0
    read_timeout_seconds: PositiveSeconds = Field(default=10.0, description="Longest silence between two reads.")
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    concurrency: int = Field(default=256, ge=1, description="Fetches in flight in one poller.")
    per_host_concurrency: int = Field(default=2, ge=1)
    full_text_concurrency: int = Field(default=4, ge=1)
    publish_timeout_seconds: PositiveSeconds = Field(
        default=30.0, description="How long Kafka may take to acknowledge a poll's articles before polling pauses."
    )
    user_agent: str = "Tocsin/0.1 (+https://github.com/tocsin)"
    allow_private_addresses: bool = False
    telegram: TelegramSettings = TelegramSettings()
    websub: WebSubSettings = WebSubSettings()
    sources: list[FeedConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_urls(self) -> FeedSettings:
        _require_unique("url", (f.url for f in self.sources))
        return self


WebhookFormat = Literal["cloudevents", "slack", "discord", "teams", "telegram"]


class WebhookFilters(Section):
    """Which alerts an endpoint gets; an empty list means "any"."""

    kinds: list[AlertKind] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    min_severity: Severity = Severity.INFO
    targets: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(default_factory=list)
    locations: list[str] = Field(
        default_factory=list, description="Oblast/city names or ISO 3166-2 codes; any one on the event matches."
    )


class WebhookEndpoint(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    url: HttpUrlStr
    format: WebhookFormat = "cloudevents"
    # At most one of secret / secrets / secret_env / secret_file; each value is a Standard Webhooks
    # "whsec_<base64>" key. Several keys (a list, or whitespace-separated in the variable or file)
    # sign every request with each, so a receiver can rotate without a gap.
    secret: SecretStr | None = None
    secrets: list[SecretStr] = Field(default_factory=list)
    secret_env: str | None = None
    secret_file: Path | None = None
    telegram_chat_id: str | None = None
    filters: WebhookFilters = WebhookFilters()
    timeout_seconds: PositiveSeconds = 10.0
    concurrency: int = Field(default=4, ge=1, le=256)
    rate_limit_per_second: PositiveSeconds | None = Field(
        default=None, description="Cap on requests per second; Slack endpoints default to 1."
    )
    enabled: bool = True

    _signing_secrets: tuple[SecretStr, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _resolve_secret(self) -> WebhookEndpoint:
        given = [s for s in (self.secret, self.secrets or None, self.secret_env, self.secret_file) if s is not None]
        if len(given) > 1:
            raise ValueError("set at most one of secret, secrets, secret_env, secret_file")
        if self.format == "telegram" and not self.telegram_chat_id:
            raise ValueError("format 'telegram' needs telegram_chat_id")
        if self.secret is not None:
            raw = [self.secret.get_secret_value()]
        elif self.secrets:
            raw = [s.get_secret_value() for s in self.secrets]
        else:
            raw = (_read_secret("secret", self.secret_env, self.secret_file) or "").split()
        # Never echo a value: errors and logs name only where it came from.
        for number, key in enumerate(raw, start=1):
            if not _WHSEC.fullmatch(key):
                which = f"secret {number} of {len(raw)}" if len(raw) > 1 else "secret"
                raise ValueError(f"{which} must be 'whsec_' followed by base64 (24 to 64 random bytes)")
        self._signing_secrets = tuple(SecretStr(key) for key in raw)
        return self

    @property
    def signing_secrets(self) -> tuple[SecretStr, ...]:
        """Every key requests are signed with (empty: unsigned)."""
        return self._signing_secrets

    @property
    def requests_per_second(self) -> float | None:
        if self.rate_limit_per_second is None and self.format == "slack":
            return 1.0  # Slack's documented limit for incoming webhooks
        return self.rate_limit_per_second


_WHSEC = re.compile(r"whsec_[A-Za-z0-9+/]{32,88}={0,2}")

# Standard Webhooks' recommended schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
_STANDARD_SCHEDULE = [0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0]


class WebhookSettings(Section):
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_schedule_seconds: list[Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: list(_STANDARD_SCHEDULE),
        min_length=1,
        description="Delay before attempt n (the last entry repeats); jittered except the first.",
    )
    retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    breaker_failures: int = Field(default=5, ge=1, description="Consecutive failures that open an endpoint's breaker.")
    breaker_cooldown_seconds: PositiveSeconds = 5.0
    breaker_max_cooldown_seconds: PositiveSeconds = Field(
        default=30.0,
        description="Cap on the pause between probes of an open breaker: how long a receiver that is back may wait to be noticed.",
    )
    allow_private_addresses: bool = False
    endpoints: list[WebhookEndpoint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> WebhookSettings:
        _require_unique("name", (e.name for e in self.endpoints))
        return self

    def endpoint(self, name: str) -> WebhookEndpoint:
        found = next((e for e in self.endpoints if e.name == name), None)
        if found is None:
            raise ConfigError(f"no webhook endpoint named {name!r} (see `tocsin webhooks list`)")
        return found


Comparison = Literal[">=", ">", "<=", "<", "=="]


WeaponClass = Literal["drone", "missile", "cruise_missile", "ballistic_missile"]


class ThresholdRule(Section):
    """Fires once per (event, rule) when the event's metric compares true against value."""

    name: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    metric: Metric
    op: Comparison = ">="
    value: float
    severity: Severity = Severity.WARNING
    attacker: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    target: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    oblast: str | None = Field(default=None, pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$", description="ISO 3166-2 code of a place hit")
    city: str | None = Field(default=None, min_length=1, description="Name of a place hit (case-insensitive)")
    weapon_class: WeaponClass | None = None
    cooldown_hours: PositiveSeconds | None = Field(
        default=None, description="Per target: no new alert from this rule for events within this many hours of the last one."
    )


_RECORD_METRICS = [Metric.DRONES_LAUNCHED, Metric.MISSILES_LAUNCHED, Metric.AERIAL_WEAPONS_LAUNCHED]


class RuleSettings(Section):
    threshold: list[ThresholdRule] = Field(default_factory=list)
    record_metrics: list[Metric] = Field(
        default_factory=lambda: list(_RECORD_METRICS), description="Metrics that raise `record` alerts."
    )

    @model_validator(mode="after")
    def _unique_names(self) -> RuleSettings:
        _require_unique("name", (r.name for r in self.threshold))
        return self


class ApiSettings(Section):
    """The worker's HTTP API and page: events, records, alert feeds, exports, health and readiness."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: Port = 9465
    # A bearer token, from at most one of token / token_env / token_file. Required unless
    # the API listens on a loopback address only: nothing else may serve it unauthenticated.
    token: SecretStr | None = None
    token_env: str | None = None
    token_file: Path | None = None

    _bearer_token: SecretStr | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve_token(self) -> ApiSettings:
        given = [t for t in (self.token, self.token_env, self.token_file) if t is not None]
        if len(given) > 1:
            raise ValueError("set at most one of token, token_env, token_file")
        if self.token is not None:
            raw: str | None = self.token.get_secret_value().strip()
        else:
            raw = _read_secret("token", self.token_env, self.token_file)
        if raw is not None and len(raw) < 16:
            raise ValueError("token must be at least 16 characters")
        if raw is None and self.enabled and not _loopback(self.host):
            raise ValueError(f"host {self.host!r} is not a loopback address: set token, token_env or token_file")
        self._bearer_token = SecretStr(raw) if raw else None
        return self

    @property
    def bearer_token(self) -> SecretStr | None:
        return self._bearer_token


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


class MetricsSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: Port = 9464


class LoggingSettings(Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOCSIN_", env_nested_delimiter="__", extra="forbid", frozen=True, validate_default=True
    )

    data_dir: Path = Field(
        default=Path("~/.local/state/tocsin"), description="Worker table state (Faust data dir)."
    )
    shutdown_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a graceful stop (SIGINT/SIGTERM) may take before the process exits anyway.",
    )
    kafka: KafkaSettings = KafkaSettings()
    feeds: FeedSettings = FeedSettings()
    webhooks: WebhookSettings = WebhookSettings()
    rules: RuleSettings = RuleSettings()
    api: ApiSettings = ApiSettings()
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
        settings = Settings()
        _refuse_unknown_variables(settings)
        return settings
    except ValidationError as exc:
        raise ConfigError(f"config error: {where}: {_first_problem(exc)}") from exc
    except SettingsError as exc:
        raise ConfigError(f"config error: {where}: {exc}") from exc
    finally:
        _config_file.reset(token)


ENV_PREFIX = "TOCSIN_"
# TOCSIN_ variables that are not settings: the config file's name (read by the CLI), the test
# suite's broker, and the receiver URL the compose file interpolates.
_OTHER_VARIABLES = frozenset({"TOCSIN_CONFIG", "TOCSIN_WEBHOOK_URL"})
_OTHER_PREFIXES = ("TOCSIN_TEST_",)


def _refuse_unknown_variables(settings: Settings) -> None:
    """pydantic-settings reads only the variables named after a field: a misspelt section
    (TOCSIN_KAFKA_BOOTSTRAP_SERVERS, one underscore) would be ignored, and Tocsin would quietly
    start its local broker instead of using the cluster. (A misspelt key inside a section,
    TOCSIN_KAFKA__BOOTSTRAP_SERVRES, is already refused by the section's extra="forbid".)"""
    secrets = {e.secret_env.upper() for e in settings.webhooks.endpoints if e.secret_env}
    sections = {name.upper() for name in Settings.model_fields}
    for variable in os.environ:
        name = variable.upper()
        if not name.startswith(ENV_PREFIX) or name in _OTHER_VARIABLES or name in secrets or name.startswith(_OTHER_PREFIXES):
            continue
        if name[len(ENV_PREFIX) :].split("__", 1)[0] not in sections:
            raise ConfigError(f"config error: environment: {variable}: unknown variable (settings are TOCSIN_<SECTION>__<KEY>)")


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    problem = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{key}: {problem}{more}"
