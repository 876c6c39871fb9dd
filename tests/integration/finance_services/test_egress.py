"""Webhook destinations (service/egress.py): a URL reaching the platform's own network is
refused, whatever way it is spelled. Literal addresses only, and names answered by a resolver
stub at the socket level (`resolver`): no test reaches outside the machine."""

from __future__ import annotations

import ipaddress

import pytest

from gpcloud.core.errors import DomainError
from gpcloud.finance_services.service import egress

FORBIDDEN = [
    "http://127.0.0.1/hook",
    "http://127.1/hook",  # short form, resolved by the system to 127.0.0.1
    "http://2130706433/hook",  # 127.0.0.1 as one number
    "http://0x7f000001/hook",
    "http://localhost:8000/hook",
    "http://0.0.0.0/hook",
    "http://10.0.0.8/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",  # shared address space (carrier-grade NAT)
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://224.0.0.1/hook",  # multicast
    "http://240.0.0.1/hook",  # reserved
    "http://255.255.255.255/hook",
    "http://198.18.0.1/hook",  # benchmarking
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[fe80::1]/hook",  # link-local
    "http://[fc00::1]/hook",  # unique local
    "http://[fec0::1]/hook",  # site-local (deprecated)
    "http://[ff02::1]/hook",  # multicast
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
    "http://[::ffff:a9fe:a9fe]/hook",  # IPv4-mapped 169.254.169.254
    "http://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
]


@pytest.mark.parametrize("url", FORBIDDEN)
async def test_private_and_reserved_addresses_are_refused(url):
    with pytest.raises(DomainError) as refused:
        await egress.check(url)
    assert refused.value.code == "WEBHOOK_HOST_FORBIDDEN", url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://93.184.215.14/hook", "WEBHOOK_URL_SCHEME"),
        ("file:///etc/passwd", "WEBHOOK_URL_SCHEME"),
        ("gopher://93.184.215.14:6379/_INFO", "WEBHOOK_URL_SCHEME"),
        ("javascript:alert(1)", "WEBHOOK_URL_SCHEME"),
        ("https://user:pw@93.184.215.14/hook", "WEBHOOK_URL_CREDENTIALS"),
        ("https://user@93.184.215.14/hook", "WEBHOOK_URL_CREDENTIALS"),
        ("https://93.184.215.14@127.0.0.1/hook", "WEBHOOK_URL_CREDENTIALS"),
        ("https:///hook", "INVALID_URL"),
        ("https://93.184.215.14:99999/hook", "INVALID_URL"),
        ("https://93.184.215.14/a b", "INVALID_URL"),
        ("https://93.184.215.14/" + "a" * 300, "INVALID_URL"),
        ("not a url", "INVALID_URL"),
        ("https://no-such-host.invalid/hook", "WEBHOOK_HOST_UNRESOLVED"),
    ],
)
async def test_malformed_urls_are_refused(url, code):
    with pytest.raises(DomainError) as refused:
        await egress.check(url)
    assert refused.value.code == code, url


async def test_public_addresses_pass_and_are_what_the_delivery_connects_to():
    target = await egress.check("https://93.184.215.14:8443/gpcloud?x=1")
    assert target.addresses == (ipaddress.ip_address("93.184.215.14"),)
    assert target.url_for(target.addresses[0]) == "https://93.184.215.14:8443/gpcloud?x=1"
    six = await egress.check("https://[2606:4700::1111]/hook")
    assert six.url_for(six.addresses[0]) == "https://[2606:4700::1111]:443/hook"
    assert six.host_header == "[2606:4700::1111]"


async def test_a_name_is_refused_when_any_of_its_addresses_is_private(resolver):
    resolver.answers["hook.bank.example"] = [["93.184.215.14", "10.0.0.5"]]
    with pytest.raises(DomainError) as mixed:
        await egress.check("https://hook.bank.example/gpcloud")
    assert mixed.value.code == "WEBHOOK_HOST_FORBIDDEN"
    resolver.answers["hook.bank.example"] = [["93.184.215.14", "2606:4700::1111"]]
    target = await egress.check("https://hook.bank.example/gpcloud")
    assert [str(a) for a in target.addresses] == ["93.184.215.14", "2606:4700::1111"]
    assert target.host_header == "hook.bank.example"
    assert target.url_for(target.addresses[0]) == "https://93.184.215.14:443/gpcloud"


def test_the_allowed_networks_setting(monkeypatch, tmp_path):
    from gpcloud.settings import load_settings

    base = {"GPCLOUD_VAR": str(tmp_path)}
    assert load_settings(base).webhook_allowed_networks == ()
    allowed = load_settings({**base, "GPCLOUD_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1,10.9.0.0/16"})
    assert allowed.webhook_allowed_networks == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.9.0.0/16"),
    )
    monkeypatch.setattr(egress, "get_settings", lambda: allowed)
    for address in ("127.0.0.1", "10.9.3.4", "::ffff:127.0.0.1"):
        assert egress.allowed(ipaddress.ip_address(address)), address
    for address in ("127.0.0.2", "10.8.0.1", "169.254.169.254", "::1"):
        assert not egress.allowed(ipaddress.ip_address(address)), address
