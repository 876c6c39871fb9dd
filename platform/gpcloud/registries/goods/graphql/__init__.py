"""The goods registry through the API: the catalogue, goods and supplier listings.

Reads are open to every account past first login; the province keeps the catalogue and goods,
suppliers (and provincial admins) keep listings.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.core.ops.descriptions import field_meanings
from gpcloud.registries.goods.graphql.inputs import (
    CreateGoodsItemInput,
    CreateSupplierListingInput,
    GoodsItemFilter,
    SupplierListingFilter,
    UpdateGoodsItemInput,
    UpdateSupplierListingInput,
)
from gpcloud.registries.goods.graphql.types import (
    KEEPERS,
    LISTERS,
    READERS,
    CategoryKind,
    CategoryStatus,
    GoodsCategory,
    GoodsCategoryPayload,
    GoodsItem,
    GoodsItemPayload,
    ItemStatus,
    ListingStatus,
    SupplierListing,
    SupplierListingPayload,
    input_id,
)
from gpcloud.registries.goods.service import categories, items, listings, search


async def _or_none(load):
    try:
        return await load
    except DomainError as exc:
        if exc.code == "NOT_FOUND":
            return None
        raise


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS),
        description="The children of a category (the roots without parentCode), or up to 100 name matches.",
        directives=[ListSize(max=categories.MAX_LIST)],
    )
    async def goods_categories(
        self,
        parent_code: str | None = None,
        search: str | None = None,
        status: CategoryStatus | None = None,  # type: ignore[valid-type]
        kind: CategoryKind | None = None,  # type: ignore[valid-type]
    ) -> list[GoodsCategory]:
        rows = await categories.list_categories(
            parent_code, search, status.value if status else None, kind.value if kind else None
        )
        return [GoodsCategory.of(r) for r in rows]

    @strawberry.field(extensions=allow(READERS), description="One category; null if none.")
    async def goods_category(self, code: str) -> GoodsCategory | None:
        row = await _or_none(categories.get_category(code))
        return GoodsCategory.of(row) if row else None

    @strawberry.field(extensions=allow(READERS), description="Goods of the registry, by code.")
    async def goods_items(
        self,
        filter: GoodsItemFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[GoodsItem]:
        flt = filter or GoodsItemFilter()
        page = await search.search_items(
            search.GoodsItemFilter(
                category=flt.category,
                search=flt.search,
                code=flt.code,
                min_price=flt.min_price,
                max_price=flt.max_price,
                status=flt.status.value if flt.status else None,
            ),
            first,
            after,
        )
        return connection(page, GoodsItem.of)

    @strawberry.field(extensions=allow(READERS), description="One goods item; null if none.")
    async def goods_item(self, id: strawberry.ID) -> GoodsItem | None:
        row = await _or_none(items.get_item(parse_id(id, "goods item")))
        return GoodsItem.of(row) if row else None

    @strawberry.field(extensions=allow(READERS), description="Suppliers' listings of goods.")
    async def supplier_listings(
        self,
        info: Info,
        filter: SupplierListingFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SupplierListing]:
        flt = filter or SupplierListingFilter()
        page = await search.search_listings(
            search.ListingFilter(
                goods_item_id=input_id(flt.goods_item_id, "goods item", "goodsItemId"),
                organisation_id=input_id(flt.organisation_id, "organisation", "organisationId"),
                region=flt.region,
                min_price=flt.min_price,
                max_price=flt.max_price,
                status=flt.status.value if flt.status else None,
                direct_purchase_for=info.context.user.tenant if flt.direct_purchase else None,
                designated_for=info.context.user.tenant if flt.designated else None,
            ),
            first,
            after,
        )
        return connection(page, SupplierListing.of)

    @strawberry.field(extensions=allow(READERS), description="One listing; null if none.")
    async def supplier_listing(self, id: strawberry.ID) -> SupplierListing | None:
        row = await _or_none(listings.get_listing(parse_id(id, "listing")))
        return SupplierListing.of(row) if row else None


field_meanings(
    (
        "Query.goodsCategories",
        "Query.goodsCategory",
        "Mutation.createGoodsCategory",
        "Mutation.renameGoodsCategory",
        "Mutation.setGoodsCategoryStatus",
    ),
    {
        "parentCode": "The category whose children to list; none: the roots.",
        "search": "Part of a name: up to 100 matches instead of children.",
        "kind": "Only goods, works or services.",
        "code": "The catalogue code, e.g. A02010104.",
        "name": "Its name, in Chinese.",
    },
)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(KEEPERS), description="Add a code to the procurement catalogue."
    )
    async def create_goods_category(self, info: Info, code: str, name: str) -> GoodsCategoryPayload:
        async def work() -> GoodsCategoryPayload:
            row = await categories.create_category(info.context.user, code, name)
            return GoodsCategoryPayload(category=GoodsCategory.of(row))

        return await run_mutation(GoodsCategoryPayload, work)

    @strawberry.mutation(extensions=allow(KEEPERS), description="Give a category a new name.")
    async def rename_goods_category(self, info: Info, code: str, name: str) -> GoodsCategoryPayload:
        async def work() -> GoodsCategoryPayload:
            row = await categories.rename_category(info.context.user, code, name)
            return GoodsCategoryPayload(category=GoodsCategory.of(row))

        return await run_mutation(GoodsCategoryPayload, work)

    @strawberry.mutation(
        extensions=allow(KEEPERS),
        description="Deactivate a category with its branch (refused while active goods use it), or reactivate one.",
    )
    async def set_goods_category_status(
        self,
        info: Info,
        code: str,
        status: CategoryStatus,
        reason: str,  # type: ignore[valid-type]
    ) -> GoodsCategoryPayload:
        async def work() -> GoodsCategoryPayload:
            row = await categories.set_category_status(
                info.context.user, code, status.value, reason
            )
            return GoodsCategoryPayload(category=GoodsCategory.of(row))

        return await run_mutation(GoodsCategoryPayload, work)

    @strawberry.mutation(extensions=allow(KEEPERS), description="Add a standard product.")
    async def create_goods_item(self, info: Info, input: CreateGoodsItemInput) -> GoodsItemPayload:
        async def work() -> GoodsItemPayload:
            row = await items.create_item(info.context.user, input.to_service())
            return GoodsItemPayload(goods_item=GoodsItem.of(row))

        return await run_mutation(GoodsItemPayload, work)

    @strawberry.mutation(
        extensions=allow(KEEPERS), description="Correct a product; only what is given changes."
    )
    async def update_goods_item(
        self, info: Info, id: strawberry.ID, input: UpdateGoodsItemInput
    ) -> GoodsItemPayload:
        async def work() -> GoodsItemPayload:
            row = await items.update_item(
                info.context.user, parse_id(id, "goods item"), input.to_service()
            )
            return GoodsItemPayload(goods_item=GoodsItem.of(row))

        return await run_mutation(GoodsItemPayload, work)

    @strawberry.mutation(
        extensions=allow(KEEPERS),
        description="Deactivating an item withdraws its active listings.",
    )
    async def set_goods_item_status(
        self,
        info: Info,
        id: strawberry.ID,
        status: ItemStatus,
        reason: str,  # type: ignore[valid-type]
    ) -> GoodsItemPayload:
        async def work() -> GoodsItemPayload:
            row = await items.set_item_status(
                info.context.user, parse_id(id, "goods item"), status.value, reason
            )
            return GoodsItemPayload(goods_item=GoodsItem.of(row))

        return await run_mutation(GoodsItemPayload, work)

    @strawberry.mutation(
        extensions=allow(LISTERS),
        description="Offer a goods item (suppliers: for their own organisation).",
    )
    async def create_supplier_listing(
        self, info: Info, input: CreateSupplierListingInput
    ) -> SupplierListingPayload:
        async def work() -> SupplierListingPayload:
            row = await listings.create_listing(info.context.user, input.to_service())
            return SupplierListingPayload(listing=SupplierListing.of(row))

        return await run_mutation(SupplierListingPayload, work)

    @strawberry.mutation(
        extensions=allow(LISTERS), description="Change your listing's price, stock or regions."
    )
    async def update_supplier_listing(
        self, info: Info, id: strawberry.ID, input: UpdateSupplierListingInput
    ) -> SupplierListingPayload:
        async def work() -> SupplierListingPayload:
            row = await listings.update_listing(
                info.context.user, parse_id(id, "listing"), input.to_service()
            )
            return SupplierListingPayload(listing=SupplierListing.of(row))

        return await run_mutation(SupplierListingPayload, work)

    @strawberry.mutation(
        extensions=allow(LISTERS), description="Withdraw a listing or offer it again."
    )
    async def set_supplier_listing_status(
        self,
        info: Info,
        id: strawberry.ID,
        status: ListingStatus,
        reason: str = "",  # type: ignore[valid-type]
    ) -> SupplierListingPayload:
        async def work() -> SupplierListingPayload:
            row = await listings.set_listing_status(
                info.context.user, parse_id(id, "listing"), status.value, reason
            )
            return SupplierListingPayload(listing=SupplierListing.of(row))

        return await run_mutation(SupplierListingPayload, work)
