"""Who sits on a committee, as the rule set `evaluation` (config/rules) says: the minimum size
per method and project size, an odd number, experts at least two thirds, the purchaser's
representative at most one seat and never the chair. One place for these rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.rules.service import effective_rules
from gpcloud.core.tenancy.config import effective_config

TENDERS = ("open_tender", "invited_tender", "framework_agreement")
PANELS = ("competitive_negotiation", "request_for_quotation", "competitive_consultation")
# No lead time before the evaluation for these (RULES.md, Experts: draw; unverified).
LEAD_EXEMPT = ("competitive_negotiation", "competitive_consultation")


@dataclass(frozen=True)
class Composition:
    members: int
    expert_seats: int
    minimum: int
    large_project: bool
    rules: tuple[str, ...]  # how the minimum was found, for the committee's record


async def check(
    tenant: str,
    method: str,
    budget_fen: int,
    members: int,
    representative: bool,
    large_project: bool,
    on: date,
) -> Composition:
    """The composition if it keeps the rules in force on `on` for the tenant, else every broken
    rule at once (COMMITTEE_TOO_SMALL, COMMITTEE_NOT_ODD, TOO_FEW_EXPERTS)."""
    config = await effective_config(tenant)
    rules = effective_rules(config, on)
    budget = Decimal(budget_fen) / 100
    used = []
    if method in TENDERS:
        threshold = rules["large_project_budget"]
        large = large_project or budget >= Decimal(threshold.value)
        key = "committee_min_members_large" if large else "committee_min_members"
        if large and not large_project:
            used.append(threshold.describe())
    elif method in PANELS:
        limit = (config.values.get("thresholds") or {}).get("open_tender_threshold")
        above = limit is not None and budget >= Decimal(str(limit))
        large = large_project
        key = "panel_min_members_above_threshold" if above else "panel_min_members"
        if above:
            used.append(f"budget {budget} yuan at or above open_tender_threshold {limit}")
    else:
        raise DomainError(
            "NO_COMMITTEE_FOR_METHOD",
            f"a {method} procurement has no drawn committee (tenders, negotiation, RFQ and "
            "consultation do)",
            "projectId",
        )
    minimum = rules[key]
    share = rules["committee_expert_share"]
    used += [minimum.describe(), share.describe()]
    seats = members - (1 if representative else 0)
    problems = []
    if members < int(minimum.value):
        problems.append(
            Problem(
                "COMMITTEE_TOO_SMALL",
                f"at least {minimum.value} members ({minimum.describe()})",
                "members",
            )
        )
    if members % 2 == 0:
        problems.append(Problem("COMMITTEE_NOT_ODD", "an odd number of members", "members"))
    if seats * 100 < members * Decimal(share.value):
        problems.append(
            Problem(
                "TOO_FEW_EXPERTS",
                f"{seats} experts of {members} members: experts are at least two thirds "
                f"({share.describe()})",
                "members",
            )
        )
    if problems:
        raise DomainError.many(problems)
    return Composition(members, seats, int(minimum.value), large, tuple(used))
