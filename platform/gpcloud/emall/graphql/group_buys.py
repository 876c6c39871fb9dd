"""Group buys (批量集采) through the API: the region opens one and records its award; its
purchasers join with their quantities; each share becomes an order (a MallOrder)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_mutation, run_payload
from gpcloud.core.graphql.permissions import allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.money import to_yuan
from gpcloud.core.scheduler.graphql import Schedule, schedule_of
from gpcloud.emall.graphql.mall import READERS, MallOrder, live
from gpcloud.emall.service import group_buys
from gpcloud.emall.workflow import GROUP_BUY

MallGroupBuyStatus = state_enum(
    "MallGroupBuyStatus",
    GROUP_BUY,
    {
        "collecting": "Purchasers of the region and below join with their quantities until "
        "joinsCloseAt.",
        "procuring": "Joining closed; the region procures the total and records the award.",
        "awarded": "The award is recorded and published; every share became an order.",
        "failed": "No purchaser joined by joinsCloseAt.",
        "withdrawn": "The region called it off; every share's hold was released.",
    },
)


@strawberry.type(description="A purchaser's part of a group buy.")
class MallGroupShare:
    id: strawberry.ID
    tenant_code: str = strawberry.field(description="The purchaser's region.")
    purchaser_id: strawberry.ID = strawberry.field(description="The purchaser unit.")
    plan_id: strawberry.ID = strawberry.field(description="The filed plan that funds it.")
    indicator_id: strawberry.ID = strawberry.field(description="The plan line's indicator.")
    quantity: int = strawberry.field(description="How many units it takes.")
    held: Decimal = strawberry.field(
        description="Yuan held on the plan line while joined: quantity x the ceiling."
    )
    status: str = strawberry.field(
        description="joined; ordered (its order was placed at the award); released (the group "
        "buy was called off)."
    )
    order_id: strawberry.ID | None = strawberry.field(
        description="The order it became at the award."
    )

    @classmethod
    def of(cls, row: dict) -> MallGroupShare:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            purchaser_id=strawberry.ID(str(row["purchaser"])),
            plan_id=strawberry.ID(str(row["plan"])),
            indicator_id=strawberry.ID(str(row["indicator"])),
            quantity=row["quantity"],
            held=to_yuan(row["held_fen"]),
            status=row["status"],
            order_id=strawberry.ID(str(row["order"])) if row["order"] else None,
        )


@strawberry.type(
    description="A group buy (批量集中采购): a region gathers its purchasers' demand for one "
    "item and procures the total once; money in yuan."
)
class MallGroupBuy:
    id: strawberry.ID
    tenant_code: str = strawberry.field(description="The organising region.")
    title: str = strawberry.field(description="What is bought.")
    category_code: str = strawberry.field(description="The procurement category (品目) code.")
    specs: JSON = strawberry.field(description="What every share's goods must meet.")
    unit: str = strawberry.field(description="The unit quantities are in, e.g. 台.")
    ceiling_unit_price: Decimal = strawberry.field(
        description="The highest unit price the award may have; shares hold it until then."
    )
    joins_close_at: datetime = strawberry.field(description="When joining closes.")
    quantity: int = strawberry.field(description="The shares' total, fixed when joining closes.")
    status: MallGroupBuyStatus = strawberry.field(description="Where the group buy stands.")  # type: ignore[valid-type]
    supplier_name: str = strawberry.field(description="The awarded supplier, once awarded.")
    unit_price: Decimal | None = strawberry.field(description="The awarded unit price.")
    award_reference: str = strawberry.field(
        description="The number of the procurement the award came from."
    )
    outcome: str = strawberry.field(description="Why it failed or was withdrawn.")
    schedule: Schedule = strawberry.field(
        description="What the platform will do by itself: close joining at joinsCloseAt."
    )

    @classmethod
    def of(cls, row: dict) -> MallGroupBuy:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            title=row["title"],
            category_code=row["category_code"],
            specs=json.loads(row["specs"]),
            unit=row["unit"],
            ceiling_unit_price=to_yuan(row["ceiling_unit_fen"]),
            joins_close_at=row["joins_close_at"],
            quantity=row["quantity"],
            status=MallGroupBuyStatus(row["status"]),
            supplier_name=row["supplier_name"],
            unit_price=to_yuan(row["unit_fen"]) if row["unit_fen"] is not None else None,
            award_reference=row["award_reference"],
            outcome=row["outcome"],
            schedule=schedule_of(GROUP_BUY, row),
        )

    @strawberry.field(
        extensions=allow(READERS),
        description="Its shares: the organising region's staff see every share, a purchaser "
        "its own unit's.",
        directives=[ListSize(max=group_buys.MAX_SHARES)],
    )
    async def shares(self, info: Info) -> list[MallGroupShare]:
        user = info.context.user
        loader = info.context.loaders.get(
            "mall_group_shares", lambda ids: group_buys.shares_of(user, ids)
        )
        return [MallGroupShare.of(r) for r in await loader.load(int(self.id))]


@strawberry.input
class MallGroupBuyInput:
    title: str = strawberry.field(description="What is bought, 2 to 200 characters.")
    category_code: str = strawberry.field(description="An active catalogue code.")
    unit: str = strawberry.field(description="The unit quantities are in, e.g. 台.")
    ceiling_unit_price: Decimal = strawberry.field(
        description="The highest unit price in yuan (a Decimal string)."
    )
    joins_close_at: datetime = strawberry.field(
        description="When joining closes: 1 hour to 60 days ahead, with its time zone."
    )
    specs: JSON | None = strawberry.field(
        default=None, description="What the goods must meet (an object of strings)."
    )

    def to_service(self) -> group_buys.GroupBuyInput:
        specs = self.specs if isinstance(self.specs, dict) else {}
        return group_buys.GroupBuyInput(
            title=self.title,
            category_code=self.category_code,
            unit=self.unit,
            ceiling_unit_price=self.ceiling_unit_price,
            joins_close_at=self.joins_close_at,
            specs={str(k): str(v) for k, v in specs.items()},
        )


@strawberry.type
class MallGroupBuyPayload:
    group_buy: MallGroupBuy | None = strawberry.field(
        default=None, description="The group buy as it is now; null on errors."
    )
    orders: list[MallOrder] = strawberry.field(
        default_factory=list,
        description="The orders the shares became (an award only).",
        directives=[ListSize(max=group_buys.MAX_SHARES)],
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MallGroupSharePayload:
    share: MallGroupShare | None = strawberry.field(
        default=None, description="Your unit's share as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _group(work):
    return run_payload(MallGroupBuyPayload, "group_buy", MallGroupBuy.of, work)


def _share(work):
    return run_payload(MallGroupSharePayload, "share", MallGroupShare.of, work)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS),
        description="Group buys of your region, the regions above it (those you may join) "
        "and below it.",
    )
    async def mall_group_buys(
        self,
        info: Info,
        status: Annotated[
            MallGroupBuyStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only group buys in this state."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[MallGroupBuy]:
        page = await group_buys.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, MallGroupBuy.of)

    @strawberry.field(
        extensions=allow(READERS), description="One group buy, to whoever may see it."
    )
    async def mall_group_buy(self, info: Info, id: strawberry.ID) -> MallGroupBuy:
        return MallGroupBuy.of(
            await group_buys.readable(info.context.user, parse_id(id, "group buy"))
        )


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=live(Perm.MALL_GROUP_BUY_MANAGE),
        description="Open a group buy of your region (批量集采): purchasers of the region and "
        "below join until joinsCloseAt.",
    )
    async def open_mall_group_buy(
        self, info: Info, input: MallGroupBuyInput
    ) -> MallGroupBuyPayload:
        return await _group(
            lambda: group_buys.open_group_buy(info.context.user, input.to_service())
        )

    @strawberry.mutation(
        extensions=live(Perm.MALL_ORDER_PLACE),
        description="Join a group buy with your unit's quantity, funded by a filed plan's line "
        "(quantity x the ceiling is held on it until the award).",
    )
    async def join_mall_group_buy(
        self,
        info: Info,
        group_buy_id: Annotated[strawberry.ID, strawberry.argument(description="The group buy.")],
        quantity: Annotated[int, strawberry.argument(description="How many units.")],
        plan_id: Annotated[
            strawberry.ID, strawberry.argument(description="Your unit's filed plan.")
        ],
        indicator_id: Annotated[
            strawberry.ID, strawberry.argument(description="The plan line's budget indicator.")
        ],
    ) -> MallGroupSharePayload:
        data = group_buys.JoinInput(
            parse_id(group_buy_id, "group buy"),
            quantity,
            parse_id(plan_id, "plan"),
            parse_id(indicator_id, "indicator"),
        )
        return await _share(lambda: group_buys.join(info.context.user, data))

    @strawberry.mutation(
        extensions=live(Perm.MALL_ORDER_PLACE),
        description="Take your unit's share back while joining is open; its hold is released.",
    )
    async def leave_mall_group_buy(
        self,
        info: Info,
        group_buy_id: Annotated[strawberry.ID, strawberry.argument(description="The group buy.")],
    ) -> MallGroupSharePayload:
        return await _share(
            lambda: group_buys.leave(info.context.user, parse_id(group_buy_id, "group buy"))
        )

    @strawberry.mutation(
        extensions=live(Perm.MALL_GROUP_BUY_MANAGE),
        description="Record the award of a group buy your region procured: every share "
        "becomes an order at the awarded unit price and the result is published.",
    )
    async def award_mall_group_buy(
        self,
        info: Info,
        group_buy_id: Annotated[strawberry.ID, strawberry.argument(description="The group buy.")],
        supplier_organisation_id: Annotated[
            strawberry.ID, strawberry.argument(description="The awarded supplier organisation.")
        ],
        unit_price: Annotated[
            Decimal,
            strawberry.argument(description="The awarded unit price in yuan, within the ceiling."),
        ],
        reference: Annotated[
            str,
            strawberry.argument(description="The number of the procurement it came from."),
        ],
    ) -> MallGroupBuyPayload:
        data = group_buys.AwardInput(
            parse_id(group_buy_id, "group buy"),
            parse_id(supplier_organisation_id, "organisation"),
            unit_price,
            reference,
        )

        async def work() -> MallGroupBuyPayload:
            group, placed = await group_buys.award(info.context.user, data)
            return MallGroupBuyPayload(
                group_buy=MallGroupBuy.of(group), orders=[MallOrder.of(o) for o in placed]
            )

        return await run_mutation(MallGroupBuyPayload, work)

    @strawberry.mutation(
        extensions=live(Perm.MALL_GROUP_BUY_MANAGE),
        description="Call a group buy off before its award, saying why; holds are released.",
    )
    async def withdraw_mall_group_buy(
        self,
        info: Info,
        group_buy_id: Annotated[strawberry.ID, strawberry.argument(description="The group buy.")],
        reason: Annotated[str, strawberry.argument(description="Why, 4 to 500 characters.")],
    ) -> MallGroupBuyPayload:
        return await _group(
            lambda: group_buys.withdraw(
                info.context.user, parse_id(group_buy_id, "group buy"), reason
            )
        )
