"""Ratings: experts by the agency after an evaluation, suppliers by the purchaser after the
final acceptance, agencies by a supervisor once a year, each on the criteria in criteria.toml
(data, marked unverified). One rating per occasion, subject and rater; a rating is kept where it
was given (the tenant's procedure) and summed up across tenants in the subject's profile."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gpcloud import domains
from gpcloud.contracts import performance
from gpcloud.contracts import service as contracts
from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import LEGAL_TZ, end_of, now
from gpcloud.core.db import is_unique_violation, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.credit.service import records
from gpcloud.credit.tables import CreditRating

PROFILE_SCOPE = "credit profile: a subject's ratings from every region"


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    max: int


@dataclass(frozen=True)
class Criteria:
    subject_kind: str
    criteria: tuple[Criterion, ...]
    source: str
    unverified: bool


@cache
def criteria() -> dict[str, Criteria]:
    data = tomllib.loads((Path(__file__).parents[1] / "criteria.toml").read_text("utf-8"))
    found = {}
    for kind, spec in data.items():
        items = tuple(Criterion(c["key"], c["title"], int(c["max"])) for c in spec["criteria"])
        if sum(c.max for c in items) != 100:
            raise ValueError(f"criteria.toml: the {kind} maxima do not sum to 100")
        found[kind] = Criteria(kind, items, spec["source"], bool(spec.get("unverified")))
    return found


def _total(kind: str, scores: dict[str, int]) -> int:
    wanted = {c.key: c for c in criteria()[kind].criteria}
    if set(scores) != set(wanted):
        raise DomainError(
            "INVALID_SCORES", f"score each of {', '.join(wanted)} and nothing else", "scores"
        )
    for key, points in scores.items():
        if not 0 <= points <= wanted[key].max:
            raise DomainError("INVALID_SCORES", f"{key}: 0 to {wanted[key].max} points", "scores")
    return sum(scores.values())


async def _save(
    actor: CurrentUser,
    tenant: str,
    kind: str,
    who: dict,
    occasion: str,
    reference: str,
    scores: dict[str, int],
    comment: str,
) -> dict:
    total = _total(kind, scores)
    subject = f"{kind}:{who['expert'] or who['organisation']}"
    key = f"{occasion}:{reference}:{subject}:{actor.organisation_id}"
    with all_tenants("credit ratings: one per occasion, subject and rater, in any region"):
        if await CreditRating.exists().where(CreditRating.rating_key == key):
            raise DomainError("ALREADY_RATED", "your organisation has rated this already")
    try:
        async with transaction():
            row = CreditRating(
                tenant_id=tenant,
                subject_kind=kind,
                organisation=who["organisation"],
                expert=who["expert"],
                occasion=occasion,
                reference=reference,
                rater_organisation=actor.organisation_id,
                rated_by=actor.id,
                scores=scores,
                total=total,
                comment=comment.strip(),
                rating_key=key,
            )
            await row.save()
            await audit.record(
                "credit_rating.create",
                "credit_rating",
                row.id,
                None,
                {"total": total, "scores": scores},
                {"subject": subject, "reference": reference},
                tenant=tenant,
            )
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError("ALREADY_RATED", "your organisation has rated this already") from None
        raise
    with all_tenants("credit ratings: kept in the procedure's region, read back by the rater"):
        return (
            await CreditRating.select()
            .where(CreditRating.id == row.id)
            .output(load_json=True)
            .first()
        )


@requires(Perm.CREDIT_RATE_EXPERT)
async def rate_expert(
    actor: CurrentUser, expert_id: int, project_id: int, scores: dict[str, int], comment: str = ""
) -> dict:
    """By the agency that ran the evaluation, of an expert who sat on it: a confirmed seat of
    the agency's committee of the project that reached evaluating (the evaluation tells, through
    gpcloud.domains.EXPERT_SITTING; EXPERT_NOT_ON_COMMITTEE otherwise, the same answer whether
    the committee is another agency's or there is none), within expert_rating_period (5 wd,
    Caiku [2016] 198, unverified) after the evaluation ended, or while no end is recorded
    after it started (RATING_PERIOD_OVER). Kept in the committee's region."""
    who = await records.subject("expert", expert_id)
    sat = await domains.resolve(domains.EXPERT_SITTING)(
        expert_id, project_id, actor.organisation_id
    )
    if sat is None:
        raise DomainError(
            "EXPERT_NOT_ON_COMMITTEE",
            "the expert sat on no evaluation of this project that your agency ran",
            "expertId",
        )
    day = (sat.ended_at or sat.started_at).astimezone(LEGAL_TZ).date()
    deadline = await rule_deadline("expert_rating_period", day, sat.tenant)
    if now() >= end_of(deadline.due):  # the instant: a rating at 23:59 of the last day counts
        raise DomainError(
            "RATING_PERIOD_OVER",
            f"experts are rated within {deadline.amount} working days after the evaluation "
            f"(until {deadline.due})",
            "projectId",
        )
    return await _save(
        actor, sat.tenant, "expert", who, "evaluation", f"project:{project_id}", scores, comment
    )


@requires(Perm.CREDIT_RATE_SUPPLIER)
async def rate_supplier(
    actor: CurrentUser, contract_id: int, scores: dict[str, int], comment: str = ""
) -> dict:
    """By the purchaser of the contract, once its final acceptance passed."""
    contract = await contracts.as_party(actor, contract_id)
    if contract["purchaser_organisation"] != actor.organisation_id:
        raise NotFound("contract", contract_id)
    if not await performance.passed_final_acceptance(contract_id):
        raise DomainError("NOT_ACCEPTED", "a supplier is rated after the final acceptance passed")
    who = await records.subject("supplier", contract["supplier_organisation"])
    return await _save(
        actor,
        contract["tenant_id"],
        "supplier",
        who,
        "acceptance",
        f"contract:{contract_id}",
        scores,
        comment,
    )


@requires(Perm.CREDIT_RATE_AGENCY)
async def rate_agency(
    actor: CurrentUser, organisation_id: int, year: int, scores: dict[str, int], comment: str = ""
) -> dict:
    """The yearly evaluation of an agency by a supervisor of the region it worked in."""
    if not 2000 <= year <= 2100:
        raise DomainError("INVALID_YEAR", "a year like 2026", "year")
    org = await Organisation.select(Organisation.id).where(Organisation.id == organisation_id)
    if not org:
        raise NotFound("agency", organisation_id)
    who = await records.subject("agency", organisation_id)
    return await _save(
        actor, actor.tenant, "agency", who, "yearly", f"year:{year}", scores, comment
    )


@dataclass(frozen=True)
class Summary:
    count: int
    average: float | None  # of the totals, out of 100


async def summary(organisation_id: int | None, expert_id: int | None) -> Summary:
    condition = (
        CreditRating.expert == expert_id
        if expert_id is not None
        else CreditRating.organisation == organisation_id
    )
    with all_tenants(PROFILE_SCOPE):
        totals = [
            r["total"] for r in await CreditRating.select(CreditRating.total).where(condition)
        ]
    return Summary(len(totals), round(sum(totals) / len(totals), 1) if totals else None)
