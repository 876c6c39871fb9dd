"""Generated processes fed to analytics through its real publication receiver."""

from __future__ import annotations

import random
from datetime import date

from gpcloud.analytics import sample
from gpcloud.analytics.service import refresh
from gpcloud.core.publishing import Publication
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.supervision.tables import ProcurementPlan

MEIZHOU, XINGNING, PINGYUAN, PROVINCE = "441400", "441481", "441426", "440000"


async def generated(tenants=(MEIZHOU, XINGNING), per_tenant=12, year=2026, flawed=5, seed=7):
    with all_tenants("test: generate processes"):
        return await sample.generate(list(tenants), per_tenant, year, seed=seed, flawed=flawed)


async def publish_all(seed: int = 3) -> None:
    """A publication per plan, in a shuffled order and some twice, through the receiver; then
    the refresh round the worker's loop runs."""
    with all_tenants("test: the plans to announce"):
        plans = await ProcurementPlan.select(ProcurementPlan.id, ProcurementPlan.tenant_id)
    rng = random.Random(seed)
    events = plans + rng.sample(plans, len(plans) // 3)
    rng.shuffle(events)
    for plan in events:
        await refresh.receive(
            Publication(
                kind="result",
                source=f"test:{plan['id']}",
                tenant=plan["tenant_id"],
                title="结果公告",
                body="",
                published_on=date(2026, 9, 1),
                plan_id=plan["id"],
            )
        )
    await refresh.refresh_pending(sweep=False)
