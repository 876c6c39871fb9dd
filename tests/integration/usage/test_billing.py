"""Face verification and e-signatures through the development provider, each use billed once to
the agency in the transaction of the use."""

from __future__ import annotations

import pytest

from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.usage import development
from gpcloud.usage.service import billing, record_use, sign_document, verify_face
from tests.integration.usage.support import EXPERT, REPORT, agencies, ledger, use
from tests.plugins.exercise import exercised


@pytest.fixture
async def world(demo):
    return await agencies()


async def test_a_face_verification_is_billed_at_the_tenants_price(world):
    sample = development.face_sample("expert:7")
    with exercised("gpcloud_verify_face") as ran:
        outcome = await verify_face(
            use(world["mz_org"], "k1"), EXPERT, sample, "evaluation_check_in"
        )
    assert ("gpcloud_verify_face", "builtin:development") in ran
    assert outcome.ok and not outcome.replayed
    assert outcome.answer["development"] is True and "开发测试" in outcome.answer["provider"]
    [charge] = await ledger()
    # Xingning inherits the province's fees.face_verification_per_use = 2 (tenants/440000)
    assert (charge["tenant_id"], charge["agency"], charge["kind"]) == (
        "441481",
        world["mz_org"],
        "face_verification",
    )
    assert (charge["unit_price_fen"], charge["outcome"], charge["month"]) == (
        200,
        "matched",
        "2026-09",
    )
    assert charge["provider"] == "builtin:development"


async def test_a_face_that_does_not_match_is_billed_and_a_retry_is_not(world):
    first = await verify_face(use(world["mz_org"], "k2"), EXPERT, b"\xff\xd8 a real photo", "x")
    assert not first.ok and first.answer["matched"] is False
    again = await verify_face(
        use(world["mz_org"], "k2"), EXPERT, development.face_sample("expert:7"), "x"
    )
    assert again.replayed and not again.ok  # the key names the attempt: its answer stands
    assert [c["outcome"] for c in await ledger()] == ["not_matched"]


async def test_a_key_reused_for_another_use_is_refused(world):
    await verify_face(use(world["mz_org"], "k3"), EXPERT, b"x", "x")
    other = {**EXPERT, "reference": "expert:8"}
    with pytest.raises(DomainError) as caught:
        await verify_face(use(world["mz_org"], "k3"), other, b"x", "x")
    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(DomainError) as caught:
        await record_use(
            use(world["mz_org"], "k3"), "e_signature", "expert:7", "p", "r", "signed", {}
        )
    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert len(await ledger()) == 1


async def test_a_signature_is_real_and_billed_only_when_made(world):
    with exercised("gpcloud_sign_document"):
        refused = await sign_document(use(world["mz_org"], "s1"), EXPERT, REPORT, "123456")
    assert not refused.ok and refused.charge is None and await ledger() == []
    signed = await sign_document(
        use(world["mz_org"], "s2"), EXPERT, REPORT, development.CONFIRMATION
    )
    assert signed.ok and signed.answer["development"] is True
    assert development.verify(EXPERT, REPORT, signed.answer["signature"])
    assert not development.verify(
        {**EXPERT, "reference": "expert:8"}, REPORT, signed.answer["signature"]
    )
    assert not development.verify(
        EXPERT, {**REPORT, "digest": "cd" * 32}, signed.answer["signature"]
    )
    [charge] = await ledger()
    assert (charge["kind"], charge["unit_price_fen"], charge["outcome"]) == (
        "e_signature",
        1000,
        "signed",
    )


async def test_a_use_whose_transaction_rolls_back_was_never_billed(world):
    with pytest.raises(RuntimeError):
        async with transaction():
            await verify_face(use(world["mz_org"], "k4"), EXPERT, b"x", "x")
            raise RuntimeError("the check-in failed after the verification")
    assert await ledger() == []


@pytest.mark.parametrize(
    ("agency", "key", "project", "code"),
    [
        ("supplier", "k5", "project:1", "NOT_AN_AGENCY"),
        ("mz", "", "project:1", "INVALID_IDEMPOTENCY_KEY"),
        ("mz", "k" * 129, "project:1", "INVALID_IDEMPOTENCY_KEY"),
        ("mz", "k6", "", "INVALID_PROJECT_REFERENCE"),
    ],
)
async def test_bad_uses_are_refused_and_bill_nothing(world, agency, key, project, code):
    from tests.integration.procurement import actor

    organisation = (
        world["mz_org"] if agency == "mz" else (await actor("xn.supplier")).organisation_id
    )
    with exercised() as ran, pytest.raises(DomainError) as caught:
        await verify_face(use(organisation, key, project=project), EXPERT, b"x", "x")
    assert caught.value.code == code
    assert ran == []  # refused before any provider was asked
    assert await ledger() == []


async def test_a_tenant_without_a_price_uses_nothing(world, monkeypatch):
    monkeypatch.setitem(billing.PRICE_KEYS, "face_verification", "no_such_fee")
    with exercised() as ran, pytest.raises(DomainError) as caught:
        await verify_face(use(world["mz_org"], "k7"), EXPERT, b"x", "x")
    assert caught.value.code == "USAGE_PRICE_MISSING" and ran == []
    assert await ledger() == []
