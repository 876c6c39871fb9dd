"""The evaluation of a committee that started: opening it (the documents' scale and the bids
unsealed at the opening, frozen as they stood), who may act on it and how, and the scoring
engine's input built from the rows (the engine itself is scoring.py: pure, reused as is).

Who: the agency of the project and the purchaser (and the region's staff, reading) see it; each
member of the committee sees it as a member (its own row, the bids only after check-in); a
bidder sees only what concerns its own bid. Everybody else gets NOT_FOUND.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import AGENCY, EXPERT, PURCHASER, SUPPLIER
from gpcloud.core.auth.service import CurrentUser, organisations_by_id
from gpcloud.core.clock import today
from gpcloud.core.db import for_update, serialize_writes
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.rules.service import effective_rules
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation import scoring_inputs as si
from gpcloud.evaluation.service import common
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.tables import (
    Evaluation,
    EvaluationBid,
    EvaluationMember,
    EvaluationScore,
    LowPriceInquiry,
    PriceCorrection,
    ReviewFinding,
)
from gpcloud.evaluation.workflow import EVALUATION
from gpcloud.registries.experts import service as experts
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.registries.suppliers.service import search as suppliers
from gpcloud.supervision import plans
from gpcloud.transaction import bids as transaction_bids
from gpcloud.transaction import documents
from gpcloud.transaction import service as projects

SMALL_MICRO = ("small", "micro")
MAX_RATE = Decimal(100)


@dataclass(frozen=True)
class Rates:
    """The policy deductions the documents state (percent; 0: none granted)."""

    small_micro: Decimal = Decimal(0)
    consortium: Decimal = Decimal(0)
    domestic: Decimal = Decimal(0)


async def get(evaluation_id: int, lock: bool = False) -> dict:
    with all_tenants(PARTY_SCOPE):
        query = Evaluation.select().where(Evaluation.id == evaluation_id)
        rows = await (for_update(query) if lock else query)
    if not rows:
        raise NotFound("evaluation", evaluation_id)
    return rows[0]


def scale(row: dict) -> dict:
    return json.loads(row["documents"])


async def is_purchaser(actor: CurrentUser, row: dict) -> bool:
    if PURCHASER not in actor.roles:
        return False
    unit = await purchasers.of_user(actor)
    return unit is not None and unit["id"] == row["purchaser"]


def is_agency(actor: CurrentUser, row: dict) -> bool:
    return AGENCY in actor.roles and row["agency_organisation"] == actor.organisation_id


async def as_agency(actor: CurrentUser, evaluation_id: int, lock: bool = False) -> dict:
    row = await get(evaluation_id, lock)
    if not is_agency(actor, row):
        raise NotFound("evaluation", evaluation_id)
    return row


async def as_reviewer(actor: CurrentUser, evaluation_id: int, lock: bool = False) -> dict:
    """The purchaser or its agency: who reviews qualifications (Order 87 art. 44, unverified)."""
    row = await get(evaluation_id, lock)
    if not (is_agency(actor, row) or await is_purchaser(actor, row)):
        raise NotFound("evaluation", evaluation_id)
    return row


async def member_of(actor: CurrentUser, evaluation_id: int) -> dict | None:
    if EXPERT not in actor.roles:
        return None
    expert = await experts.of_user(actor)
    if expert is None:
        return None
    with all_tenants(PARTY_SCOPE):
        return (
            await EvaluationMember.select()
            .where(
                (EvaluationMember.evaluation == evaluation_id)
                & (EvaluationMember.expert == expert["id"])
            )
            .first()
        )


async def as_member(actor: CurrentUser, evaluation_id: int) -> tuple[dict, dict]:
    """(evaluation, the actor's member row); NOT_FOUND for anyone not on the committee."""
    row = await get(evaluation_id)
    member = await member_of(actor, evaluation_id)
    if member is None:
        raise NotFound("evaluation", evaluation_id)
    return row, member


def require_present(member: dict) -> None:
    if member["status"] == "absent":
        raise DomainError(
            "CHECK_IN_REQUIRED", "check in by face verification first", "evaluationId"
        )


def require_reviewing(row: dict) -> None:
    if row["status"] != "reviewing":
        raise DomainError("WRONG_STATE", "the evaluation report is frozen", "evaluationId")


async def bid_of_supplier(actor: CurrentUser, bid_id: int) -> dict:
    """An evaluated bid of the actor's own organisation (NOT_FOUND otherwise)."""
    with all_tenants(PARTY_SCOPE):
        row = await EvaluationBid.select().where(EvaluationBid.id == bid_id).first()
    if SUPPLIER not in actor.roles or row is None:
        raise NotFound("bid", bid_id)
    if row["supplier_organisation"] != actor.organisation_id:
        raise NotFound("bid", bid_id)
    return row


@requires(Perm.COMMITTEE_READ)
async def readable(actor: CurrentUser, evaluation_id: int) -> dict:
    """For the agency and the purchaser; for the region's staff within their region."""
    row = await get(evaluation_id)
    if SUPPLIER in actor.roles or EXPERT in actor.roles:
        raise NotFound("evaluation", evaluation_id)
    if AGENCY in actor.roles:
        if not is_agency(actor, row):
            raise NotFound("evaluation", evaluation_id)
        return row
    if PURCHASER in actor.roles and not await is_purchaser(actor, row):
        raise NotFound("evaluation", evaluation_id)
    if not await Evaluation.exists().where(Evaluation.id == evaluation_id):
        raise NotFound("evaluation", evaluation_id)  # outside the caller's region
    return row


async def visible(actor: CurrentUser, evaluation_id: int) -> tuple[dict, dict | None]:
    """(evaluation, the actor's member row or None): a member or a reader."""
    if EXPERT in actor.roles:
        return await as_member(actor, evaluation_id)
    return await readable(actor, evaluation_id), None


async def of_committee(committee_id: int) -> dict | None:
    with all_tenants(PARTY_SCOPE):
        return await Evaluation.select().where(Evaluation.committee == committee_id).first()


def _rate(value: Decimal, name: str) -> Decimal:
    if not Decimal(0) <= value <= MAX_RATE:
        raise DomainError("INVALID_RATE", "a percent from 0 to 100", name)
    return value


async def _scale(project: dict, rates: Rates) -> dict:
    current = await documents.current(project["id"])
    if current is None:
        raise DomainError("NO_DOCUMENTS", "the project has no procurement documents", "committeeId")
    criteria = json.loads(current["criteria"])
    with all_tenants(PARTY_SCOPE):
        plan = await plans.get(project["plan"])
    return {
        "version": current["version"],
        "criteria": [{"key": c["name"], "max_points": str(c["weight"])} for c in criteria],
        "price_weight": str(current["price_weight"]) if criteria else "0",
        "is_goods": plan["object_type"] != "services",
        "qualification": [str(i.get("item", "")) for i in json.loads(current["qualification"])],
        "compliance": [str(i.get("item", "")) for i in json.loads(current["compliance"])],
        "small_micro_deduction": str(_rate(rates.small_micro, "smallMicroDeduction")),
        "consortium_deduction": str(_rate(rates.consortium, "consortiumDeduction")),
        "domestic_preference": str(_rate(rates.domestic, "domesticPreference")),
    }


async def _bid_rows(evaluation: dict, project: dict, lot: str) -> list[EvaluationBid]:
    opened = await transaction_bids.of_project(project["id"], ("unsealed",))
    opened = [b for b in opened if not lot or b["lot"] == lot]
    orgs = await organisations_by_id([b["supplier_organisation"] for b in opened])
    registered = await suppliers.by_uscc([o["uscc"] for o in orgs if o and o["uscc"]])
    rows = []
    for bid, org in zip(opened, orgs, strict=True):
        form = json.loads(bid["form"] or "{}")
        size = (registered.get(org["uscc"]) or {}).get("size_class", "") if org["uscc"] else ""
        declared = bool(form.get("small_micro_declaration"))
        rows.append(
            EvaluationBid(
                tenant_id=evaluation["tenant_id"],
                evaluation=evaluation["id"],
                bid=bid["id"],
                supplier_organisation=bid["supplier_organisation"],
                supplier_name=org["name"],
                price_fen=bid["price_fen"] or 0,
                small_micro=declared and size in SMALL_MICRO,
                small_micro_share=int(form.get("small_micro_share") or 0),
                domestic=bool(form.get("domestic")),
            )
        )
    return rows


@requires(Perm.COMMITTEE_MANAGE)
async def open_evaluation(actor: CurrentUser, committee_id: int, rates: Rates = Rates()) -> dict:
    """The agency opens the evaluation of its committee once the evaluation started and the
    bids are opened: the documents' scale, the members (the confirmed experts) and the bids."""
    committee = await common.as_agency(actor, committee_id, lock=True)
    if committee["status"] != "evaluating":
        raise DomainError("WRONG_STATE", f"the committee is {committee['status']}", "committeeId")
    with all_tenants(PARTY_SCOPE):
        project = await projects.get(committee["project"])
    if project["status"] != "opened":
        raise DomainError("BIDS_NOT_OPENED", "the bids are opened first", "committeeId")
    await serialize_writes(f"evaluation:committee:{committee_id}")
    if await of_committee(committee_id) is not None:
        raise DomainError("DUPLICATE_EVALUATION", "the evaluation is open", "committeeId")
    documents_scale = await _scale(project, rates)
    method = si.Method.COMPREHENSIVE if documents_scale["criteria"] else si.Method.LOWEST_PRICE
    with all_tenants(PARTY_SCOPE):
        row = Evaluation(
            tenant_id=committee["tenant_id"],
            committee=committee_id,
            project=project["id"],
            lot=committee["lot"],
            agency_organisation=committee["agency_organisation"],
            purchaser=project["purchaser"],
            method=method.value,
            documents=json.dumps(documents_scale, ensure_ascii=False, sort_keys=True),
        )
        await row.save()
        saved = await get(row.id)
        seats = [m for m in await common.members(committee_id) if m["status"] == "confirmed"]
        await EvaluationMember.insert(
            *(
                EvaluationMember(
                    tenant_id=committee["tenant_id"],
                    evaluation=row.id,
                    seat=m["id"],
                    expert=m["expert"],
                )
                for m in seats
            )
        )
        found = await _bid_rows(saved, project, committee["lot"])
        if found:
            await EvaluationBid.insert(*found)
        await EVALUATION.created(
            saved, {"members": len(seats), "bids": len(found), "method": method.value}
        )
    return saved


async def members(evaluation_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return (
            await EvaluationMember.select()
            .where(EvaluationMember.evaluation == evaluation_id)
            .order_by(EvaluationMember.id)
        )


async def bids(evaluation_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return (
            await EvaluationBid.select()
            .where(EvaluationBid.evaluation == evaluation_id)
            .order_by(EvaluationBid.id)
        )


async def bid(evaluation: dict, bid_id: int) -> dict:
    found = next((b for b in await bids(evaluation["id"]) if b["id"] == bid_id), None)
    if found is None:
        raise NotFound("bid", bid_id)
    return found


async def findings(evaluation_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return (
            await ReviewFinding.select()
            .where(ReviewFinding.evaluation == evaluation_id)
            .order_by(ReviewFinding.id)
        )


async def scores(evaluation_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return (
            await EvaluationScore.select()
            .where(EvaluationScore.evaluation == evaluation_id)
            .order_by(EvaluationScore.id)
        )


async def corrections(evaluation_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return (
            await PriceCorrection.select()
            .where(PriceCorrection.evaluation == evaluation_id)
            .order_by(PriceCorrection.id)
        )


async def low_prices(evaluation_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return (
            await LowPriceInquiry.select()
            .where(LowPriceInquiry.evaluation == evaluation_id)
            .order_by(LowPriceInquiry.id)
        )


async def bounds(evaluation: dict) -> si.Bounds:
    config = await effective_config(evaluation["tenant_id"])
    return si.Bounds.from_rules(effective_rules(config, today()))
