"""The pool an expert draw searches (evaluation/): who may be drawn for a specialty in a region
on a day, and who must recuse from a set of bidders. Both are a few set queries whatever the
pool's size (20,000 experts: see tests/bench/bench_draw.py), for the platform itself (no actor:
the draw is the evaluation domain's, which checks its own permission).
"""

from __future__ import annotations

from datetime import date

from piccolo.columns.combination import WhereRaw

from gpcloud.registries.experts.service import rules
from gpcloud.registries.experts.service.search import ON_LEAVE, category_codes, region_codes
from gpcloud.registries.experts.tables import Expert, ExpertAvoidance, ExpertRegion, ExpertSpecialty

__all__ = ["category_codes", "eligible", "recusals", "region_codes"]


async def eligible(codes: list[str], regions: list[str], on: date) -> list[int]:
    """Active experts with one of `codes` (already widened to their ancestors) serving one of
    `regions` (the region and those above it), not on leave on `on` and without a bad record
    counting on it; ids in ascending order."""
    if not codes or not regions:
        return []
    query = (
        Expert.select(Expert.id)
        .where(
            (Expert.status == "active")
            & (Expert.bad_record_until.is_null() | (Expert.bad_record_until < on))
            & Expert.id.is_in(
                ExpertSpecialty.select(ExpertSpecialty.expert).where(
                    ExpertSpecialty.category_code.is_in(sorted(set(codes)))
                )
            )
            & Expert.id.is_in(
                ExpertRegion.select(ExpertRegion.expert).where(
                    ExpertRegion.region.is_in(sorted(set(regions)))
                )
            )
        )
        .where(WhereRaw(ON_LEAVE, on, on))
        .order_by(Expert.id)
    )
    # The same query, its rows read as the driver returns them: piccolo's dict per row (and the
    # list made of them) was two thirds of a 20,000-expert draw (tests/bench/bench_draw.py).
    [querystring] = query.querystrings
    rows = await Expert._meta.db.run_querystring(querystring)
    return [row["id"] for row in rows]


def _reason(relation: str, organisation: str, start: date, end: date | None) -> str:
    until = end.isoformat() if end else "now"
    return f"{relation}: {organisation} ({start.isoformat()} to {until})"


async def recusals(
    supplier_usccs: list[str], on: date, supplier_names: list[str] | None = None
) -> dict[int, list[str]]:
    """Every expert who must recuse from an evaluation on `on` where these suppliers bid, with
    the reasons: a declared relation (employer, director, shareholder, relative of the legal
    representative, other) with one of them overlapping the three years before `on` (matched on
    the credit code, or on the exact name where the relation was declared without one), or the
    supplier being the expert's current employer. Same rule as `conflicted`, asked the other
    way round: by bidder, not by expert."""
    usccs = sorted({(u or "").strip().upper() for u in supplier_usccs} - {""})
    names = sorted({(n or "").strip() for n in supplier_names or []} - {""})
    found: dict[int, list[str]] = {}
    if not usccs and not names:
        return found
    window_start = rules.add_years(on, -rules.AVOIDANCE_YEARS)
    period = (ExpertAvoidance.start_date <= on) & (
        ExpertAvoidance.end_date.is_null() | (ExpertAvoidance.end_date >= window_start)
    )
    columns = (
        ExpertAvoidance.expert,
        ExpertAvoidance.relation,
        ExpertAvoidance.organisation_name,
        ExpertAvoidance.start_date,
        ExpertAvoidance.end_date,
    )
    rows = []
    if usccs:
        rows += await ExpertAvoidance.select(*columns).where(
            period & ExpertAvoidance.organisation_uscc.is_in(usccs)
        )
        employed = await Expert.select(Expert.id, Expert.employer).where(
            Expert.employer_uscc.is_in(usccs)
        )
        for row in employed:
            found.setdefault(row["id"], []).append(f"employer: {row['employer']} (now)")
    if names:
        rows += await ExpertAvoidance.select(*columns).where(
            period
            & ExpertAvoidance.organisation_uscc.is_null()
            & ExpertAvoidance.organisation_name.is_in(names)
        )
    for row in rows:
        found.setdefault(row["expert"], []).append(
            _reason(row["relation"], row["organisation_name"], row["start_date"], row["end_date"])
        )
    return found
