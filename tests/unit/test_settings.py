import stat
import tomllib

import pytest

from gpcloud.settings import PROJECT_ROOT, SettingsError, load_settings

CONFIG = tomllib.loads((PROJECT_ROOT / "config" / "gpcloud.toml").read_text())["gpcloud"]

KEY = "fixed-test-key-0123456789-0123456789"


def env(tmp_path, **overrides) -> dict[str, str]:
    """An environment with a private var folder and a fixed key, plus GPCLOUD_<KEY> overrides."""
    values = {"GPCLOUD_VAR": str(tmp_path / "var"), "GPCLOUD_SECRET_KEY": KEY}
    values.update({f"GPCLOUD_{k.upper()}": v for k, v in overrides.items()})
    return values


def test_defaults_come_from_the_config_file(tmp_path):
    settings = load_settings(environ=env(tmp_path))
    for name in (
        "host",
        "port",
        "token_ttl_minutes",
        "login_max_failures",
        "login_window_minutes",
        "max_page_size",
        "db_pool_min",
        "db_pool_max",
        "argon2_time_cost",
        "argon2_memory_kib",
        "redis_namespace",
        "redis",
    ):
        assert getattr(settings, name) == CONFIG[name], name
    assert isinstance(settings.port, int)
    assert settings.tenants_dir == (PROJECT_ROOT / CONFIG["tenants_dir"]).resolve()
    assert settings.embedded_redis


def test_relative_paths_in_the_config_file_are_the_projects(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"GPCLOUD_SECRET_KEY": KEY})
    assert settings.var == (PROJECT_ROOT / "var").resolve()
    assert settings.tenants_dir == (PROJECT_ROOT / "tenants").resolve()


def test_environment_overrides_the_config_file(tmp_path):
    settings = load_settings(
        environ=env(
            tmp_path,
            port="9123",
            host="0.0.0.0",
            token_ttl_minutes="5",
            redis_namespace="other",
            redis="redis://cache:6379/2",
            tenants_dir=str(tmp_path / "t"),
        )
    )
    assert (settings.port, settings.host, settings.token_ttl_minutes) == (9123, "0.0.0.0", 5)
    assert settings.redis_namespace == "other"
    assert settings.redis == "redis://cache:6379/2" and not settings.embedded_redis
    assert settings.tenants_dir == tmp_path / "t"
    assert settings.secret_key == KEY


@pytest.mark.parametrize("name", ["port", "token_ttl_minutes", "max_page_size", "db_pool_max"])
@pytest.mark.parametrize("raw", ["eighty", "1.5"])
def test_non_integer_value_names_the_variable(tmp_path, name, raw):
    with pytest.raises(SettingsError, match=f"GPCLOUD_{name.upper()} must be an integer"):
        load_settings(environ=env(tmp_path, **{name: raw}))


@pytest.mark.parametrize(
    "name,raw",
    [
        ("port", "0"),
        ("port", "70000"),
        ("max_page_size", "0"),
        ("token_ttl_minutes", "-5"),
        ("db_pool_max", "0"),
    ],
)
def test_out_of_range_integers_are_refused(tmp_path, name, raw):
    with pytest.raises(SettingsError, match=f"GPCLOUD_{name.upper()} must be between"):
        load_settings(environ=env(tmp_path, **{name: raw}))


def test_empty_variables_mean_the_default(tmp_path):
    settings = load_settings(environ=env(tmp_path, port="", max_page_size=""))
    assert (settings.port, settings.max_page_size) == (8000, 100)


def test_a_short_explicit_key_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings(environ=env(tmp_path, secret_key="secret"))


def test_an_empty_key_file_is_refused_not_used(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    (var / "secret_key").write_text("")
    with pytest.raises(SettingsError, match="no usable key"):
        load_settings(environ={"GPCLOUD_VAR": str(var)})


@pytest.mark.parametrize(
    "db", ["mysql://u@h/db", "sqlite://relative.db", "gpcloud.sqlite3", "postgre://h/db"]
)
def test_db_url_scheme_is_checked(tmp_path, db):
    with pytest.raises(SettingsError, match="GPCLOUD_DB"):
        load_settings(environ=env(tmp_path, db=db))


@pytest.mark.parametrize(
    "db, is_postgres",
    [
        ("sqlite:////tmp/x.sqlite3", False),
        ("postgresql://u:p@h:5432/g", True),
        ("postgres://h/g", True),
    ],
)
def test_accepted_db_urls(tmp_path, db, is_postgres):
    settings = load_settings(environ=env(tmp_path, db=db))
    assert settings.db == db and settings.is_postgres is is_postgres


@pytest.mark.parametrize("url", ["http://h:6379", "localhost:6379", "redis:/h"])
def test_redis_url_scheme_is_checked(tmp_path, url):
    with pytest.raises(SettingsError, match="GPCLOUD_REDIS"):
        load_settings(environ=env(tmp_path, redis=url))


@pytest.mark.parametrize("url", ["redis://h:6379/0", "rediss://h:6380/1", "unix:///tmp/r.sock"])
def test_accepted_redis_urls(tmp_path, url):
    assert load_settings(environ=env(tmp_path, redis=url)).redis == url


def test_default_db_is_an_sqlite_file_in_var(tmp_path):
    settings = load_settings(environ=env(tmp_path))
    var = (tmp_path / "var").resolve()
    assert settings.var == var and var.is_dir()
    assert settings.db == f"sqlite:///{var / 'gpcloud.sqlite3'}"
    assert settings.sqlite_path == var / "gpcloud.sqlite3"
    assert not settings.is_postgres


def test_relative_var_from_the_environment_resolves_against_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"GPCLOUD_VAR": "state/here", "GPCLOUD_SECRET_KEY": KEY})
    assert settings.var == (tmp_path / "state" / "here").resolve()
    assert settings.var.is_absolute() and settings.var.is_dir()


def test_secret_key_is_generated_once_into_var(tmp_path):
    environ = {"GPCLOUD_VAR": str(tmp_path)}
    first = load_settings(environ=environ)
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first.secret_key
    assert len(first.secret_key) >= 32
    assert load_settings(environ=environ).secret_key == first.secret_key


def test_two_var_folders_get_different_keys(tmp_path):
    a = load_settings(environ={"GPCLOUD_VAR": str(tmp_path / "a")})
    b = load_settings(environ={"GPCLOUD_VAR": str(tmp_path / "b")})
    assert a.secret_key and b.secret_key and a.secret_key != b.secret_key


def test_explicit_secret_key_wins_and_writes_no_file(tmp_path):
    settings = load_settings(environ={"GPCLOUD_VAR": str(tmp_path), "GPCLOUD_SECRET_KEY": KEY})
    assert settings.secret_key == KEY
    assert not (tmp_path / "secret_key").exists()


def test_the_audit_signing_key_is_generated_once_into_var(tmp_path):
    environ = {"GPCLOUD_VAR": str(tmp_path)}
    first = load_settings(environ=environ)
    path = tmp_path / "audit_signing_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(first.audit_signing_key)) == 32
    assert load_settings(environ=environ).audit_signing_key == first.audit_signing_key


@pytest.mark.parametrize("key", ["abc", "zz" * 32, "AB" * 32])
def test_a_malformed_audit_signing_key_is_refused(tmp_path, key):
    with pytest.raises(SettingsError, match="GPCLOUD_AUDIT_SIGNING_KEY"):
        load_settings(environ=env(tmp_path, audit_signing_key=key))
