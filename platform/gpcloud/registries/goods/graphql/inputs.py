"""GraphQL inputs of the goods registry: goods and listings, created, changed, filtered."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from gpcloud.registries.goods.graphql.types import ItemStatus, ListingStatus, input_id
from gpcloud.registries.goods.service import items, listings


@strawberry.input
class CreateGoodsItemInput:
    category_code: str
    name: str
    unit: str = strawberry.field(description="e.g. 台, 套, 件")
    reference_price: Decimal
    code: str | None = strawberry.field(
        default=None, description="Default: GD-<category>-<next number>."
    )
    brand: str | None = None
    model: str | None = None
    specs: JSON | None = None

    def to_service(self) -> items.GoodsItemInput:
        return items.GoodsItemInput(
            code=self.code,
            category_code=self.category_code,
            name=self.name,
            brand=self.brand,
            model=self.model,
            specs=self.specs,
            unit=self.unit,
            reference_price=self.reference_price,
        )


@strawberry.input(description="Fields left out stay as they are.")
class UpdateGoodsItemInput:
    category_code: str | None = None
    name: str | None = None
    brand: str | None = None
    model: str | None = None
    specs: JSON | None = strawberry.field(default=None, description="Replaces the whole object.")
    unit: str | None = None
    reference_price: Decimal | None = strawberry.field(
        default=None, description="Lowering it withdraws the active listings priced above it."
    )

    def to_service(self) -> items.GoodsItemInput:
        return items.GoodsItemInput(
            category_code=self.category_code,
            name=self.name,
            brand=self.brand,
            model=self.model,
            specs=self.specs,
            unit=self.unit,
            reference_price=self.reference_price,
        )


@strawberry.input
class GoodsItemFilter:
    category: str | None = strawberry.field(
        default=None, description="A catalogue code: it and everything below."
    )
    search: str | None = strawberry.field(
        default=None, description="Part of the name, brand or model."
    )
    code: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    status: ItemStatus | None = None  # type: ignore[valid-type]


@strawberry.input
class CreateSupplierListingInput:
    goods_item_id: strawberry.ID
    price: Decimal
    regions: list[str] = strawberry.field(description='Region codes served, e.g. ["441400"].')
    stock: int = 0
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A provincial admin names the supplier; a supplier lists for their own.",
    )

    def to_service(self) -> listings.ListingInput:
        return listings.ListingInput(
            organisation_id=input_id(self.organisation_id, "organisation", "organisationId"),
            goods_item_id=input_id(self.goods_item_id, "goods item", "goodsItemId"),
            price=self.price,
            stock=self.stock,
            regions=self.regions,
        )


@strawberry.input(description="Fields left out stay as they are; regions replace the whole list.")
class UpdateSupplierListingInput:
    price: Decimal | None = None
    stock: int | None = None
    regions: list[str] | None = None

    def to_service(self) -> listings.ListingInput:
        return listings.ListingInput(price=self.price, stock=self.stock, regions=self.regions)


@strawberry.input
class SupplierListingFilter:
    goods_item_id: strawberry.ID | None = None
    organisation_id: strawberry.ID | None = None
    region: str | None = strawberry.field(
        default=None,
        description="Listings serving this region (directly or through its city or province).",
    )
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    status: ListingStatus | None = None  # type: ignore[valid-type]
    direct_purchase: bool = strawberry.field(
        default=False,
        description=(
            "Only listings a purchaser of your region can order by direct purchase now, as the "
            "order checks it: offered, of an item still listed, delivering to your region, not "
            "held by a price alert or a pending listing review, one unit within your region's "
            "direct-purchase cap, in stock. A listing above the comparison band is still "
            "returned (its order needs a comparison of makers); the plan line and splitting "
            "are the order's."
        ),
    )
    designated: bool = strawberry.field(
        default=False,
        description=(
            "Only live listings whose supplier a purchaser of your region may order from under "
            "a framework agreement in force today (of your region or above) for the item's "
            "category or a category above it: the listings whose modes include DESIGNATED."
        ),
    )
