"""Accounts: login, the caller's own account, and account administration."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from gpcloud.core.auth import admin, service
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import ORGANISATION_KINDS, ROLES
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import FirstLogin, Public, Requires, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant
from gpcloud.core.notifications import service as notifications
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code

Role = strawberry.enum(
    Enum("Role", {r.upper(): r for r in ROLES}), description="What an account may do."
)
OrganisationKind = strawberry.enum(
    Enum("OrganisationKind", {k.upper(): k for k in ORGANISATION_KINDS}),
    description="What an organisation is; it decides the roles its accounts may hold.",
)
ProfileField = strawberry.enum(
    Enum("ProfileField", {f.upper(): f for f in service.PROFILE_FIELDS}),
    description="A profile field an account must fill in at first login.",
)
UserStatus = strawberry.enum(
    Enum("UserStatus", {s.upper(): s for s in admin.USER_STATUSES}),
    description="Whether an account may log in.",
)
READERS = Requires(Perm.USER_READ)


@strawberry.type(
    description="An organisation accounts belong to: a finance bureau, budget unit, agency, supplier..."
)
class Organisation:
    id: strawberry.ID
    name: str
    kind: OrganisationKind  # type: ignore[valid-type]
    uscc: str | None = strawberry.field(description="Unified social credit code.")
    region_code: strawberry.Private[str]

    @classmethod
    def of(cls, row: dict) -> Organisation:
        return cls(
            id=strawberry.ID(str(row["id"])),
            name=row["name"],
            kind=OrganisationKind(row["kind"]),
            uscc=row["uscc"],
            region_code=row["region"],
        )

    @strawberry.field(extensions=allow(FirstLogin()))
    async def region(self) -> Tenant | None:
        return await tenant_by_code(self.region_code)


@strawberry.type(
    description="An account: who may log in, in which tenant and organisation, with which roles."
)
class User:
    id: strawberry.ID
    username: str
    display_name: str
    mobile: str
    email: str
    status: UserStatus  # type: ignore[valid-type]
    must_change_password: bool
    last_login_at: datetime | None
    created_at: datetime
    tenant_code: strawberry.Private[str]
    organisation_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: dict) -> User:
        return cls(
            id=strawberry.ID(str(row["id"])),
            username=row["username"],
            display_name=row["display_name"],
            mobile=row["mobile"],
            email=row["email"],
            status=UserStatus(row["status"]),
            must_change_password=row["must_change_password"],
            last_login_at=row["last_login_at"],
            created_at=row["created_at"],
            tenant_code=row["tenant_id"],
            organisation_id=row["organisation"],
        )

    @strawberry.field(extensions=allow(FirstLogin()))
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)

    @strawberry.field(extensions=allow(FirstLogin()))
    async def organisation(self, info: Info) -> Organisation | None:
        loader = info.context.loaders.get("organisation", service.organisations_by_id)
        row = await loader.load(self.organisation_id)
        return Organisation.of(row) if row else None

    @strawberry.field(extensions=allow(FirstLogin()), directives=[ListSize(max=len(ROLES))])
    async def roles(self, info: Info) -> list[Role]:  # type: ignore[valid-type]
        loader = info.context.loaders.get("user_roles", service.roles_by_user)
        return [
            Role(r["role"])
            for r in sorted(await loader.load(int(self.id)), key=lambda r: r["role"])
        ]


@strawberry.type(description="The caller's own account and what the first-login rule still asks.")
class Me:
    user: User
    first_login_pending: bool = strawberry.field(
        description="True until the password is changed and the profile complete; until then "
        "only me, changePassword and completeProfile work."
    )
    must_change_password: bool
    missing_profile_fields: list[ProfileField] = strawberry.field(  # type: ignore[valid-type]
        directives=[ListSize(max=len(service.PROFILE_FIELDS))]
    )

    @strawberry.field(extensions=allow(FirstLogin()), description="Unread in your inbox.")
    async def unread_notifications(self, info: Info) -> int:
        return await notifications.unread_count(info.context.user)


async def _me(current: service.CurrentUser) -> Me:
    return Me(
        user=User.of(await admin.get_user(current.id)),
        first_login_pending=current.first_login_pending,
        must_change_password=current.must_change_password,
        missing_profile_fields=[ProfileField(f) for f in current.missing_profile],
    )


@strawberry.type
class LoginPayload:
    token: str | None = strawberry.field(
        default=None, description="Send as 'Authorization: Bearer <token>'."
    )
    expires_at: datetime | None = None
    me: Me | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MePayload:
    me: Me | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserPayload:
    user: User | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserPasswordPayload:
    user: User | None = None
    one_time_password: str | None = strawberry.field(
        default=None,
        description="Shown once: hand it to the account holder, who must change it at first login.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrganisationPayload:
    organisation: Organisation | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ProfileInput:
    display_name: str | None = None
    mobile: str | None = None
    email: str | None = None


@strawberry.input
class CreateUserInput:
    tenant: str = strawberry.field(description="Region code of the account's tenant.")
    username: str
    organisation_id: strawberry.ID
    roles: list[Role]  # type: ignore[valid-type]
    display_name: str = ""
    mobile: str = ""
    email: str = ""


@strawberry.input
class UpdateUserInput:
    display_name: str | None = None
    mobile: str | None = None
    email: str | None = None
    roles: list[Role] | None = None  # type: ignore[valid-type]
    status: UserStatus | None = None  # type: ignore[valid-type]


@strawberry.input
class UserFilter:
    tenant: str | None = strawberry.field(
        default=None, description="Region code; default: all you see."
    )
    include_subtree: bool = True
    role: Role | None = None  # type: ignore[valid-type]
    status: UserStatus | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(
        default=None, description="Start of the login name, or part of the display name."
    )


@strawberry.input
class CreateOrganisationInput:
    name: str
    kind: OrganisationKind  # type: ignore[valid-type]
    region: str = strawberry.field(description="Region code where it is registered.")
    uscc: str | None = None


@strawberry.type
class Queries:
    @strawberry.field(extensions=allow(FirstLogin()))
    async def me(self, info: Info) -> Me:
        return await _me(info.context.user)

    @strawberry.field(extensions=allow(READERS))
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User]:
        flt = filter or UserFilter()
        page = await admin.list_users(
            info.context.user,
            admin.UserFilter(
                tenant=flt.tenant,
                include_subtree=flt.include_subtree,
                role=flt.role.value if flt.role else None,
                status=flt.status.value if flt.status else None,
                search=flt.search,
            ),
            first,
            after,
        )
        return connection(page, User.of)

    @strawberry.field(extensions=allow(READERS))
    async def user(self, id: strawberry.ID) -> User | None:
        try:
            return User.of(await admin.get_user(parse_id(id, "user")))
        except DomainError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    @strawberry.field(extensions=allow(READERS))
    async def organisations(
        self,
        kind: OrganisationKind | None = None,  # type: ignore[valid-type]
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        page = await admin.list_organisations(kind.value if kind else None, search, first, after)
        return connection(page, Organisation.of)


@strawberry.type
class Mutations:
    @strawberry.mutation(extensions=allow(Public()))
    async def login(self, info: Info, username: str, password: str) -> LoginPayload:
        async def work() -> LoginPayload:
            session = await service.login(username, password, info.context.client_address)
            await info.context.sign_in(session.user)
            return LoginPayload(
                token=session.token, expires_at=session.expires_at, me=await _me(session.user)
            )

        return await run_mutation(LoginPayload, work)

    @strawberry.mutation(
        extensions=allow(FirstLogin()),
        description="Returns a new token: tokens issued before the change stop working.",
    )
    async def change_password(
        self, info: Info, current_password: str, new_password: str
    ) -> LoginPayload:
        async def work() -> LoginPayload:
            session = await service.change_password(
                info.context.user, current_password, new_password
            )
            return LoginPayload(
                token=session.token, expires_at=session.expires_at, me=await _me(session.user)
            )

        return await run_mutation(LoginPayload, work)

    @strawberry.mutation(extensions=allow(FirstLogin()))
    async def complete_profile(self, info: Info, input: ProfileInput) -> MePayload:
        async def work() -> MePayload:
            user = await service.complete_profile(
                info.context.user,
                input.display_name,
                input.mobile,
                input.email,
            )
            return MePayload(me=await _me(user))

        return await run_mutation(MePayload, work)

    @strawberry.mutation(extensions=allow(Requires(Perm.USER_CREATE)))
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPasswordPayload:
        async def work() -> UserPasswordPayload:
            row, password = await admin.create_user(
                info.context.user,
                admin.NewUser(
                    tenant=input.tenant,
                    username=input.username,
                    organisation_id=parse_id(input.organisation_id, "organisation"),
                    roles=[r.value for r in input.roles],
                    display_name=input.display_name,
                    mobile=input.mobile,
                    email=input.email,
                ),
            )
            return UserPasswordPayload(user=User.of(row), one_time_password=password)

        return await run_mutation(UserPasswordPayload, work)

    @strawberry.mutation(extensions=allow(Requires(Perm.USER_UPDATE)))
    async def update_user(
        self, info: Info, id: strawberry.ID, input: UpdateUserInput
    ) -> UserPayload:
        async def work() -> UserPayload:
            row = await admin.update_user(
                info.context.user,
                parse_id(id, "user"),
                admin.UserChanges(
                    display_name=input.display_name,
                    mobile=input.mobile,
                    email=input.email,
                    roles=[r.value for r in input.roles] if input.roles is not None else None,
                    status=input.status.value if input.status else None,
                ),
            )
            return UserPayload(user=User.of(row))

        return await run_mutation(UserPayload, work)

    @strawberry.mutation(extensions=allow(Requires(Perm.USER_RESET_PASSWORD)))
    async def reset_password(self, info: Info, id: strawberry.ID) -> UserPasswordPayload:
        async def work() -> UserPasswordPayload:
            row, password = await admin.reset_password(info.context.user, parse_id(id, "user"))
            return UserPasswordPayload(user=User.of(row), one_time_password=password)

        return await run_mutation(UserPasswordPayload, work)

    @strawberry.mutation(extensions=allow(Requires(Perm.ORGANISATION_CREATE)))
    async def create_organisation(
        self, info: Info, input: CreateOrganisationInput
    ) -> OrganisationPayload:
        async def work() -> OrganisationPayload:
            row = await admin.create_organisation(
                info.context.user, input.name, input.kind.value, input.region, input.uscc
            )
            return OrganisationPayload(organisation=Organisation.of(row))

        return await run_mutation(OrganisationPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.USER_EXPORT)),
        description="Start a job that writes the account list of a tenant and its subtree as CSV.",
    )
    async def export_users(self, info: Info, tenant: str | None = None) -> JobPayload:
        return await enqueue_for_tenant(info.context.user, "users.export", {}, tenant)
