"""The e-mall through the API: direct-purchase orders, reverse auctions with sealed quotes,
price alerts. Confirmation, acceptance and payment of an order are the contracts domain's
mutations (confirmMallOrder, acceptMallOrder, payMallOrder): an order becomes a contract there.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.batch import rows_by_key
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Authenticated, Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant
from gpcloud.core.money import to_yuan
from gpcloud.core.scheduler.graphql import Schedule, schedule_of
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.service import agreements, auctions, orders, prices, quotes
from gpcloud.emall.tables import MallDemand as DemandTable
from gpcloud.emall.workflow import AGREEMENT, DEMAND, DESIGNATED, ORDER, PRICE_ALERT
from gpcloud.registries.goods.graphql.types import PriceBasisRecord, basis_record

READERS = Requires(Perm.MALL_ORDER_READ)
LIVE = SubsystemLive("emall")
MallOrderStatus = state_enum(
    "MallOrderStatus",
    ORDER,
    {
        "placed": "Ordered; waits for the supplier to confirm by confirmDue (stock and budget held).",
        "confirmed": "The supplier confirmed: the order is concluded as a contract.",
        "declined": "The supplier refused, saying why; stock and budget released.",
        "lapsed": "Not confirmed by confirmDue; stock and budget released.",
        "cancelled": "The purchaser withdrew it before the supplier confirmed.",
        "delivered": "The supplier reported delivery; waits for the final acceptance.",
        "accepted": "Passed its final acceptance (履约验收); waits for payment.",
        "paid": "Its final payment was requested: the order is done.",
    },
)
MallDemandStatus = state_enum(
    "MallDemandStatus",
    DEMAND,
    {
        "open": "Taking sealed quotes until closesAt.",
        "closed": "The window ended; quotes unsealed and ranked, waiting for the purchaser to "
        "confirm the lowest compliant one.",
        "awarded": "The purchaser confirmed the result; the winning quote became an order.",
        "failed": "Fewer compliant quotes than minQuotes (流标); the failure is published.",
        "withdrawn": "The purchaser withdrew it before it closed.",
    },
)
PriceAlertStatus = state_enum(
    "PriceAlertStatus",
    PRICE_ALERT,
    {
        "open": "Held for review: the listing cannot be bought at this price.",
        "cleared": "The operating centre found the price reasonable: buyable again.",
        "upheld": "The price is not reasonable: the listing stays unbuyable at it.",
        "superseded": "The supplier changed the price; the new one is judged afresh.",
    },
)
FrameworkAgreementStatus = state_enum(
    "FrameworkAgreementStatus",
    AGREEMENT,
    {
        "active": "In its term: second-stage orders may be placed with its designated suppliers.",
        "expired": "Its term ended (emall_framework_term); no more orders.",
        "terminated": "Ended early by the region that awarded it; no more orders.",
    },
)

DesignatedSupplierStatus = state_enum(
    "DesignatedSupplierStatus",
    DESIGNATED,
    {
        "active": "Designated: purchasers order from it and it quotes in second stages.",
        "withdrawn": "Withdrawn from the agreement by the region that awarded it (see reason).",
    },
)


def _id(value: int | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.type(description="A supplier's quote on a reverse auction: sealed until it closes.")
class MallQuote:
    id: strawberry.ID
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The quoting supplier's organisation."
    )
    supplier_name: str = strawberry.field(description="The quoting supplier's name, as registered.")
    unit_price: Decimal = strawberry.field(
        description="Its unit price in yuan (a Decimal string); above the ceiling it is not compliant."
    )
    offer: str = strawberry.field(
        description="What the supplier offers: maker, model and terms, in its words."
    )
    rank: int | None = strawberry.field(description="1 = the lowest compliant; set at the close.")
    compliant: bool | None = strawberry.field(
        description="Whether it meets the demand; null until the auction closes."
    )
    reason: str = strawberry.field(description="Why not compliant.")
    submitted_at: datetime = strawberry.field(
        description="When it was first submitted; a revision keeps it (it breaks ties in the ranking)."
    )
    updated_at: datetime

    @classmethod
    def of(cls, row: dict) -> MallQuote:
        return cls(
            id=strawberry.ID(str(row["id"])),
            supplier_organisation_id=strawberry.ID(str(row["supplier_organisation"])),
            supplier_name=row["supplier_name"],
            unit_price=to_yuan(row["unit_fen"]),
            offer=row["offer"],
            rank=row["rank"],
            compliant={"yes": True, "no": False}.get(row["compliant"]),
            reason=row["reason"],
            submitted_at=row["submitted_at"],
            updated_at=row["updated_at"],
        )


# A demand reaches the reader only through a read that checked it (its region, or a supplier's
# call to quote); its quotes are then read wherever the supplier is and filtered by `visible`.
async def _quotes(ids: list[int]) -> list[list[dict]]:
    with all_tenants(quotes.PARTY_SCOPE):
        return await quotes.of_demands(ids)


async def _quote_counts(ids: list[int]) -> list[int]:
    with all_tenants(quotes.PARTY_SCOPE):
        return await quotes.counts(ids)


@strawberry.type(description="A purchaser's demand put to reverse auction (竞价).")
class MallDemand:
    id: strawberry.ID
    tenant_code: str
    purchaser_id: strawberry.ID = strawberry.field(
        description="The purchaser (采购人) organisation that posted it."
    )
    plan_id: strawberry.ID = strawberry.field(description="The filed procurement plan it draws on.")
    indicator_id: strawberry.ID = strawberry.field(
        description="The plan's budget indicator (预算指标) line it draws on."
    )
    category_code: str = strawberry.field(
        description="The procurement category (品目) code of what is bought."
    )
    title: str = strawberry.field(description="What is bought, in the purchaser's words.")
    specs: JSON = strawberry.field(
        description="What a compliant offer must meet: {name: requirement}."
    )
    quantity: int = strawberry.field(description="How many units are bought.")
    unit: str = strawberry.field(description="The unit of quantity, e.g. 台 or 套.")
    ceiling_unit_price: Decimal = strawberry.field(
        description="The highest unit price (最高限价) in yuan (a Decimal string): a quote above it is not compliant."
    )
    delivery: str = strawberry.field(
        description="Where and when to deliver, in the purchaser's words."
    )
    closes_at: datetime = strawberry.field(
        description="When the response window ends: the quotes are unsealed and ranked."
    )
    min_quotes: int = strawberry.field(
        description="emall_auction_min_quotes when posted (a second stage: "
        "emall_second_stage_min_quotes)."
    )
    status: MallDemandStatus = strawberry.field(description="Where the demand stands.")  # type: ignore[valid-type]
    outcome: str = strawberry.field(
        description="The result in words once closed: the lowest compliant quote, or why it failed."
    )
    winning_quote_id: strawberry.ID | None = strawberry.field(
        description="The lowest compliant quote, once closed with enough of them."
    )
    order_id: strawberry.ID | None = strawberry.field(
        description="The order the winning quote became, once awarded."
    )
    agreement_id: strawberry.ID | None = strawberry.field(
        description="Set for a second-stage competition (二次竞价) under this framework "
        "agreement: only its designated suppliers quote, each at most its own maximum unit "
        "price, and the award is a designated order of the agreement; null for a reverse auction."
    )
    schedule: Schedule = strawberry.field(
        description="What the platform will do by itself: close it at closesAt."
    )
    row: strawberry.Private[dict]

    @classmethod
    def of(cls, row: dict) -> MallDemand:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            purchaser_id=strawberry.ID(str(row["purchaser"])),
            plan_id=strawberry.ID(str(row["plan"])),
            indicator_id=strawberry.ID(str(row["indicator"])),
            category_code=row["category_code"],
            title=row["title"],
            specs=json.loads(row["specs"] or "{}"),
            quantity=row["quantity"],
            unit=row["unit"],
            ceiling_unit_price=to_yuan(row["ceiling_unit_fen"]),
            delivery=row["delivery"],
            closes_at=row["closes_at"],
            min_quotes=row["min_quotes"],
            status=MallDemandStatus(row["status"]),
            outcome=row["outcome"],
            winning_quote_id=_id(row["winning_quote"]),
            order_id=_id(row["order"]),
            agreement_id=_id(row["agreement"]),
            schedule=schedule_of(DEMAND, row),
            row=row,
        )

    @strawberry.field(extensions=allow(READERS), description="How many quotes came (no prices).")
    async def quote_count(self, info: Info) -> int:
        return await info.context.loaders.get("mall_quote_counts", _quote_counts).load(int(self.id))

    @strawberry.field(
        extensions=allow(READERS),
        description="Sealed until the window closes: before, a supplier sees its own quote "
        "only and the purchaser none; after, the purchaser and staff see all, ranked.",
        directives=[ListSize(max=200)],
    )
    async def quotes(self, info: Info) -> list[MallQuote]:
        rows = await info.context.loaders.get("mall_quotes", _quotes).load(int(self.id))
        return [MallQuote.of(r) for r in quotes.visible(info.context.user, self.row, rows)]


@strawberry.type(
    description="An e-mall order: a direct purchase, an auction's winning quote, or a "
    "designated purchase under a framework agreement; money in yuan."
)
class MallOrder:
    id: strawberry.ID
    tenant_code: str
    mode: str = strawberry.field(
        description="direct_purchase, reverse_auction or designated_purchase (定点采购)."
    )
    status: MallOrderStatus = strawberry.field(description="Where the order stands.")  # type: ignore[valid-type]
    purchaser_id: strawberry.ID = strawberry.field(
        description="The purchaser (采购人) organisation that placed it."
    )
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The supplier's organisation, which confirms and delivers."
    )
    supplier_name: str = strawberry.field(description="The supplier's name, as registered.")
    plan_id: strawberry.ID = strawberry.field(description="The filed procurement plan it draws on.")
    indicator_id: strawberry.ID = strawberry.field(
        description="The plan's budget indicator (预算指标) line it draws on."
    )
    listing_id: strawberry.ID | None = strawberry.field(
        description="The listing bought (direct purchase); null for other modes."
    )
    demand_id: strawberry.ID | None = strawberry.field(
        description="The reverse auction it came from; null for other modes."
    )
    category_code: str = strawberry.field(
        description="The procurement category (品目) code of what is bought."
    )
    title: str = strawberry.field(
        description="What is bought: the listing's item, brand and model, the demand's title, or the "
        "designated item and its agreement."
    )
    maker: str = strawberry.field(
        description="The listing's brand; from an auction, the winning offer (first 64 characters); "
        "empty for a designated purchase."
    )
    quantity: int = strawberry.field(description="How many units are bought.")
    unit_price: Decimal = strawberry.field(
        description="The unit price in yuan (a Decimal string), fixed when ordered."
    )
    amount: Decimal = strawberry.field(
        description="The order's amount in yuan (a Decimal string): quantity times unit price."
    )
    compared_listing_ids: list[strawberry.ID] = strawberry.field(
        description="Above the comparison band: the listings compared.",
        directives=[ListSize(max=50)],
    )
    justification: str = strawberry.field(
        description="Why not the lowest of the compared listings; empty when it is."
    )
    split_warning: str = strawberry.field(
        description="Set when the unit's orders of the category this year pass the mode's cap."
    )
    confirm_due: datetime | None = strawberry.field(
        description="When the supplier must confirm by (emall_order_confirmation); after, it lapses."
    )
    contract_id: strawberry.ID | None = strawberry.field(description="Once confirmed.")
    reason: str = strawberry.field(description="Why it was declined or cancelled, in words.")
    created_at: datetime
    schedule: Schedule = strawberry.field(
        description="What the platform will do by itself: lapse it at confirmDue."
    )

    @classmethod
    def of(cls, row: dict) -> MallOrder:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            mode=row["mode"],
            status=MallOrderStatus(row["status"]),
            purchaser_id=strawberry.ID(str(row["purchaser"])),
            supplier_organisation_id=strawberry.ID(str(row["supplier_organisation"])),
            supplier_name=row["supplier_name"],
            plan_id=strawberry.ID(str(row["plan"])),
            indicator_id=strawberry.ID(str(row["indicator"])),
            listing_id=_id(row["listing"]),
            demand_id=_id(row["demand"]),
            category_code=row["category_code"],
            title=row["title"],
            maker=row["maker"],
            quantity=row["quantity"],
            unit_price=to_yuan(row["unit_fen"]),
            amount=to_yuan(row["amount_fen"]),
            compared_listing_ids=[strawberry.ID(str(i)) for i in json.loads(row["compared"])],
            justification=row["justification"],
            split_warning=row["split_warning"],
            confirm_due=row["confirm_due"],
            contract_id=_id(row["contract"]),
            reason=row["reason"],
            created_at=row["created_at"],
            schedule=schedule_of(ORDER, row),
        )

    @strawberry.field(extensions=allow(READERS), description="The auction it came from.")
    async def demand(self, info: Info) -> MallDemand | None:
        if self.demand_id is None:
            return None
        loader = info.context.loaders.get("mall_demands", rows_by_key(DemandTable, DemandTable.id))
        row = await loader.load(int(self.demand_id))
        return MallDemand.of(row) if row else None


@strawberry.type(description="A listing's price held for review by the operating centre.")
class PriceAlert:
    id: strawberry.ID
    listing_id: strawberry.ID = strawberry.field(description="The listing whose price is held.")
    goods_item_id: strawberry.ID = strawberry.field(
        description="The goods item the listing offers."
    )
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The supplier whose listing it is."
    )
    price: Decimal = strawberry.field(
        description="The listing's price in yuan (a Decimal string) that raised the alert."
    )
    basis: str = strawberry.field(
        description="median (of the item's other listings), history (its own earlier price), "
        "reference (a reference price: of an approved feed plugin, or imported from a "
        "reference_prices file for the supplier's region), new (a new listing's first review, "
        "where the province reviews them) or most_favoured (above the lowest price the supplier "
        "gave the government for the same item elsewhere on the platform: basisRecordKind and "
        "basisRecordId say where, basisPrice what)."
    )
    basis_source: str = strawberry.field(
        description="Where a reference price came from: the feed plugin's name, or the imported "
        "file's source (e.g. 广东省价格监测中心); where a most-favoured price came from, in words "
        "(the listing, auction or agreement); empty for the other bases."
    )
    basis_record_kind: PriceBasisRecord | None = strawberry.field(  # type: ignore[valid-type]
        description="A most-favoured price's record: its kind; null for the other bases."
    )
    basis_record_id: strawberry.ID | None = strawberry.field(
        description="A most-favoured price's record: the listing's, demand's or agreement's id."
    )
    basis_price: Decimal = strawberry.field(
        description="The price it was compared with, in yuan (a Decimal string)."
    )
    tolerance_percent: int = strawberry.field(
        description="How far above the basis a price may be, in percent (emall_price_tolerance)."
    )
    reason: str = strawberry.field(
        description="Why the price is held, in words (price, basis and tolerance)."
    )
    status: PriceAlertStatus = strawberry.field(description="Where the alert stands.")  # type: ignore[valid-type]
    review_note: str = strawberry.field(
        description="The operating centre's note when it cleared or upheld the alert."
    )
    created_at: datetime

    @classmethod
    def of(cls, row: dict) -> PriceAlert:
        kind, record = basis_record(row)
        return cls(
            id=strawberry.ID(str(row["id"])),
            basis_record_kind=kind,
            basis_record_id=record,
            listing_id=strawberry.ID(str(row["listing"])),
            goods_item_id=strawberry.ID(str(row["goods_item"])),
            supplier_organisation_id=strawberry.ID(str(row["supplier_organisation"])),
            price=to_yuan(row["price_fen"]),
            basis=row["basis"],
            basis_price=to_yuan(row["basis_fen"]),
            basis_source=row["basis_source"],
            tolerance_percent=row["tolerance_percent"],
            reason=row["reason"],
            status=PriceAlertStatus(row["status"]),
            review_note=row["review_note"],
            created_at=row["created_at"],
        )


@strawberry.type(description="A supplier a framework agreement designated, with its maximum.")
class DesignatedSupplier:
    id: strawberry.ID
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The designated supplier's organisation."
    )
    supplier_name: str = strawberry.field(
        description="The designated supplier's name, as registered."
    )
    item: str = strawberry.field(description="What it supplies under the agreement.")
    unit: str = strawberry.field(description="The unit the maximum price is per, e.g. 台.")
    max_unit_price: Decimal = strawberry.field(
        description="The highest unit price in yuan (a Decimal string) a second-stage order may pay it."
    )
    status: DesignatedSupplierStatus = strawberry.field(  # type: ignore[valid-type]
        description="Whether it is still designated."
    )
    entry: str = strawberry.field(
        description="initial (the first entry) or top_up (a top-up entry, 补充征集)."
    )
    reason: str = strawberry.field(description="Why it was withdrawn; empty while active.")

    @classmethod
    def of(cls, row: dict) -> DesignatedSupplier:
        return cls(
            id=strawberry.ID(str(row["id"])),
            supplier_organisation_id=strawberry.ID(str(row["supplier_organisation"])),
            supplier_name=row["supplier_name"],
            item=row["item"],
            unit=row["unit"],
            max_unit_price=to_yuan(row["max_unit_fen"]),
            status=DesignatedSupplierStatus(row["status"]),
            entry=row["entry"],
            reason=row["reason"],
        )


@strawberry.type(
    description="Whether a framework agreement needs a top-up entry (补充征集, MOF Order 110)."
)
class FrameworkTopUp:
    first_designated: int = strawberry.field(description="Suppliers designated by the first entry.")
    active_designated: int = strawberry.field(
        description="Designated suppliers not withdrawn, top-up entries' included."
    )
    share_percent: int = strawberry.field(
        description="emall_framework_top_up_share: below this share of the first designated, "
        "a top-up entry is needed (and only then allowed)."
    )
    needed: bool = strawberry.field(
        description="True while the agreement is active and activeDesignated is below "
        "sharePercent of firstDesignated: the region may record a top-up entry."
    )


@strawberry.type(
    description="A framework agreement (框架协议, MOF Order 110): designated suppliers."
)
class FrameworkAgreement:
    id: strawberry.ID
    tenant_code: str
    title: str = strawberry.field(description="The agreement's title.")
    category_code: str = strawberry.field(
        description="The procurement category (品目) code it covers."
    )
    kind: str = strawberry.field(description="goods or services.")
    starts_on: date = strawberry.field(description="The first day orders may be placed under it.")
    ends_on: date = strawberry.field(description="The last day of its term; it expires after.")
    entrants: int = strawberry.field(description="Suppliers that entered the first stage.")
    status: FrameworkAgreementStatus = strawberry.field(description="Where the agreement stands.")  # type: ignore[valid-type]
    schedule: Schedule = strawberry.field(
        description="What the platform will do by itself: expire it after endsOn."
    )
    row: strawberry.Private[dict]

    @classmethod
    def of(cls, row: dict) -> FrameworkAgreement:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            title=row["title"],
            category_code=row["category_code"],
            kind=row["kind"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            entrants=row["entrants"],
            status=FrameworkAgreementStatus(row["status"]),
            schedule=schedule_of(AGREEMENT, row),
            row=row,
        )

    @strawberry.field(
        extensions=allow(READERS),
        description="Its designated suppliers, each with its maximum unit price.",
        directives=[ListSize(max=200)],
    )
    async def designated_suppliers(self, info: Info) -> list[DesignatedSupplier]:
        loader = info.context.loaders.get("designated_suppliers", agreements.designated_of)
        return [DesignatedSupplier.of(r) for r in await loader.load(int(self.id))]

    @strawberry.field(
        extensions=allow(READERS),
        description="How many designated suppliers remain of those first designated, and "
        "whether a top-up entry is needed (fewer than 70 %, emall_framework_top_up_share).",
    )
    async def top_up(self, info: Info) -> FrameworkTopUp:
        loader = info.context.loaders.get("designated_suppliers", agreements.designated_of)
        shares = info.context.loaders.get("top_up_shares", agreements.top_up_shares)
        state = agreements.top_up_state(
            self.row, await loader.load(int(self.id)), await shares.load(self.row["tenant_id"])
        )
        return FrameworkTopUp(
            first_designated=state["first"],
            active_designated=state["active"],
            share_percent=state["share"],
            needed=state["needed"],
        )


@strawberry.input
class DesignatedSupplierInput:
    organisation_id: strawberry.ID = strawberry.field(
        description="The supplier organisation designated."
    )
    item: str = strawberry.field(description="What it supplies under the agreement.")
    unit: str = strawberry.field(description="The unit the maximum price is per, e.g. 台.")
    max_unit_price: Decimal = strawberry.field(
        description="The highest unit price in yuan (a Decimal string) it may be paid."
    )


@strawberry.input
class FrameworkAgreementInput:
    title: str = strawberry.field(description="The agreement's title.")
    category_code: str = strawberry.field(
        description="The procurement category (品目) code it covers."
    )
    kind: str = strawberry.field(description="goods or services.")
    starts_on: date = strawberry.field(description="The first day orders may be placed under it.")
    ends_on: date = strawberry.field(description="The last day of its term.")
    entrants: int = strawberry.field(description="Suppliers that entered the first stage.")
    suppliers: list[DesignatedSupplierInput] = strawberry.field(
        description="The designated suppliers, each with its maximum unit price."
    )

    def to_service(self) -> agreements.AgreementInput:
        return agreements.AgreementInput(
            self.title,
            self.category_code,
            self.kind,
            self.starts_on,
            self.ends_on,
            self.entrants,
            [
                agreements.DesignatedInput(
                    parse_id(s.organisation_id, "organisation"), s.item, s.unit, s.max_unit_price
                )
                for s in self.suppliers[: agreements.MAX_SUPPLIERS + 1]
            ],
        )


@strawberry.input
class DesignatedOrderInput:
    designated_supplier_id: strawberry.ID = strawberry.field(
        description="The designated supplier (DesignatedSupplier.id) ordered from."
    )
    quantity: int = strawberry.field(description="How many units.")
    unit_price: Decimal = strawberry.field(
        description="The unit price in yuan (a Decimal string), at most the supplier's maximum."
    )
    plan_id: strawberry.ID = strawberry.field(
        description="Your filed procurement plan it draws on."
    )
    indicator_id: strawberry.ID = strawberry.field(
        description="The plan's budget indicator (预算指标) line it draws on."
    )

    def to_service(self) -> agreements.DesignatedOrderInput:
        return agreements.DesignatedOrderInput(
            parse_id(self.designated_supplier_id, "designated supplier"),
            self.quantity,
            self.unit_price,
            parse_id(self.plan_id, "plan"),
            parse_id(self.indicator_id, "budget indicator"),
        )


@strawberry.input
class TopUpEntryInput:
    entrants: int = strawberry.field(description="Suppliers that entered the top-up entry.")
    suppliers: list[DesignatedSupplierInput] = strawberry.field(
        description="The suppliers it designated, each with its maximum unit price."
    )

    def to_service(self) -> agreements.TopUpInput:
        return agreements.TopUpInput(
            self.entrants,
            [
                agreements.DesignatedInput(
                    parse_id(s.organisation_id, "organisation"), s.item, s.unit, s.max_unit_price
                )
                for s in self.suppliers[: agreements.MAX_SUPPLIERS + 1]
            ],
        )


@strawberry.input
class SecondStageInput:
    agreement_id: strawberry.ID = strawberry.field(
        description="The framework agreement (of your region or above, in force) whose "
        "designated suppliers compete."
    )
    plan_id: strawberry.ID = strawberry.field(
        description="Your filed procurement plan it draws on."
    )
    indicator_id: strawberry.ID = strawberry.field(
        description="The plan's budget indicator (预算指标) line it draws on."
    )
    title: str = strawberry.field(description="What is bought, in your words.")
    quantity: int = strawberry.field(description="How many units.")
    unit: str = strawberry.field(description="The unit of quantity, e.g. 台 or 工时.")
    closes_at: datetime = strawberry.field(
        description="When the response window ends: 1 hour to 30 days from now, within the "
        "agreement's term, with its time zone."
    )
    delivery: str = strawberry.field(
        default="", description="Where and when to deliver, in your words."
    )
    specs: JSON | None = strawberry.field(
        default=None, description="What a compliant offer must meet: {name: requirement}."
    )

    def to_service(self) -> agreements.SecondStageInput:
        specs = self.specs if isinstance(self.specs, dict) else {}
        return agreements.SecondStageInput(
            parse_id(self.agreement_id, "framework agreement"),
            parse_id(self.plan_id, "plan"),
            parse_id(self.indicator_id, "budget indicator"),
            self.title,
            self.quantity,
            self.unit,
            self.closes_at,
            self.delivery,
            {str(k)[:40]: str(v)[:200] for k, v in list(specs.items())[:50]},
        )


@strawberry.type
class DesignatedSupplierPayload:
    designated_supplier: DesignatedSupplier | None = strawberry.field(
        default=None, description="The designated supplier as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FrameworkAgreementPayload:
    agreement: FrameworkAgreement | None = strawberry.field(
        default=None, description="The agreement as recorded; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MallOrderInput:
    listing_id: strawberry.ID = strawberry.field(
        description="The listing bought, at its current price."
    )
    quantity: int = strawberry.field(description="How many units.")
    plan_id: strawberry.ID = strawberry.field(
        description="Your filed procurement plan it draws on."
    )
    indicator_id: strawberry.ID = strawberry.field(
        description="The plan's budget indicator (预算指标) line it draws on."
    )
    compared_listing_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Above the comparison band: >= 3 makers' listings."
    )
    justification: str = strawberry.field(default="", description="Why not the lowest.")

    def to_service(self) -> orders.OrderInput:
        return orders.OrderInput(
            parse_id(self.listing_id, "listing"),
            self.quantity,
            parse_id(self.plan_id, "plan"),
            parse_id(self.indicator_id, "budget indicator"),
            [parse_id(i, "listing") for i in self.compared_listing_ids[:50]],
            self.justification,
        )


@strawberry.input
class MallDemandInput:
    plan_id: strawberry.ID = strawberry.field(
        description="Your filed procurement plan it draws on."
    )
    indicator_id: strawberry.ID = strawberry.field(
        description="The plan's budget indicator (预算指标) line it draws on."
    )
    category_code: str = strawberry.field(
        description="The procurement category (品目) code of what is bought."
    )
    title: str = strawberry.field(description="What is bought, in your words.")
    quantity: int = strawberry.field(description="How many units.")
    unit: str = strawberry.field(description="The unit of quantity, e.g. 台 or 套.")
    ceiling_unit_price: Decimal = strawberry.field(
        description="The highest unit price (最高限价) in yuan (a Decimal string)."
    )
    closes_at: datetime = strawberry.field(
        description="When the response window ends: 1 hour to 30 days from now, with its time zone."
    )
    delivery: str = strawberry.field(
        default="", description="Where and when to deliver, in your words."
    )
    specs: JSON | None = strawberry.field(
        default=None, description="What a compliant offer must meet: {name: requirement}."
    )

    def to_service(self) -> auctions.DemandInput:
        specs = self.specs if isinstance(self.specs, dict) else {}
        return auctions.DemandInput(
            parse_id(self.plan_id, "plan"),
            parse_id(self.indicator_id, "budget indicator"),
            self.category_code,
            self.title,
            self.quantity,
            self.unit,
            self.ceiling_unit_price,
            self.closes_at,
            self.delivery,
            {str(k)[:40]: str(v)[:200] for k, v in list(specs.items())[:50]},
        )


@strawberry.type
class MallOrderPayload:
    order: MallOrder | None = strawberry.field(
        default=None, description="The order as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MallDemandPayload:
    demand: MallDemand | None = strawberry.field(
        default=None, description="The demand as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MallQuotePayload:
    quote: MallQuote | None = strawberry.field(
        default=None, description="Your quote as stored; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PriceAlertPayload:
    alert: PriceAlert | None = strawberry.field(
        default=None, description="The alert as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def order_payload(work):
    return run_payload(MallOrderPayload, "order", MallOrder.of, work)


def _demand(work):
    return run_payload(MallDemandPayload, "demand", MallDemand.of, work)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS),
        description="E-mall orders: staff the region's (splitWarned: those to look at), a "
        "purchaser its unit's, a supplier its own.",
    )
    async def mall_orders(
        self,
        info: Info,
        status: Annotated[
            MallOrderStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only orders in this state."),
        ] = None,
        mode: Annotated[
            str | None,
            strawberry.argument(
                description="Only orders of this mode: direct_purchase, reverse_auction or "
                "designated_purchase."
            ),
        ] = None,
        split_warned: Annotated[
            bool,
            strawberry.argument(description="Only orders with a split warning (拆分采购)."),
        ] = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[MallOrder]:
        flt = orders.OrderFilter(status.value if status else None, mode, split_warned)
        return connection(await orders.search(info.context.user, flt, first, after), MallOrder.of)

    @strawberry.field(
        extensions=allow(READERS),
        description="One e-mall order, to its purchaser, its supplier or the region's staff.",
    )
    async def mall_order(self, info: Info, id: strawberry.ID) -> MallOrder:
        return MallOrder.of(await orders.readable(info.context.user, parse_id(id, "order")))

    @strawberry.field(
        extensions=allow(READERS),
        description="Reverse auctions: staff the region's, a purchaser its unit's, a supplier "
        "the open ones of the province.",
    )
    async def mall_demands(
        self,
        info: Info,
        status: Annotated[
            MallDemandStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only demands in this state."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[MallDemand]:
        page = await auctions.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, MallDemand.of)

    @strawberry.field(
        extensions=allow(READERS),
        description="One reverse auction, to whoever may see it in mallDemands.",
    )
    async def mall_demand(self, info: Info, id: strawberry.ID) -> MallDemand:
        return MallDemand.of(await auctions.readable(info.context.user, parse_id(id, "demand")))

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Price alerts: the operating centre all, a supplier its own listings'.",
    )
    async def price_alerts(
        self,
        info: Info,
        status: Annotated[
            PriceAlertStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only alerts in this state."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PriceAlert]:
        page = await prices.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, PriceAlert.of)

    @strawberry.field(
        extensions=allow(READERS),
        description="Framework agreements of your region, the regions above and below it.",
    )
    async def framework_agreements(
        self,
        info: Info,
        status: Annotated[
            FrameworkAgreementStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only agreements in this state."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[FrameworkAgreement]:
        page = await agreements.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, FrameworkAgreement.of)


def live(permission: Perm) -> list:
    return allow(Requires(permission), LIVE)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=live(Perm.MALL_ORDER_PLACE),
        description="Order a listing at its price for your unit, drawn on a filed plan's line.",
    )
    async def place_mall_order(self, info: Info, input: MallOrderInput) -> MallOrderPayload:
        return await order_payload(lambda: orders.place(info.context.user, input.to_service()))

    @strawberry.mutation(
        extensions=live(Perm.MALL_ORDER_PLACE),
        description="Withdraw an order the supplier has not confirmed (its stock goes back).",
    )
    async def cancel_mall_order(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> MallOrderPayload:
        return await order_payload(
            lambda: orders.cancel(info.context.user, parse_id(id, "order"), reason)
        )

    @strawberry.mutation(
        extensions=live(Perm.MALL_ORDER_FULFIL), description="Refuse an order, saying why."
    )
    async def decline_mall_order(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> MallOrderPayload:
        return await order_payload(
            lambda: orders.decline(info.context.user, parse_id(id, "order"), reason)
        )

    @strawberry.mutation(
        extensions=live(Perm.MALL_ORDER_FULFIL), description="Report a confirmed order delivered."
    )
    async def deliver_mall_order(self, info: Info, id: strawberry.ID) -> MallOrderPayload:
        return await order_payload(lambda: orders.deliver(info.context.user, parse_id(id, "order")))

    @strawberry.mutation(
        extensions=live(Perm.MALL_DEMAND_POST),
        description="Put a demand to reverse auction until closesAt.",
    )
    async def post_mall_demand(self, info: Info, input: MallDemandInput) -> MallDemandPayload:
        return await _demand(lambda: auctions.post(info.context.user, input.to_service()))

    @strawberry.mutation(
        extensions=live(Perm.MALL_DEMAND_POST), description="Withdraw an open demand."
    )
    async def withdraw_mall_demand(self, info: Info, id: strawberry.ID) -> MallDemandPayload:
        return await _demand(lambda: auctions.withdraw(info.context.user, parse_id(id, "demand")))

    @strawberry.mutation(
        extensions=live(Perm.MALL_DEMAND_POST),
        description="Confirm the lowest compliant quote of a closed demand: the result is "
        "published and the quote becomes an order.",
    )
    async def award_mall_demand(self, info: Info, id: strawberry.ID) -> MallOrderPayload:
        async def work():
            _, order = await auctions.award(info.context.user, parse_id(id, "demand"))
            return order

        return await order_payload(work)

    @strawberry.mutation(
        extensions=live(Perm.MALL_QUOTE),
        description="Quote (or revise your quote) on an open demand; sealed until it closes.",
    )
    async def submit_mall_quote(
        self,
        info: Info,
        demand_id: Annotated[
            strawberry.ID, strawberry.argument(description="The open demand quoted on.")
        ],
        unit_price: Annotated[
            Decimal,
            strawberry.argument(
                description="Your unit price in yuan (a Decimal string); above the demand's "
                "ceiling the quote is not compliant."
            ),
        ],
        offer: Annotated[
            str,
            strawberry.argument(description="What you offer: maker, model and terms, in words."),
        ],
    ) -> MallQuotePayload:
        return await run_payload(
            MallQuotePayload,
            "quote",
            MallQuote.of,
            lambda: quotes.submit(
                info.context.user,
                parse_id(demand_id, "demand"),
                quotes.QuoteInput(unit_price, offer),
            ),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.MALL_PRICE_REVIEW)),
        description="Clear a price alert (buyable again) or uphold it.",
    )
    async def review_price_alert(
        self,
        info: Info,
        id: strawberry.ID,
        clear: Annotated[
            bool,
            strawberry.argument(
                description="True: the price is reasonable (cleared); false: upheld."
            ),
        ],
        note: Annotated[
            str, strawberry.argument(description="Why, in words (required); kept as reviewNote.")
        ],
    ) -> PriceAlertPayload:
        return await run_payload(
            PriceAlertPayload,
            "alert",
            PriceAlert.of,
            lambda: prices.review(info.context.user, parse_id(id, "price alert"), clear, note),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.MALL_PRICE_REVIEW)),
        description="Run price monitoring over every live listing (a job).",
    )
    async def monitor_mall_prices(self, info: Info) -> JobPayload:
        return await enqueue_for_tenant(info.context.user, "emall_price_monitoring", {}, None)

    @strawberry.mutation(
        extensions=live(Perm.MALL_AGREEMENT_MANAGE),
        description="Record a framework agreement your region awarded (MOF Order 110) and "
        "publish its designated suppliers.",
    )
    async def record_framework_agreement(
        self, info: Info, input: FrameworkAgreementInput
    ) -> FrameworkAgreementPayload:
        return await run_payload(
            FrameworkAgreementPayload,
            "agreement",
            FrameworkAgreement.of,
            lambda: agreements.record(info.context.user, input.to_service()),
        )

    @strawberry.mutation(
        extensions=live(Perm.MALL_ORDER_PLACE),
        description="Order from a designated supplier within its maximum unit price (定点采购).",
    )
    async def place_designated_order(
        self, info: Info, input: DesignatedOrderInput
    ) -> MallOrderPayload:
        return await order_payload(lambda: agreements.order(info.context.user, input.to_service()))

    @strawberry.mutation(
        extensions=live(Perm.MALL_DEMAND_POST),
        description="Above your region's second-stage band a designated order needs "
        "second-stage competition (二次竞价, MOF Order 110): put the purchase to the agreement's "
        "designated suppliers, sealed until closesAt; confirm the lowest with awardMallDemand "
        "(it becomes a designated order of the agreement).",
    )
    async def open_second_stage_competition(
        self, info: Info, input: SecondStageInput
    ) -> MallDemandPayload:
        return await _demand(
            lambda: agreements.open_second_stage(info.context.user, input.to_service())
        )

    @strawberry.mutation(
        extensions=live(Perm.MALL_AGREEMENT_MANAGE),
        description="Withdraw a designated supplier from a framework agreement your region "
        "awarded, saying why: no designated order or second-stage quote from it after.",
    )
    async def withdraw_designated_supplier(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The DesignatedSupplier.id.")],
        reason: Annotated[str, strawberry.argument(description="Why, in words (required).")],
    ) -> DesignatedSupplierPayload:
        return await run_payload(
            DesignatedSupplierPayload,
            "designated_supplier",
            DesignatedSupplier.of,
            lambda: agreements.withdraw_designated(
                info.context.user, parse_id(id, "designated supplier"), reason
            ),
        )

    @strawberry.mutation(
        extensions=live(Perm.MALL_AGREEMENT_MANAGE),
        description="Record a top-up entry (补充征集) of a framework agreement your region "
        "awarded, once fewer than 70 % of its first designated suppliers remain (topUp.needed): "
        "the first entry's checks, the same term; the new list is published.",
    )
    async def record_top_up_entry(
        self,
        info: Info,
        agreement_id: Annotated[
            strawberry.ID, strawberry.argument(description="The framework agreement topped up.")
        ],
        input: TopUpEntryInput,
    ) -> FrameworkAgreementPayload:
        return await run_payload(
            FrameworkAgreementPayload,
            "agreement",
            FrameworkAgreement.of,
            lambda: agreements.top_up(
                info.context.user,
                parse_id(agreement_id, "framework agreement"),
                input.to_service(),
            ),
        )
