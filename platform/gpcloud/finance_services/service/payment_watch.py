"""The worker's loop that tells institutions of payments (payment_made): payments publish
nothing, so the finance centre looks for them, as analytics looks for changed payments. Every
worker runs it and one at a time acts (the lease, core/scheduler/lease.py); a round is
idempotent anyway (one delivery per payment and institution, financing.payment_events)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from gpcloud.core.scheduler import lease as leases
from gpcloud.finance_services.service import financing

log = logging.getLogger("gpcloud.finance_services")
NAME = "finance.payment_events"
INTERVAL = 30.0  # seconds between rounds: an institution hears of a payment within a minute
TTL = timedelta(seconds=90)


async def run(stop: asyncio.Event, interval: float = INTERVAL) -> None:
    async def work(_lease) -> None:
        sent = await financing.payment_events()
        if sent:
            log.info("finance: %d payment events queued", sent)

    await leases.lead(NAME, work, stop, interval, TTL)
