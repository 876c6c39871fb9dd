"""Agencies and uses for the usage tests: mz.agency (Meizhou) working on a Xingning project."""

from __future__ import annotations

from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.usage.service import Use
from gpcloud.usage.tables import UsageCharge
from tests.integration.procurement import actor

XINGNING, MEIZHOU = "441481", "441400"
EXPERT = {"reference": "expert:7", "name": "测试专家", "id_number": "441481********0011"}
REPORT = {"reference": "evaluation_report:3", "title": "评标报告", "digest": "ab" * 32}


async def agencies() -> dict:
    mz, xn = await actor("mz.agency"), await actor("xn.agency")
    return {"mz": mz, "xn": xn, "mz_org": mz.organisation_id, "xn_org": xn.organisation_id}


def use(agency: int, key: str, tenant: str = XINGNING, project: str = "project:12") -> Use:
    return Use(tenant=tenant, agency=agency, project=project, idempotency_key=key)


async def ledger() -> list[dict]:
    with all_tenants("test: the whole ledger"):
        return await UsageCharge.select().order_by(UsageCharge.id)
