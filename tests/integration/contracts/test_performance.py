"""Acceptance and payment: the invariants of performance, and payment requests leaving for
digital_finance by file or through a live adapter plugin."""

from datetime import date
from decimal import Decimal

import pytest

from gpcloud.contracts import performance
from gpcloud.core.auth.tables import User, UserRole
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.integrations.digital_finance import service as budget
from gpcloud.portal.tables import Notice
from tests.integration.contracts.test_contracts import signed
from tests.integration.procurement import awarded_project, filed_plan
from tests.plugins.test_approvals import approved
from tests.support import drain_jobs, gql, login

# The procurement ran from September to October 2026; its contract is looked at afterwards.
pytestmark = pytest.mark.day(date(2026, 11, 2))


@pytest.fixture
async def world(demo):
    world = await filed_plan()
    world["project"] = await awarded_project(world)
    world["contract"] = (await signed(world))["id"]
    return world


def report(kind="stage", passed=True, on=date(2026, 10, 20)):
    return performance.AcceptanceInput(kind, f"{kind} 验收", "到货数量、型号与合同一致", passed, on)


async def pay(world, amount, final=False, indicator=None):
    return await performance.request_payment(
        world["purchaser"],
        world["contract"],
        indicator or world["indicator"],
        Decimal(amount),
        final,
    )


async def test_acceptance_reports(world):
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await performance.accept(
                world["purchaser"], world["contract"], report(on=date(2099, 1, 1))
            )
        assert info.value.code == "FUTURE_DATE"
        with pytest.raises(DomainError) as info:
            await performance.accept(
                world["purchaser"], world["contract"], report(on=date(2026, 9, 1))
            )
        assert info.value.code == "BEFORE_SIGNING"
        with pytest.raises(DomainError) as info:
            await performance.accept(world["seller"], world["contract"], report())
        assert info.value.code == "FORBIDDEN"  # the purchaser accepts
        stage = await performance.accept(world["purchaser"], world["contract"], report())
        assert stage["status"] == "published" and stage["kind"] == "stage"
    # Its notice names the procurement as every notice of the plan does (plans.notice_fields).
    shared = ("method", "category_code", "object_type", "purchaser_id", "purchaser_name", "ocid")
    with all_tenants("test: the portal's notices"):
        notices = await Notice.select().where(Notice.kind.is_in(["plan", "acceptance"]))
    plan_notice, acceptance = sorted(notices, key=lambda n: n["kind"] != "plan")
    assert acceptance["category_code"] == "A02010104"
    assert {k: acceptance[k] for k in shared} == {k: plan_notice[k] for k in shared}


async def test_payment_invariants(world):
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await pay(world, "1", indicator=999999)
        assert info.value.code == "NOT_A_PLAN_LINE"
        await pay(world, "1000000")
        line = await budget.get(None, world["indicator"])
        assert (line["reserved_fen"], line["paid_fen"]) == (350_000_000, 100_000_000)
        with pytest.raises(DomainError) as info:
            await pay(world, "3380000.01")  # contract 4,380,000.00
        assert info.value.code == "OVER_CONTRACT"
        with pytest.raises(DomainError) as info:
            await pay(world, "3380000", final=True)
        assert info.value.code == "NOT_ACCEPTED"
        await performance.accept(
            world["purchaser"], world["contract"], report("final", passed=False)
        )
        with pytest.raises(DomainError) as info:
            await pay(world, "3380000", final=True)
        assert info.value.code == "NOT_ACCEPTED"  # a failed acceptance is no acceptance
        await performance.accept(world["purchaser"], world["contract"], report("final"))
        await pay(world, "3380000", final=True)
        with pytest.raises(DomainError) as info:
            await pay(world, "0.01")
        assert info.value.code == "ALREADY_FINAL"
        line = await budget.get(None, world["indicator"])
        assert line["paid_fen"] == 438_000_000 and line["reserved_fen"] == 12_000_000


LIVE = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "pay_live", "description": "test adapter", "config_schema": {"type": "object"}}


@hookimpl
def gpcloud_push_payment(tenant, payment):
    accepted = payment["amount"] != "13.00"
    return {"accepted": accepted, "reference": "GK-" + payment["reference"], "message": "" if accepted else "账户不符"}
"""
EXCHANGE = "mutation { exchangePayments { job { id } errors { code } } }"
JOB = "query($id: ID!) { job(id: $id) { status counts files { name url } } }"


async def test_payments_leave_by_file_or_live(client, world, install_plugin):
    with use_scope(world["scope"]):
        await pay(world, "12")
    admin = await login(client, "xn.admin")
    job_id = (await gql(client, EXCHANGE, token=admin))["data"]["exchangePayments"]["job"]["id"]
    await drain_jobs()
    job = (await gql(client, JOB, {"id": job_id}, token=admin))["data"]["job"]
    assert job["status"] == "SUCCEEDED" and job["counts"] == {"exported": 1}
    url = next(f["url"] for f in job["files"] if f["name"] == "payments.csv")
    text = (await client.get(url, headers={"authorization": f"Bearer {admin}"})).text
    assert "ZB-1" in text and "12.00" in text

    install_plugin("pay_live", LIVE, version="1.0.0")
    await approved(client, "pay_live", "441481")
    with use_scope(world["scope"]):
        ok = await pay(world, "11")
        refused = await pay(world, "13")
    job_id = (await gql(client, EXCHANGE, token=admin))["data"]["exchangePayments"]["job"]["id"]
    await drain_jobs()
    job = (await gql(client, JOB, {"id": job_id}, token=admin))["data"]["job"]
    assert job["counts"] == {"pushed": 1, "rejected": 1} and job["files"] == []
    with use_scope(world["scope"]):
        assert (await performance.get_payment(ok["id"]))[
            "finance_reference"
        ] == f"GK-payment:{ok['id']}"
        assert (await performance.get_payment(refused["id"]))["status"] == "rejected"
        line = await budget.get(None, world["indicator"])
    assert line["paid_fen"] == 2_300  # 12 + 11; the rejected 13 went back to the reservation


async def test_payments_never_exceed_the_plans_line(world):
    """A supplement may add 10%, but the plan's line (4,500,000.00) still caps what is paid."""
    from tests.integration.contracts.test_contracts import TERMS, new_key, sign

    with use_scope(world["scope"]):
        from gpcloud.contracts import service, signing

        extra = await service.create_supplementary(
            world["purchaser"],
            world["contract"],
            service.ContractInput("补充协议", TERMS, Decimal("400000")),
        )
        for who in ("purchaser", "seller"):
            key, public = new_key()
            await signing.register_key(world[who], public)
            await service.sign(world[who], extra["id"], sign(key, extra), on=date(2026, 10, 2))
        await pay(world, "4380000")
        with pytest.raises(DomainError) as info:
            await performance.request_payment(
                world["purchaser"], extra["id"], world["indicator"], Decimal("120000.01"), False
            )
        assert info.value.code == "OVER_PLAN_LINE"
        await performance.request_payment(
            world["purchaser"], extra["id"], world["indicator"], Decimal("120000"), False
        )
        line = await budget.get(None, world["indicator"])
    assert (line["reserved_fen"], line["paid_fen"]) == (0, 450_000_000)


PARTY_VIEW = """query($id: ID!) { contract(id: $id) {
  verification { valid } acceptanceReports { kind passed } payments { amount status } } }"""


async def test_a_party_of_another_region_sees_reports_and_payments(client, world):
    """The supplier's account is in Wuhua (441424), which sees nothing of Xingning: as a party
    of the contract it still sees its acceptance reports and payments, as it sees the
    signatures."""
    with use_scope(world["scope"]):
        await performance.accept(world["purchaser"], world["contract"], report())
        await pay(world, "12")
    with all_tenants("test: the supplier's account is registered in Wuhua"):
        await User.update({User.tenant_id: "441424"}).where(User.id == world["seller"].id)
        await UserRole.update({UserRole.tenant_id: "441424"}).where(
            UserRole.user == world["seller"].id
        )
    seller = await login(client, "xn.supplier")
    seen = await gql(client, PARTY_VIEW, {"id": str(world["contract"])}, token=seller)
    contract = seen["data"]["contract"]
    assert contract["verification"]["valid"]
    assert contract["acceptanceReports"] == [{"kind": "stage", "passed": True}]
    assert contract["payments"] == [{"amount": "12.00", "status": "REQUESTED"}]
    other = await login(client, "mz.supplier")  # not a party: still nothing
    hidden = await gql(client, PARTY_VIEW, {"id": str(world["contract"])}, token=other)
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
