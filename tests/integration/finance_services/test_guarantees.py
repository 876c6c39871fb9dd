"""Electronic bid guarantees: the agency's requirement, a supplier's application, issuance
signed with the institution's registered key (a forged or tampered signature is refused with
GUARANTEE_SIGNATURE_INVALID and writes nothing), the requirement's checks, the bidder hidden
from the agency until the opening, release by the scheduler 5 wd after the award (losers) and
the signing (winner), a claim on a default."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gpcloud.contracts import service as contracts
from gpcloud.core.clock import start_of
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.finance_services.service import figures, guarantees, settlement
from gpcloud.finance_services.tables import BidGuarantee
from gpcloud.transaction import service as projects
from tests.integration.concurrency.test_transitions import one_wins, race
from tests.integration.contracts.test_contracts import signed
from tests.integration.finance_services.support import admitted, signing_key
from tests.integration.procurement import actor, filed_plan
from tests.support import data, gql, login

VALID_UNTIL = date(2027, 1, 31)
NUMBER = "XXDB-BH-2026-0001"


@pytest.fixture
async def world(demo):
    world = await filed_plan()
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
        await projects.publish_tender(
            world["agent"], project, "招标公告", "正文", date(2026, 10, 12), on=date(2026, 9, 21)
        )
        required = await guarantees.require(
            world["agent"], project, Decimal("80000"), VALID_UNTIL, "purchaser"
        )
    world.update(project=project, required=required, fi=await admitted("xn.bank"))
    world["key"] = await signing_key(world["fi"])
    world["rival"] = await actor("mz.supplier")
    return world


def statement(
    row: dict, number: str, amount: str, valid_until: date, beneficiary: str, project: int
) -> bytes:
    """Built as docs/finance-services.md says, independently of the service."""
    content = {
        "amount": amount,
        "beneficiary": beneficiary,
        "institution": row["institution"],
        "number": number,
        "project": project,
        "supplier": row["supplier_organisation"],
        "tenant": row["tenant_id"],
        "valid_until": valid_until.isoformat(),
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return b"gpcloud-guarantee-v1:" + text.encode()


def issuance(
    row,
    key,
    number=NUMBER,
    amount="80000.00",
    valid=VALID_UNTIL,
    beneficiary="兴宁市第一中学",
    project=None,
    signed_amount=None,
):
    message = statement(
        row, number, signed_amount or amount, valid, beneficiary, project or row["project"]
    )
    return guarantees.Issuance(
        project or row["project"],
        number,
        Decimal(amount),
        valid,
        beneficiary,
        key.sign(message).hex(),
    )


async def applied(world, who) -> dict:
    with use_scope(world["scope"]):
        return await guarantees.apply(who, world["project"], world["fi"]["row"]["id"])


async def test_forged_and_wrong_guarantees_are_refused_and_write_nothing(world):
    row = await applied(world, world["seller"])
    fi, key = world["fi"]["user"], world["key"]
    cases = [
        (issuance(row, Ed25519PrivateKey.generate()), ["GUARANTEE_SIGNATURE_INVALID"]),
        (
            issuance(row, key, amount="90000.00", signed_amount="80000.00"),
            ["GUARANTEE_SIGNATURE_INVALID"],
        ),
        (
            guarantees.Issuance(
                row["project"], NUMBER, Decimal("80000"), VALID_UNTIL, "兴宁市第一中学", "zz"
            ),
            ["GUARANTEE_SIGNATURE_INVALID"],
        ),
        (issuance(row, key, amount="70000.00"), ["GUARANTEE_AMOUNT_SHORT"]),
        (issuance(row, key, valid=date(2026, 12, 31)), ["GUARANTEE_VALIDITY_SHORT"]),
        (
            issuance(row, key, beneficiary="梅州嘉应招标代理有限公司"),
            ["GUARANTEE_WRONG_BENEFICIARY"],
        ),
    ]
    with use_scope(world["fi"]["scope"]):
        for data_, codes in cases:
            with pytest.raises(DomainError) as refused:
                await guarantees.issue(fi, row["id"], data_)
            assert [p.code for p in refused.value.problems] == codes
        # a well-signed statement naming another project
        with pytest.raises(DomainError) as other:
            await guarantees.issue(fi, row["id"], issuance(row, key, project=row["project"] + 1))
        assert other.value.code == "GUARANTEE_WRONG_PROJECT"
    assert (await guarantees.get(row["id"]))["status"] == "applied"
    stranger = await admitted("mz.bank", "bank")
    with use_scope(stranger["scope"]), pytest.raises(DomainError) as foreign:
        await guarantees.issue(stranger["user"], row["id"], issuance(row, key))
    assert foreign.value.code == "NOT_FOUND"
    with use_scope(world["fi"]["scope"]):
        one_wins(*await race(lambda: guarantees.issue(fi, row["id"], issuance(row, key))))
    verdict = await guarantees.verify(NUMBER)
    assert verdict["valid"] and verdict["problems"] == []
    with all_tenants("test: tamper with the stored guarantee"):
        await BidGuarantee.update({BidGuarantee.amount_fen: 1}).where(BidGuarantee.id == row["id"])
    assert "GUARANTEE_AMOUNT_SHORT" in (await guarantees.verify(NUMBER))["problems"]
    assert (await guarantees.verify("NO-SUCH"))["problems"] == ["GUARANTEE_UNKNOWN"]


async def test_the_requirement_follows_the_law(world):
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as high:  # 2% of 4,500,000.00 is 90,000.00
            await guarantees.require(
                world["agent"], world["project"], Decimal("90000.01"), VALID_UNTIL, "agency"
            )
        assert high.value.code == "SECURITY_TOO_HIGH"
        with pytest.raises(DomainError) as other:
            await guarantees.require(
                await actor("xn.agency"), world["project"], Decimal("1000"), VALID_UNTIL, "agency"
            )
        assert other.value.code == "NOT_FOUND"
    assert world["required"]["beneficiary_name"] == "兴宁市第一中学"


async def test_hidden_until_opening_released_after_award_and_signing(world, client):
    mine = await applied(world, world["seller"])
    theirs = await applied(world, world["rival"])
    with use_scope(world["fi"]["scope"]):
        await guarantees.issue(world["fi"]["user"], mine["id"], issuance(mine, world["key"]))
        await guarantees.issue(
            world["fi"]["user"],
            theirs["id"],
            issuance(theirs, world["key"], number="XXDB-BH-2026-0002", amount="85000.00"),
        )
    given = await figures.figures_of("441481")
    assert (given.guarantees, given.deposits_replaced_fen) == (2, 16_500_000)
    agency = await login(client, "mz.agency")
    query = "query($p: ID!) { projectBidGuarantees(projectId: $p) { status supplierOrganisationId amount } }"
    before = data(await gql(client, query, {"p": str(world["project"])}, token=agency))
    assert [g["supplierOrganisationId"] for g in before["projectBidGuarantees"]] == [None, None]
    assert {g["amount"] for g in before["projectBidGuarantees"]} == {"80000.00", "85000.00"}
    with use_scope(world["scope"]):
        await projects.publish_result(
            world["agent"],
            world["project"],
            "中标公告",
            "正文",
            [projects.AwardInput(world["supplier"]["uscc"], Decimal("4380000"))],
            on=date(2026, 10, 16),
        )
    after = data(await gql(client, query, {"p": str(world["project"])}, token=agency))
    assert {g["supplierOrganisationId"] for g in after["projectBidGuarantees"]} == {
        str(world["seller"].organisation_id),
        str(world["rival"].organisation_id),
    }
    loser = await guarantees.get(theirs["id"])
    assert loser["release_due"] == date(2026, 10, 23)  # 5 wd after Fri 16 Oct
    assert (await guarantees.get(mine["id"]))["release_due"] is None  # the winner waits for signing
    await scheduler.run_once(start_of(date(2026, 10, 23)) - timedelta(seconds=1))
    assert (await guarantees.get(theirs["id"]))["status"] == "issued"
    await scheduler.run_once(start_of(date(2026, 10, 23)))
    assert (await guarantees.get(theirs["id"]))["status"] == "released"
    contract = await signed(world, on=date(2026, 10, 26))
    with use_scope(world["scope"]):
        await contracts.publish(world["purchaser"], contract["id"], on=date(2026, 10, 27))
    assert (await guarantees.get(mine["id"]))["release_due"] == date(
        2026, 11, 2
    )  # 5 wd after Mon 26
    await scheduler.run_once(datetime(2026, 11, 2, tzinfo=UTC))
    assert (await guarantees.get(mine["id"]))["status"] == "released"


async def test_a_claim_on_a_default_with_evidence(world):
    row = await applied(world, world["seller"])
    with use_scope(world["fi"]["scope"]):
        await guarantees.issue(world["fi"]["user"], row["id"], issuance(row, world["key"]))
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as bad:
            await settlement.claim(
                world["agent"], row["id"], "late_delivery", [{"title": "x", "reference": "y"}]
            )
        assert bad.value.code == "INVALID_DEFAULT"
        with pytest.raises(DomainError) as bare:
            await settlement.claim(world["agent"], row["id"], "refusal_to_sign", [])
        assert bare.value.code == "NO_EVIDENCE"
        evidence = [{"title": "拒签合同告知函", "reference": "嘉应代〔2026〕88号"}]
        claimed = one_wins(
            *await race(
                lambda: settlement.claim(world["agent"], row["id"], "refusal_to_sign", evidence)
            )
        )
        assert claimed["status"] == "claimed"
    with use_scope(world["fi"]["scope"]):
        assert (await settlement.pay(world["fi"]["user"], row["id"]))["status"] == "paid"


async def test_refusal_and_an_early_release(world):
    mine = await applied(world, world["seller"])
    theirs = await applied(world, world["rival"])
    with use_scope(world["fi"]["scope"]):
        with pytest.raises(DomainError) as bare:
            await guarantees.refuse(world["fi"]["user"], theirs["id"], " ")
        assert bare.value.code == "NO_REASON"
        assert (await guarantees.refuse(world["fi"]["user"], theirs["id"], "授信额度不足"))[
            "status"
        ] == "refused"
        await guarantees.issue(world["fi"]["user"], mine["id"], issuance(mine, world["key"]))
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as early:
            await settlement.release(world["agent"], mine["id"])
        assert early.value.code == "NOT_AWARDED"
        with pytest.raises(DomainError) as again:  # one open guarantee per project and supplier
            await guarantees.apply(world["seller"], world["project"], world["fi"]["row"]["id"])
        assert again.value.code == "GUARANTEE_EXISTS"
        await guarantees.apply(world["rival"], world["project"], world["fi"]["row"]["id"])  # anew
        await projects.publish_result(
            world["agent"],
            world["project"],
            "中标公告",
            "正文",
            [projects.AwardInput(world["supplier"]["uscc"], Decimal("4380000"))],
            on=date(2026, 10, 16),
        )
        one_wins(*await race(lambda: settlement.release(world["agent"], mine["id"])))
    assert (await guarantees.get(mine["id"]))["status"] == "released"
