"""Demo analytics: a year of generated procurement in Meizhou and Xingning (sample.py), ten of
its processes deliberately flawed (seven of Meizhou's, one per flag of sample.FLAWS, and three
of Xingning's) so that both regions' red-flag lists have something to show, and the read model
built from it. Idempotent: skipped when the demo's processes exist.

The credit and e-mall indicators read their own domains' demo data (credit/demo.py: a record in
each region; emall/demo.py seed_price_alerts: a price alert on a listing of each region's
supplier), seeded before this by `gpcloud serve --demo` (gpcloud.demo.SERVE_DEMOS)."""

from __future__ import annotations

from gpcloud.analytics import sample
from gpcloud.analytics.service import rollup
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.tenancy.scope import all_tenants

TENANTS = ["441400", "441481"]
PER_TENANT = 40
# The flag each deliberately flawed process raises, per region.
FLAWED = {"441400": sample.FLAWS, "441481": ("R003", "R028", "R058")}


async def seed() -> None:
    with all_tenants("demo seed: analytics of Meizhou and Xingning"):
        marker = f"{sample.SUPPLIERS[0][0]}"
        if await Organisation.exists().where(Organisation.name == marker):
            return
        await sample.generate(TENANTS, PER_TENANT, today().year, seed=2026, flawed=FLAWED, tag="")
        await rollup.rebuild()
