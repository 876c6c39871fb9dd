"""Quote rounds of a negotiation or consultation through the API: the agency opens a round for
the panel; invited suppliers send sealed quotes (the bid format, docs/sealed-bids.md) until its
deadline and unseal them once it closed; the agency reads the unsealed quotes; the final quotes
per supplier."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import UserError, parse_base64, parse_id
from gpcloud.core.money import to_yuan_or_none
from gpcloud.transaction import parties, quotes
from gpcloud.transaction.selection_workflow import QUOTE_ROUND

QuoteRoundStatus = state_enum(
    "QuoteRoundStatus",
    QUOTE_ROUND,
    {
        "open": "Taking sealed quotes from the invited suppliers until the deadline.",
        "closed": "The deadline passed; each supplier unseals its quote within the decryption "
        "window, and the agency and the panel read the unsealed ones.",
    },
)


@strawberry.type(description="A supplier's quote in a round.")
class Quote:
    id: strawberry.ID
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The quoting supplier's organisation."
    )
    supplier_name: str = strawberry.field(description="The quoting supplier's name.")
    price: Decimal | None = strawberry.field(
        description="The price quoted, yuan (Decimal string); null until unsealed."
    )
    note: str = strawberry.field(description="The note of the quote form; empty until unsealed.")
    submitted_at: datetime = strawberry.field(
        description="When the quote (or its last revision) arrived (timestamp)."
    )
    revision: int = strawberry.field(description="How often it was revised (0: never).")
    digest: str = strawberry.field(description="sha256 of the sealed quote received, hex.")
    unsealed: bool = strawberry.field(description="Whether its supplier has unsealed it.")
    unsealed_at: datetime | None = strawberry.field(
        description="When it was unsealed (timestamp); null before."
    )

    @classmethod
    def of(cls, r: dict) -> Quote:
        return cls(
            id=strawberry.ID(str(r["id"])),
            supplier_organisation_id=strawberry.ID(str(r["supplier_organisation"])),
            supplier_name=r["supplier_name"],
            price=to_yuan_or_none(r["price_fen"]) if r["status"] == "unsealed" else None,
            note=r["note"],
            submitted_at=r["submitted_at"],
            revision=r["revision"],
            digest=r["digest"],
            unsealed=r["status"] == "unsealed",
            unsealed_at=r["unsealed_at"],
        )


@strawberry.type(description="A round of quotes (报价轮次) for a lot; the final one 最后报价.")
class QuoteRound:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project.")
    lot: str = strawberry.field(description="The lot (包) quoted for.")
    number: int = strawberry.field(description="The round's number for the lot, from 1.")
    final: bool = strawberry.field(description="Whether this is the final quote (最后报价).")
    invited: list[strawberry.ID] = strawberry.field(
        description="The organisations of the suppliers invited to quote.",
        directives=[ListSize(max=100)],
    )
    opened_at: datetime = strawberry.field(description="When the round opened (timestamp).")
    deadline_at: datetime = strawberry.field(
        description="Quotes are taken until this instant (server clock)."
    )
    status: QuoteRoundStatus = strawberry.field(description="Open or closed.")  # type: ignore[valid-type]
    quotes: list[Quote] = strawberry.field(
        description="The quotes you may read: your own; the agency every one once closed.",
        directives=[ListSize(max=100)],
    )

    @classmethod
    def of(cls, r: dict, readable: list[dict]) -> QuoteRound:
        return cls(
            id=strawberry.ID(str(r["id"])),
            project_id=strawberry.ID(str(r["project"])),
            lot=r["lot"],
            number=r["number"],
            final=r["final"],
            invited=[strawberry.ID(str(o)) for o in quotes.invited(r)],
            opened_at=r["opened_at"],
            deadline_at=r["deadline_at"],
            status=QuoteRoundStatus(r["status"]),
            quotes=[Quote.of(q) for q in readable],
        )


@strawberry.type(description="A supplier's final quote for a lot (最后报价), or none given.")
class FinalQuote:
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The supplier invited to the final round."
    )
    quote: Quote | None = strawberry.field(description="Its final quote; null if it gave none.")


@strawberry.type
class QuoteRoundPayload:
    round: QuoteRound | None = strawberry.field(default=None, description="The round opened.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class QuotePayload:
    quote: Quote | None = strawberry.field(default=None, description="Your quote as received.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Requires(Perm.PROJECT_READ)),
        description="A project's quote rounds (its agency and invited suppliers), by lot and "
        "number.",
        directives=[ListSize(max=100)],
    )
    async def quote_rounds(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
    ) -> list[QuoteRound]:
        actor = info.context.user
        try:
            project = await parties.readable(actor, parse_id(project_id, "project"))
        except DomainError:
            return []
        agency = project["agency_organisation"] == actor.organisation_id
        out = []
        for r in await quotes.rounds(project["id"]):
            if agency or actor.organisation_id in quotes.invited(r):
                out.append(QuoteRound.of(r, await quotes.readable(actor, r, project)))
        return out

    @strawberry.field(
        extensions=allow(Requires(Perm.QUOTE_ROUND_MANAGE)),
        description="The final quotes of a lot per supplier, once the final round closed "
        "(the agency); empty before.",
        directives=[ListSize(max=100)],
    )
    async def final_quotes(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        lot: Annotated[str, strawberry.argument(description="The lot (包).")] = "1",
    ) -> list[FinalQuote]:
        try:
            project = await parties.readable(info.context.user, parse_id(project_id, "project"))
        except DomainError:
            return []
        if project["agency_organisation"] != info.context.user.organisation_id:
            return []
        return [
            FinalQuote(
                supplier_organisation_id=strawberry.ID(str(f["supplier_organisation"])),
                quote=Quote.of(f["quote"]) if f["quote"] else None,
            )
            for f in await quotes.final_quotes(project["id"], lot)
        ]


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.QUOTE_ROUND_MANAGE), SubsystemLive("transaction")),
        description="Open a quote round for a lot after the opening (the last the method "
        "allows, or one declared final, is the final quote).",
    )
    async def open_quote_round(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        deadline_at: Annotated[
            datetime, strawberry.argument(description="Quotes are taken until this instant.")
        ],
        lot: Annotated[str, strawberry.argument(description="The lot (包).")] = "1",
        final: Annotated[
            bool, strawberry.argument(description="Ask for the final quote (最后报价) now.")
        ] = False,
        supplier_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description="The suppliers' organisations invited; null: all still taking part."
            ),
        ] = None,
    ) -> QuoteRoundPayload:
        async def work() -> QuoteRoundPayload:
            row = await quotes.open_round(
                info.context.user,
                parse_id(project_id, "project"),
                lot,
                deadline_at,
                final,
                [parse_id(s, "supplierIds") for s in supplier_ids]
                if supplier_ids is not None
                else None,
            )
            return QuoteRoundPayload(round=QuoteRound.of(row, []))

        return await run_mutation(QuoteRoundPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.QUOTE_SUBMIT)),
        description="Send your sealed quote in a round you are invited to, before its deadline "
        '(the bid format of docs/sealed-bids.md, the form {"round", "price", "note"}); quoting '
        "again revises it.",
    )
    async def submit_quote(
        self,
        info: Info,
        round_id: Annotated[strawberry.ID, strawberry.argument(description="The round.")],
        ciphertext: Annotated[
            str, strawberry.argument(description="The sealed quote (gpcloud-bid-v1), base64.")
        ],
        wrapped_key: Annotated[
            str, strawberry.argument(description="The content key wrapped for you, base64.")
        ],
        signature: Annotated[
            str,
            strawberry.argument(
                description="Your Ed25519 signature over (project, lot, digest), base64."
            ),
        ],
    ) -> QuotePayload:
        async def work() -> QuotePayload:
            row = await quotes.submit(
                info.context.user,
                parse_id(round_id, "round"),
                parse_base64(ciphertext, "ciphertext"),
                parse_base64(wrapped_key, "wrappedKey"),
                parse_base64(signature, "signature"),
            )
            return QuotePayload(quote=Quote.of(row))

        return await run_mutation(QuotePayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.QUOTE_SUBMIT)),
        description="Unseal your quote with its content key once the round has closed, within "
        "the decryption window; a quote not unsealed in time counts as none given.",
    )
    async def unseal_quote(
        self,
        info: Info,
        quote_id: Annotated[strawberry.ID, strawberry.argument(description="Your quote.")],
        content_key: Annotated[
            str, strawberry.argument(description="The quote's AES-256 content key, base64.")
        ],
    ) -> QuotePayload:
        async def work() -> QuotePayload:
            row = await quotes.unseal(info.context.user, parse_id(quote_id, "quote"), content_key)
            return QuotePayload(quote=Quote.of(row))

        return await run_mutation(QuotePayload, work)
