"""Quote rounds of a competitive negotiation or consultation (报价轮次), after the opening.

The panel negotiates with each supplier separately and may ask for new quotes; after the
negotiation it asks every supplier still taking part for a final quote within a set time
(最后报价: Government Procurement Law art. 38(5); Implementing Regulation art. 35; Caiku [2014]
214 for consultation, unverified text). The agency runs the rounds on the platform for the
panel: it opens a round for a lot with its deadline and the suppliers invited (by default the
bidders whose bids were unsealed, then the previous round's), the last round the method's
configuration allows (quote_rounds) being the final one, or any round declared final.

A quote is sealed until its round closes: during the round nobody but its supplier reads it
through the platform (art. 38(4): no party learns another's price); the scheduler closes the
round at its deadline (a quote a millisecond late is refused with its arrival time) and the
agency and the panel read every quote. Quotes are kept in the database, hidden by the API,
not encrypted by the supplier as bids are (docs/sealed-bids.md).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation

from gpcloud.core import clock
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.db import serialize_writes, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import blocks
from gpcloud.transaction.methods import method_config
from gpcloud.transaction.parties import PARTY_SCOPE
from gpcloud.transaction.selection_tables import Quote, QuoteRound
from gpcloud.transaction.selection_workflow import QUOTE, QUOTE_ROUND
from gpcloud.transaction.tables import Bid, Project


async def _project(project_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("project", project_id)
    return row


async def get_round(round_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await QuoteRound.select().where(QuoteRound.id == round_id).first()
    if row is None:
        raise NotFound("quote round", round_id)
    return row


def invited(row: dict) -> list[int]:
    return json.loads(row["invited"])


async def rounds(project_id: int, lot: str | None = None) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        query = QuoteRound.select().where(QuoteRound.project == project_id)
        if lot is not None:
            query = query.where(QuoteRound.lot == lot)
        return await query.order_by(QuoteRound.lot).order_by(QuoteRound.number)


async def _candidates(project_id: int, lot: str, earlier: list[dict]) -> list[int]:
    """Who may be invited: the previous round's invited, or for the first round the suppliers
    whose bids for the lot were unsealed at the opening."""
    if earlier:
        return invited(earlier[-1])
    rows = await Bid.select(Bid.supplier_organisation).where(
        (Bid.project == project_id) & (Bid.lot == lot) & (Bid.status == "unsealed")
    )
    return sorted({r["supplier_organisation"] for r in rows})


@requires(Perm.QUOTE_ROUND_MANAGE)
async def open_round(
    actor: CurrentUser,
    project_id: int,
    lot: str,
    deadline_at: datetime,
    final: bool = False,
    supplier_ids: list[int] | None = None,
) -> dict:
    """A new round for the lot, one at a time: after the opening, up to the method's
    quote_rounds, none after a final one; the last one allowed is final."""
    project = await _project(project_id)
    if project["agency_organisation"] != actor.organisation_id:
        raise NotFound("project", project_id)
    config = method_config(project["method"])
    if config.quote_rounds < 2:
        raise DomainError(
            "QUOTE_ROUNDS_NOT_ALLOWED", f"a {config.title} has no quote rounds", "projectId"
        )
    if project["status"] != "opened":
        raise DomainError(
            "WRONG_STATE",
            f"quote rounds follow the opening; the project is {project['status']}",
            "projectId",
        )
    if deadline_at.tzinfo is None or deadline_at <= clock.now():
        raise DomainError(
            "INVALID_DEADLINE",
            "a deadline instant, with its time zone, still to come",
            "deadlineAt",
        )
    await blocks.ensure_free(project["tenant_id"], project_id, "transaction")
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            await serialize_writes(f"quote_round:{project_id}:{lot}")
            earlier = [r for r in await rounds(project_id, lot)]
            if any(r["status"] == "open" for r in earlier):
                raise DomainError("ROUND_OPEN", "the lot's current round is still open", "lot")
            if any(r["final"] for r in earlier):
                raise DomainError("FINAL_QUOTES_TAKEN", "the lot's final round is over", "lot")
            number = len(earlier) + 1
            if number > config.quote_rounds:
                raise DomainError("TOO_MANY_ROUNDS", f"at most {config.quote_rounds} rounds", "lot")
            candidates = await _candidates(project_id, lot, earlier)
            chosen = sorted(set(supplier_ids)) if supplier_ids is not None else candidates
            if not chosen or not set(chosen) <= set(candidates):
                raise DomainError(
                    "INVALID_SUPPLIERS",
                    "one or more of the suppliers still taking part in the lot",
                    "supplierIds",
                )
            inserted = await QuoteRound.insert(
                QuoteRound(
                    tenant_id=project["tenant_id"],
                    project=project_id,
                    lot=lot,
                    number=number,
                    final=final or number == config.quote_rounds,
                    invited=json.dumps(chosen),
                    opened_at=clock.now(),
                    deadline_at=deadline_at,
                )
            )
            row = await get_round(inserted[0]["id"])
            await QUOTE_ROUND.created(
                row,
                {"project": project_id, "lot": lot, "number": number, "invited": chosen},
                "open",
            )
            local = deadline_at.astimezone(LEGAL_TZ)
            for org in chosen:
                await notify(
                    "project.quote_round_opened",
                    Recipients(organisation=org, roles=(SUPPLIER,)),
                    {
                        "title": project["title"],
                        "project_id": project_id,
                        "lot": lot,
                        "number": number,
                        "kind": "最后报价" if row["final"] else f"第{number}轮报价",
                        "deadline": local.strftime("%Y-%m-%d %H:%M"),
                    },
                    about=("project", project_id),
                    key=f"quote_round:{row['id']}:{org}",
                )
            return await get_round(row["id"])


def _price(text: str) -> int:
    try:
        amount = Decimal(text)
    except (InvalidOperation, TypeError):
        raise DomainError("INVALID_PRICE", "a price in yuan, e.g. 4380000.00", "price") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise DomainError("INVALID_PRICE", "a positive price in yuan, fen at most", "price")
    return to_fen(amount, "price")


def _late(row: dict, arrived: datetime) -> DomainError:
    return DomainError(
        "QUOTE_LATE",
        f"the quote arrived at {arrived.isoformat(timespec='milliseconds')}, after the round's "
        f"deadline {row['deadline_at'].isoformat(timespec='milliseconds')}: refused",
        "roundId",
    )


@requires(Perm.QUOTE_SUBMIT)
async def submit(actor: CurrentUser, round_id: int, price: str, note: str = "") -> dict:
    """An invited supplier's quote before the round's deadline; quoting again revises it."""
    fen = _price(price)
    if len(note.strip()) > 2000:
        raise DomainError("INVALID_NOTE", "a note of 2000 characters", "note")
    row = await get_round(round_id)
    if actor.organisation_id not in invited(row):
        raise NotFound("quote round", round_id)
    await blocks.ensure_free(row["tenant_id"], row["project"], "transaction")
    with all_tenants("a supplier's own organisation", audited=False):
        org = await Organisation.select().where(Organisation.id == actor.organisation_id).first()
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            await serialize_writes(f"quote:{round_id}:{org['id']}")
            row = await get_round(round_id)
            arrived = clock.now()
            if row["status"] != "open" or arrived >= row["deadline_at"]:
                raise _late(row, arrived)
            mine = (
                await Quote.select()
                .where((Quote.quote_round == round_id) & (Quote.supplier_organisation == org["id"]))
                .first()
            )
            detail = {"round": round_id, "lot": row["lot"], "number": row["number"]}
            if mine is not None:
                return await QUOTE.move(
                    actor,
                    mine,
                    "revise",
                    {Quote.price_fen: fen, Quote.note: note.strip(), Quote.submitted_at: arrived},
                    detail,
                )
            inserted = await Quote.insert(
                Quote(
                    tenant_id=row["tenant_id"],
                    quote_round=round_id,
                    supplier_organisation=org["id"],
                    supplier_name=org["name"],
                    price_fen=fen,
                    note=note.strip(),
                    submitted_at=arrived,
                )
            )
            quote = await Quote.select().where(Quote.id == inserted[0]["id"]).first()
            await QUOTE.created(quote, detail, "submit")
            return quote


async def quotes(round_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return await Quote.select().where(Quote.quote_round == round_id).order_by(Quote.id)


async def readable(actor: CurrentUser, round_row: dict, project: dict) -> list[dict]:
    """The round's quotes as `actor` may read them: the agency every one once the round is
    closed; a supplier its own; nobody else any."""
    rows = await quotes(round_row["id"])
    if project["agency_organisation"] == actor.organisation_id:
        return rows if round_row["status"] == "closed" else []
    return [r for r in rows if r["supplier_organisation"] == actor.organisation_id]


async def final_quotes(project_id: int, lot: str) -> list[dict]:
    """Per supplier invited to the lot's final round, once it closed: its final quote, or
    none (it gave none)."""
    finals = [r for r in await rounds(project_id, lot) if r["final"] and r["status"] == "closed"]
    if not finals:
        return []
    given = {q["supplier_organisation"]: q for q in await quotes(finals[0]["id"])}
    return [{"supplier_organisation": o, "quote": given.get(o)} for o in invited(finals[0])]
