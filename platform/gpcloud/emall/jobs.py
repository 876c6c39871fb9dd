"""E-mall jobs: price monitoring over every live listing (the operating centre starts it, or a
schedule does)."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.emall.service import prices


@job("emall_price_monitoring", Perm.MALL_PRICE_REVIEW)
async def monitor_prices(run: JobRun) -> None:
    """Judge every live listing's price; raise alerts above the tolerance (idempotent: an alert
    is raised once per listing, price and basis)."""
    failures: list = []
    raised = await prices.monitor(failures=failures)
    run.count("raised", raised)
    if failures:
        run.count("reference_failures", len(failures))
    await run.progress(raised, raised)
