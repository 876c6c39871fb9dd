"""A supplier, its supervisors and a serious-violation record, for the credit tests."""

from __future__ import annotations

from datetime import date

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import records
from gpcloud.registries.suppliers import demo as suppliers_demo
from tests.integration.procurement import actor


async def credit_world() -> dict:
    """xn.supplier's organisation (a supplier registered in Xingning) and the actors."""
    await suppliers_demo.seed()
    seller = await actor("xn.supplier")
    with all_tenants("test"):
        org = await Organisation.select().where(Organisation.id == seller.organisation_id).first()
    return {
        "seller": seller,
        "supplier": org,
        "scope": (await tenant_tree()).scope_for("441481"),
        "supervisor": await actor("xn.supervisor"),
        "city_supervisor": await actor("mz.supervisor"),
        "purchaser": await actor("xn.purchaser"),
    }


def blacklisting(org_id: int, starts: date = date(2026, 8, 1), ends: date = date(2027, 7, 31)):
    return records.RecordInput(
        subject_kind="supplier",
        subject_id=org_id,
        kind="blacklist",
        starts_on=starts,
        ends_on=ends,
        document="兴财采处〔2026〕12号",
        authority="兴宁市财政局",
        facts="提供虚假材料谋取中标",
        evidence=[{"title": "行政处罚决定书", "reference": "兴财采处〔2026〕12号"}],
    )


async def blacklisted(world: dict) -> dict:
    """A serious-violation entry about the supplier, recorded by Xingning's supervisor."""
    with use_scope(world["scope"]):
        return await records.record(world["supervisor"], blacklisting(world["supplier"]["id"]))
