"""National lists as files (idempotent, reject report, removal revokes) and through a live
adapter plugin (gpcloud_fetch_credit_list), both loaded by the same import."""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.plugins import service as plugin_requests
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit import service as credit
from gpcloud.credit.tables import CreditList, CreditRecord
from tests.integration.credit.support import credit_world
from tests.integration.procurement import actor
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import file
from tests.support import data, drain_jobs, gql, in_english, login

HEADER = [
    "名单",
    "名单记录编号",
    "主体名称",
    "统一社会信用代码",
    "列入日期",
    "截止日期",
    "决定文书号",
    "状态",
]
UNREGISTERED = "91440101MA5CX00017"


@pytest.fixture
async def world(demo):
    return await credit_world()


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


async def load(path: Path, out: Path):
    with use_scope((await tenant_tree(fresh=True)).scope_for("440000")), in_english():
        return await run_import(get_spec("credit_records"), path, "440000", out)


def rejects(out: Path) -> dict[str, str]:
    with (out / "rejects.csv").open(encoding="utf-8-sig") as fh:
        return {r["row"]: r["reasons"] for r in csv.DictReader(fh)}


async def stored() -> dict[str, dict]:
    with all_tenants("test"):
        return {r["source_key"]: r for r in await CreditRecord.select()}


async def test_a_list_file_loads_once_rejects_what_is_wrong_and_is_found_by_checks(world, tmp_path):
    uscc = world["supplier"]["uscc"]
    rows = [
        [
            "严重违法失信",
            "CG-1",
            "兴宁示例供应商",
            uscc,
            "2026-08-01",
            "2027-07-31",
            "粤财〔2026〕5号",
            "",
        ],
        ["失信被执行人", "FY-9", "广州未注册公司", UNREGISTERED, "2026-01-10", "", "", "有效"],
        ["严重违法失信", "CG-2", "无期限", UNREGISTERED, "2026-08-01", "", "", ""],
        ["传闻", "X-1", "某公司", UNREGISTERED, "2026-08-01", "", "", ""],
        ["重大税收违法", "CG-1", "重复编号", UNREGISTERED, "2026-08-01", "", "", ""],
    ]
    first = await load(write(tmp_path / "list.csv", rows), tmp_path / "one")
    assert first.counts == {"created": 2, "rejected": 3}
    reasons = rejects(tmp_path / "one")
    assert "INVALID_PERIOD" in reasons["4"] and "list" in reasons["5"] and "CG-1" in reasons["6"]
    records = await stored()
    assert records["blacklist:CG-1"]["organisation"] == world["supplier"]["id"]
    assert records["dishonest_debtor:FY-9"]["organisation"] is None  # not registered here
    assert records["blacklist:CG-1"]["region"] == "440000"
    with all_tenants("test"):
        lists = {r["code"]: r["rows"] for r in await CreditList.select()}
    assert lists == {"blacklist": 1, "dishonest_debtor": 1}

    again = await load(write(tmp_path / "list.csv", rows[:2]), tmp_path / "two")
    assert again.counts == {"unchanged": 2}

    with use_scope(world["scope"]):
        assert not (await credit.check(world["supplier"]["id"], "evaluation")).clear
        # The debtor registers later: its earlier list entry is found by its credit code.
        late = Organisation(
            name="广州未注册公司", kind="supplier", region="440000", uscc=UNREGISTERED
        )
        await late.save()
        found = await credit.check(late.id, "bid_submission")
    assert not found.clear and found.snapshot["records"][0]["kind"] == "dishonest_debtor"
    loaded = {entry["list"]: entry for entry in found.snapshot["lists"]}
    assert loaded["dishonest_debtor"]["rows"] == 1 and loaded["dishonest_debtor"]["loaded_at"]
    assert loaded["major_tax_violation"]["loaded_at"] is None


async def test_a_corrected_file_updates_and_a_removal_revokes(world, tmp_path):
    uscc = world["supplier"]["uscc"]
    row = ["严重违法失信", "CG-1", "兴宁示例供应商", uscc, "2026-08-01", "2027-07-31", "", ""]
    await load(write(tmp_path / "a.csv", [row]), tmp_path / "a")
    shorter = [*row[:5], "2026-12-31", "粤财〔2026〕5号", ""]
    updated = await load(write(tmp_path / "b.csv", [shorter]), tmp_path / "b")
    assert updated.counts == {"updated": 1}
    record = (await stored())["blacklist:CG-1"]
    assert record["ends_on"] == date(2026, 12, 31) and record["document"] == "粤财〔2026〕5号"
    assert record["next_check"].date() == date(2026, 12, 31)  # 24:00 Shanghai is 16:00 UTC
    removed = await load(write(tmp_path / "c.csv", [[*shorter[:7], "移出"]]), tmp_path / "c")
    assert removed.counts == {"updated": 1}
    assert (await stored())["blacklist:CG-1"]["status"] == "revoked"
    with use_scope(world["scope"]):
        assert (await credit.check(world["supplier"]["id"], "evaluation")).clear


ADAPTER = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "credit_china", "description": "Credit China live list"}
CALLS = []


@hookimpl
def gpcloud_fetch_credit_list(tenant, list_code):
    CALLS.append((tenant.region_code, list_code))
    return [{"record_id": "LIVE-1", "subject_name": "实时名单公司", "uscc": "USCC",
             "starts_on": "2026-08-01", "ends_on": "2027-01-31"}]
"""
FETCH = "mutation { fetchCreditList(listCode: BLACKLIST) { job { id } errors { code } } }"
JOB = "query($id: ID!) { job(id: $id) { status counts errorCode } }"


async def test_a_live_adapter_list_is_loaded_as_a_file(client, world, install_plugin):
    install_plugin(
        "credit_china", ADAPTER.replace("USCC", world["supplier"]["uscc"]), version="1.0.0"
    )
    admin = await login(client, "gd.admin")
    refused = await gql(client, FETCH, token=await login(client, "xn.admin"))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    started = data(await gql(client, FETCH, token=admin))["fetchCreditList"]
    await drain_jobs()
    job = data(await gql(client, JOB, {"id": started["job"]["id"]}, token=admin))["job"]
    assert job["status"] == "FAILED" and job["errorCode"] == "NO_LIVE_ADAPTER"

    filed = await file(client, admin, "credit_china", tenant="440000")
    second = replace(await actor("gd.admin"), id=-1, username="gd.admin2")  # another provincial
    with use_scope((await tenant_tree()).scope_for("440000")):
        await plugin_requests.approve(second, int(filed["request"]["id"]))
    with exercised("gpcloud_fetch_credit_list"):
        started = data(await gql(client, FETCH, token=admin))["fetchCreditList"]
        await drain_jobs()
    job = data(await gql(client, JOB, {"id": started["job"]["id"]}, token=admin))["job"]
    assert job["status"] == "SUCCEEDED" and job["counts"]["created"] == 1
    assert sys.modules["gpcloud_credit_china"].CALLS == [("440000", "blacklist")]
    record = (await stored())["blacklist:LIVE-1"]
    assert record["organisation"] == world["supplier"]["id"] and record["source"] == "national_list"
