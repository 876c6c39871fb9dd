"""Mode availability and price flags of listings, for the catalogue search (issue 17).

The goods registry sits below the e-mall, so its search asks for these by name
(gpcloud.domains: LISTING_MODES, DESIGNATED, LISTING_ALERTS), as it asks for the direct-purchase
conditions. Each mode is a SQL condition on the listing's row (goods' LISTING_ID and the
`"goods_listing"` columns), so that a page's modes are one statement and the `designated`
filter is the same condition the `modes` field reports:

| mode | when, for a purchaser of `region` |
|---|---|
| direct_purchase | every rule of purchasable.rules for one unit (what the order checks) |
| designated | the listing is live and its supplier is designated under a framework agreement in force today of the region or a region above it, for the item's category or a category above it |
| group_buy | the listing is live and a group buy of the region or above, of the item's category or above, collects now (its purchasers may join it) |

The agreements in force and the collecting group buys are few: they are read first (tenant ids
within `regions_above(region)`, so another region's never count), and the listing's condition
names them by id / category code.
"""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw

from gpcloud.core.clock import now, today
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.service import purchasable
from gpcloud.emall.service.common import regions_above
from gpcloud.emall.tables import FrameworkAgreement, MallGroupBuy
from gpcloud.registries.goods.service import conditions as goods

MODES = ("direct_purchase", "designated", "group_buy")
SCOPE = "purchasers use the framework agreements and group buys of their region and above"
NEVER = "1 = 0"


def _placeholders(values: list) -> str:
    return ", ".join("{}" for _ in values)


async def designated_condition(region: str):
    """Listings whose supplier a purchaser of `region` may order from under a framework
    agreement in force today (and has not been withdrawn from it), for the listing item's category (or a category above it)."""
    on = today()
    with all_tenants(SCOPE):
        agreements = await FrameworkAgreement.select(FrameworkAgreement.id).where(
            FrameworkAgreement.tenant_id.is_in(await regions_above(region))
            & (FrameworkAgreement.status == "active")
            & (FrameworkAgreement.starts_on <= on)
            & (FrameworkAgreement.ends_on >= on)
        )
    ids = [r["id"] for r in agreements]
    if not ids:
        return WhereRaw(NEVER)
    marks = _placeholders(ids)
    # The set of such listings, read once by the designated suppliers (few) through the
    # listing's organisation index and matched to the agreement's category, then probed per
    # listing (a semi-join), rather than a correlated probe per listing the page walks.
    return goods.live() & WhereRaw(
        '"goods_listing"."id" IN (SELECT l."id" FROM "mall_designated_supplier" AS d JOIN '
        '"mall_framework_agreement" AS a ON a."id" = d."agreement" JOIN "goods_listing" AS l '
        'ON l."organisation" = d."supplier_organisation" JOIN "goods_item" AS item ON item."id" '
        f'= l."goods_item" WHERE d."agreement" IN ({marks}) AND d."status" = \'active\' AND '
        'item."category" LIKE '
        "a.\"category_code\" || '%')",
        *ids,
    )


async def group_buy_condition(region: str):
    """Listings of a category (or below) a group buy of `region` or above collects for now."""
    with all_tenants(SCOPE):
        buys = await MallGroupBuy.select(MallGroupBuy.category_code).where(
            MallGroupBuy.tenant_id.is_in(await regions_above(region))
            & (MallGroupBuy.status == "collecting")
            & (MallGroupBuy.joins_close_at > now())
        )
    prefixes = sorted({r["category_code"] + "%" for r in buys})
    if not prefixes:
        return WhereRaw(NEVER)
    likes = " OR ".join('item."category" LIKE {}' for _ in prefixes)
    return goods.live() & WhereRaw(
        'EXISTS (SELECT 1 FROM "goods_item" AS item WHERE item."id" = '
        f'"goods_listing"."goods_item" AND ({likes}))',
        *prefixes,
    )


async def modes_of(region: str, listing_ids: list[int]) -> list[list[str]]:
    """The modes a purchaser of `region` could use for each listing today, in the ids' order
    (a batch: one statement for the page)."""
    direct = await purchasable.search_conditions(region, True)
    checks = [*direct, await designated_condition(region), await group_buy_condition(region)]
    met = await goods.meets(listing_ids, checks)
    found = []
    for listing_id in listing_ids:
        oks = met.get(listing_id)
        if oks is None:
            found.append([])
            continue
        modes = []
        if all(oks[: len(direct)]):
            modes.append("direct_purchase")
        if oks[len(direct)]:
            modes.append("designated")
        if oks[len(direct) + 1]:
            modes.append("group_buy")
        found.append(modes)
    return found
