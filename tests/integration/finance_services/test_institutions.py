"""Institutions: registration and the province's decision (raced), API keys (hash only, shown
once, rotation with a grace period, revocation), sign-in with a key, the rate limit."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core import clock
from gpcloud.core.errors import DomainError
from gpcloud.core.redis import get_redis
from gpcloud.core.redis import key as redis_key
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.finance_services import demo as finance_demo
from gpcloud.finance_services.service import credentials, institutions
from gpcloud.finance_services.tables import FinancialInstitution, InstitutionApiKey
from tests.integration.concurrency.test_transitions import audited, one_wins, race
from tests.integration.finance_services.support import admitted
from tests.integration.procurement import actor
from tests.support import data, error_codes, gql, login


async def test_register_then_the_province_decides_once(demo):
    bank = await actor("mz.bank")
    with use_scope((await tenant_tree()).scope_for(bank.tenant, user_id=bank.id)):
        row = await institutions.register(
            bank, institutions.InstitutionInput("bank", "B0001H244140001")
        )
        with pytest.raises(DomainError) as again:
            await institutions.register(
                bank, institutions.InstitutionInput("bank", "B0001H244140001")
            )
        assert again.value.code == "ALREADY_REGISTERED"
        with pytest.raises(DomainError) as bad:
            await institutions.register(bank, institutions.InstitutionInput("pawnshop", "X1234"))
        assert bad.value.code == "INVALID_KIND"
        with pytest.raises(DomainError) as own:  # not the province
            await institutions.approve(bank, row["id"])
        assert own.value.code == "FORBIDDEN"
        with pytest.raises(DomainError) as early:
            await institutions.acting(bank)
        assert early.value.code == "INSTITUTION_NOT_APPROVED"
    province = await actor("gd.admin")
    with use_scope((await tenant_tree()).scope_for("440000", user_id=province.id)):
        one_wins(*await race(lambda: institutions.approve(province, row["id"])))
        one_wins(*await race(lambda: institutions.suspend(province, row["id"], "许可证过期")))
    assert await audited("financial_institution.approve") == 1
    assert await audited("financial_institution.suspend") == 1


async def test_api_keys_rotate_with_grace_and_revoke(demo):
    fi = await admitted("xn.bank")
    with use_scope(fi["scope"]):
        row, full = await credentials.issue(fi["user"])
    stored = await InstitutionApiKey.select().where(InstitutionApiKey.id == row["id"]).first()
    secret = full.split(".", 1)[1]
    assert (
        secret not in str(stored)
        and stored["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    )
    session = await credentials.sign_in(full)
    assert session.user.id == fi["user"].id
    for forged in (full + "x", full.replace(full[-3:], "abc"), "gpk_nokey.secret", "", "Bearer x"):
        with pytest.raises(DomainError) as refused:
            await credentials.sign_in(forged)
        assert refused.value.code == "INVALID_API_KEY"
    with use_scope(fi["scope"]):
        new_row, new_full = await credentials.rotate(fi["user"], row["id"])
        with pytest.raises(DomainError) as twice:
            await credentials.rotate(fi["user"], row["id"])
        assert twice.value.code == "WRONG_STATE"
    await credentials.sign_in(full)  # within the grace period
    await credentials.sign_in(new_full)
    traveller = time_machine.travel(
        clock.now() + credentials.GRACE + timedelta(minutes=1), tick=False
    )
    traveller.start()
    try:
        with pytest.raises(DomainError) as late:
            await credentials.sign_in(full)
        assert late.value.code == "INVALID_API_KEY"
        await credentials.sign_in(new_full)
    finally:
        traveller.stop()
    with use_scope(fi["scope"]):
        await credentials.revoke(fi["user"], new_row["id"])
    with pytest.raises(DomainError) as revoked:
        await credentials.sign_in(new_full)
    assert revoked.value.code == "INVALID_API_KEY"
    other = await admitted("mz.bank", "bank")
    with use_scope(other["scope"]), pytest.raises(DomainError) as foreign:
        await credentials.revoke(other["user"], row["id"])
    assert foreign.value.code == "NOT_FOUND"


async def test_the_rate_limit_is_per_institution(demo):
    slow = await admitted("xn.bank", rate_limit=3)
    fast = await admitted("mz.bank", "bank", rate_limit=100)
    redis = get_redis()  # counters of earlier tests' institutions (ids are reused) this minute
    stale = [k async for k in redis.scan_iter(redis_key("fi-rate", "*"))]
    if stale:
        await redis.delete(*stale)
    with use_scope(slow["scope"]):
        _, key = await credentials.issue(slow["user"])  # one request
    await credentials.sign_in(key)
    await credentials.sign_in(key)
    with pytest.raises(DomainError) as limited:
        await credentials.sign_in(key)
    assert limited.value.code == "RATE_LIMITED"
    with use_scope(fast["scope"]):
        await credentials.issue(fast["user"])  # another institution is not held back


async def test_sign_in_with_an_api_key_through_the_api(demo, client):
    fi = await admitted("xn.bank")
    token = await login(client, "xn.bank")
    issued = data(
        await gql(
            client,
            "mutation { issueApiKey { key { keyId status } secret errors { code } } }",
            token=token,
        )
    )
    key = issued["issueApiKey"]["secret"]
    assert key.startswith("gpk_") and issued["issueApiKey"]["key"]["status"] == "active"
    signed = data(
        await gql(
            client,
            "mutation($k: String!) { signInWithApiKey(apiKey: $k) { token errors { code } } }",
            {"k": key},
        )
    )
    machine = signed["signInWithApiKey"]["token"]
    mine = data(await gql(client, "{ myApiKeys { keyId } }", token=machine))
    assert [k["keyId"] for k in mine["myApiKeys"]] == [key[4:].split(".")[0]]
    bad = await gql(
        client, 'mutation { signInWithApiKey(apiKey: "gpk_0.x") { token errors { code } } }'
    )
    assert data(bad)["signInWithApiKey"]["errors"][0]["code"] == "INVALID_API_KEY"
    assert fi["row"]["status"] == "approved"
    anonymous = await gql(client, "{ myApiKeys { keyId } }")
    assert error_codes(anonymous)


async def test_the_demo_institutions_are_approved_once(demo):
    await finance_demo.seed()
    await finance_demo.seed()
    rows = await FinancialInstitution.select(FinancialInstitution.kind, FinancialInstitution.status)
    assert sorted((r["kind"], r["status"]) for r in rows) == [
        ("bank", "approved"),
        ("guarantor", "approved"),
    ]
    assert await audited("financial_institution.register_approved") == 2


REGISTER = """mutation { registerFinancialInstitution(input: {kind: BANK, licence: "B1234H244140001"}) {
  institution { id status kind } errors { code } } }"""
DECIDE = "mutation($id: ID!) { approveFinancialInstitution(id: $id) { institution { status } errors { code } } }"
LIST = "{ financialInstitutions { edges { node { name status webhookConfigured } } } }"
WEBHOOK = "mutation($u: String!) { setWebhookEndpoint(url: $u) { secret errors { code } } }"


async def test_institutions_through_the_api(demo, client):
    bank = await login(client, "mz.bank")
    registered = data(await gql(client, REGISTER, token=bank))["registerFinancialInstitution"]
    assert registered["institution"]["status"] == "APPLIED"
    supplier = await login(client, "xn.supplier")
    assert data(await gql(client, LIST, token=supplier))["financialInstitutions"]["edges"] == []
    own = data(await gql(client, LIST, token=bank))["financialInstitutions"]["edges"]
    assert [e["node"]["status"] for e in own] == ["APPLIED"]  # its own row, before approval
    refused = await gql(client, DECIDE, {"id": registered["institution"]["id"]}, token=bank)
    assert error_codes(refused) == ["FORBIDDEN"]
    admin = await login(client, "gd.admin")
    decided = data(await gql(client, DECIDE, {"id": registered["institution"]["id"]}, token=admin))
    assert decided["approveFinancialInstitution"]["institution"]["status"] == "APPROVED"
    listed = data(await gql(client, LIST, token=supplier))["financialInstitutions"]["edges"]
    assert [e["node"]["name"] for e in listed] == ["梅州融信村镇银行股份有限公司"]
    for url, code in (
        ("ftp://93.184.215.14/hook", "WEBHOOK_URL_SCHEME"),
        ("not a url", "INVALID_URL"),
        ("https://" + "a" * 300, "INVALID_URL"),
        ("https://bank:secret@93.184.215.14/hook", "WEBHOOK_URL_CREDENTIALS"),
        ("http://169.254.169.254/latest/meta-data/", "WEBHOOK_HOST_FORBIDDEN"),
        ("http://[::ffff:127.0.0.1]:6379/", "WEBHOOK_HOST_FORBIDDEN"),
    ):
        bad = data(await gql(client, WEBHOOK, {"u": url}, token=bank))["setWebhookEndpoint"]
        assert [e["code"] for e in bad["errors"]] == [code] and bad["secret"] is None, url
    good = data(await gql(client, WEBHOOK, {"u": "https://93.184.215.14/gpcloud"}, token=bank))
    assert len(good["setWebhookEndpoint"]["secret"]) == 64
    assert data(await gql(client, LIST, token=supplier))["financialInstitutions"]["edges"][0][
        "node"
    ]["webhookConfigured"]
