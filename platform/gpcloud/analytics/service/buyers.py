"""R038, excessive disqualifications: a buyer's flag, not a process's. It is read from the
buyer's year in the rollups (dim `purchaser`, month 0: processes with bids, valid and
disqualified bidders), after every change to those rows, so the incremental path and the
rebuild raise the same flags. A fixed threshold (flags.R038_THRESHOLD, cardinal-rs' default
when there are too few buyers for a fence) keeps a buyer's flag from moving with other buyers.

Concurrent refreshes that touch the same buyer take turns on its rollup row (the additive
upsert locks it until commit), so its flag is synced by one at a time.
"""

from __future__ import annotations

from gpcloud.analytics import flags as red
from gpcloud.analytics.tables import RedFlag, Rollup
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.registries.purchasers.tables import Purchaser

CODE = "R038"


def touched(changes: dict[tuple, dict]) -> set[tuple[str, int, int]]:
    """(tenant, year, purchaser id) of the buyer rows in rollup changes keyed like rollup.KEY."""
    return {
        (tenant, year, int(value))
        for (tenant, year, _month, dim, value, _sub) in changes
        if dim == "purchaser" and value
    }


async def _names(ids: list[int]) -> dict[int, str]:
    rows = await Purchaser.select(Purchaser.id, Purchaser.organisation.name.as_alias("name")).where(
        any_of(Purchaser.id, ids)
    )
    return {r["id"]: r["name"] for r in rows}


async def sync(keys: set[tuple[str, int, int]]) -> None:
    """Raise, update or drop the R038 flags of these buyers' years (reviewed flags are kept as
    they were). Callers hold an all-tenants scope, in the refresh's transaction."""
    if not keys:
        return
    purchasers = sorted({p for _t, _y, p in keys})
    years = sorted({y for _t, y, _p in keys})
    rows = await Rollup.select(
        Rollup.tenant_id,
        Rollup.year,
        Rollup.value,
        Rollup.tenders,
        Rollup.bids,
        Rollup.disqualified,
    ).where(
        (Rollup.dim == "purchaser")
        & (Rollup.month == 0)
        & any_of(Rollup.value, [str(p) for p in purchasers])
        & any_of(Rollup.year, years)
    )
    totals = {(r["tenant_id"], r["year"], int(r["value"])): r for r in rows}
    existing = await RedFlag.select().where(
        (RedFlag.plan_id == 0)
        & any_of(RedFlag.purchaser_id, purchasers)
        & any_of(RedFlag.year, years)
        & (RedFlag.code == CODE)
    )
    have = {(r["tenant_id"], r["year"], r["purchaser_id"]): r for r in existing}
    names = await _names(purchasers)
    new = []
    for key in sorted(keys):
        tenant, year, purchaser = key
        r = totals.get(key)
        name = names.get(purchaser, str(purchaser))
        flag = (
            red.r038_buyer(name, r["tenders"], r["disqualified"], r["bids"] + r["disqualified"])
            if r
            else None
        )
        old = have.get(key)
        if old is not None and old["status"] != "open":
            continue  # reviewed: kept as the reviewer saw it
        if flag is None:
            if old is not None:
                await RedFlag.delete().where(RedFlag.id == old["id"])
        elif old is None:
            new.append(
                {
                    "tenant_id": tenant,
                    "plan_id": 0,
                    "purchaser_id": purchaser,
                    "project_id": None,
                    "code": CODE,
                    "title": flag.title,
                    "process_title": name[:200],
                    "value": flag.value,
                    "explanation": flag.explanation,
                    "year": year,
                }
            )
        elif (old["value"], old["explanation"]) != (flag.value, flag.explanation):
            await RedFlag.update(
                {RedFlag.value: flag.value, RedFlag.explanation: flag.explanation}
            ).where(RedFlag.id == old["id"])
    await bulk_insert(RedFlag, new, returning=False)
