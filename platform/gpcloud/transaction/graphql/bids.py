"""Sealed bids, the opening hall and the opening record through the API. A supplier sees its own
bids only; the agency sees who bid and when, and the content only once the bids are opened."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import AGENCY
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import UserError, parse_base64, parse_id
from gpcloud.core.money import to_yuan
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import bids, lots, opening, parties, records
from gpcloud.transaction.graphql.lots import InvalidityGround, OpeningLot
from gpcloud.transaction.tables import Bid as BidTable
from gpcloud.transaction.tables import UnsealAttempt as AttemptTable
from gpcloud.transaction.workflow import BID, OPENING

BidStatus = state_enum(
    "BidStatus",
    BID,
    {
        "submitted": "Received before the deadline and still sealed.",
        "withdrawn": "Withdrawn by the bidder before the deadline (or replaced by a later bid), "
        "or left sealed at the window's end by the platform's cause; kept, not opened.",
        "unsealed": "Unsealed by the bidder in the opening hall; its content can be read.",
        "revoked": "Left sealed at the end of the decryption window by the bidder's cause "
        "(视为撤销投标文件); kept, not opened.",
    },
)
OpeningRecordStatus = state_enum(
    "OpeningRecordStatus",
    OPENING,
    {
        "open": "Written; bidders confirm or object, the agency answers objections.",
        "signed": "Signed by the agency once every objection was answered; final.",
    },
)
ResponseKind = strawberry.enum(
    Enum(
        "OpeningResponseKind",
        {
            "CONFIRM": strawberry.enum_value(
                "confirm", description="The bidder confirms the opening record (no objection)."
            ),
            "OBJECT": strawberry.enum_value(
                "object", description="The bidder objects to the opening record (异议)."
            ),
        },
    ),
    description="A bidder's response to the opening record.",
)
OPENED = ("opened", "awarded", "redo")
READERS = Requires(Perm.PROJECT_READ)


@strawberry.type(description="What the platform signed for a bid it received (also audited).")
class BidReceipt:
    bid_id: strawberry.ID = strawberry.field(description="The bid received.")
    project_id: strawberry.ID = strawberry.field(description="The project bid on.")
    lot: str = strawberry.field(
        description="The lot (包) bid on, as the procurement documents name it."
    )
    bidder_name: str = strawberry.field(
        description="The bidder's name as registered on the platform."
    )
    bidder_uscc: str = strawberry.field(
        description="The bidder's unified social credit code (统一社会信用代码)."
    )
    digest: str = strawberry.field(description="sha256 of the ciphertext, hex.")
    size: int = strawberry.field(description="Size of the ciphertext, bytes.")
    received_at: datetime = strawberry.field(
        description="When the platform received the bid (server clock, timestamp)."
    )
    replaces: strawberry.ID | None = strawberry.field(
        description="The bidder's earlier bid for the lot that this one replaced (now withdrawn); null if none."
    )
    content: str = strawberry.field(description="The signed receipt as JSON.")
    signature: str = strawberry.field(
        description="Base64 Ed25519 signature of the platform (the audit key) over the receipt."
    )

    @classmethod
    def of(cls, receipt: bids.Receipt) -> BidReceipt:
        c = receipt.content
        return cls(
            bid_id=strawberry.ID(str(c["bid"])),
            project_id=strawberry.ID(str(c["project"])),
            lot=c["lot"],
            bidder_name=c["bidder_name"],
            bidder_uscc=c["bidder_uscc"],
            digest=c["digest"],
            size=c["size"],
            received_at=datetime.fromisoformat(c["received_at"]),
            replaces=strawberry.ID(str(c["replaces"])) if c.get("replaces") else None,
            content=json.dumps(c, ensure_ascii=False, sort_keys=True),
            signature=receipt.signature,
        )


@strawberry.type(description="One attempt to unseal a bid, with whose cause a failure was.")
class UnsealAttempt:
    at: datetime = strawberry.field(description="When the attempt was made (timestamp).")
    outcome: str = strawberry.field(
        description="opened on success; else the error code of the failure."
    )
    cause: str | None = strawberry.field(
        description="Whose cause a failure was: bidder or platform (decides revoked or withdrawn at the window's end); null on success."
    )
    message: str = strawberry.field(description="The failure explained; empty on success.")


@strawberry.type(description="A sealed bid. Content (form, price) only once it is unsealed.")
class Bid:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project bid on.")
    lot: str = strawberry.field(description="The lot (包) bid on.")
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The bidding supplier's organisation."
    )
    supplier_name: str = strawberry.field(description="The bidding supplier's name.")
    status: BidStatus = strawberry.field(
        description="Where the bid stands; set by the bidder (withdraw, unseal) and by the platform at the window's end."
    )  # type: ignore[valid-type]
    received_at: datetime = strawberry.field(
        description="When the platform received the bid (server clock, timestamp)."
    )
    digest: str = strawberry.field(
        description="sha256 of the ciphertext, hex; unsealing checks it against the receipt."
    )
    size: int = strawberry.field(description="Size of the ciphertext, bytes.")
    security: str | None = strawberry.field(
        description="Bid security (投标保证金) given by the bidder: deposit reference or e-guarantee number; null if none."
    )
    replaced_by: strawberry.ID | None = strawberry.field(
        description="The bidder's later bid for the lot that replaced this one; null if none."
    )
    unsealed_at: datetime | None = strawberry.field(
        description="When the bidder unsealed it in the opening hall (timestamp); null while sealed."
    )
    price: Decimal | None = strawberry.field(
        description="The bid price in yuan (Decimal string), from the bid form; null until unsealed and visible to you."
    )
    discount: str | None = strawberry.field(
        description="The discount declared in the bid form, as written; null until unsealed or if none."
    )
    form: str | None = strawberry.field(description="The bid form as JSON, once unsealed.")
    files: str | None = strawberry.field(description="Files of the package (name, size, sha256).")
    credit_check: str | None = strawberry.field(description="The credit hooks' answers, JSON.")
    _receipt: strawberry.Private[bids.Receipt | None] = None

    @classmethod
    def of(cls, row: dict, content: bool, own: bool = False) -> Bid:
        return cls(
            id=strawberry.ID(str(row["id"])),
            project_id=strawberry.ID(str(row["project"])),
            lot=row["lot"],
            supplier_organisation_id=strawberry.ID(str(row["supplier_organisation"])),
            supplier_name=row["supplier_name"],
            status=BidStatus(row["status"]),
            received_at=row["received_at"],
            digest=row["digest"],
            size=row["size"],
            security=row["security"],
            replaced_by=strawberry.ID(str(row["replaced_by"])) if row["replaced_by"] else None,
            unsealed_at=row["unsealed_at"],
            price=to_yuan(row["price_fen"]) if content and row["price_fen"] is not None else None,
            discount=row["discount"] if content else None,
            form=row["form"] if content else None,
            files=row["files"] if content else None,
            credit_check=row["credit_check"] if not own else None,
            _receipt=bids.receipt_of(row) if own else None,
        )

    @strawberry.field(
        extensions=allow(READERS), description="The platform's receipt (the bidder only)."
    )
    def receipt(self) -> BidReceipt | None:
        return BidReceipt.of(self._receipt) if self._receipt else None

    @strawberry.field(
        extensions=allow(READERS),
        directives=[ListSize(max=20)],
        description="Each attempt to unseal the bid, oldest first, with its outcome.",
    )
    async def unseal_attempts(self, info: Info) -> list[UnsealAttempt]:
        async def load(keys: list[int]) -> list[list[dict]]:
            with all_tenants(parties.PARTY_SCOPE):
                rows = await AttemptTable.select().where(AttemptTable.bid.is_in(keys))
            grouped: dict[int, list[dict]] = {}
            for r in rows:
                grouped.setdefault(r["bid"], []).append(r)
            return [sorted(grouped.get(k, []), key=lambda r: r["id"]) for k in keys]

        loader = info.context.loaders.get("bid_unseal_attempts", load)
        return [
            UnsealAttempt(at=r["at"], outcome=r["outcome"], cause=r["cause"], message=r["message"])
            for r in await loader.load(int(self.id))
        ]


def bid_for(actor, row: dict, project: dict) -> Bid | None:
    """The bid as `actor` may see it: its own in full; the agency's metadata, content after
    opening; nobody else's."""
    if row["supplier_organisation"] == actor.organisation_id:
        return Bid.of(row, content=row["status"] == "unsealed", own=True)
    if AGENCY in actor.roles and project["agency_organisation"] == actor.organisation_id:
        return Bid.of(row, content=project["status"] in OPENED and row["status"] == "unsealed")
    return None


async def project_bids(info: Info, project: dict) -> list[Bid]:
    actor = info.context.user

    async def load(keys: list[int]) -> list[list[dict]]:
        with all_tenants(parties.PARTY_SCOPE):
            rows = await BidTable.select().where(BidTable.project.is_in(keys))
        grouped: dict[int, list[dict]] = {}
        for r in rows:
            grouped.setdefault(r["project"], []).append(r)
        return [sorted(grouped.get(k, []), key=lambda r: r["id"]) for k in keys]

    rows = await info.context.loaders.get("project_bids", load).load(project["id"])
    return [b for r in rows if (b := bid_for(actor, r, project)) is not None]


@strawberry.type(description="One bid as the opening record reads it out.")
class OpeningEntry:
    bid_id: strawberry.ID = strawberry.field(description="The bid read out.")
    bidder_organisation_id: strawberry.ID = strawberry.field(
        description="The bidder's organisation."
    )
    bidder_name: str = strawberry.field(description="The bidder's name.")
    lot: str = strawberry.field(description="The lot (包) bid on.")
    received_at: datetime = strawberry.field(
        description="When the platform received the bid (timestamp)."
    )
    digest: str = strawberry.field(
        description="sha256 of the bid's ciphertext, hex (as on the bidder's receipt)."
    )
    security: str | None = strawberry.field(
        description="Bid security (投标保证金): deposit reference or e-guarantee number; null if none."
    )
    result: str = strawberry.field(
        description="opened, revoked or withdrawn; not_opened for a bid of a lot that failed at "
        "the deadline"
    )
    price: Decimal | None = strawberry.field(
        description="The price read out, in yuan (Decimal string); null if not opened or the method reads no prices at opening."
    )
    discount: str | None = strawberry.field(
        description="The discount read out, as written in the bid form; null if none or not read out."
    )
    invalidity_grounds: list[InvalidityGround] = strawberry.field(
        description="Grounds for invalidity found at the opening (a missing or mismatching bid "
        "security where the documents require one), for the evaluation; empty if none.",
        directives=[ListSize(max=10)],
    )


@strawberry.type(description="A bidder's confirmation of, or objection to, the opening record.")
class OpeningResponse:
    id: strawberry.ID = strawberry.field(description="The response.")
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The bidder that responded."
    )
    kind: ResponseKind = strawberry.field(description="Confirmation or objection.")  # type: ignore[valid-type]
    text: str = strawberry.field(
        description="The objection's text, as the bidder wrote it; empty for a confirmation."
    )
    answer: str | None = strawberry.field(
        description="The agency's answer to the objection; null until answered."
    )
    created_at: datetime = strawberry.field(description="When the bidder responded (timestamp).")
    answered_at: datetime | None = strawberry.field(
        description="When the agency answered (timestamp); null until answered."
    )

    @classmethod
    def of(cls, r: dict) -> OpeningResponse:
        return cls(
            id=strawberry.ID(str(r["id"])),
            supplier_organisation_id=strawberry.ID(str(r["supplier_organisation"])),
            kind=ResponseKind(r["kind"]),
            text=r["text"],
            answer=r["answer"],
            created_at=r["created_at"],
            answered_at=r["answered_at"],
        )


@strawberry.type(description="开标记录: bidders, prices read out, unsealing results; signed.")
class OpeningRecord:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project opened.")
    status: OpeningRecordStatus = strawberry.field(
        description="Where the record stands: open for responses, or signed by the agency."
    )  # type: ignore[valid-type]
    opened_at: datetime = strawberry.field(
        description="When the record was written, at the end of the decryption window (timestamp)."
    )
    signed_at: datetime | None = strawberry.field(
        description="When the agency signed it (timestamp); null until signed."
    )
    entries: list[OpeningEntry] = strawberry.field(
        description="One entry per bid, as read out.", directives=[ListSize(max=1000)]
    )
    lots: list[OpeningLot] = strawberry.field(
        description="Each lot opened or failed (too few bidders or bids opened), with the reason.",
        directives=[ListSize(max=100)],
    )

    @classmethod
    def of(cls, row: dict) -> OpeningRecord:
        return cls(
            id=strawberry.ID(str(row["id"])),
            project_id=strawberry.ID(str(row["project"])),
            status=OpeningRecordStatus(row["status"]),
            opened_at=row["opened_at"],
            signed_at=row["signed_at"],
            entries=[
                OpeningEntry(
                    bid_id=strawberry.ID(str(e["bid"])),
                    bidder_organisation_id=strawberry.ID(str(e["bidder_organisation"])),
                    bidder_name=e["bidder_name"],
                    lot=e["lot"],
                    received_at=datetime.fromisoformat(e["received_at"]),
                    digest=e["digest"],
                    security=e["security"],
                    result=e["result"],
                    price=Decimal(e["price"]) if e["price"] is not None else None,
                    discount=e["discount"],
                    invalidity_grounds=InvalidityGround.all_of(e),
                )
                for e in json.loads(row["entries"])
            ],
            lots=[OpeningLot.of(lot) for lot in json.loads(row["lots"] or "[]")],
        )

    @strawberry.field(
        extensions=allow(READERS),
        directives=[ListSize(max=1000)],
        description="The bidders' confirmations and objections, with the agency's answers.",
    )
    async def responses(self) -> list[OpeningResponse]:
        with all_tenants(parties.PARTY_SCOPE):
            rows = await records.responses(int(self.id))
        return [OpeningResponse.of(r) for r in rows]


@strawberry.type(description="The opening hall of a project with sealed bids.")
class Opening:
    project_id: strawberry.ID = strawberry.field(description="The project.")
    status: str = strawberry.field(
        description="waiting (before the deadline), unsealing (the window), closed, failed"
    )
    deadline_at: datetime = strawberry.field(
        description="The bid deadline (timestamp, server clock): no bid is taken after it."
    )
    window_ends_at: datetime | None = strawberry.field(
        description="End of the decryption window for unsealing (timestamp); null until the hall opens."
    )
    bids: int = strawberry.field(
        description="Bids standing (submitted or unsealed), those of lots that failed at the "
        "deadline left out."
    )


async def opening_of(project: dict) -> Opening | None:
    if project["bid_deadline_at"] is None:
        return None
    status = {
        "tendering": "waiting",
        "closed": "waiting",
        "opening": "unsealing",
        "failed": "failed",
    }.get(project["status"], "closed")
    failed = [lot for lot, r in lots.results(project).items() if r["status"] == "failed"]
    where = (BidTable.project == project["id"]) & BidTable.status.is_in(["submitted", "unsealed"])
    if failed:  # a lot that failed at the deadline: its bids are not in the opening
        where &= BidTable.lot.not_in(failed)
    with all_tenants(parties.PARTY_SCOPE):
        standing = await BidTable.count().where(where)
    return Opening(
        project_id=strawberry.ID(str(project["id"])),
        status=status,
        deadline_at=project["bid_deadline_at"],
        window_ends_at=project["opening_ends_at"],
        bids=standing,
    )


@strawberry.input
class SubmitBidInput:
    project_id: strawberry.ID = strawberry.field(description="The project to bid on.")
    lot: str = strawberry.field(
        description="The lot (包) to bid on, as the procurement documents name it."
    )
    ciphertext: str = strawberry.field(description="The sealed bid (gpcloud-bid-v1), base64.")
    wrapped_key: str = strawberry.field(description="The content key wrapped for you, base64.")
    signature: str = strawberry.field(description="Your Ed25519 bid signature, base64.")
    security: str | None = strawberry.field(
        default=None, description="Bid security: deposit reference or e-guarantee number."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Your key for this bid (8 to 64 of A-Z a-z 0-9 . _ : -), to retry safely: "
        "the same key again returns the original receipt. Without one, the same ciphertext "
        "again does.",
    )


@strawberry.input
class UnsealBidInput:
    bid_id: strawberry.ID = strawberry.field(description="Your bid to unseal.")
    content_key: str = strawberry.field(description="The bid's AES-256 content key, base64.")


@strawberry.type
class BidPayload:
    bid: Bid | None = strawberry.field(default=None, description="The bid as it now stands.")
    receipt: BidReceipt | None = strawberry.field(
        default=None, description="The platform's signed receipt (submitBid only)."
    )
    replayed: bool = strawberry.field(
        default=False,
        description="submitBid only: true when this submission repeated one already received "
        "(same idempotency key or ciphertext) and the original receipt is returned; no second "
        "bid was made.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OpeningRecordPayload:
    opening_record: OpeningRecord | None = strawberry.field(
        default=None, description="The opening record as signed."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OpeningResponsePayload:
    response: OpeningResponse | None = strawberry.field(
        default=None, description="The response as recorded (with the answer, if answered)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Requires(Perm.BID_SUBMIT)),
        description="Your organisation's bids on a project (every version, the withdrawn too).",
        directives=[ListSize(max=100)],
    )
    async def my_bids(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
    ) -> list[Bid]:
        actor = info.context.user
        pid = parse_id(project_id, "project")
        with all_tenants(parties.PARTY_SCOPE):
            rows = (
                await BidTable.select()
                .where(
                    (BidTable.project == pid)
                    & (BidTable.supplier_organisation == actor.organisation_id)
                )
                .order_by(BidTable.id)
            )
        return [Bid.of(r, content=r["status"] == "unsealed", own=True) for r in rows]

    @strawberry.field(
        extensions=allow(Requires(Perm.PROJECT_READ)),
        description="The opening record: the project's agency and bidders, and the region's staff.",
    )
    async def opening_record(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID, strawberry.argument(description="The project whose record is read.")
        ],
    ) -> OpeningRecord | None:
        try:
            row = await records.readable(info.context.user, parse_id(project_id, "project"))
        except DomainError:
            return None
        return OpeningRecord.of(row)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.BID_SUBMIT)),
        description="Submit a sealed bid before the deadline; replaces your earlier bid for "
        "the lot. Returns the platform's signed receipt.",
    )
    async def submit_bid(self, info: Info, input: SubmitBidInput) -> BidPayload:
        async def work() -> BidPayload:
            row, receipt = await bids.submit(
                info.context.user,
                parse_id(input.project_id, "project"),
                input.lot,
                parse_base64(input.ciphertext, "ciphertext"),
                parse_base64(input.wrapped_key, "wrappedKey"),
                parse_base64(input.signature, "signature"),
                input.security,
                input.idempotency_key,
            )
            return BidPayload(
                bid=Bid.of(row, content=row["status"] == "unsealed", own=True),
                receipt=BidReceipt.of(receipt),
                replayed=receipt.replayed,
            )

        return await run_mutation(BidPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.BID_SUBMIT)),
        description="Withdraw your bid before the deadline (it is kept, withdrawn).",
    )
    async def withdraw_bid(
        self,
        info: Info,
        bid_id: Annotated[strawberry.ID, strawberry.argument(description="Your bid to withdraw.")],
    ) -> BidPayload:
        async def work() -> BidPayload:
            row = await bids.withdraw(info.context.user, parse_id(bid_id, "bid"))
            return BidPayload(bid=Bid.of(row, content=False, own=True))

        return await run_mutation(BidPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.BID_UNSEAL)),
        description="Unseal your bid in the opening hall with its content key; a failed "
        "attempt is logged and returned with its error.",
    )
    async def unseal_bid(self, info: Info, input: UnsealBidInput) -> BidPayload:
        async def work() -> BidPayload:
            outcome = await opening.unseal(
                info.context.user, parse_id(input.bid_id, "bid"), input.content_key
            )
            bid = Bid.of(outcome.bid, content=outcome.bid["status"] == "unsealed", own=True)
            failure = outcome.failure
            return BidPayload(
                bid=bid, errors=[UserError.of(p) for p in failure.problems] if failure else []
            )

        return await run_mutation(BidPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.OPENING_RESPOND)),
        description="Confirm the opening record (no objection) or object to it, once.",
    )
    async def respond_to_opening_record(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The project whose opening record you respond to."),
        ],
        objection: Annotated[
            str | None,
            strawberry.argument(description="Your objection; null to confirm the record."),
        ] = None,
    ) -> OpeningResponsePayload:
        async def work() -> OpeningResponsePayload:
            row = await records.respond(
                info.context.user, parse_id(project_id, "project"), objection
            )
            return OpeningResponsePayload(response=OpeningResponse.of(row))

        return await run_mutation(OpeningResponsePayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.OPENING_SIGN)),
        description="Answer a bidder's objection to the opening record.",
    )
    async def answer_opening_objection(
        self,
        info: Info,
        response_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The bidder's objection (an OpeningResponse)."),
        ],
        answer: Annotated[
            str, strawberry.argument(description="The agency's answer, shown to the bidder.")
        ],
    ) -> OpeningResponsePayload:
        async def work() -> OpeningResponsePayload:
            row = await records.answer(info.context.user, parse_id(response_id, "response"), answer)
            return OpeningResponsePayload(response=OpeningResponse.of(row))

        return await run_mutation(OpeningResponsePayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.OPENING_SIGN)),
        description="Sign the opening record once every objection is answered.",
    )
    async def sign_opening_record(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The project whose opening record is signed."),
        ],
    ) -> OpeningRecordPayload:
        async def work() -> OpeningRecordPayload:
            row = await records.sign(info.context.user, parse_id(project_id, "project"))
            return OpeningRecordPayload(opening_record=OpeningRecord.of(row))

        return await run_mutation(OpeningRecordPayload, work)


__all__ = ["Bid", "BidReceipt", "Mutations", "Opening", "OpeningRecord", "Queries"]
