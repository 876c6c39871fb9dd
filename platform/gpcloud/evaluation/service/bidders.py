"""What the committee asks of a bidder during the evaluation, and the bidder's answers:
- an arithmetic correction (Order 87 art. 59, unverified text): a member records the amount in
  words and/or the line items read from the bid; the engine's rule (scoring_checks.corrections)
  gives the corrected price; the bidder confirms it (binding) or refuses (the bid is invalid);
- an abnormally low price (Order 87 art. 60, unverified text): only a bid the engine flags
  (the rule set's triggers) can be asked; the bidder explains by the deadline; a member records
  the committee's decision, justified only on an explanation, unjustified also once the
  deadline passed unanswered.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation import scoring_checks
from gpcloud.evaluation import scoring_inputs as si
from gpcloud.evaluation.service import engine, evaluations, notices
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.tables import LowPriceInquiry, PriceCorrection
from gpcloud.evaluation.workflow import CORRECTION, LOW_PRICE

MAX_TEXT = 2000
MAX_LINES = 500


def _text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("REASON_REQUIRED", "say why", field)
    if len(text) > MAX_TEXT:
        raise DomainError("INVALID_TEXT", f"at most {MAX_TEXT} characters", field)
    return text


def _decimal(value: str, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DomainError("INVALID_AMOUNT", "a decimal number", field) from None
    if not number.is_finite() or number < 0:
        raise DomainError("INVALID_AMOUNT", "a decimal number, not negative", field)
    return number


async def _committee_member(actor: CurrentUser, evaluation_id: int) -> tuple[dict, dict]:
    evaluation, member = await evaluations.as_member(actor, evaluation_id)
    evaluations.require_reviewing(evaluation)
    evaluations.require_present(member)
    return evaluation, member


@requires(Perm.EVALUATION_CONDUCT)
async def propose_correction(
    actor: CurrentUser,
    evaluation_id: int,
    bid_id: int,
    price_in_words: str | None,
    line_items: list[tuple[str, str]],
) -> dict:
    evaluation, _ = await _committee_member(actor, evaluation_id)
    bid = await evaluations.bid(evaluation, bid_id)
    if len(line_items) > MAX_LINES:
        raise DomainError("TOO_MANY_LINES", f"at most {MAX_LINES} lines", "lineItems")
    in_words = None if price_in_words is None else _decimal(price_in_words, "priceInWords")
    lines = tuple(
        (_decimal(q, f"lineItems[{i}]"), _decimal(u, f"lineItems[{i}]"))
        for i, (q, u) in enumerate(line_items)
    )
    stated = engine.yuan(bid["price_fen"])
    found = scoring_checks.corrections(
        si.Bid(str(bid_id), stated, price_in_words=in_words, line_items=lines)
    )
    if not found:
        raise DomainError("NO_CORRECTION", "the stated price needs no correction", "bidId")
    await serialize_writes(f"evaluation:{evaluation_id}:correction:{bid_id}")
    with all_tenants(PARTY_SCOPE):
        if await PriceCorrection.exists().where(PriceCorrection.bid == bid_id):
            raise DomainError("DUPLICATE_CORRECTION", "this bid's price was corrected", "bidId")
        row = PriceCorrection(
            tenant_id=evaluation["tenant_id"],
            evaluation=evaluation_id,
            bid=bid_id,
            price_in_words_fen=None if in_words is None else to_fen(in_words, "priceInWords"),
            line_items=json.dumps([[str(q), str(u)] for q, u in lines]),
            corrected_fen=to_fen(found[-1].corrected, "lineItems"),
        )
        await row.save()
        saved = await PriceCorrection.select().where(PriceCorrection.id == row.id).first()
        await CORRECTION.created(
            saved, {"bid": bid_id, "rules": [c.rule for c in found], "stated": str(stated)}
        )
    await notices.correction(evaluation, bid, saved)
    return saved


async def _own_row(actor: CurrentUser, table, row_id: int, noun: str) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await table.select().where(table.id == row_id).first()
    if row is None:
        raise NotFound(noun, row_id)
    await evaluations.bid_of_supplier(actor, row["bid"])  # NOT_FOUND unless its own bid
    return row


@requires(Perm.EVALUATION_RESPOND)
async def answer_correction(actor: CurrentUser, correction_id: int, accept: bool) -> dict:
    row = await _own_row(actor, PriceCorrection, correction_id, "price correction")
    evaluations.require_reviewing(await evaluations.get(row["evaluation"]))
    with all_tenants(PARTY_SCOPE):
        return await CORRECTION.move(
            actor,
            row,
            "confirm" if accept else "refuse",
            {PriceCorrection.answered_at: now()},
        )


@requires(Perm.EVALUATION_CONDUCT)
async def request_explanation(
    actor: CurrentUser, evaluation_id: int, bid_id: int, explain_by: datetime
) -> dict:
    evaluation, _ = await _committee_member(actor, evaluation_id)
    bid = await evaluations.bid(evaluation, bid_id)
    if explain_by.tzinfo is None or explain_by <= now():
        raise DomainError("INVALID_DEADLINE", "a later time, with its time zone", "explainBy")
    flagged = (await engine.flagged_low(evaluation)).get(str(bid_id))
    if not flagged:
        raise DomainError(
            "NOT_ABNORMALLY_LOW", "the bid meets none of the abnormally low triggers", "bidId"
        )
    await serialize_writes(f"evaluation:{evaluation_id}:low_price:{bid_id}")
    with all_tenants(PARTY_SCOPE):
        if await LowPriceInquiry.exists().where(LowPriceInquiry.bid == bid_id):
            raise DomainError("DUPLICATE_REQUEST", "this bid was asked already", "bidId")
        row = LowPriceInquiry(
            tenant_id=evaluation["tenant_id"],
            evaluation=evaluation_id,
            bid=bid_id,
            triggers=json.dumps(list(flagged), ensure_ascii=False),
            explain_by=explain_by,
        )
        await row.save()
        saved = await LowPriceInquiry.select().where(LowPriceInquiry.id == row.id).first()
        await LOW_PRICE.created(saved, {"bid": bid_id, "triggers": list(flagged)})
    await notices.low_price(evaluation, bid, saved)
    return saved


@requires(Perm.EVALUATION_RESPOND)
async def explain(actor: CurrentUser, inquiry_id: int, text: str) -> dict:
    row = await _own_row(actor, LowPriceInquiry, inquiry_id, "low price inquiry")
    text = _text(text, "explanation")
    if now() > row["explain_by"]:
        raise DomainError("EXPLANATION_LATE", "the deadline for the explanation passed", "text")
    with all_tenants(PARTY_SCOPE):
        return await LOW_PRICE.move(
            actor,
            row,
            "explain",
            {LowPriceInquiry.explanation: text, LowPriceInquiry.explained_at: now()},
        )


@requires(Perm.EVALUATION_CONDUCT)
async def decide(actor: CurrentUser, inquiry_id: int, justified: bool, reason: str) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await LowPriceInquiry.select().where(LowPriceInquiry.id == inquiry_id).first()
    if row is None:
        raise NotFound("low price inquiry", inquiry_id)
    await _committee_member(actor, row["evaluation"])
    reason = _text(reason, "reason")
    if not justified and row["status"] == "requested" and now() <= row["explain_by"]:
        raise DomainError(
            "EXPLANATION_PENDING", "the bidder may still explain until the deadline", "inquiryId"
        )
    with all_tenants(PARTY_SCOPE):
        return await LOW_PRICE.move(
            actor,
            row,
            "accept" if justified else "reject",
            {LowPriceInquiry.decision_reason: reason},
            {"reason": reason},
        )


async def of_supplier(actor: CurrentUser, evaluation_id: int) -> tuple[list[dict], list[dict]]:
    """The corrections and low-price requests on the actor's own bids in an evaluation."""
    mine = {
        b["id"]
        for b in await evaluations.bids(evaluation_id)
        if b["supplier_organisation"] == actor.organisation_id
    }
    corrections = [c for c in await evaluations.corrections(evaluation_id) if c["bid"] in mine]
    low = [i for i in await evaluations.low_prices(evaluation_id) if i["bid"] in mine]
    return corrections, low
