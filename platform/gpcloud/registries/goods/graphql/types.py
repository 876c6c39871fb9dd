"""GraphQL types of the goods registry: catalogue, goods, listings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import partial

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.auth import service as accounts
from gpcloud.core.auth.graphql import Organisation
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.permissions import Authenticated, Requires, allow
from gpcloud.core.graphql.types import UserError, parse_id
from gpcloud.core.money import to_yuan
from gpcloud.core.ops.descriptions import field_meanings
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code
from gpcloud.registries.goods import tables
from gpcloud.registries.goods.service import categories, items, listings, loaders, search

KEEPERS = Requires(Perm.GOODS_MANAGE)
LISTERS = Requires(Perm.LISTING_MANAGE)
READERS = Authenticated()

CategoryStatus = values_enum(
    "GoodsCategoryStatus",
    tables.CATEGORY_STATUSES,
    "Whether a procurement catalogue category is in use.",
    {
        "active": "In use: plans, goods and listings may name it.",
        "inactive": "No longer used for new records; old ones keep it.",
    },
)
CategoryKind = values_enum(
    "GoodsCategoryKind",
    tables.KINDS.values(),
    "Goods (A), works (B) or services (C), from the code's first letter.",
    {"goods": "货物, codes A…", "works": "工程, codes B…", "services": "服务, codes C…"},
)
ItemStatus = values_enum(
    "GoodsItemStatus",
    tables.ITEM_STATUSES,
    "Where a goods item of the e-mall stands.",
    {"active": "Suppliers may list it.", "inactive": "Taken off: no new listings or orders."},
)
ListingStatus = values_enum(
    "SupplierListingStatus",
    tables.LISTING_STATUSES,
    "Where a supplier's listing of a goods item stands.",
    {"active": "Purchasers may order it.", "withdrawn": "Taken off by the supplier or the mall."},
)

ListingMode = values_enum(
    "ListingMode",
    ("direct_purchase", "designated", "group_buy"),
    "An e-mall mode a purchaser could use for a listing today.",
    {
        "direct_purchase": "Order it at its price now: it meets every rule the order checks "
        "for one unit (as the directPurchase filter).",
        "designated": "Its supplier is designated under a framework agreement in force of "
        "your region or above, for the item's category: order from it by placeDesignatedOrder.",
        "group_buy": "A group buy of the item's category, of your region or above, is "
        "collecting: join it.",
    },
)


PriceBasisRecord = values_enum(
    "PriceBasisRecord",
    ("listing", "auction", "agreement"),
    "The record a most-favoured price (a price alert's basis most_favoured) came from: the "
    "lowest price the listing's supplier gave the government for the same item elsewhere.",
    {
        "listing": "The supplier's own other live listing of the same product (id: the listing).",
        "auction": "The supplier's winning quote in an awarded reverse auction (id: the demand; "
        "the result is published).",
        "agreement": "The supplier's maximum unit price in a framework agreement in force (id: "
        "the agreement; its list is published).",
    },
)


def basis_record(row: dict) -> tuple[object | None, strawberry.ID | None]:
    """An alert row's (record kind, record id), both None unless it is a most-favoured price."""
    if not row.get("basis_record_kind"):
        return None, None
    return PriceBasisRecord(row["basis_record_kind"]), strawberry.ID(str(row["basis_record"]))


@strawberry.type(
    description="The price alert holding a listing's current price (price monitoring or a new "
    "listing's review): not directly purchasable until the operating centre clears it."
)
class ListingPriceAlert:
    id: strawberry.ID = strawberry.field(description="The alert (Query.priceAlerts).")
    basis: str = strawberry.field(
        description="median (of the item's other listings), history (its own earlier price), "
        "reference (a reference price: a live feed or an imported file), new (a new listing's "
        "first review) or most_favoured (above the lowest price its supplier gave the "
        "government for the same item: basisRecordKind and basisRecordId say where)."
    )
    price: Decimal = strawberry.field(description="The listing's price in yuan it holds.")
    basis_price: Decimal = strawberry.field(description="The price it was compared with, in yuan.")
    basis_source: str = strawberry.field(
        description="Where a reference price came from (a feed plugin, an imported file's "
        "source) or a most-favoured price (the listing, auction or agreement, in words); empty "
        "for the other bases."
    )
    basis_record_kind: PriceBasisRecord | None = strawberry.field(  # type: ignore[valid-type]
        description="A most-favoured price's record: its kind; null for the other bases."
    )
    basis_record_id: strawberry.ID | None = strawberry.field(
        description="A most-favoured price's record: the listing's, demand's or agreement's id."
    )
    tolerance_percent: int = strawberry.field(
        description="How far above the basis a price may be, in percent."
    )
    reason: str = strawberry.field(description="Why the price is held, in words.")
    status: str = strawberry.field(
        description="open (waiting for review) or upheld (the operating centre kept it)."
    )
    raised_at: datetime = strawberry.field(description="When monitoring raised it.")

    @classmethod
    def of(cls, row: dict) -> ListingPriceAlert:
        kind, record = basis_record(row)
        return cls(
            id=strawberry.ID(str(row["id"])),
            basis_record_kind=kind,
            basis_record_id=record,
            basis=row["basis"],
            price=to_yuan(row["price_fen"]),
            basis_price=to_yuan(row["basis_fen"]),
            basis_source=row["basis_source"],
            tolerance_percent=row["tolerance_percent"],
            reason=row["reason"],
            status=row["status"],
            raised_at=row["created_at"],
        )


def _purchaser_region(info: Info) -> str | None:
    """The region whose purchasers' modes the caller sees: a purchaser's own; none otherwise."""
    user = info.context.user
    return user.tenant if user.can(Perm.MALL_ORDER_PLACE) else None


def _sees_alert(info: Info, supplier: int) -> bool:
    """The operating centre, the listing's supplier and purchasers (who are told why a listing
    is not directly purchasable) see its alert; other suppliers do not."""
    user = info.context.user
    return (
        user.can(Perm.MALL_PRICE_REVIEW)
        or user.organisation_id == supplier
        or user.can(Perm.MALL_ORDER_PLACE)
    )


_GOODS = {
    "code": "The catalogue code (政府采购品目分类目录), e.g. A02010104.",
    "name": "Its name, in Chinese.",
    "kind": "Goods, works or services.",
    "status": "Whether it is in use.",
    "parentCode": "The category one level up; null at the top.",
    "parent": "The category one level up; null at the top.",
    "children": "The categories one level down, by code.",
}
field_meanings(("GoodsCategory",), _GOODS)
_ITEM = {
    "name": "The product's name, in Chinese.",
    "brand": "The brand (品牌).",
    "model": "The model (型号).",
    "unit": "The unit it is sold by, e.g. 台, 套.",
    "status": "Whether suppliers may list it.",
    "categoryCode": "Its catalogue code.",
    "category": "Its catalogue category.",
    "referencePrice": "Yuan; no active listing may be priced above it.",
    "specs": 'Specifications as an object, e.g. {"CPU": "8核"}.',
    "code": "The provincial goods code (exact match in a filter).",
    "minPrice": "Yuan, at least this.",
    "maxPrice": "Yuan, at most this.",
}
field_meanings(
    ("GoodsItem", "CreateGoodsItemInput", "UpdateGoodsItemInput", "GoodsItemFilter"), _ITEM
)
_LISTING = {
    "price": "Yuan per unit; at most the item's reference price.",
    "stock": "Units available; orders hold and take them.",
    "status": "Whether purchasers may order it.",
    "organisationId": "The supplier's organisation.",
    "goodsItemId": "The goods item offered.",
    "goodsItem": "The goods item offered.",
    "regions": "The regions served; a city includes its counties.",
    "minPrice": "Yuan, at least this.",
    "maxPrice": "Yuan, at most this.",
}
field_meanings(
    (
        "SupplierListing",
        "CreateSupplierListingInput",
        "UpdateSupplierListingInput",
        "SupplierListingFilter",
    ),
    _LISTING,
)
field_meanings(
    ("GoodsCategoryPayload", "GoodsItemPayload", "SupplierListingPayload"),
    {
        "category": "The category as it is now; null on errors.",
        "goodsItem": "The goods item as it is now; null on errors.",
        "listing": "The listing as it is now; null on errors.",
    },
)


def input_id(value: strawberry.ID | None, what: str, field: str) -> int | None:
    """A database id from an input field; a malformed one is "not found" on that field."""
    if value is None:
        return None
    try:
        return parse_id(value, what)
    except DomainError:
        raise DomainError("NOT_FOUND", f"{what} {value} not found", field) from None


def _category_loader(info: Info):
    return info.context.loaders.get("goods_category", loaders.categories_by_code)


@strawberry.type(
    description="A code of the government procurement catalogue (政府采购品目分类目录)."
)
class GoodsCategory:
    code: str
    name: str
    level: int = strawberry.field(description="1 for goods, works and services; +1 per two digits.")
    kind: CategoryKind  # type: ignore[valid-type]
    status: CategoryStatus  # type: ignore[valid-type]
    parent_code: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: dict) -> GoodsCategory:
        return cls(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            kind=CategoryKind(row["kind"]),
            status=CategoryStatus(row["status"]),
            parent_code=row["parent"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(extensions=allow(READERS))
    async def parent(self, info: Info) -> GoodsCategory | None:
        if self.parent_code is None:
            return None
        row = await _category_loader(info).load(self.parent_code)
        return GoodsCategory.of(row) if row else None

    @strawberry.field(
        extensions=allow(READERS),
        description="From the root down to the parent.",
        directives=[ListSize(max=10)],
    )
    async def ancestors(self, info: Info) -> list[GoodsCategory]:
        rows = await _category_loader(info).load_many(categories.category_ancestors(self.code))
        return [GoodsCategory.of(r) for r in rows if r]

    @strawberry.field(extensions=allow(READERS), directives=[ListSize(max=categories.MAX_LIST)])
    async def children(self, info: Info) -> list[GoodsCategory]:
        loader = info.context.loaders.get("goods_category_children", loaders.categories_by_parent)
        return [
            GoodsCategory.of(r)
            for r in sorted(await loader.load(self.code), key=lambda r: r["code"])
        ]


@strawberry.type(
    description="A standard product of the goods registry with its reference (ceiling) price."
)
class GoodsItem:
    id: strawberry.ID
    code: str = strawberry.field(description="The provincial goods code, e.g. GD-A02010104-000123.")
    name: str
    brand: str
    model: str
    specs: JSON = strawberry.field(
        description='Specifications, e.g. {"CPU": "8核", "内存": "16GB"}.'
    )
    unit: str
    reference_price: Decimal = strawberry.field(
        description="Yuan; no active listing is priced above it."
    )
    status: ItemStatus  # type: ignore[valid-type]
    category_code: str
    green_label: str = strawberry.field(
        description="The green purchasing certification it carries: energy_saving (节能产品), "
        "environmental (环境标志产品), both, or empty for none. Set by the goods import."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: dict) -> GoodsItem:
        return cls(
            id=strawberry.ID(str(row["id"])),
            code=row["code"],
            name=row["name"],
            brand=row["brand"],
            model=row["model"],
            specs=items.load_specs(row["specs"]),
            unit=row["unit"],
            reference_price=row["reference_price"],
            status=ItemStatus(row["status"]),
            category_code=row["category"],
            green_label=row["green_label"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(extensions=allow(READERS))
    async def category(self, info: Info) -> GoodsCategory | None:
        row = await _category_loader(info).load(self.category_code)
        return GoodsCategory.of(row) if row else None


@strawberry.type(
    description="A supplier's offer of a goods item: price, stock and the regions it serves."
)
class SupplierListing:
    id: strawberry.ID
    price: Decimal
    stock: int
    status: ListingStatus  # type: ignore[valid-type]
    region_codes: list[str] = strawberry.field(
        description="Regions served; a city includes its counties.",
        directives=[ListSize(max=listings.MAX_REGIONS)],
    )
    organisation_id: strawberry.ID
    goods_item_id: strawberry.ID
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: dict) -> SupplierListing:
        return cls(
            id=strawberry.ID(str(row["id"])),
            price=row["price"],
            stock=row["stock"],
            status=ListingStatus(row["status"]),
            region_codes=row["regions"],
            organisation_id=strawberry.ID(str(row["organisation"])),
            goods_item_id=strawberry.ID(str(row["goods_item"])),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(extensions=allow(READERS), description="The supplier.")
    async def organisation(self, info: Info) -> Organisation | None:
        loader = info.context.loaders.get("organisation", accounts.organisations_by_id)
        row = await loader.load(int(self.organisation_id))
        return Organisation.of(row) if row else None

    @strawberry.field(extensions=allow(READERS))
    async def goods_item(self, info: Info) -> GoodsItem | None:
        loader = info.context.loaders.get("goods_item", loaders.items_by_id)
        row = await loader.load(int(self.goods_item_id))
        return GoodsItem.of(items.normalised(row)) if row else None

    @strawberry.field(
        extensions=allow(READERS),
        description="The e-mall modes you could use for this listing today, as a purchaser of "
        "your region; empty for other callers (only purchasers order). Loaded for the page at "
        "once.",
        directives=[ListSize(max=3)],
    )
    async def modes(self, info: Info) -> list[ListingMode]:  # type: ignore[valid-type]
        region = _purchaser_region(info)
        if region is None:
            return []
        loader = info.context.loaders.get(
            ("listing_modes", region), partial(search.listing_modes, region)
        )
        return [ListingMode(m) for m in await loader.load(int(self.id))]

    @strawberry.field(
        extensions=allow(READERS),
        description="The open or upheld price alert holding the listing's current price (or its "
        "first review); null when none. Shown to the operating centre, the listing's supplier "
        "and purchasers; null for other suppliers.",
    )
    async def price_alert(self, info: Info) -> ListingPriceAlert | None:
        if not _sees_alert(info, int(self.organisation_id)):
            return None
        loader = info.context.loaders.get("listing_alert", search.listing_alerts)
        row = await loader.load(int(self.id))
        return ListingPriceAlert.of(row) if row else None

    @strawberry.field(extensions=allow(READERS), directives=[ListSize(max=listings.MAX_REGIONS)])
    async def regions(self) -> list[Tenant]:
        return [t for t in [await tenant_by_code(c) for c in self.region_codes] if t is not None]


@strawberry.type
class GoodsCategoryPayload:
    category: GoodsCategory | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GoodsItemPayload:
    goods_item: GoodsItem | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SupplierListingPayload:
    listing: SupplierListing | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
