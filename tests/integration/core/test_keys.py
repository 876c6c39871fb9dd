"""The key registry (core/keys): signing and sealing keys of one's own organisation only, the
newest active key per purpose, and a plugin scheme that refuses keys for its tenant."""

from __future__ import annotations

import base64

import pytest

from gpcloud.core.auth.tables import User
from gpcloud.core.errors import DomainError
from gpcloud.core.keys import service as keys
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import sealing
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import approved
from tests.support import data, gql, login

REGISTER_SEALING = """mutation($k: String!) { registerSealingKey(publicKey: $k) {
  key { id purpose publicKey status } errors { code field message } } }"""
REGISTER_SIGNING = """mutation($k: String!) { registerSigningKey(publicKey: $k) {
  key { id purpose publicKey status } errors { code field message } } }"""
REVOKE_SEALING = """mutation($id: ID!) { revokeSealingKey(id: $id) {
  key { id status } errors { code } } }"""
REVOKE_SIGNING = """mutation($id: ID!) { revokeSigningKey(id: $id) {
  key { id status } errors { code } } }"""
KEYS = """query($purpose: KeyPurpose) { signingKeys(purpose: $purpose) { id purpose publicKey } }"""


def _b64(key) -> str:
    return base64.b64encode(sealing.raw_public(key)).decode()


async def _org(username: str) -> int:
    with all_tenants("test: find a demo account"):
        row = await User.select(User.organisation).where(User.username == username).first()
    return row["organisation"]


XN_SUPPLIER = "xn.supplier"


async def test_a_supplier_registers_sealing_and_signing_keys(client, demo):
    xn = await login(client, "xn.supplier")
    sealing_key, signing_key = sealing.generate_sealing_key(), sealing.generate_signing_key()
    sealed = data(await gql(client, REGISTER_SEALING, {"k": _b64(sealing_key)}, token=xn))
    sealed = sealed["registerSealingKey"]
    assert sealed["errors"] == []
    assert sealed["key"]["purpose"] == "SEALING"
    assert sealed["key"]["publicKey"] == sealing.raw_public(sealing_key).hex()
    hex_key = sealing.raw_public(signing_key).hex()
    signed = data(await gql(client, REGISTER_SIGNING, {"k": hex_key}, token=xn))
    assert signed["registerSigningKey"]["key"]["purpose"] == "SIGNING"

    listed = data(await gql(client, KEYS, token=xn))["signingKeys"]
    assert [k["purpose"] for k in listed] == ["SEALING", "SIGNING"]
    only = data(await gql(client, KEYS, {"purpose": "SEALING"}, token=xn))["signingKeys"]
    assert [k["publicKey"] for k in only] == [sealing.raw_public(sealing_key).hex()]

    org = await _org(XN_SUPPLIER)
    active = await keys.active_key(org, "sealing")
    assert active["public_key"] == sealing.raw_public(sealing_key).hex()
    newer = sealing.generate_sealing_key()
    await gql(client, REGISTER_SEALING, {"k": _b64(newer)}, token=xn)
    assert (await keys.active_key(org, "sealing"))["public_key"] == sealing.raw_public(newer).hex()
    assert (await keys.active_key(org, "signing"))["public_key"] == hex_key

    again = data(await gql(client, REGISTER_SEALING, {"k": _b64(newer)}, token=xn))
    assert error_codes_of(again["registerSealingKey"]) == ["DUPLICATE_KEY"]
    for bad in ("not a key", base64.b64encode(b"short").decode(), "zz" * 32):
        refused = data(await gql(client, REGISTER_SEALING, {"k": bad}, token=xn))
        assert error_codes_of(refused["registerSealingKey"]) == ["INVALID_KEY"]


def error_codes_of(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_unknown_purpose_is_refused(demo):
    with pytest.raises(DomainError) as info:
        keys.decode_public_key("encryption", "00" * 32)
    assert info.value.code == "INVALID_KEY"


CA_SCHEME = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "test_ca", "description": "a CA that certified only some keys"}


def check_public_key(purpose, public_key):
    return None if public_key[0] == 0 else "证书机构未签发此密钥"


def check_sealed(ciphertext):
    if not ciphertext.startswith(b"SM4"):
        raise ValueError("不是 SM4 密文")
    return "sm3:" + ciphertext.hex()


@hookimpl
def gpcloud_sealing_scheme(tenant):
    return {"name": "test-ca-v1", "check_public_key": check_public_key, "check_sealed": check_sealed}
"""


async def test_a_plugin_scheme_refuses_keys_for_its_tenant_only(client, demo, install_plugin):
    install_plugin("test_ca", CA_SCHEME, version="1.0.0")
    await approved(client, "test_ca", tenant="441481")
    xn = await login(client, "xn.supplier")
    mz = await login(client, "mz.supplier")
    while (uncertified := sealing.generate_sealing_key()) and sealing.raw_public(uncertified)[
        0
    ] == 0:
        pass
    with exercised("gpcloud_sealing_scheme") as ran:
        refused = data(await gql(client, REGISTER_SEALING, {"k": _b64(uncertified)}, token=xn))
    assert ("gpcloud_sealing_scheme", "test_ca") in ran
    payload = refused["registerSealingKey"]
    assert error_codes_of(payload) == ["INVALID_KEY"]
    assert payload["errors"][0]["message"].startswith("test_ca: ")
    accepted = data(await gql(client, REGISTER_SEALING, {"k": _b64(uncertified)}, token=mz))
    assert accepted["registerSealingKey"]["errors"] == []  # Meizhou has not approved it


async def test_a_plugin_scheme_checks_the_bids_of_its_tenant(client, demo, install_plugin):
    install_plugin("test_ca", CA_SCHEME, version="1.0.0")
    await approved(client, "test_ca", tenant="441481")
    with exercised("gpcloud_sealing_scheme"):
        scheme = await sealing.scheme_for("441481")
    assert scheme.name == "test-ca-v1"
    assert scheme.check_sealed(b"SM4\x01") == "sm3:534d3401"
    with pytest.raises(DomainError) as info:
        scheme.check_sealed(b"GPCBID")
    assert info.value.code == "BID_NOT_SEALED" and "test_ca" in str(info.value)
    assert scheme.unseal is sealing.unseal  # what the plugin does not replace stays built in
    assert (await sealing.scheme_for("441400")).name == "gpcloud-bid-v1"
