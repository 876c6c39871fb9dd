"""Quote rounds of a competitive negotiation or consultation (报价轮次), after the opening.

The panel negotiates with each supplier separately and may ask for new quotes; after the
negotiation it asks every supplier still taking part for a final quote within a set time
(最后报价: Government Procurement Law art. 38(5); Implementing Regulation art. 35; Caiku [2014]
214 for consultation, unverified text). The agency runs the rounds on the platform for the
panel: it opens a round for a lot with its deadline and the suppliers invited (by default the
bidders whose bids were unsealed, then the previous round's), the last round the method's
configuration allows (quote_rounds) being the final one, or any round declared final.

A quote is sealed as a bid is (docs/sealed-bids.md, gpcloud-bid-v1): the supplier's client
encrypts the quote form {"round": <round id>, "price": "<yuan>", "note": ...} with a fresh
content key, wraps the key for itself and signs (project, lot, sha256(ciphertext)); the
platform checks the format and the signature and keeps the ciphertext in file storage. Nobody
reads a quote during the round, the platform included (art. 38(4): no party learns another's
price); the scheduler closes the round at its deadline (a quote a millisecond late is refused
with its arrival time); then each supplier unseals its quote with its content key within the
decryption window (the tenant's, as at the opening), and the agency and the panel read the
unsealed quotes. A quote not unsealed in time counts as none given.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation

from gpcloud.core import clock, storage
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.db import serialize_writes, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.keys import service as key_registry
from gpcloud.core.money import to_fen
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import blocks, sealing
from gpcloud.transaction.methods import method_config
from gpcloud.transaction.opening import window
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


MAX_QUOTE_BYTES = 16 * 1024 * 1024


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


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def _check_sealed(actor: CurrentUser, row: dict, ciphertext, wrapped_key, signature) -> str:
    """The sealed format, sealed for the round's project and lot, signed by the supplier's
    active signing key (the bid checks: docs/sealed-bids.md §2-§4); the digest."""
    if len(ciphertext) > MAX_QUOTE_BYTES or not wrapped_key:
        raise DomainError("BID_NOT_SEALED", "a sealed quote with its wrapped key", "ciphertext")
    digest = sealing.check_sealed(ciphertext)
    if sealing.sealed_for(ciphertext) != (row["project"], row["lot"]):
        raise DomainError(
            "QUOTE_WRONG_LOT",
            "the quote was sealed for another project or lot than the round's",
            "ciphertext",
        )
    key = await key_registry.active_key(actor.organisation_id, key_registry.SIGNING)
    if key is None:
        raise DomainError(
            "NO_SIGNING_KEY", "register your organisation's signing key first", "signature"
        )
    public = bytes.fromhex(key["public_key"])
    sealing.verify_bid_signature(public, signature, row["project"], row["lot"], digest)
    return digest


@requires(Perm.QUOTE_SUBMIT)
async def submit(
    actor: CurrentUser, round_id: int, ciphertext: bytes, wrapped_key: bytes, signature: bytes
) -> dict:
    """An invited supplier's sealed quote before the round's deadline; quoting again revises
    it (the earlier ciphertext stays in storage, the revision in the audit log)."""
    row = await get_round(round_id)
    if actor.organisation_id not in invited(row):
        raise NotFound("quote round", round_id)
    await blocks.ensure_free(row["tenant_id"], row["project"], "transaction")
    arrived = clock.now()
    if row["status"] != "open" or arrived >= row["deadline_at"]:
        raise _late(row, arrived)
    digest = await _check_sealed(actor, row, ciphertext, wrapped_key, signature)
    with all_tenants("a supplier's own organisation", audited=False):
        org = await Organisation.select().where(Organisation.id == actor.organisation_id).first()
    storage_key = f"quotes/{row['project']}/{round_id}/{uuid.uuid4().hex}.sealed"
    sealed = {
        Quote.storage_key: storage_key,
        Quote.digest: digest,
        Quote.wrapped_key: _b64(wrapped_key),
        Quote.signature: _b64(signature),
    }
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            await serialize_writes(f"quote:{round_id}:{org['id']}")
            row = await get_round(round_id)
            arrived = clock.now()
            if row["status"] != "open" or arrived >= row["deadline_at"]:
                raise _late(row, arrived)
            # Stored before the row: a failure after it leaves an orphan file, never a quote
            # without its ciphertext.
            await storage.put(storage_key, ciphertext)
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
                    {**sealed, Quote.submitted_at: arrived},
                    {**detail, "digest": digest},
                )
            inserted = await Quote.insert(
                Quote(
                    tenant_id=row["tenant_id"],
                    quote_round=round_id,
                    supplier_organisation=org["id"],
                    supplier_name=org["name"],
                    submitted_at=arrived,
                    **{column._meta.name: value for column, value in sealed.items()},
                )
            )
            quote = await Quote.select().where(Quote.id == inserted[0]["id"]).first()
            await QUOTE.created(quote, {**detail, "digest": digest}, "submit")
            return quote


async def unsealing_ends(row: dict) -> datetime:
    """A closed round's quotes are unsealed until its deadline plus the decryption window."""
    return row["deadline_at"] + await window(row["tenant_id"])


def _decode_key(content_key: str) -> bytes:
    try:
        return base64.b64decode(content_key, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("INVALID_KEY", "the content key in base64", "contentKey") from None


@requires(Perm.QUOTE_SUBMIT)
async def unseal(actor: CurrentUser, quote_id: int, content_key: str) -> dict:
    """The supplier's content key opens its quote once the round closed, within the window:
    the stored ciphertext must be the one received (its digest), the form must name the
    round and state a price. A failure is refused; the supplier may try again in the window."""
    key = _decode_key(content_key)
    with all_tenants(PARTY_SCOPE):
        quote = await Quote.select().where(Quote.id == quote_id).first()
    if quote is None or quote["supplier_organisation"] != actor.organisation_id:
        raise NotFound("quote", quote_id)
    row = await get_round(quote["quote_round"])
    if row["status"] != "closed":
        raise DomainError("ROUND_OPEN", "a quote is unsealed once its round has closed", "quoteId")
    at = clock.now()
    if at >= await unsealing_ends(row):
        raise DomainError("UNSEALING_CLOSED", "the decryption window is over", "quoteId")
    QUOTE.next_state("unseal", quote["status"])
    ciphertext = await storage.get(quote["storage_key"])
    digest = hashlib.sha256(ciphertext).hexdigest()
    if digest != quote["digest"]:
        raise DomainError(
            "QUOTE_DIGEST_MISMATCH",
            f"the stored ciphertext (sha256 {digest}) is not the one received "
            f"({quote['digest']}): not opened",
            "quoteId",
        )
    form = sealing.read_package(sealing.unseal(ciphertext, key)).form
    if str(form.get("round")) != str(row["id"]):
        raise DomainError("QUOTE_WRONG_ROUND", "the sealed quote names another round", "quoteId")
    try:
        fen = _price(str(form.get("price")))
    except DomainError:
        raise DomainError(
            "INVALID_PRICE",
            "the sealed quote states no positive price in yuan (fen at most)",
            "quoteId",
        ) from None
    note = str(form.get("note") or "").strip()[:2000]
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            return await QUOTE.move(
                actor,
                quote,
                "unseal",
                {Quote.price_fen: fen, Quote.note: note, Quote.unsealed_at: at},
                {"round": row["id"], "digest": quote["digest"]},
            )


async def quotes(round_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return await Quote.select().where(Quote.quote_round == round_id).order_by(Quote.id)


async def readable(actor: CurrentUser, round_row: dict, project: dict) -> list[dict]:
    """The round's quotes as `actor` may read them: the agency the unsealed ones once the
    round is closed; a supplier its own (sealed: no price until it unseals it); nobody else
    any."""
    rows = await quotes(round_row["id"])
    if project["agency_organisation"] == actor.organisation_id:
        if round_row["status"] != "closed":
            return []
        return [r for r in rows if r["status"] == "unsealed"]
    return [r for r in rows if r["supplier_organisation"] == actor.organisation_id]


async def final_quotes(project_id: int, lot: str) -> list[dict]:
    """Per supplier invited to the lot's final round, once it closed: its final quote as
    unsealed, or none (it gave none, or has not unsealed it: after the window, never)."""
    finals = [r for r in await rounds(project_id, lot) if r["final"] and r["status"] == "closed"]
    if not finals:
        return []
    given = {
        q["supplier_organisation"]: q
        for q in await quotes(finals[0]["id"])
        if q["status"] == "unsealed"
    }
    return [{"supplier_organisation": o, "quote": given.get(o)} for o in invited(finals[0])]
