"""Budget indicators from digital_finance: the file import, the balance rule under concurrent
plans, who reads which lines, and the usage file going back."""

import asyncio
import csv
from decimal import Decimal

import pytest

from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.integrations.digital_finance import service
from gpcloud.integrations.digital_finance.tables import BudgetEntry, BudgetIndicator
from gpcloud.registries.purchasers import demo as purchasers_demo
from tests.support import drain_jobs, error_codes, gql, in_english, login

HEADER = ["code", "budget_unit_code", "fiscal_year", "name", "amount", "funding_source", "status"]
ROWS = [
    ["ZB2026-0001", "441481311", "2026", "教学设备购置", "200000.00", "一般公共预算", ""],
    ["ZB2026-0002", "441481311", "2026", "图书采购", "20000", "", "正常"],
    ["ZB2026-0003", "441481312", "2026", "校园安防", "1,500,000.50", "", "冻结"],
    ["ZB2026-0004", "441400001", "2026", "外县单位", "100", "", ""],  # not a unit of Xingning
    ["ZB2026-0005", "441481311", "2026", "三位小数", "1.005", "", ""],
    ["ZB2026-0001", "441481312", "2026", "重复编码", "1", "", ""],
    ["ZB2026-0006", "441481311", "1999", "年度不对", "1", "", ""],
]
QUERY = """query($filter: BudgetIndicatorFilter) { budgetIndicators(filter: $filter) {
  edges { node { id code purchaserName amount reserved paid balance status } } } }"""


@pytest.fixture
async def units(demo):
    await purchasers_demo.seed()


def write(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def run(path, tenant="441481"):
    with use_scope((await tenant_tree()).scope_for(tenant)), in_english():
        return await run_import(get_spec("budget_indicators"), path, tenant, path.parent / "out")


async def indicators(tenant="441481") -> dict[str, dict]:
    with all_tenants("test"):
        rows = await BudgetIndicator.select().where(BudgetIndicator.tenant_id == tenant)
    return {r["code"]: r for r in rows}


async def in_scope(tenant, work):
    with use_scope((await tenant_tree()).scope_for(tenant)):
        return await work()


async def test_import_assigns_lines_to_purchasers_and_rejects_the_rest(tmp_path, units):
    summary = await run(write(tmp_path / "zb.csv", ROWS))
    assert summary.counts == {"created": 3, "rejected": 4}
    found = await indicators()
    assert found["ZB2026-0001"]["amount_fen"] == 20_000_000
    assert found["ZB2026-0003"]["amount_fen"] == 150_000_050
    assert found["ZB2026-0003"]["status"] == "frozen"
    with (tmp_path / "out" / "rejects.csv").open(encoding="utf-8-sig") as fh:
        reasons = {r["row"]: r["reasons"] for r in csv.DictReader(fh)}
    assert "no purchaser 441400001 in 441481" in reasons["5"]
    assert "at most 2 decimals" in reasons["6"]
    assert "also in row 2" in reasons["7"]
    assert "a year like 2026" in reasons["8"]

    again = await run(write(tmp_path / "zb.csv", ROWS))
    assert again.counts == {"unchanged": 3, "rejected": 4}
    corrected = [["ZB2026-0002", "441481311", "2026", "图书采购", "25000", "", ""]]
    assert (await run(write(tmp_path / "fix.csv", corrected))).counts == {"updated": 1}
    assert (await indicators())["ZB2026-0002"]["amount_fen"] == 2_500_000


async def test_balance_never_goes_negative_and_every_move_is_recorded(tmp_path, units):
    await run(write(tmp_path / "zb.csv", ROWS[:3]))
    line = (await indicators())["ZB2026-0002"]["id"]  # 20,000.00

    async def move(kind, amount, ref="plan:1"):
        return await in_scope("441481", lambda: service.move(line, kind, Decimal(amount), ref))

    assert service.balance_fen(await move("reserve", "15000")) == 500_000
    with pytest.raises(DomainError) as over:
        await move("reserve", "5000.01")
    assert over.value.code == "INSUFFICIENT_BALANCE" and "balance 5000.00" in str(over.value)
    paid = await move("pay", "10000", "payment:1")
    assert (paid["reserved_fen"], paid["paid_fen"]) == (500_000, 1_000_000)
    with pytest.raises(DomainError) as release:
        await move("release", "5000.01")
    assert release.value.code == "RELEASE_EXCEEDS_RESERVED"
    with pytest.raises(DomainError) as pay:
        await move("pay", "6000", "payment:2")
    assert pay.value.code == "PAYMENT_EXCEEDS_RESERVED"
    released = await move("release", "5000")
    assert service.balance_fen(released) == 1_000_000
    for bad in ("0", "-1", "0.001"):
        with pytest.raises(DomainError) as invalid:
            await move("reserve", bad)
        assert invalid.value.code == "INVALID_AMOUNT"
    with all_tenants("test"):
        kinds = [e["kind"] for e in await BudgetEntry.select().order_by(BudgetEntry.id)]
    assert kinds == ["reserve", "pay", "release"]  # refused moves left nothing

    frozen = (await indicators())["ZB2026-0003"]["id"]
    with pytest.raises(DomainError) as info:
        await in_scope("441481", lambda: service.move(frozen, "reserve", Decimal(1), "plan:2"))
    assert info.value.code == "INDICATOR_FROZEN"
    # A re-import may not cut the line below what is used (10,000 paid).
    cut = [["ZB2026-0002", "441481311", "2026", "图书采购", "9999.99", "", ""]]
    assert (await run(write(tmp_path / "cut.csv", cut))).counts == {"rejected": 1}


async def test_fifty_concurrent_plans_race_for_the_last_yuan(tmp_path, units):
    """PostgreSQL: 50 transactions on the pool, the row lock decides; SQLite: one writer at a
    time."""
    await run(write(tmp_path / "zb.csv", ROWS[1:2]))  # 20,000.00
    line = (await indicators())["ZB2026-0002"]["id"]

    async def plan(n):
        with use_scope((await tenant_tree()).scope_for("441481")):
            try:
                async with transaction():
                    await service.move(line, "reserve", Decimal("1000"), f"plan:{n}")
                return True
            except DomainError as exc:
                assert exc.code == "INSUFFICIENT_BALANCE"
                return False

    results = await asyncio.gather(*(plan(n) for n in range(50)))
    assert sum(results) == 20
    row = (await indicators())["ZB2026-0002"]
    assert row["reserved_fen"] == row["amount_fen"] and service.balance_fen(row) == 0
    with all_tenants("test"):
        assert await BudgetEntry.count().where(BudgetEntry.indicator == line) == 20


async def test_who_reads_which_lines(client, tmp_path, units):
    await run(write(tmp_path / "zb.csv", ROWS[:3]))
    school = await login(client, "xn.purchaser")  # 兴宁市第一中学, unit 441481311
    own = await gql(client, QUERY, token=school)
    assert {e["node"]["code"] for e in own["data"]["budgetIndicators"]["edges"]} == {
        "ZB2026-0001",
        "ZB2026-0002",
    }
    other_unit = (await indicators())["ZB2026-0003"]["id"]
    one = "query($id: ID!) { budgetIndicator(id: $id) { code } }"
    assert error_codes(await gql(client, one, {"id": str(other_unit)}, token=school)) == [
        "NOT_FOUND"
    ]
    county = await login(client, "xn.supervisor")
    seen = await gql(client, QUERY, {"filter": {"withBalance": True}}, token=county)
    assert len(seen["data"]["budgetIndicators"]["edges"]) == 3
    city = await login(client, "mz.admin")
    region = await gql(client, QUERY, {"filter": {"tenant": "441400"}}, token=city)
    assert len(region["data"]["budgetIndicators"]["edges"]) == 3  # Xingning is in Meizhou
    other_city = await login(client, "xn.admin")
    denied = await gql(client, QUERY, {"filter": {"tenant": "441400"}}, token=other_city)
    assert error_codes(denied) == ["TENANT_NOT_FOUND"]
    supplier = await login(client, "xn.supplier")
    assert error_codes(await gql(client, QUERY, token=supplier)) == ["FORBIDDEN"]
    # A county's scope cannot move another county's line.
    with pytest.raises(DomainError) as info:
        await in_scope("441424", lambda: service.move(other_unit, "reserve", Decimal(1), "x"))
    assert info.value.code == "NOT_FOUND"
    # Nor import into a tenant it cannot see.
    from gpcloud.core.imports.service import start_import

    with pytest.raises(DomainError) as info:
        path = write(tmp_path / "x.csv", ROWS[:1])
        await in_scope(
            "441481",
            lambda: start_import(None, "budget_indicators", "x.csv", path.read_bytes(), "441424"),
        )
    assert info.value.code == "TENANT_NOT_FOUND"


async def test_usage_file_for_digital_finance(client, tmp_path, units):
    await run(write(tmp_path / "zb.csv", ROWS[:3]))
    line = (await indicators())["ZB2026-0001"]["id"]
    await in_scope("441481", lambda: service.move(line, "reserve", Decimal("1234.56"), "plan:9"))
    token = await login(client, "xn.admin")
    started = await gql(
        client,
        "mutation { exportBudgetUsage(fiscalYear: 2026) { job { id } errors { code } } }",
        token=token,
    )
    job_id = started["data"]["exportBudgetUsage"]["job"]["id"]
    await drain_jobs()
    job = await gql(
        client,
        "query($id: ID!) { job(id: $id) { status counts files { name url } } }",
        {"id": job_id},
        token=token,
    )
    job = job["data"]["job"]
    assert job["status"] == "SUCCEEDED" and job["counts"] == {"indicators": 3}
    csv_file = next(f for f in job["files"] if f["name"] == "budget-usage.csv")
    text = (await client.get(csv_file["url"], headers={"authorization": f"Bearer {token}"})).text
    rows = {r["code"]: r for r in csv.DictReader(text.lstrip("\ufeff").splitlines())}
    assert rows["ZB2026-0001"]["reserved"] == "1234.56"
    assert rows["ZB2026-0001"]["balance"] == "198765.44"
    purchaser = await login(client, "xn.purchaser")
    denied = await gql(
        client,
        "mutation { exportBudgetUsage(fiscalYear: 2026) { errors { code } } }",
        token=purchaser,
    )
    assert error_codes(denied) == ["FORBIDDEN"]


LIVE = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "finance_live", "description": "test adapter", "config_schema": {"type": "object"}}


@hookimpl
def gpcloud_fetch_budget_indicators(tenant, fiscal_year):
    return [
        {"code": "LIVE-1", "budget_unit_code": "441481311", "fiscal_year": str(fiscal_year),
         "name": tenant.name + "实时指标", "amount": "5000.00"},
        {"code": "LIVE-2", "budget_unit_code": "999", "fiscal_year": str(fiscal_year),
         "name": "无此单位", "amount": "1"},
    ]
"""
FETCH = """mutation($year: Int!) { fetchBudgetIndicators(fiscalYear: $year) {
  job { id } errors { code } } }"""
JOB = "query($id: ID!) { job(id: $id) { status counts errorCode files { name } } }"


async def test_live_adapter_plugin_feeds_the_same_import(client, units, install_plugin):
    from tests.plugins.test_approvals import approved

    token = await login(client, "xn.admin")
    started = await gql(client, FETCH, {"year": 2026}, token=token)
    await drain_jobs()
    job_id = started["data"]["fetchBudgetIndicators"]["job"]["id"]
    failed = (await gql(client, JOB, {"id": job_id}, token=token))["data"]["job"]
    assert (failed["status"], failed["errorCode"]) == ("FAILED", "NO_LIVE_ADAPTER")

    install_plugin("finance_live", LIVE, version="1.0.0")
    await approved(client, "finance_live", "441481")
    started = await gql(client, FETCH, {"year": 2026}, token=token)
    await drain_jobs()
    job_id = started["data"]["fetchBudgetIndicators"]["job"]["id"]
    job = (await gql(client, JOB, {"id": job_id}, token=token))["data"]["job"]
    assert job["status"] == "SUCCEEDED"
    assert job["counts"] == {"rows": 2, "created": 1, "rejected": 1}
    names = [f["name"] for f in job["files"]]
    assert names[0] == "fetched.csv" and set(names) == {
        "fetched.csv",
        "rejects.xlsx",
        "rejects.csv",
    }
    assert (await indicators())["LIVE-1"]["name"] == "兴宁市实时指标"


async def test_a_reservation_after_the_import_read_the_line_still_refuses_the_row(
    tmp_path, units, monkeypatch
):
    """The balance rule is part of the UPDATE: a plan reserving between the import's read and
    its write is not overwritten."""
    from gpcloud.integrations.digital_finance import imports

    await run(write(tmp_path / "zb.csv", ROWS[:2]))
    before = await indicators()
    update = imports._update

    async def reserved_meanwhile(current, changes, now):
        await service.move(current["id"], "reserve", Decimal("15000"), "plan:meanwhile")
        return await update(current, changes, now)

    monkeypatch.setattr(imports, "_update", reserved_meanwhile)
    changed = [
        ["ZB2026-0001", "441481312", "2026", "教学设备购置", "200000.00", "", ""],  # other unit
        ["ZB2026-0002", "441481311", "2026", "图书采购", "10000", "", ""],  # below 15,000
    ]
    assert (await run(write(tmp_path / "race.csv", changed))).counts == {"rejected": 2}
    with (tmp_path / "out" / "rejects.csv").open(encoding="utf-8-sig") as fh:
        reasons = {r["row"]: r["reasons"] for r in csv.DictReader(fh)}
    assert "in use by another purchaser" in reasons["2"]
    assert "amount: 15000.00 yuan is already reserved or paid" in reasons["3"]
    after = await indicators()
    for code in ("ZB2026-0001", "ZB2026-0002"):
        assert after[code]["purchaser"] == before[code]["purchaser"]
        assert after[code]["amount_fen"] == before[code]["amount_fen"]
