"""Contract financing: the supplier's consent opens that contract, its acceptance and payments
to the chosen institutions only (each read audited; an institution it did not choose, or whose
consent it withdrew, finds nothing, through the services and the API); decisions raced; the
payee account change approved by the purchaser and the institution; repayment from payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gpcloud.contracts import performance
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.finance_services.service import figures, financing, payee
from tests.integration.concurrency.test_transitions import audited, one_wins, race
from tests.integration.contracts.test_contracts import signed
from tests.integration.finance_services.support import admitted
from tests.integration.procurement import actor, awarded_project, filed_plan
from tests.plugins.exercise import exercised
from tests.support import data, drain_jobs, error_codes, gql, login

pytestmark = pytest.mark.day(date(2026, 11, 2))
ACCOUNT = payee.AccountInput(
    "兴宁市合水电子科技有限公司", "梅州融信村镇银行兴宁支行", "6230 5800 0012 3456 789"
)


@pytest.fixture
async def world(demo):
    world = await filed_plan()
    world["project"] = await awarded_project(world)
    world["contract"] = (await signed(world))["id"]
    world["bank"] = await admitted("mz.bank", "bank")
    world["guarantor"] = await admitted("xn.bank")
    with use_scope(world["scope"]):
        await performance.accept(
            world["purchaser"],
            world["contract"],
            performance.AcceptanceInput(
                "stage", "首批到货验收", "数量型号一致", True, date(2026, 10, 20)
            ),
        )
    return world


async def apply(world, *institutions, amount="1000000"):
    with use_scope(world["scope"]):
        return await financing.apply(
            world["seller"],
            world["contract"],
            Decimal(amount),
            [w["row"]["id"] for w in institutions],
            "备货周转",
        )


async def pay(world, amount):
    with use_scope(world["scope"]):
        return await performance.request_payment(
            world["purchaser"], world["contract"], world["indicator"], Decimal(amount), False
        )


FINANCED = """query($c: ID!) { financedContract(contractId: $c) {
  id title amount acceptances { kind passed } payments { amount status } } }"""
REACH = [
    ("financedContract", FINANCED),
    ("contract", "query($c: ID!) { contract(id: $c) { id title } }"),
    ("contracts", "query { contracts { edges { node { id } } } }"),
]


async def test_only_consented_institutions_read_and_every_read_is_audited(world, client):
    _, offers = await apply(world, world["bank"])
    await pay(world, "300000")
    contract = world["contract"]
    outsider, chosen = world["guarantor"], world["bank"]
    with use_scope(outsider["scope"]):
        for read in (financing.acceptances, financing.payments):
            with pytest.raises(DomainError) as hidden:
                await read(outsider["user"], contract)
            assert hidden.value.code == "NOT_FOUND"
    token = await login(client, "xn.bank")
    for name, query in REACH:
        result = await gql(
            client, query, {"c": str(contract)} if "$c" in query else None, token=token
        )
        assert result.get("data") is None or not result["data"].get(name), (name, result)
        assert error_codes(result), name
    lists = data(
        await gql(
            client,
            "{ financingApplications { edges { node { id contractId } } } bidGuarantees { edges { node { id } } } }",
            token=token,
        )
    )
    assert lists["financingApplications"]["edges"] == [] and lists["bidGuarantees"]["edges"] == []
    bank = await login(client, "mz.bank")
    seen = data(await gql(client, FINANCED, {"c": str(contract)}, token=bank))["financedContract"]
    assert seen["acceptances"] == [{"kind": "stage", "passed": True}]
    assert seen["payments"] == [{"amount": "300000.00", "status": "requested"}]
    assert await audited("financing.read") == 3  # the contract, its acceptance, its payments
    assert error_codes(await gql(client, REACH[1][1], {"c": str(contract)}, token=bank))
    mine = data(
        await gql(
            client,
            "{ financingApplications { edges { node { contractId offers { status } } } } }",
            token=bank,
        )
    )
    assert mine["financingApplications"]["edges"][0]["node"]["offers"] == [{"status": "PENDING"}]
    with use_scope(world["scope"]):
        await financing.withdraw(world["seller"], offers[0]["id"])
    gone = await gql(client, FINANCED, {"c": str(contract)}, token=bank)
    assert "NOT_FOUND" in error_codes(gone)
    with use_scope(world["scope"]), pytest.raises(DomainError) as other:
        await financing.apply(
            await actor("mz.supplier"), contract, Decimal("1000"), [chosen["row"]["id"]], ""
        )
    assert other.value.code == "NOT_FOUND"


async def test_decision_payee_change_and_repayment(world):
    _, offers = await apply(world, world["bank"], world["guarantor"])
    by = {o["institution"]: o for o in offers}
    bank, guarantor = world["bank"], world["guarantor"]
    lend = by[bank["row"]["id"]]["id"]
    with use_scope(bank["scope"]):
        for wrong, code in (
            (financing.Decision(True, Decimal("1000000"), "abc", 12), "INVALID_RATE"),
            (financing.Decision(True, Decimal("1000000"), "30", 12), "INVALID_RATE"),
            (financing.Decision(True, Decimal("1000000.01"), "3.85", 12), "INVALID_AMOUNT"),
            (financing.Decision(True, Decimal("1000000"), "3.85", 0), "INVALID_TERM"),
        ):
            with pytest.raises(DomainError) as refused:
                await financing.decide(bank["user"], lend, wrong)
            assert refused.value.code == code
        approve = financing.Decision(True, Decimal("800000"), "3.85", 12)
        one_wins(*await race(lambda: financing.decide(bank["user"], lend, approve)))
        with pytest.raises(DomainError) as not_its:
            await financing.decide(bank["user"], by[guarantor["row"]["id"]]["id"], approve)
        assert not_its.value.code == "NOT_FOUND"
    with use_scope(guarantor["scope"]):
        await financing.decide(
            guarantor["user"],
            by[guarantor["row"]["id"]]["id"],
            financing.Decision(False, reason="不符合授信条件"),
        )
    await pay(world, "100000")  # paid to the supplier before the change
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as declined:
            await payee.request(world["seller"], by[guarantor["row"]["id"]]["id"], ACCOUNT)
        assert declined.value.code == "NOT_FINANCED"
        with pytest.raises(DomainError) as bad:
            await payee.request(world["seller"], lend, payee.AccountInput("x", "y", "12ab"))
        assert bad.value.code == "INVALID_ACCOUNT"
        rejected = await payee.request(world["seller"], lend, ACCOUNT)
        with pytest.raises(DomainError) as reasonless:
            await payee.reject(world["purchaser"], rejected["id"], "")
        assert reasonless.value.code == "NO_REASON"
        assert (await payee.reject(world["purchaser"], rejected["id"], "账户信息有误"))[
            "status"
        ] == "rejected"
        change = await payee.request(world["seller"], lend, ACCOUNT)
        with pytest.raises(DomainError) as twice:
            await payee.request(world["seller"], lend, ACCOUNT)
        assert twice.value.code == "CHANGE_PENDING"
        with pytest.raises(DomainError) as stranger:
            await payee.approve(await actor("xn.agency"), change["id"])
        assert stranger.value.code == "FORBIDDEN"
        one_wins(*await race(lambda: payee.approve(world["purchaser"], change["id"])))
        assert await payee.account_for(world["contract"]) is None  # one approval is not enough
    with use_scope(bank["scope"]):
        done = one_wins(*await race(lambda: payee.approve(bank["user"], change["id"])))
    assert done["status"] == "approved" and done["paid_before_fen"] == 10_000_000
    account = await payee.account_for(world["contract"])
    assert account["account_number"] == "6230580000123456789"
    await pay(world, "250000")
    assert await payee.repaid(await payee.get(change["id"])) == 25_000_000
    assert await audited("payee_account_change.institution_complete") == 1


FIGURES = """query($r: String) { financeFigures(regionCode: $r) {
  regionCode institutions loans loanAmount smesServed guarantees depositsReplaced } }"""


async def test_figures_per_region(world, client):
    _, offers = await apply(world, world["bank"])
    with use_scope(world["bank"]["scope"]):
        await financing.decide(
            world["bank"]["user"],
            offers[0]["id"],
            financing.Decision(True, Decimal("800000"), "3.85", 12),
        )
    xingning = await figures.figures_of("441481")
    assert (
        xingning.institutions,
        xingning.loans,
        xingning.loan_amount_fen,
        xingning.smes_served,
    ) == (2, 1, 80_000_000, 1)
    assert (await figures.figures_of("441400")).loans == 1  # the city counts its counties
    assert (await figures.figures_of("441424")).loans == 0  # Wuhua financed nothing
    token = await login(client, "mz.supervisor")
    seen = data(await gql(client, FIGURES, {"r": "441481"}, token=token))["financeFigures"]
    assert seen == {
        "regionCode": "441481",
        "institutions": 2,
        "loans": 1,
        "loanAmount": "800000.00",
        "smesServed": 1,
        "guarantees": 0,
        "depositsReplaced": "0.00",
    }
    county = await login(client, "xn.admin")
    assert error_codes(await gql(client, FIGURES, {"r": "441400"}, token=county)) == ["FORBIDDEN"]
    assert error_codes(
        await gql(client, FIGURES, {"r": "441481"}, token=await login(client, "xn.bank"))
    )


EXCHANGE = "mutation { exchangePayments { job { id } errors { code } } }"
JOB = "query($id: ID!) { job(id: $id) { status counts files { name url } } }"


async def test_the_payment_lands_in_the_financing_account(world, client):
    """The walk's end: financed, payee changed by both, the payment file names the account."""
    _, offers = await apply(world, world["bank"])
    with use_scope(world["bank"]["scope"]):
        await financing.decide(
            world["bank"]["user"],
            offers[0]["id"],
            financing.Decision(True, Decimal("800000"), "3.85", 12),
        )
    with use_scope(world["scope"]):
        change = await payee.request(world["seller"], offers[0]["id"], ACCOUNT)
        await payee.approve(world["purchaser"], change["id"])
    with use_scope(world["bank"]["scope"]):
        await payee.approve(world["bank"]["user"], change["id"])
    await pay(world, "200000")
    admin = await login(client, "xn.admin")
    with exercised("gpcloud_payee_account") as ran:
        job_id = data(await gql(client, EXCHANGE, token=admin))["exchangePayments"]["job"]["id"]
        await drain_jobs()
    assert ("gpcloud_payee_account", "builtin:finance_services") in ran
    job = data(await gql(client, JOB, {"id": job_id}, token=admin))["job"]
    assert job["status"] == "SUCCEEDED" and job["counts"] == {"exported": 1}
    url = next(f["url"] for f in job["files"] if f["name"] == "payments.csv")
    lines = (await client.get(url, headers={"authorization": f"Bearer {admin}"})).text.splitlines()
    row = dict(zip(lines[0].split(","), lines[1].split(","), strict=True))
    assert (row["payee"], row["payee_bank"], row["payee_account"]) == (
        "兴宁市合水电子科技有限公司",
        "梅州融信村镇银行兴宁支行",
        "6230580000123456789",
    )
    assert row["amount"] == "200000.00"
