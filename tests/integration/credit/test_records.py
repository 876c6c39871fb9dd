"""Credit records: recorded by a supervisor's decision, repaired or revoked by the record's
region, expired by the scheduler at the end of their period, appealed by their subject; every
change in the audit log."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.credit.service import appeals, records
from tests.integration.credit.support import blacklisted, blacklisting, credit_world


@pytest.fixture
async def world(demo):
    return await credit_world()


async def actions(object_id: int, kind: str = "credit_record") -> list[str]:
    with all_tenants("test: the audit log"):
        rows = (
            await AuditEntry.select(AuditEntry.action)
            .where((AuditEntry.object_id == str(object_id)) & (AuditEntry.object_type == kind))
            .order_by(AuditEntry.id)
        )
    return [r["action"] for r in rows]


async def test_a_supervisor_records_a_serious_violation(world):
    row = await blacklisted(world)
    assert row["status"] == "active" and row["bars"] and row["public"]
    assert row["region"] == "441481" and row["source"] == "supervisor_decision"
    assert row["subject_name"] == world["supplier"]["name"]
    assert row["evidence"] == [{"title": "行政处罚决定书", "reference": "兴财采处〔2026〕12号"}]
    assert row["next_check"] == datetime(2027, 7, 31, 16, 0, tzinfo=UTC)  # end of day, Shanghai
    assert await actions(row["id"]) == ["credit_record.create"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"document": " "}, "NO_DOCUMENT"),
        ({"ends_on": None}, "INVALID_PERIOD"),
        ({"ends_on": date(2029, 8, 1)}, "INVALID_PERIOD"),  # over 3 years
        ({"ends_on": date(2026, 7, 1)}, "INVALID_PERIOD"),
        ({"kind": "expert_misconduct"}, "INVALID_KIND"),
        ({"kind": "rumour"}, "INVALID_KIND"),
        ({"subject_kind": "agency"}, "NOT_FOUND"),  # the organisation is a supplier
    ],
)
async def test_bad_records_are_refused_whole(world, change, code):
    data = replace(blacklisting(world["supplier"]["id"]), **change)
    with use_scope(world["scope"]), pytest.raises(DomainError) as refused:
        await records.record(world["supervisor"], data)
    assert refused.value.code == code
    with all_tenants("test"):
        assert await records.CreditRecord.count() == 0


async def test_only_supervisors_record_and_only_of_their_region_they_revoke(world):
    data = blacklisting(world["supplier"]["id"])
    with use_scope(world["scope"]), pytest.raises(DomainError) as refused:
        await records.record(world["seller"], data)
    assert refused.value.code == "FORBIDDEN"
    city = world["city_supervisor"]
    with use_scope(await _scope("441400")):
        row = await records.record(city, data)
    with use_scope(world["scope"]), pytest.raises(DomainError) as refused:
        await records.revoke(world["supervisor"], row["id"], "录入错误")
    assert refused.value.code == "FORBIDDEN"  # a county does not undo the city's decision
    with use_scope(await _scope("441400")):
        revoked = await records.revoke(city, row["id"], "录入错误")
    assert revoked["status"] == "revoked" and revoked["status_reason"] == "录入错误"
    assert await actions(row["id"]) == ["credit_record.create", "credit_record.revoke"]


async def _scope(code: str):
    from gpcloud.core.tenancy.service import tenant_tree

    return (await tenant_tree()).scope_for(code)


async def test_repair_and_revoke_follow_the_machine(world):
    row = await blacklisted(world)
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as refused:
            await records.repair(world["supervisor"], row["id"], "  ")
        assert refused.value.code == "NO_REASON"
        repaired = await records.repair(
            world["supervisor"], row["id"], "已整改，兴财采〔2026〕20号"
        )
        assert repaired["status"] == "repaired" and repaired["next_check"] is None
        with pytest.raises(DomainError) as refused:
            await records.repair(world["supervisor"], row["id"], "again")
        assert refused.value.code == "WRONG_STATE"
        assert (await records.revoke(world["supervisor"], row["id"], "决定被撤销"))[
            "status"
        ] == "revoked"


async def test_the_scheduler_expires_a_record_after_its_period(world):
    row = await blacklisted(world)
    await scheduler.run_once(datetime(2027, 7, 31, 15, 59, tzinfo=UTC))
    with use_scope(world["scope"]):
        assert (await records.get(row["id"]))["status"] == "active"
    await scheduler.run_once(datetime(2027, 7, 31, 16, 0, tzinfo=UTC))
    with use_scope(world["scope"]):
        expired = await records.get(row["id"])
    assert expired["status"] == "expired" and expired["next_check"] is None
    assert await actions(row["id"]) == ["credit_record.create", "credit_record.expire"]


async def test_the_subject_appeals_and_an_upheld_appeal_revokes_the_record(world):
    row = await blacklisted(world)
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as refused:  # not the subject: as if it did not exist
            await appeals.file(await _actor("mz.supplier"), row["id"], "该记录与我司无关，请核实。")
        assert refused.value.code == "NOT_FOUND"
        appeal = await appeals.file(world["seller"], row["id"], "所谓虚假材料系笔误，已更正。")
        with pytest.raises(DomainError) as refused:
            await appeals.file(world["seller"], row["id"], "再次申诉，请尽快处理此事。")
        assert refused.value.code == "APPEAL_PENDING"
        with pytest.raises(DomainError) as refused:
            await appeals.uphold(world["seller"], appeal["id"], "自行决定")
        assert refused.value.code == "FORBIDDEN"
        dismissed = await appeals.dismiss(world["supervisor"], appeal["id"], "证据不足")
        assert dismissed["status"] == "dismissed"
        assert (await records.get(row["id"]))["status"] == "active"
        second = await appeals.file(world["seller"], row["id"], "补充提交更正后的投标文件。")
        upheld = await appeals.uphold(world["supervisor"], second["id"], "经复核，申诉成立")
        assert upheld["status"] == "upheld" and upheld["decided_by"] == world["supervisor"].id
        record = await records.get(row["id"])
    assert record["status"] == "revoked" and "申诉成立" in record["status_reason"]
    assert await actions(row["id"]) == ["credit_record.create", "credit_record.revoke"]
    assert await actions(appeal["id"], "credit_appeal") == [
        "credit_appeal.create",
        "credit_appeal.dismiss",
    ]


async def _actor(username: str):
    from tests.integration.procurement import actor

    return await actor(username)
