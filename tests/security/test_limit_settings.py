"""The security settings load like the others: defaults from config/gpcloud.toml, overridden by
GPCLOUD_* variables; a switch takes true/false."""

import pytest

from gpcloud.settings import SettingsError, load_settings

KEY = "fixed-test-key-0123456789-0123456789"


def test_defaults_and_overrides(tmp_path):
    env = {"GPCLOUD_VAR": str(tmp_path), "GPCLOUD_SECRET_KEY": KEY}
    defaults = load_settings(environ=env)
    assert defaults.graphql_introspection_anonymous is True
    assert (defaults.graphql_budget_anonymous, defaults.graphql_budget_user) == (50_000, 250_000)
    assert defaults.max_body_bytes < defaults.max_upload_bytes
    production = load_settings(
        environ=env
        | {"GPCLOUD_GRAPHQL_INTROSPECTION_ANONYMOUS": "false", "GPCLOUD_REQUEST_TIMEOUT_MS": "5000"}
    )
    assert production.graphql_introspection_anonymous is False
    assert production.request_timeout_ms == 5000


def test_a_switch_must_say_true_or_false(tmp_path):
    env = {"GPCLOUD_VAR": str(tmp_path), "GPCLOUD_SECRET_KEY": KEY}
    with pytest.raises(
        SettingsError, match="GRAPHQL_INTROSPECTION_ANONYMOUS must be true or false"
    ):
        load_settings(environ=env | {"GPCLOUD_GRAPHQL_INTROSPECTION_ANONYMOUS": "maybe"})
