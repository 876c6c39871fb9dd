"""The rollups reconcile with the source tables: every indicator, overall and in every series,
as the incremental path left it equals a recomputation from scratch; the rebuild job's rollups
equal the incremental ones row for row; and the headline figures equal what the generator
wrote (summed from its own records, not from the tables)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from gpcloud.analytics.catalogue import BY_ID, CATALOGUE, FORMULAS, FROM_ROLLUPS, concentration
from gpcloud.analytics.service import facts, indicators, refresh, rollup
from gpcloud.analytics.service.indicators import Filters
from gpcloud.analytics.tables import ProcessFact, RedFlag, Rollup
from gpcloud.contracts.tables import Contract, Payment
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from tests.integration.analytics.world import (
    MEIZHOU,
    PROVINCE,
    XINGNING,
    generated,
    publish_all,
)

MEASURES = facts.MEASURES


async def _from_scratch(region: str, year: int) -> dict:
    """Every fact recomputed from the source tables, summed in Python."""
    tree = await tenant_tree()
    codes = tree.subtree(region)
    total = dict.fromkeys(MEASURES, 0)
    by: dict[str, dict] = {}
    suppliers: dict[str, int] = {}
    for plan_id in await facts.plan_ids():
        fact = await facts.compute(plan_id)
        if fact is None or fact.year != year or fact.tenant_id not in codes:
            continue
        keys = {
            "month": str(fact.month),
            "method": fact.method,
            "category": fact.category,
            "object_type": fact.object_type,
            "region": indicators._owner(tree, region, fact.tenant_id),
        }
        for dim, key in keys.items():
            acc = by.setdefault(dim, {}).setdefault(key, dict.fromkeys(MEASURES, 0))
            for m in MEASURES:
                acc[m] += fact.measures[m]
        for m in MEASURES:
            total[m] += fact.measures[m]
        for s, fen in fact.suppliers.items():
            suppliers[s] = suppliers.get(s, 0) + fen
    return {"total": total, "by": by, "suppliers": suppliers}


async def _check(region: str, year: int = 2026) -> dict:
    scratch = await _from_scratch(region, year)
    f = Filters(region, year)
    values = {v.indicator.id: v.value for v in await indicators.dashboard(None, f)}
    for ind in CATALOGUE:
        if ind.id in FROM_ROLLUPS:
            assert values[ind.id] == FORMULAS[ind.id](scratch["total"]), ind.id
    conc = concentration(list(scratch["suppliers"].values()))
    assert values["hhi"] == conc["hhi"]
    assert values["top_supplier_share"] == conc["top_supplier_share"]
    for dim, groups in scratch["by"].items():
        for ind_id in FROM_ROLLUPS:
            points = await indicators.series(None, ind_id, dim, f)
            got = {p.key: p.value for p in points}
            want = {k: FORMULAS[ind_id](m) for k, m in groups.items()}
            assert got == want, (ind_id, dim)
    return values


async def _rollup_rows() -> list[tuple]:
    rows = await Rollup.select().order_by(Rollup.id)
    keys = ("tenant_id", "year", "month", "dim", "value", "sub", *MEASURES)
    return sorted(tuple(r[k] for k in keys) for r in rows if any(r[m] for m in MEASURES))


async def test_incremental_rollups_reconcile_with_a_recomputation_and_the_rebuild():
    truth = await generated(per_tenant=15)
    await publish_all()
    with all_tenants("test: reconcile"):
        values = await _check(MEIZHOU)
        await _check(XINGNING)
        await _check(PROVINCE)
        # The generator's own sums (the whole city: Meizhou and Xingning).
        award = truth.award_fen[MEIZHOU] + truth.award_fen[XINGNING]
        assert values["spend"] == FORMULAS["spend"](
            {**dict.fromkeys(MEASURES, 0), "award_fen": award}
        )
        assert values["processes"] == truth.processes[MEIZHOU] + truth.processes[XINGNING]
        singles = truth.single_bid[MEIZHOU] + truth.single_bid[XINGNING]
        tenders = truth.tenders[MEIZHOU] + truth.tenders[XINGNING]
        assert values["single_bid_share"] == FORMULAS["single_bid_share"](
            {**dict.fromkeys(MEASURES, 0), "single_bid": singles, "tenders": tenders}
        )
        # Publication <= 2 wd and green purchasing, from the generator's own counts.
        both = {
            m: getattr(truth, m).get(MEIZHOU, 0) + getattr(truth, m).get(XINGNING, 0)
            for m in ("pub_n", "pub_ok", "listed_fen", "green_fen")
        }
        zero = dict.fromkeys(MEASURES, 0)
        assert 0 < both["pub_ok"] < both["pub_n"]  # some late, some on time
        assert values["publication_on_time"] == FORMULAS["publication_on_time"]({**zero, **both})
        assert 0 < both["green_fen"] <= both["listed_fen"]
        assert values["green_share"] == FORMULAS["green_share"]({**zero, **both})
        # A county sees its own: Xingning's spend is its part only.
        xn = {
            v.indicator.id: v.value
            for v in await indicators.dashboard(None, Filters(XINGNING, 2026))
        }
        assert xn["processes"] == truth.processes[XINGNING]
        own = {m: getattr(truth, m).get(XINGNING, 0) for m in ("pub_n", "pub_ok")}
        assert xn["publication_on_time"] == FORMULAS["publication_on_time"]({**zero, **own})
        # Every deliberately flawed process raised its flag.
        raised = {(r["plan_id"], r["code"]) for r in await RedFlag.select()}
        assert set(truth.flawed) <= raised
        incremental = await _rollup_rows()
        assert await rollup.rebuild() > 0
        assert await _rollup_rows() == incremental


async def test_changes_after_the_first_refresh_move_the_rollups_by_their_difference():
    await generated(per_tenant=6, flawed=0)
    await publish_all()
    with all_tenants("test: later changes"):
        before = await _check(MEIZHOU)
        # A payment of a contract changes (no publication): the sweep picks it up.
        contract = await Contract.select().where(Contract.tenant_id == XINGNING).first()
        async with transaction():
            await Payment.update({Payment.created_at: datetime(2026, 12, 30, 2, tzinfo=UTC)}).where(
                Payment.contract == contract["id"]
            )
        assert await refresh.refresh_pending() >= 1
        after = await _check(MEIZHOU)
        assert after["payment_delay_days"] != before["payment_delay_days"]
        # More processes arrive, published in another order: still reconciled.
        await generated(per_tenant=4, flawed=0, seed=11)
        await publish_all(seed=5)
        await _check(MEIZHOU)
        await _check(PROVINCE)
        # A refresh of a process that did not change moves nothing.
        rows = await _rollup_rows()
        fact = await ProcessFact.select().first()
        assert await rollup.refresh(fact["plan_id"]) is False
        assert await _rollup_rows() == rows


async def test_concentration_by_category_and_region_reconciles():
    await generated(per_tenant=10)
    await publish_all()
    with all_tenants("test: concentration"):
        f = Filters(MEIZHOU, 2026)
        by_category: dict[str, dict[str, int]] = {}
        for plan_id in await facts.plan_ids():
            fact = await facts.compute(plan_id)
            if fact and fact.year == 2026:
                bucket = by_category.setdefault(fact.category, {})
                for s, fen in fact.suppliers.items():
                    bucket[s] = bucket.get(s, 0) + fen
        points = await indicators.series(None, "hhi", "category", f)
        assert {p.key: p.value for p in points} == {
            k: concentration(list(v.values()))["hhi"] for k, v in by_category.items()
        }
        regions = await indicators.series(None, "top_supplier_share", "region", f)
        assert [p.key for p in regions] == [MEIZHOU, XINGNING]
        assert BY_ID["hhi"].unit == "hhi"


async def test_concurrent_refreshes_of_the_same_processes_count_each_once():
    """Eight refreshes of every process at once (first refreshes racing to insert the fact,
    later ones to lock it): the rollups equal the rebuild's."""
    await generated(per_tenant=5, flawed=3)
    with all_tenants("test: race"):
        ids = await facts.plan_ids()
        await asyncio.gather(*(rollup.refresh(p) for p in ids for _ in range(8)))
        raced = await _rollup_rows()
        flags = await RedFlag.count()
        await rollup.rebuild()
        assert await _rollup_rows() == raced
        assert await RedFlag.count() == flags
