"""The expert fee statement of a committee: hours from the evaluation's audited start, the flat
fee for a recusal after confirming and for a cancelled evaluation, nothing for declines and
unused backups, names sealed unless the evaluation started; who reads it (the agency, the
purchaser, the region's supervisors; nobody of another region or unit); the XLSX export."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from gpcloud.core.db import transaction
from gpcloud.evaluation.service import committees, common, fee_statement, seats
from tests.integration.evaluation.setting import EVALUATION, closed_tender, committee, drawn
from tests.integration.evaluation.setting import experts as make_experts
from tests.integration.evaluation.test_api import outsider
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE
from tests.support import data, drain_jobs, gql, login

STATEMENT = """query($c: ID!) { expertFeeStatement(committeeId: $c) { committeeId final estimated
  total evaluationStartedAt evaluationEndedAt rules
  lines { position backup seatStatus expertId expertName basis amount
    days { day minutes hours firstDay amount } } } }"""
EXPORT = """mutation($c: ID!) { exportExpertFeeStatement(committeeId: $c) {
  job { id } errors { code } } }"""
JOB = "query($id: ID!) { job(id: $id) { status counts files { name url } } }"


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def seated(world, traveller, recuse: bool = True) -> tuple[dict, list[dict]]:
    """A committee of 5 (+2 backups): the first seat confirms then declares a conflict, the
    second declines (both backups are called), the rest confirm. Without the recusal the first
    seat stays, the second backup is released."""
    project, _ = await closed_tender(world, traveller, 3)
    pool = dict(await make_experts(12))
    row = await committee(world, project)
    await drawn(world, row)
    members = await common.members(row["id"])
    first, second = members[0], members[1]
    async with transaction():
        await seats.confirm(pool[first["expert"]], first["id"])
    if recuse:
        async with transaction():
            await seats.declare_conflict(pool[first["expert"]], first["id"], "曾在投标人任职")
    async with transaction():
        await seats.decline(pool[second["expert"]], second["id"], "出差")
    for m in await common.members(row["id"]):
        if m["status"] == "invited":
            async with transaction():
                await seats.confirm(pool[m["expert"]], m["id"])
    return await common.committee(row["id"]), await common.members(row["id"])


async def test_hours_from_the_evaluation_start_recusal_and_declines(world, traveller):
    row, members = await seated(world, traveller)
    assert row["status"] == "complete"
    # before the evaluation: the confirmed are pending, the recused one is owed the flat fee
    before = await fee_statement.statement(world["agent"], row["id"])
    assert [line.basis for line in before.lines] == ["recused", "none", *["pending"] * 5]
    assert before.total_fen == 20000 and not before.final
    assert all(line.expert is None for line in before.lines)  # names sealed
    traveller.move_to(EVALUATION)
    async with transaction():
        await committees.start_evaluation(world["agent"], row["id"])
    traveller.move_to(EVALUATION + timedelta(hours=8, minutes=30))  # 8.5 h: 9 h billed
    found = await fee_statement.statement(world["agent"], row["id"])
    bases = [(line.basis, line.seat["status"]) for line in found.lines]
    assert bases == [("recused", "recused"), ("none", "declined"), *[("sat", "confirmed")] * 5]
    assert [line.fee.yuan for line in found.lines] == [
        Decimal("200.00"),
        Decimal("0.00"),
        *[Decimal("1150.00")] * 5,  # 400 + 6 x 100 + 1 x 150
    ]
    assert found.total_fen == 5 * 115000 + 20000
    assert not found.final and found.span.ended_at is None
    assert found.span.started_at == EVALUATION
    assert all(line.expert and line.expert["name"].startswith("测试专家") for line in found.lines)
    attended = await fee_statement.attendance(row["id"])
    assert sorted(attended) == [m["id"] for m in members[2:]]
    span = (EVALUATION, EVALUATION + timedelta(hours=8, minutes=30))
    assert all(v == [span] for v in attended.values())
    # a day later, still evaluating: one sitting over midnight, counted to its day, estimated
    traveller.move_to(EVALUATION + timedelta(hours=26))
    later = await fee_statement.statement(world["agent"], row["id"])
    assert later.estimated and later.lines[2].fee.days[0].hours == 26


async def test_every_confirmed_seat_sits_including_the_backup(world, traveller):
    row, members = await seated(world, traveller)
    traveller.move_to(EVALUATION)
    async with transaction():
        await committees.start_evaluation(world["agent"], row["id"])
    traveller.move_to(EVALUATION + timedelta(hours=2))
    found = await fee_statement.statement(world["agent"], row["id"])
    sat = {line.seat["id"]: line.fee.yuan for line in found.lines if line.basis == "sat"}
    assert sat == {m["id"]: Decimal("400.00") for m in members[2:]}  # exactly 2 h
    assert found.total_fen == 5 * 40000 + 20000


async def test_a_cancelled_committee_pays_its_confirmed_experts_the_flat_fee(world, traveller):
    row, members = await seated(world, traveller, recuse=False)
    async with transaction():
        await committees.cancel(world["agent"], row["id"], "采购文件需修改")
    found = await fee_statement.statement(world["agent"], row["id"])
    assert found.final and found.span.started_at is None
    by_basis = [line.basis for line in found.lines]
    assert by_basis == ["cancelled", "none", "cancelled", "cancelled", "cancelled"] + [
        "cancelled",
        "none",
    ]
    assert found.total_fen == 5 * 20000
    assert all(line.expert is None for line in found.lines)  # never unsealed


async def test_who_reads_the_statement(client, world, traveller):
    row, _ = await seated(world, traveller)
    traveller.move_to(EVALUATION)
    async with transaction():
        await committees.start_evaluation(world["agent"], row["id"])
    traveller.move_to(EVALUATION + timedelta(hours=3))
    variables = {"c": str(row["id"])}
    for username in ("mz.agency", "xn.purchaser", "xn.supervisor", "mz.supervisor"):
        got = data(await gql(client, STATEMENT, variables, token=await login(client, username)))
        found = got["expertFeeStatement"]
        assert found["committeeId"] == str(row["id"]), username
        assert Decimal(found["total"]) == Decimal("2700.00")  # 5 x 500 + 200
        assert found["final"] is False and found["estimated"] is False
        assert any("expert_fee_base" in r for r in found["rules"])
    sat = [line for line in found["lines"] if line["basis"] == "SAT"]
    assert sat[0]["days"] == [
        {"day": "2026-10-13", "minutes": 180, "hours": 3, "firstDay": True, "amount": "500.00"}
    ]
    # another agency, another unit's purchaser, another county's staff: nothing
    for username in ("xn.agency", "mz.purchaser"):
        got = data(await gql(client, STATEMENT, variables, token=await login(client, username)))
        assert got["expertFeeStatement"] is None, username
    other = await outsider()
    got = await gql(client, STATEMENT, variables, token=await login(client, other, "x" * 12))
    assert got["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # an admin has no fee read
    for username in ("mz.supplier", "mz.expert"):
        got = await gql(client, STATEMENT, variables, token=await login(client, username))
        assert got["errors"][0]["extensions"]["code"] == "FORBIDDEN", username


async def test_a_supervisor_of_another_county_sees_nothing(client, world, traveller):
    row, _ = await seated(world, traveller)
    token = await login(client, await supervisor_elsewhere(), "x" * 12)
    got = data(await gql(client, STATEMENT, {"c": str(row["id"])}, token=token))
    assert got["expertFeeStatement"] is None
    refused = data(await gql(client, EXPORT, {"c": str(row["id"])}, token=token))
    assert refused["exportExpertFeeStatement"]["errors"] == [{"code": "NOT_FOUND"}]


async def supervisor_elsewhere(tenant: str = "441424") -> str:
    from gpcloud.core.auth import passwords
    from gpcloud.core.auth.tables import Organisation, User, UserRole
    from gpcloud.core.tenancy.scope import all_tenants

    with all_tenants("test: a supervisor of another county"):
        async with transaction():
            org = Organisation(name="五华县财政局", kind="finance_bureau", region=tenant)
            await org.save()
            user = User(
                tenant_id=tenant,
                organisation=org.id,
                username="wh.supervisor",
                password_hash=await passwords.hash_password("x" * 12),
                display_name="五华县监管员",
                mobile="13800000000",
                email="whs@example.com",
                must_change_password=False,
            )
            await user.save()
            await UserRole.insert(UserRole(tenant_id=tenant, user=user.id, role="supervisor"))
    return "wh.supervisor"


async def test_the_statement_as_xlsx(client, world, traveller):
    row, _ = await seated(world, traveller)
    traveller.move_to(EVALUATION)
    async with transaction():
        await committees.start_evaluation(world["agent"], row["id"])
    traveller.move_to(EVALUATION + timedelta(hours=8))
    token = await login(client, "mz.agency")
    started = data(await gql(client, EXPORT, {"c": str(row["id"])}, token=token))
    assert started["exportExpertFeeStatement"]["errors"] == []
    await drain_jobs()
    job_id = started["exportExpertFeeStatement"]["job"]["id"]
    job = data(await gql(client, JOB, {"id": job_id}, token=token))["job"]
    assert job["status"] == "SUCCEEDED" and job["counts"] == {"seats": 7}
    [(name, url)] = [(f["name"], f["url"]) for f in job["files"]]
    assert name == f"expert-fees-{row['id']}.xlsx"
    got = await client.get(url, headers={"authorization": f"Bearer {token}"})
    rows = list(load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("委员会", "抽取顺序") and len(rows) == 9
    assert [r[6] for r in rows[1:8]] == ["回避", "无", *["参加评审"] * 5]
    assert [r[10] for r in rows[1:8]] == [200, 0, *[1000] * 5]
    assert rows[8][3] == "合计" and rows[8][10] == 5200 and rows[8][6] == "暂计（评审进行中）"
    assert "首日" in rows[3][11]
