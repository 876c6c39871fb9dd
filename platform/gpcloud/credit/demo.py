"""Demo credit data: one serious-violation entry (a Meizhou construction company, decided by
Meizhou's finance bureau) so that the public list, the profile and the check have something to
show. Idempotent (keyed like a list record)."""

from __future__ import annotations

from datetime import timedelta

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.credit.service import records
from gpcloud.credit.tables import CreditRecord

KEY = "demo:blacklist:1"
SUBJECT = "广东客都建设工程有限公司"


async def seed() -> None:
    with all_tenants("demo seed: province-shared credit records"):
        async with transaction():
            if await CreditRecord.exists().where(CreditRecord.source_key == KEY):
                return
            org = await Organisation.select().where(Organisation.name == SUBJECT).first()
            if org is None:
                return
            starts = today() - timedelta(days=90)
            data = records.RecordInput(
                subject_kind="supplier",
                subject_id=org["id"],
                kind="blacklist",
                starts_on=starts,
                ends_on=starts + timedelta(days=364),
                document="梅市财采处〔2026〕3号",
                authority="梅州市财政局",
                facts="在政府采购活动中提供虚假材料谋取中标，处以采购金额千分之五罚款，一年内禁止参加政府采购活动",
                evidence=[{"title": "行政处罚决定书", "reference": "梅市财采处〔2026〕3号"}],
            )
            who = await records.subject("supplier", org["id"])
            await records.insert(data, who, "supervisor_decision", "441400", None, "", KEY)
