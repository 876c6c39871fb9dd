"""Demo credit data, one record decided by each demo region's finance bureau so that the public
list, the profile, the check and both regions' analytics dashboards have something to show:
a serious-violation entry about a Meizhou construction company (public, bars it), and an
administrative penalty about a Xingning environmental company (neither public nor barring; a
supplier no walk or test bids with). Idempotent (keyed like a list record). Each starts within
the current year, so that the year's credit figures count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.credit.service import records
from gpcloud.credit.tables import CreditRecord


@dataclass(frozen=True)
class DemoRecord:
    key: str
    subject: str  # a demo supplier's organisation (registries/suppliers/demo.py)
    region: str
    kind: str
    days_ago: int
    lasts_days: int | None
    document: str
    authority: str
    facts: str


RECORDS = (
    DemoRecord(
        "demo:blacklist:1",
        "广东客都建设工程有限公司",
        "441400",
        "blacklist",
        90,
        364,
        "梅市财采处〔2026〕3号",
        "梅州市财政局",
        "在政府采购活动中提供虚假材料谋取中标，处以采购金额千分之五罚款，一年内禁止参加政府采购活动",
    ),
    DemoRecord(
        "demo:penalty:2",
        "兴宁市绿野环保科技有限公司",
        "441481",
        "administrative_penalty",
        30,
        None,
        "兴财采处〔2026〕1号",
        "兴宁市财政局",
        "履约中擅自变更所供货物的品牌型号，责令限期改正并予以警告",
    ),
)
# Kept for callers that name the serious-violation entry.
KEY = RECORDS[0].key
SUBJECT = RECORDS[0].subject


def _starts(days_ago: int) -> date:
    """`days_ago` before today, but not before this year's 1 January."""
    on = today()
    return max(on - timedelta(days=days_ago), date(on.year, 1, 1))


async def seed() -> None:
    with all_tenants("demo seed: province-shared credit records"):
        async with transaction():
            for demo in RECORDS:
                if await CreditRecord.exists().where(CreditRecord.source_key == demo.key):
                    continue
                org = await Organisation.select().where(Organisation.name == demo.subject).first()
                if org is None:  # the suppliers demo was not seeded
                    continue
                starts = _starts(demo.days_ago)
                data = records.RecordInput(
                    subject_kind="supplier",
                    subject_id=org["id"],
                    kind=demo.kind,
                    starts_on=starts,
                    ends_on=None
                    if demo.lasts_days is None
                    else starts + timedelta(demo.lasts_days),
                    document=demo.document,
                    authority=demo.authority,
                    facts=demo.facts,
                    evidence=[{"title": "行政处罚决定书", "reference": demo.document}],
                )
                who = await records.subject("supplier", org["id"])
                await records.insert(
                    data, who, "supervisor_decision", demo.region, None, "", demo.key
                )
