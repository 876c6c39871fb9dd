"""Who may be drawn for a committee: the registry's pool for its specialties and region on the
evaluation day (active, not on leave, no bad record), less the experts an active credit ban
excludes (credit service) and those who must recuse from a bidder (registry), each weighted
down by how often they were drawn lately (rotation, the tenant's expert_draw settings).

Recusal data used: declared relations (employer, director, shareholder, relative of the legal
representative, other) by credit code or exact name, and the current employer's credit code.
Missing: a bidder's legal representative and shareholders from the supplier registry (only what
the expert declared is known).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from piccolo.query.methods.select import Count

from gpcloud.core.auth.service import organisations_by_id
from gpcloud.core.clock import now
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.credit import service as credit
from gpcloud.evaluation.settings import DrawSettings
from gpcloud.evaluation.tables import DrawMember
from gpcloud.registries.experts.service import pool
from gpcloud.transaction import bids

ROTATION_SCOPE = "rotation: how often the province's shared experts were drawn lately"
BIDDING = ("submitted", "unsealed")


@dataclass(frozen=True)
class Bidders:
    usccs: list[str]
    names: list[str]


@dataclass(frozen=True)
class Snapshot:
    # [(expert id, weight), ...] by id; stored as JSON [[id, weight], ...]. Tuples of ints, not
    # lists: the collector stops tracking them, so 20,000 of them per draw do not make every
    # few draws scan the whole heap (a list is tracked for life).
    pairs: list[tuple[int, int]]
    codes: list[str]
    regions: list[str]
    excluded: dict[str, int]
    reasons: dict[int, list[str]]  # recused experts' reasons (kept out of the record)


async def bidders(project_id: int, lot: str) -> Bidders:
    """The suppliers whose bids stand at the deadline (of the lot, when the committee has one)."""
    with all_tenants(bids.PARTY_SCOPE):
        rows = await bids.of_project(project_id, BIDDING)
    ids = sorted({r["supplier_organisation"] for r in rows if not lot or r["lot"] == lot})
    orgs = [o for o in await organisations_by_id(ids) if o is not None]
    return Bidders(
        sorted({o["uscc"] for o in orgs if o["uscc"]}),
        sorted({o["name"] for o in orgs} | {r["supplier_name"] for r in rows}),
    )


async def recent_draws(settings: DrawSettings) -> dict[int, int]:
    if settings.rotation_window_days <= 0 or settings.rotation_penalty_percent <= 0:
        return {}
    since = now() - timedelta(days=settings.rotation_window_days)
    with all_tenants(ROTATION_SCOPE, audited=False):
        query = (
            DrawMember.select(DrawMember.expert, Count())
            .where(DrawMember.invited_at >= since)
            .group_by(DrawMember.expert)
        )
        # Rows as the driver returns them (thousands in a busy window): no dict per row.
        [querystring] = query.querystrings
        rows = await DrawMember._meta.db.run_querystring(querystring)
    return {r["expert"]: r["count"] for r in rows}


async def snapshot(
    codes: list[str], region: str, on: date, found: Bidders, settings: DrawSettings
) -> Snapshot:
    widened = sorted({c for code in codes for c in pool.category_codes(code)})
    regions = await pool.region_codes(region)
    candidates = await pool.eligible(widened, regions, on)
    barred = await credit.barred_experts(on)
    recused = await pool.recusals(found.usccs, on, found.names)
    recent = await recent_draws(settings)
    # One weight per count of recent draws, not one call per expert (20,000 in a large pool).
    full = settings.weight(0)
    lowered = {expert: settings.weight(count) for expert, count in recent.items()}
    pairs = []
    excluded = {"credit_ban": 0, "recusal": 0}
    for expert in candidates:
        if expert in barred:
            excluded["credit_ban"] += 1
        elif expert in recused:
            excluded["recusal"] += 1
        else:
            pairs.append((expert, lowered.get(expert, full)))
    pool_ids = set(candidates)
    reasons = {e: r for e, r in recused.items() if e in pool_ids}
    return Snapshot(pairs, widened, regions, excluded, reasons)


def params_json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
