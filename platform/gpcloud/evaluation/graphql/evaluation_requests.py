"""The evaluation's requests to bidders through the API: the committee's arithmetic
corrections and abnormally low price inquiries, the bidder's answers and what it reads of its
own (service/bidders.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import parse_id
from gpcloud.evaluation.graphql.evaluation import BID_ID, BIDDERS, EVALUATION_ID, MEMBERS
from gpcloud.evaluation.graphql.evaluation_types import (
    LowPriceInquiry,
    LowPriceInquiryPayload,
    PriceCorrection,
    PriceCorrectionPayload,
)
from gpcloud.evaluation.service import bidders


@strawberry.input(description="A line of the bid's price schedule.")
class LineItemInput:
    quantity: Decimal = strawberry.field(description="Quantity.")
    unit_price: Decimal = strawberry.field(description="Unit price, yuan.")


@strawberry.type
class RequestQueries:
    @strawberry.field(
        extensions=allow(Requires(Perm.EVALUATION_RESPOND)),
        description="As a bidder: the corrections of your bid's price in an evaluation.",
        directives=[ListSize(max=10)],
    )
    async def my_price_corrections(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> list[PriceCorrection]:
        found, _ = await bidders.of_supplier(
            info.context.user, parse_id(evaluation_id, "evaluation")
        )
        return [PriceCorrection.of(r) for r in found[:10]]

    @strawberry.field(
        extensions=allow(Requires(Perm.EVALUATION_RESPOND)),
        description="As a bidder: the explanations of a low price asked of you.",
        directives=[ListSize(max=10)],
    )
    async def my_low_price_inquiries(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> list[LowPriceInquiry]:
        _, found = await bidders.of_supplier(
            info.context.user, parse_id(evaluation_id, "evaluation")
        )
        return [LowPriceInquiry.of(r) for r in found[:10]]


@strawberry.type
class RequestMutations:
    @strawberry.mutation(
        extensions=MEMBERS,
        description="Record an arithmetic correction of a bid's price (the bidder confirms).",
    )
    async def propose_price_correction(
        self,
        info: Info,
        evaluation_id: EVALUATION_ID,
        bid_id: BID_ID,
        price_in_words: Annotated[
            Decimal | None, strawberry.argument(description="The amount in words, yuan.")
        ] = None,
        line_items: Annotated[
            list[LineItemInput] | None, strawberry.argument(description="The price schedule.")
        ] = None,
    ) -> PriceCorrectionPayload:
        lines = [(str(li.quantity), str(li.unit_price)) for li in (line_items or [])]
        words = None if price_in_words is None else str(price_in_words)
        return await run_payload(
            PriceCorrectionPayload,
            "correction",
            PriceCorrection.of,
            lambda: bidders.propose_correction(
                info.context.user,
                parse_id(evaluation_id, "evaluation"),
                parse_id(bid_id, "bid"),
                words,
                lines,
            ),  # fmt: skip
        )

    @strawberry.mutation(
        extensions=BIDDERS, description="As the bidder: confirm or refuse a price correction."
    )
    async def answer_price_correction(
        self,
        info: Info,
        correction_id: Annotated[strawberry.ID, strawberry.argument(description="It.")],
        accept: Annotated[bool, strawberry.argument(description="Confirm (true) or refuse.")],
    ) -> PriceCorrectionPayload:
        return await run_payload(
            PriceCorrectionPayload,
            "correction",
            PriceCorrection.of,
            lambda: bidders.answer_correction(
                info.context.user, parse_id(correction_id, "correction"), accept
            ),
        )

    @strawberry.mutation(
        extensions=MEMBERS,
        description="Ask a bidder whose price is abnormally low to explain by a deadline.",
    )
    async def request_low_price_explanation(
        self,
        info: Info,
        evaluation_id: EVALUATION_ID,
        bid_id: BID_ID,
        explain_by: Annotated[datetime, strawberry.argument(description="The deadline.")],
    ) -> LowPriceInquiryPayload:
        return await run_payload(
            LowPriceInquiryPayload,
            "inquiry",
            LowPriceInquiry.of,
            lambda: bidders.request_explanation(
                info.context.user,
                parse_id(evaluation_id, "evaluation"),
                parse_id(bid_id, "bid"),
                explain_by,
            ),  # fmt: skip
        )

    @strawberry.mutation(extensions=BIDDERS, description="As the bidder: explain your low price.")
    async def explain_low_price(
        self,
        info: Info,
        inquiry_id: Annotated[strawberry.ID, strawberry.argument(description="The inquiry.")],
        text: Annotated[str, strawberry.argument(description="Your explanation.")],
    ) -> LowPriceInquiryPayload:
        return await run_payload(
            LowPriceInquiryPayload,
            "inquiry",
            LowPriceInquiry.of,
            lambda: bidders.explain(info.context.user, parse_id(inquiry_id, "inquiry"), text),
        )

    @strawberry.mutation(
        extensions=MEMBERS,
        description="Record the committee's decision on a low price (unjustified: invalid).",
    )
    async def decide_low_price(
        self,
        info: Info,
        inquiry_id: Annotated[strawberry.ID, strawberry.argument(description="The inquiry.")],
        justified: Annotated[bool, strawberry.argument(description="The price is justified.")],
        reason: Annotated[str, strawberry.argument(description="The committee's reason.")],
    ) -> LowPriceInquiryPayload:
        return await run_payload(
            LowPriceInquiryPayload,
            "inquiry",
            LowPriceInquiry.of,
            lambda: bidders.decide(
                info.context.user, parse_id(inquiry_id, "inquiry"), justified, reason
            ),
        )
