"""The opening hall and the opening record through the API: the record read out, the
bidders' confirmations and objections, the agency's answers and signature."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import UserError, parse_id
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import lots, parties, records
from gpcloud.transaction.graphql.lots import InvalidityGround, OpeningLot
from gpcloud.transaction.tables import Bid as BidTable
from gpcloud.transaction.workflow import OPENING

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
READERS = Requires(Perm.PROJECT_READ)


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


__all__ = ["Mutations", "Opening", "OpeningRecord", "Queries", "opening_of"]
