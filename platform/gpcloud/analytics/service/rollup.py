"""Keeping the rollups: a process's fact is recomputed, and the difference between its new and
its stored contribution is added to the rollup rows (an upsert that adds, so concurrent
refreshes of different processes never lose each other's sums). The fact row is locked while
one process is refreshed, so two refreshes of the same process take turns.

`rebuild` empties the read model and refreshes every process: the repair job.
"""

from __future__ import annotations

import json

from gpcloud.analytics.service import buyers
from gpcloud.analytics.service import facts as facts_service
from gpcloud.analytics.service.facts import MEASURES, Fact
from gpcloud.analytics.tables import Dirty, ProcessFact, RedFlag, Rollup
from gpcloud.core.clock import now
from gpcloud.core.db import any_of, bulk_insert, for_update, is_unique_violation, transaction
from gpcloud.piccolo_conf import DB

KEY = ("tenant_id", "year", "month", "dim", "value", "sub")


def contributions(row: dict) -> dict[tuple, dict]:
    """{(tenant, year, month, dim, value, sub): measures} a stored or computed fact adds."""
    if row.get("year") is None:
        return {}
    measures = row["measures"]
    t, y, mo = row["tenant_id"], row["year"], row["month"]
    out = {
        (t, y, mo, "all", "", ""): measures,
        (t, y, mo, "method", row["method"], ""): measures,
        (t, y, mo, "category", row["category"], ""): measures,
        (t, y, mo, "object_type", row["object_type"], ""): measures,
    }
    if row.get("purchaser_id") is not None:  # the buyer's year (R038)
        out[(t, y, 0, "purchaser", str(row["purchaser_id"]), "")] = measures
    for supplier, fen in row["suppliers"].items():
        share = {**dict.fromkeys(MEASURES, 0), "awarded": 1, "award_fen": fen}
        out[(t, y, mo, "supplier", supplier, row["category"])] = share
        # The year's total too (month 0): a year's concentration reads 12 times fewer rows.
        out[(t, y, 0, "supplier", supplier, row["category"])] = share
    return out


def _row(fact: Fact) -> dict:
    return {
        "tenant_id": fact.tenant_id,
        "year": fact.year,
        "month": fact.month,
        "method": fact.method,
        "category": fact.category,
        "object_type": fact.object_type,
        "purchaser_id": fact.purchaser_id,
        "measures": fact.measures,
        "suppliers": fact.suppliers,
    }


def _stored(row: dict) -> dict:
    return {
        **row,
        "measures": json.loads(row["measures"]),
        "suppliers": json.loads(row["suppliers"]),
    }


def delta(old: dict | None, new: dict | None) -> dict[tuple, dict]:
    """What to add to the rollups for a fact going from `old` to `new` (non-zero rows only)."""
    out: dict[tuple, dict] = {}
    for sign, row in ((-1, old), (1, new)):
        for key, measures in (contributions(row) if row else {}).items():
            acc = out.setdefault(key, dict.fromkeys(MEASURES, 0))
            for name in MEASURES:
                acc[name] += sign * measures.get(name, 0)
    return {k: v for k, v in out.items() if any(v.values())}


async def apply(changes: dict[tuple, dict]) -> None:
    """Add `changes` to the rollup rows, inserting the missing ones (one statement per row)."""
    columns = ", ".join((*KEY, *MEASURES))
    marks = ", ".join("{}" for _ in (*KEY, *MEASURES))
    adds = ", ".join(f"{m} = analytics_rollup.{m} + excluded.{m}" for m in MEASURES)
    sql = (
        f"INSERT INTO analytics_rollup ({columns}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {adds}"
    )
    for key, measures in sorted(changes.items()):
        await Rollup.raw(sql, *key, *(measures[m] for m in MEASURES))


async def refresh(plan_id: int) -> bool:
    """Recompute one process and move the rollups by the difference; True if anything changed.
    Needs an all-tenants scope (the job's)."""
    return bool(await refresh_many([plan_id]))


async def refresh_many(plan_ids: list[int]) -> int:
    """Recompute these processes in one transaction (their fact rows locked, in plan order)
    and move the rollups by the summed difference; the number that changed. Two first
    refreshes of the same process race to insert its fact: the loser's transaction (its
    delta too) rolls back and it tries again, now finding the winner's row to lock."""
    try:
        return await _refresh(sorted(set(plan_ids)))
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        return await _refresh(sorted(set(plan_ids)))


async def _refresh(plan_ids: list[int]) -> int:
    async with transaction():
        stored = {
            r["plan_id"]: r
            for r in await for_update(
                ProcessFact.select()
                .where(any_of(ProcessFact.plan_id, plan_ids))
                .order_by(ProcessFact.plan_id)
            )
        }
        computed = await facts_service.compute_many(plan_ids)
        changes: dict[tuple, dict] = {}
        changed, inserts = 0, []
        for plan_id in plan_ids:
            old, fact = stored.get(plan_id), computed.get(plan_id)
            moved = delta(_stored(old) if old else None, _row(fact) if fact else None)
            for key, measures in moved.items():
                acc = changes.setdefault(key, dict.fromkeys(MEASURES, 0))
                for name in MEASURES:
                    acc[name] += measures[name]
            row = _fact_row(fact) if fact else None
            if old is None and row is not None:
                inserts.append(row)
            elif row is None and old is not None:
                await ProcessFact.delete().where(ProcessFact.id == old["id"])
            elif row is not None and any(row[k] != old[k] for k in row):
                await ProcessFact.update(
                    {
                        **{getattr(ProcessFact, k): v for k, v in row.items()},
                        ProcessFact.updated_at: now(),
                    }
                ).where(ProcessFact.id == old["id"])
            else:
                continue
            changed += 1
        await apply({k: v for k, v in changes.items() if any(v.values())})
        await _sync_flags(plan_ids, computed)
        await bulk_insert(ProcessFact, inserts, returning=False)
        await buyers.sync(buyers.touched(changes))
        return changed


async def _sync_flags(plan_ids: list[int], computed: dict[int, Fact]) -> None:
    """Raise the facts' new flags; drop open flags that no longer hold; keep reviewed ones."""
    rows = await RedFlag.select(RedFlag.id, RedFlag.plan_id, RedFlag.code, RedFlag.status).where(
        any_of(RedFlag.plan_id, plan_ids)
    )
    have = {(r["plan_id"], r["code"]) for r in rows}
    raised = {(p, f.code): (fact, f) for p, fact in computed.items() for f in fact.flags}
    gone = [
        r["id"] for r in rows if (r["plan_id"], r["code"]) not in raised and r["status"] == "open"
    ]
    if gone:
        await RedFlag.delete().where(any_of(RedFlag.id, gone))
    new = [_flag_row(fact, f) for key, (fact, f) in sorted(raised.items()) if key not in have]
    await bulk_insert(RedFlag, new, returning=False)


async def take_dirty(limit: int = 500) -> list[int]:
    """The plans queued for refresh, removed from the queue (at least once: a crash after the
    commit of this and before the refresh loses nothing the nightly rebuild would not repair,
    and the receiver queues again on the next publication)."""
    async with transaction():
        rows = await Dirty.select(Dirty.id, Dirty.plan_id).order_by(Dirty.id).limit(limit)
        if rows:
            await Dirty.delete().where(Dirty.id.is_in([r["id"] for r in rows]))
    return sorted({r["plan_id"] for r in rows})


async def rebuild(progress=None) -> int:
    """Empty the read model and recompute every process; the number of processes. The rollups
    are summed in memory and written in bulk (the incremental path's upserts cost more than
    the computing); reviewed flags are kept."""
    async with transaction():
        await DB.run_ddl("DELETE FROM analytics_rollup")
        await DB.run_ddl("DELETE FROM analytics_process")
        await DB.run_ddl("DELETE FROM analytics_red_flag WHERE status = 'open'")
        await DB.run_ddl("DELETE FROM analytics_dirty")
    ids = await facts_service.plan_ids()
    totals: dict[tuple, dict] = {}
    kept = {(r["plan_id"], r["code"]) for r in await RedFlag.select(RedFlag.plan_id, RedFlag.code)}
    for start in range(0, len(ids), BATCH):
        computed = list((await facts_service.compute_many(ids[start : start + BATCH])).values())
        fact_rows, flag_rows = [], []
        for fact in computed:
            for key, measures in contributions(_row(fact)).items():
                acc = totals.setdefault(key, dict.fromkeys(MEASURES, 0))
                for name in MEASURES:
                    acc[name] += measures.get(name, 0)
            fact_rows.append(_fact_row(fact))
            flag_rows += [
                _flag_row(fact, f) for f in fact.flags if (fact.plan_id, f.code) not in kept
            ]
        async with transaction():
            await bulk_insert(ProcessFact, fact_rows, returning=False)
            await bulk_insert(RedFlag, flag_rows, returning=False)
        if progress is not None:
            await progress(min(start + BATCH, len(ids)), len(ids))
    rows = [
        {**dict(zip(KEY, key, strict=True)), **measures}
        for key, measures in sorted(totals.items())
        if any(measures.values())
    ]
    async with transaction():
        await bulk_insert(Rollup, rows, returning=False)
        await buyers.sync(buyers.touched(totals))
    return len(ids)


BATCH = 200


def _fact_row(fact: Fact) -> dict:
    return {
        "tenant_id": fact.tenant_id,
        "plan_id": fact.plan_id,
        "project_id": fact.project_id,
        "purchaser_id": fact.purchaser_id,
        "year": fact.year,
        "month": fact.month,
        "method": fact.method,
        "category": fact.category,
        "object_type": fact.object_type,
        "title": fact.title[:200],
        "supplier_id": fact.supplier_id,
        "measures": json.dumps(fact.measures, sort_keys=True),
        "suppliers": json.dumps(fact.suppliers, sort_keys=True),
    }


def _flag_row(fact: Fact, flag) -> dict:
    return {
        "tenant_id": fact.tenant_id,
        "plan_id": fact.plan_id,
        "project_id": fact.project_id,
        "code": flag.code,
        "title": flag.title,
        "process_title": fact.title[:200],
        "value": flag.value,
        "explanation": flag.explanation,
        "year": fact.year,
    }
