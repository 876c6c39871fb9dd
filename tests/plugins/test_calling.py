"""How the platform calls hooks: pluggy's order and firstresult over one tenant's plugins, the
two call styles, and every answer and failure naming its plugin."""

import logging
import sys

import pytest

from gpcloud.core.plugins import calling
from gpcloud.core.plugins.calling import Answer, Failure, HookStyleError, PluginFailed
from gpcloud.core.plugins.hooks import TenantContext, TenantHooks
from gpcloud.core.plugins.registry import get_registry

ADAPTER = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "NAME", "description": "test adapter"}
CALLS = []


@hookimpl(OPTS)
def gpcloud_push_payment(tenant, payment):
    CALLS.append(payment["reference"])
    PUSH


@hookimpl
def gpcloud_config_summary(tenant):
    CALLS.append("summary")
    SUMMARY
"""
TENANT = TenantContext("441481", "兴宁市", "county", {})
PAYMENT = {"reference": "payment:7", "amount": "12.00"}


@pytest.fixture
def adapter(install_plugin):
    """`adapter(name, push=..., summary=..., opts=...)`: install a plugin whose hook bodies are
    given; returns its module (CALLS lists what it was asked)."""

    def install(name, push="return None", summary="return None", opts=""):
        source = (
            ADAPTER.replace("NAME", name)
            .replace("OPTS", opts)
            .replace("PUSH", push)
            .replace("SUMMARY", summary)
        )
        install_plugin(name, source)
        return sys.modules[f"gpcloud_{name}"]

    return install


def hooks(*names) -> TenantHooks:
    registry = get_registry()
    return TenantHooks(registry, [registry.plugins[name] for name in names])


def accepted(reference):
    return f"return {{'accepted': True, 'reference': '{reference}', 'message': ''}}"


def test_firstresult_the_last_registered_answers_first(adapter):
    first, second = adapter("pay_a", accepted("A")), adapter("pay_b", accepted("B"))
    answer = hooks("pay_a", "pay_b").call("gpcloud_push_payment", tenant=TENANT, payment=PAYMENT)
    assert answer == Answer("pay_b", {"accepted": True, "reference": "B", "message": ""})
    assert (first.CALLS, second.CALLS) == ([], ["payment:7"])


def test_firstresult_a_plugin_answering_none_passes_to_the_next(adapter):
    first, second = adapter("pay_a", accepted("A")), adapter("pay_b")
    answer = hooks("pay_a", "pay_b").call("gpcloud_push_payment", tenant=TENANT, payment=PAYMENT)
    assert answer.plugin == "pay_a"
    assert (first.CALLS, second.CALLS) == (["payment:7"], ["payment:7"])
    assert hooks("pay_b").call("gpcloud_push_payment", tenant=TENANT, payment=PAYMENT) is None


def test_tryfirst_moves_a_plugin_to_the_front(adapter):
    first = adapter("pay_a", accepted("A"), opts="tryfirst=True")
    second = adapter("pay_b", accepted("B"))
    answer = hooks("pay_a", "pay_b").call("gpcloud_push_payment", tenant=TENANT, payment=PAYMENT)
    assert answer.plugin == "pay_a" and second.CALLS == [] and first.CALLS == ["payment:7"]


def test_call_stops_at_the_failing_plugin_and_names_it(adapter):
    first = adapter("pay_a", accepted("A"))
    adapter("pay_b", "raise ConnectionError('finance side down')")
    with pytest.raises(PluginFailed) as info:
        hooks("pay_a", "pay_b").call("gpcloud_push_payment", tenant=TENANT, payment=PAYMENT)
    assert info.value.code == "PLUGIN_FAILED" and info.value.plugin == "pay_b"
    assert str(info.value) == (
        "plugin pay_b failed in gpcloud_push_payment: ConnectionError: finance side down"
    )
    assert first.CALLS == []  # the failure stopped the call: nobody else pushed


def test_call_robust_reports_the_failure_and_the_others_still_answer(adapter, caplog):
    first = adapter("pay_a", summary="return [{'label': 'A', 'value': '1'}]")
    adapter("pay_b", summary="raise KeyError('rates')")
    outcome = hooks("pay_a", "pay_b").call_robust("gpcloud_config_summary", tenant=TENANT)
    assert outcome.answers == [Answer("pay_a", [{"label": "A", "value": "1"}])]
    assert outcome.failures == [Failure("pay_b", "gpcloud_config_summary", "KeyError: 'rates'")]
    assert first.CALLS == ["summary"]
    (logged,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert logged.plugin == "pay_b" and logged.getMessage() == outcome.failures[0].message
    assert logged.exc_info is not None


def test_call_robust_on_a_firstresult_hook_asks_the_next_plugin(adapter, monkeypatch):
    """No firstresult hook is robust today; the mechanism is ready for one."""
    monkeypatch.setitem(calling.STYLES, "gpcloud_push_payment", "call_robust")
    adapter("pay_a", accepted("A"))
    adapter("pay_b", "raise TimeoutError()")
    outcome = hooks("pay_a", "pay_b").call_robust(
        "gpcloud_push_payment", tenant=TENANT, payment=PAYMENT
    )
    assert outcome.answers.plugin == "pay_a"
    assert [f.plugin for f in outcome.failures] == ["pay_b"]


def test_a_hook_called_in_the_other_style_is_a_bug(adapter):
    adapter("pay_a", accepted("A"))
    with pytest.raises(HookStyleError):
        hooks("pay_a").call("gpcloud_config_summary", tenant=TENANT)
    with pytest.raises(HookStyleError):
        hooks("pay_a").call_robust("gpcloud_push_payment", tenant=TENANT, payment=PAYMENT)


def test_only_the_tenants_plugins_run_and_a_new_release_is_left_out(adapter):
    first, other = adapter("pay_a", accepted("A")), adapter("pay_b", accepted("B"))
    mine = hooks("pay_a")
    assert mine.call("gpcloud_push_payment", tenant=TENANT, payment=PAYMENT).plugin == "pay_a"
    assert other.CALLS == []
    release = adapter("pay_a", accepted("A2"))  # not the code the tenant's caller was built on
    assert mine.call("gpcloud_push_payment", tenant=TENANT, payment=PAYMENT) is None
    assert (first.CALLS, release.CALLS) == (["payment:7"], [])
