"""How the read model hears of changes.

- `receive` is a publication receiver (gpcloud.domains.PUBLICATION_RECEIVERS): in the
  publisher's transaction it queues the publication's process (its plan) as dirty, which costs
  the business transaction one insert and nothing else.
- `run` is the worker's loop (one leader at a time, core/scheduler/lease.py): every few
  seconds it refreshes the dirty processes, and the processes whose payments, e-mall orders,
  challenges, complaints, bid guarantees or loans changed, or whose contract fell overdue for
  publication, since the last round (those publish
  nothing the receiver could queue), so a change shows in the dashboards within seconds.
- The rebuild job (jobs.py) repairs anything missed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from gpcloud.analytics.service import remedies, rollup
from gpcloud.analytics.tables import Dirty
from gpcloud.contracts.tables import Contract, Payment
from gpcloud.core.clock import now
from gpcloud.core.db import any_of
from gpcloud.core.publishing import Publication
from gpcloud.core.redis import get_redis
from gpcloud.core.scheduler import lease as leases
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.tables import MallOrder
from gpcloud.settings import get_settings
from gpcloud.transaction.tables import Project

log = logging.getLogger("gpcloud.analytics")
NAME = "analytics.refresh"
INTERVAL = 5.0  # seconds between rounds
TTL = timedelta(seconds=60)
BATCH = 100  # processes per refresh transaction


async def receive(item: Publication) -> None:
    """Queue the process a publication belongs to (none: an intention before its plan, a
    framework agreement, an article)."""
    if item.plan_id is None:
        return
    with all_tenants("analytics: queue a process of the publishing tenant", audited=False):
        await Dirty.insert(
            Dirty(tenant_id=item.tenant, plan_id=item.plan_id, reason=item.kind[:64])
        )


def _watermark_key() -> str:
    return f"{get_settings().redis_namespace}:analytics:watermark"


async def changed_since(since: datetime) -> list[int]:
    """Plans whose payments, e-mall orders, remedies or finance changed after `since`."""
    contracts = {
        r["contract"]
        for r in await Payment.select(Payment.contract).where(Payment.updated_at > since)
    }
    contracts |= await remedies.changed_contracts(since)
    # A contract falling overdue for publication is the scheduler's transition: no publication.
    contracts |= {
        r["id"]
        for r in await Contract.select(Contract.id).where(
            (Contract.updated_at > since) & (Contract.status == "overdue")
        )
    }
    plans = set()
    if contracts:
        rows = await Contract.select(Contract.plan).where(any_of(Contract.id, sorted(contracts)))
        plans |= {r["plan"] for r in rows}
    projects = await remedies.changed_projects(since)
    if projects:
        rows = await Project.select(Project.plan).where(any_of(Project.id, sorted(projects)))
        plans |= {r["plan"] for r in rows}
    orders = await MallOrder.select(MallOrder.plan).where(MallOrder.updated_at > since)
    plans |= {r["plan"] for r in orders}
    return sorted(plans)


async def refresh_pending(sweep: bool = True) -> int:
    """One round: the dirty processes, then (sweep) those changed since the watermark; the
    number refreshed."""
    with all_tenants("analytics: the read model spans every tenant", audited=False):
        plan_ids = set(await rollup.take_dirty())
        if sweep:
            redis = get_redis()
            stamp = now()
            raw = await redis.get(_watermark_key())
            since = datetime.fromisoformat(raw.decode()) if raw else stamp - timedelta(days=1)
            plan_ids |= set(await changed_since(since - timedelta(seconds=5)))
            await redis.set(_watermark_key(), stamp.isoformat())
        ordered = sorted(plan_ids)
        for start in range(0, len(ordered), BATCH):
            await rollup.refresh_many(ordered[start : start + BATCH])
    return len(plan_ids)


async def run(stop: asyncio.Event, interval: float = INTERVAL) -> None:
    async def work(_lease) -> None:
        done = await refresh_pending()
        if done:
            log.info("analytics: refreshed %d processes", done)

    await leases.lead(NAME, work, stop, interval, TTL)
