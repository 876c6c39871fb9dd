"""Issue 11, finding 3: login and registration throttles key on the socket's peer; they read
X-Forwarded-For only from the proxies the deployment trusts (setting `trusted_proxies`), and only
the addresses those proxies appended."""

import contextlib
import dataclasses
import ipaddress
import signal

import httpx
import pytest

from gpcloud.core.graphql import context
from gpcloud.core.redis import get_redis
from gpcloud.settings import SettingsError, get_settings, load_settings
from tests.support import LOGIN, serve_fresh

ADDRESS_LIMIT = get_settings().login_max_failures * 10
REGISTER = """mutation($input: RegisterSupplierInput!) {
  registerSupplier(input: $input) { errors { code } } }"""


@contextlib.asynccontextmanager
async def client_at(host: str):
    """A client whose requests arrive from the socket address `host`."""
    from gpcloud.app import create_app

    transport = httpx.ASGITransport(app=create_app(run_worker=False), client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gpcloud.test") as http:
        yield http
    redis = get_redis()
    keys = [k async for k in redis.scan_iter(f"{get_settings().redis_namespace}:supplier-*")]
    if keys:
        await redis.delete(*keys)


@pytest.fixture
def trust(monkeypatch):
    def set_proxies(*networks: str) -> None:
        settings = dataclasses.replace(
            get_settings(), trusted_proxies=tuple(ipaddress.ip_network(n) for n in networks)
        )
        monkeypatch.setattr(context, "get_settings", lambda: settings)

    return set_proxies


async def login_code(client, username, password="Gpcloud#2021", forwarded=None) -> str | None:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    response = await client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"username": username, "password": password}},
        headers=headers,
    )
    errors = response.json()["data"]["login"]["errors"]
    return errors[0]["code"] if errors else None


async def fail_from(client, forwarded: str) -> None:
    """Failed logins up to the per-address limit (a name each, so no name is locked)."""
    for n in range(ADDRESS_LIMIT):
        assert await login_code(client, f"ghost{n}", "wrong", forwarded) == "INVALID_CREDENTIALS"


async def test_without_trusted_proxies_the_header_is_ignored(demo):
    async with client_at("198.51.100.7") as attacker, client_at("198.51.100.8") as other:
        await fail_from(attacker, "9.9.9.9")
        assert await login_code(attacker, "xn.admin", forwarded="9.9.9.10") == "TOO_MANY_ATTEMPTS"
        assert await login_code(other, "xn.admin") is None  # another machine is not affected


async def test_behind_a_trusted_proxy_the_appended_address_counts(demo, trust):
    trust("10.0.0.0/8")
    async with client_at("10.0.0.5") as proxy:
        await fail_from(proxy, "9.9.9.9")
        assert await login_code(proxy, "xn.admin", forwarded="9.9.9.9") == "TOO_MANY_ATTEMPTS"
        # A client that writes its own header gets the proxy's appended to it: still 9.9.9.9.
        spoofed = "9.9.9.10, 9.9.9.9"
        assert await login_code(proxy, "xn.admin", forwarded=spoofed) == "TOO_MANY_ATTEMPTS"
        assert await login_code(proxy, "xn.admin", forwarded="9.9.9.10") is None
        # Through two trusted proxies: the address the outer one was connected from.
        assert await login_code(proxy, "xn.admin", forwarded="9.9.9.9, 10.1.2.3") == (
            "TOO_MANY_ATTEMPTS"
        )
    async with client_at("198.51.100.9") as direct:  # not a proxy: its header is ignored
        await fail_from(direct, "10.0.0.5")
        assert await login_code(direct, "xn.admin", forwarded="9.9.9.10") == "TOO_MANY_ATTEMPTS"


async def test_supplier_registration_counts_the_socket_address(demo):
    bad = {
        "name": "x",
        "uscc": "x",
        "region": "441481",
        "username": "x",
        "password": "x",
        "contactName": "x",
        "contactPhone": "x",
        "contactEmail": "x",
    }
    async with client_at("198.51.100.20") as client:
        codes = []
        for n in range(21):
            response = await client.post(
                "/graphql",
                json={"query": REGISTER, "variables": {"input": bad}},
                headers={"x-forwarded-for": f"9.9.{n}.1"},
            )
            codes.append(response.json()["data"]["registerSupplier"]["errors"][0]["code"])
    assert "TOO_MANY_ATTEMPTS" not in codes[:20] and codes[20] == "TOO_MANY_ATTEMPTS"


def test_trusted_proxies_setting(tmp_path):
    base = {"GPCLOUD_VAR": str(tmp_path), "GPCLOUD_SECRET_KEY": "k" * 32}
    assert load_settings(base).trusted_proxies == ()
    parsed = load_settings({**base, "GPCLOUD_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/16,::1"})
    assert [str(n) for n in parsed.trusted_proxies] == ["10.0.0.5/32", "192.168.0.0/16", "::1/128"]
    with pytest.raises(SettingsError, match="GPCLOUD_TRUSTED_PROXIES"):
        load_settings({**base, "GPCLOUD_TRUSTED_PROXIES": "proxy.example"})


def test_the_server_does_not_believe_the_header_from_localhost(tmp_path):
    """As reported against `gpcloud serve`: uvicorn believed X-Forwarded-For from 127.0.0.1."""
    proc, base = serve_fresh(tmp_path / "var", "--no-access-log")

    def login(username: str, password: str, forwarded: str) -> str | None:
        body = {"query": LOGIN, "variables": {"username": username, "password": password}}
        answer = httpx.post(f"{base}/graphql", json=body, headers={"x-forwarded-for": forwarded})
        errors = answer.json()["data"]["login"]["errors"]
        return errors[0]["code"] if errors else None

    try:
        for n in range(ADDRESS_LIMIT):
            assert login(f"ghost{n}", "wrong", "9.9.9.9") == "INVALID_CREDENTIALS"
        assert login("xn.admin", "Gpcloud#2021", "9.9.9.10") == "TOO_MANY_ATTEMPTS"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
