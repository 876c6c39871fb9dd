"""Purchasers through the API."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Authenticated, Requires, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.ops.descriptions import field_meanings
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code
from gpcloud.registries.purchasers import service
from gpcloud.registries.purchasers.tables import STATUSES

MANAGERS = Requires(Perm.PURCHASER_MANAGE)
READERS = Requires(Perm.PURCHASER_READ)
# A purchaser is returned to holders of purchaser.read and to its own users (myPurchaser): its
# fields are theirs.
SEEN_BY = Authenticated()

PurchaserStatus = values_enum(
    "PurchaserStatus",
    STATUSES,
    "Whether a purchaser (budget unit) is active.",
    {"active": "May plan and procure.", "inactive": "Deactivated: no new plans or orders."},
)
field_meanings(
    ("Purchaser", "PurchaserInput", "PurchaserFilter"),
    {
        "name": "The unit's registered name.",
        "uscc": "Unified social credit code, 18 characters.",
        "budgetUnitCode": "The code the finance system (digital_finance) knows it by.",
        "parentId": "The unit above it (e.g. the education bureau of a school).",
        "contactName": "Who to contact about its procurements.",
        "contactPhone": "Their phone.",
        "status": "Whether it is active.",
        "organisationId": "Its organisation (its users' accounts belong to it).",
        "tenant": "The region it belongs to.",
        "includeSubtree": "With `tenant`: also the regions below it (default true).",
    },
)
field_meanings(("PurchaserPayload",), {"purchaser": "The unit as it is now; null on errors."})


@strawberry.type(description="A budget unit that procures (采购人).")
class Purchaser:
    id: strawberry.ID
    name: str
    uscc: str | None = strawberry.field(description="Unified social credit code.")
    budget_unit_code: str = strawberry.field(description="The code digital_finance knows it by.")
    contact_name: str
    contact_phone: str
    status: PurchaserStatus  # type: ignore[valid-type]
    created_at: datetime
    updated_at: datetime
    organisation_id: strawberry.ID
    tenant_code: strawberry.Private[str]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: dict) -> Purchaser:
        return cls(
            id=strawberry.ID(str(row["id"])),
            name=row["name"],
            uscc=row["uscc"],
            budget_unit_code=row["budget_unit_code"],
            contact_name=row["contact_name"],
            contact_phone=row["contact_phone"],
            status=PurchaserStatus(row["status"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            organisation_id=strawberry.ID(str(row["organisation"])),
            tenant_code=row["tenant_id"],
            parent_id=row["parent"],
        )

    @strawberry.field(extensions=allow(SEEN_BY))
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)

    @strawberry.field(
        extensions=allow(SEEN_BY),
        description="The unit above this one (e.g. the education bureau of a school).",
    )
    async def parent(self, info: Info) -> Purchaser | None:
        if self.parent_id is None:
            return None
        loader = info.context.loaders.get("purchaser", service.purchasers_by_id)
        row = await loader.load(self.parent_id)
        return Purchaser.of(row) if row else None


@strawberry.input
class PurchaserInput:
    name: str | None = None
    uscc: str | None = None
    budget_unit_code: str | None = None
    parent_id: strawberry.ID | None = None
    contact_name: str | None = None
    contact_phone: str | None = None

    def to_service(self) -> service.PurchaserInput:
        return service.PurchaserInput(
            name=self.name,
            uscc=self.uscc,
            budget_unit_code=self.budget_unit_code,
            parent_id=parse_id(self.parent_id, "purchaser") if self.parent_id else None,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
        )


@strawberry.input
class PurchaserFilter:
    tenant: str | None = strawberry.field(
        default=None, description="Region code; default: all you see."
    )
    include_subtree: bool = True
    search: str | None = strawberry.field(
        default=None, description="Part of the name, or an exact budget unit code or credit code."
    )
    status: PurchaserStatus | None = None  # type: ignore[valid-type]
    parent_id: strawberry.ID | None = None


@strawberry.type
class PurchaserPayload:
    purchaser: Purchaser | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(extensions=allow(READERS), description="Purchasers of the regions you see.")
    async def purchasers(
        self,
        info: Info,
        filter: PurchaserFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Purchaser]:
        flt = filter or PurchaserFilter()
        page = await service.search(
            info.context.user,
            service.PurchaserFilter(
                tenant=flt.tenant,
                include_subtree=flt.include_subtree,
                search=flt.search,
                status=flt.status.value if flt.status else None,
                parent_id=parse_id(flt.parent_id, "purchaser") if flt.parent_id else None,
            ),
            first,
            after,
        )
        return connection(page, Purchaser.of)

    @strawberry.field(extensions=allow(READERS), description="One purchaser; null if none.")
    async def purchaser(self, id: strawberry.ID) -> Purchaser | None:
        try:
            return Purchaser.of(await service.get(parse_id(id, "purchaser")))
        except DomainError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    @strawberry.field(
        extensions=allow(Requires(Perm.PURCHASER_READ_OWN)), description="The unit you work for."
    )
    async def my_purchaser(self, info: Info) -> Purchaser | None:
        row = await service.of_user(info.context.user)
        return Purchaser.of(row) if row else None


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(MANAGERS), description="Register a budget unit in your region."
    )
    async def create_purchaser(
        self, info: Info, tenant: str, input: PurchaserInput
    ) -> PurchaserPayload:
        async def work() -> PurchaserPayload:
            return PurchaserPayload(
                purchaser=Purchaser.of(
                    await service.create(info.context.user, tenant, input.to_service())
                )
            )

        return await run_mutation(PurchaserPayload, work)

    @strawberry.mutation(
        extensions=allow(MANAGERS), description="Correct a unit; only what is given changes."
    )
    async def update_purchaser(
        self, info: Info, id: strawberry.ID, input: PurchaserInput
    ) -> PurchaserPayload:
        async def work() -> PurchaserPayload:
            row = await service.update(
                info.context.user, parse_id(id, "purchaser"), input.to_service()
            )
            return PurchaserPayload(purchaser=Purchaser.of(row))

        return await run_mutation(PurchaserPayload, work)

    @strawberry.mutation(extensions=allow(MANAGERS), description="Deactivate or reactivate a unit.")
    async def set_purchaser_status(
        self,
        info: Info,
        id: strawberry.ID,
        status: PurchaserStatus,
        reason: str,  # type: ignore[valid-type]
    ) -> PurchaserPayload:
        async def work() -> PurchaserPayload:
            row = await service.set_status(
                info.context.user, parse_id(id, "purchaser"), status.value, reason
            )
            return PurchaserPayload(purchaser=Purchaser.of(row))

        return await run_mutation(PurchaserPayload, work)
