"""Demo analytics: a year of generated procurement in Meizhou and Xingning (sample.py), five of
Meizhou's processes deliberately flawed so that the red-flag list has something to show, and
the read model built from it. Idempotent: skipped when the demo's processes exist."""

from __future__ import annotations

from gpcloud.analytics import sample
from gpcloud.analytics.service import rollup
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.tenancy.scope import all_tenants

TENANTS = ["441400", "441481"]
PER_TENANT = 40


async def seed() -> None:
    with all_tenants("demo seed: analytics of Meizhou and Xingning"):
        marker = f"{sample.SUPPLIERS[0][0]}"
        if await Organisation.exists().where(Organisation.name == marker):
            return
        await sample.generate(
            TENANTS, PER_TENANT, today().year, seed=2026, flawed=len(sample.FLAWS), tag=""
        )
        await rollup.rebuild()
