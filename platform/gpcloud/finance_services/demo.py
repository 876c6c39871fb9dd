"""Demo finance centre: the two demo institutions (梅州融信村镇银行, a bank; 兴宁市兴信融资担保,
a guarantee company) registered and approved, so that suppliers have institutions to choose
and their users can issue API keys. Idempotent."""

from __future__ import annotations

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service.institutions import PROVINCE
from gpcloud.finance_services.tables import FinancialInstitution
from gpcloud.finance_services.workflow import INSTITUTION

INSTITUTIONS = (
    ("梅州融信村镇银行股份有限公司", "bank", "B1234H244140001"),
    ("兴宁市兴信融资担保有限公司", "guarantor", "粤融担字〔2025〕0481号"),
)


async def seed() -> None:
    with all_tenants("demo seed: province-shared financial institutions"):
        async with transaction():
            for name, kind, licence in INSTITUTIONS:
                org = await Organisation.select().where(Organisation.name == name).first()
                if org is None or await FinancialInstitution.exists().where(
                    FinancialInstitution.organisation == org["id"]
                ):
                    continue
                row = FinancialInstitution(
                    organisation=org["id"],
                    kind=kind,
                    name=name,
                    licence=licence,
                    region=PROVINCE,
                    status="approved",
                    decision="演示数据",
                )
                await row.save()
                created = (
                    await FinancialInstitution.select()
                    .where(FinancialInstitution.id == row.id)
                    .first()
                )
                await INSTITUTION.created(created, {"demo": True}, "register_approved")
