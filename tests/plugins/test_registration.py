"""Installing a plugin: everything is checked before anything is registered, so a plugin that
fails a check leaves no trace in the registry or its plugin manager."""

import pytest

from gpcloud.core.plugins.calling import HOOKS
from gpcloud.core.plugins.registry import PluginLoadError, get_registry
from gpcloud.core.tenancy.config import full_schema
from tests.plugins.exercise import exercised

PLUGIN = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "half", "description": "test plugin", "config_schema": CONFIG_SCHEMA}


@hookimpl
def gpcloud_validate_event(event, tenant):
    return [{"path": "", "message": "every event refused"}]


@hookimpl
def gpcloud_config_sections():
    SECTIONS
"""
GOOD = {"CONFIG_SCHEMA": '{"type": "object"}', "SECTIONS": 'return {"half": {"type": "object"}}'}
EXTRA_HOOK = "\n\n@hookimpl{opts}\ndef {name}({args}):\n    {body}\n"


def source(extra: str = "", **parts) -> str:
    text = PLUGIN
    for key, value in {**GOOD, **parts}.items():
        text = text.replace(key, value)
    return text + extra


def state():
    registry = get_registry()
    return (
        dict(registry.plugins),
        dict(registry.section_owner),
        registry.generation,
        registry.pm.list_name_plugin(),
        {hook: getattr(registry.pm.hook, hook).get_hookimpls() for hook in HOOKS},
    )


@pytest.mark.parametrize(
    "broken,reason",
    [
        (source(CONFIG_SCHEMA='{"type": "objekt"}'), "config_schema is not a valid schema"),
        (source(CONFIG_SCHEMA='"object"'), "config_schema is not a JSON schema object"),
        (source(SECTIONS='return {"half": {"type": 5}}'), "section half is not a valid schema"),
        (source(SECTIONS='return {"training": {"type": "object"}}'), "training_setup's"),
        (source(SECTIONS='return ["half"]'), "returned no dict"),
        (source(SECTIONS="raise ValueError('no sections today')"), "failed in gpcloud_config_"),
        (
            source(EXTRA_HOOK.format(opts="", name="gpcloud_config_summary", args="t", body="0")),
            "can not be found in the hookspec",
        ),
        (
            source(EXTRA_HOOK.format(opts="", name="gpcloud_no_such_hook", args="", body="0")),
            "unknown hook 'gpcloud_no_such_hook'",
        ),
        (
            source(
                EXTRA_HOOK.format(
                    opts="(wrapper=True)",
                    name="gpcloud_config_summary",
                    args="tenant",
                    body="return (yield)",
                )
            ),
            "gpcloud_config_summary is a hook wrapper",
        ),
    ],
)
def test_a_plugin_failing_a_check_is_not_left_half_registered(install_plugin, broken, reason):
    before = state()
    schema = full_schema()
    with pytest.raises(PluginLoadError, match="plugin half") as info:
        install_plugin("half", broken)
    assert reason in str(info.value)
    assert state() == before
    assert full_schema() == schema


def test_a_valid_plugin_is_registered_with_its_sections(install_plugin):
    generation = get_registry().generation
    with exercised("gpcloud_config_sections") as ran:
        plugin = install_plugin("half", source())
    assert ran == [("gpcloud_config_sections", "half")]
    assert plugin.hooks == ("gpcloud_config_sections", "gpcloud_validate_event")
    assert plugin.sections == {"half": {"type": "object"}}
    registry = get_registry()
    assert registry.section_owner["half"] == "half" and registry.generation == generation + 1
    assert "half" in full_schema()["properties"]
