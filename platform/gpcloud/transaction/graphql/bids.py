"""Sealed bids through the API: submit, withdraw, unseal, and a supplier's own bids. The types
are in bid_types.py, the opening hall and record in opening.py."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import UserError, parse_base64, parse_id
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import bids, opening, parties
from gpcloud.transaction.graphql.bid_types import Bid, BidCreditWarning, BidReceipt
from gpcloud.transaction.tables import Bid as BidTable


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
    credit_warnings: list[BidCreditWarning] = strawberry.field(
        default_factory=list,
        description="submitBid only: what the credit check at submission found against your "
        "organisation (empty when clear, and on a repeated submission). The bid is received "
        "all the same; the checks at the deadline and the evaluation decide.",
        directives=[ListSize(max=50)],
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
                credit_warnings=[BidCreditWarning.of(w) for w in receipt.credit_warnings],
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


__all__ = ["Bid", "BidReceipt", "Mutations", "Queries"]
