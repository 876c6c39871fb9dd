"""The finance centre's jobs: one webhook attempt per job (service/webhooks.py); the sweep that
tells institutions of payments on the contracts they finance."""

from __future__ import annotations

from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.finance_services.service import financing, webhooks


@job(webhooks.JOB)
async def deliver_webhook(run: JobRun, delivery_id: int) -> None:
    """Deliver one webhook to an institution (one attempt)."""
    run.count(await webhooks.attempt(delivery_id))


@job("finance_payment_events")
async def payment_events(run: JobRun) -> None:
    """Tell institutions of the payments made on the contracts they finance."""
    run.count("emitted", await financing.payment_events())
