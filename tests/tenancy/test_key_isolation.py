"""Tenant isolation of the key registry (core/keys): an organisation's keys are listed and
changed by its own users only, whatever their roles or regions."""

from gpcloud.core.keys import service as keys
from gpcloud.transaction import sealing
from tests.integration.core.test_keys import (
    KEYS,
    REGISTER_SEALING,
    REGISTER_SIGNING,
    REVOKE_SEALING,
    REVOKE_SIGNING,
    XN_SUPPLIER,
    _b64,
    _org,
    error_codes_of,
)
from tests.support import data, error_codes, gql, login


async def test_only_the_organisations_own_users_change_its_keys(client, demo):
    xn = await login(client, "xn.supplier")
    mz = await login(client, "mz.supplier")
    key = sealing.generate_sealing_key()
    mine = data(await gql(client, REGISTER_SEALING, {"k": _b64(key)}, token=xn))
    key_id = mine["registerSealingKey"]["key"]["id"]

    assert data(await gql(client, KEYS, token=mz))["signingKeys"] == []
    other = data(await gql(client, REVOKE_SEALING, {"id": key_id}, token=mz))
    assert error_codes_of(other["revokeSealingKey"]) == ["NOT_FOUND"]
    wrong_purpose = data(await gql(client, REVOKE_SIGNING, {"id": key_id}, token=xn))
    assert error_codes_of(wrong_purpose["revokeSigningKey"]) == ["NOT_FOUND"]
    assert (await keys.active_key(await _org(XN_SUPPLIER), "sealing"))["id"] == int(key_id)

    purchaser = await login(client, "xn.purchaser")  # holds signing keys, not bid keys
    forbidden = await gql(client, REGISTER_SEALING, {"k": _b64(key)}, token=purchaser)
    assert error_codes(forbidden) == ["FORBIDDEN"]

    revoked = data(await gql(client, REVOKE_SEALING, {"id": key_id}, token=xn))
    assert revoked["revokeSealingKey"]["key"]["status"] == "revoked"
    assert await keys.active_key(await _org(XN_SUPPLIER), "sealing") is None
    twice = data(await gql(client, REVOKE_SEALING, {"id": key_id}, token=xn))
    assert error_codes_of(twice["revokeSealingKey"]) == ["WRONG_STATE"]


async def test_another_organisations_signing_key_is_not_found(client, demo):
    seller = await login(client, "xn.supplier")
    key = sealing.raw_public(sealing.generate_signing_key()).hex()
    registered = data(await gql(client, REGISTER_SIGNING, {"k": key}, token=seller))
    key_id = registered["registerSigningKey"]["key"]["id"]
    for other in ("xn.purchaser", "mz.purchaser"):  # same county, another county
        token = await login(client, other)
        assert key not in [
            k["publicKey"] for k in data(await gql(client, KEYS, token=token))["signingKeys"]
        ]
        refused = data(await gql(client, REVOKE_SIGNING, {"id": key_id}, token=token))
        assert error_codes_of(refused["revokeSigningKey"]) == ["NOT_FOUND"]
    assert (await keys.active_key(await _org(XN_SUPPLIER), "signing"))["public_key"] == key
