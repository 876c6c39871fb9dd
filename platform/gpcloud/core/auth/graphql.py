"""Accounts: login, the caller's own account, and account administration."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth import admin, service
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import ORGANISATION_KINDS, ROLES
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import FirstLogin, Public, Requires, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant
from gpcloud.core.notifications import service as notifications
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code

ROLE_MEANINGS = {
    "province_admin": "The provincial finance department's platform admin: the whole province.",
    "tenant_admin": "A city's or county's platform admin: its region and below.",
    "supervisor": "A finance department's procurement supervisor (监管): files plans, watches.",
    "purchaser": "A budget unit's procurement clerk (采购人).",
    "agency": "A procurement agency's staff (代理机构).",
    "supplier": "A supplier's staff: bids, quotes, listings, contracts.",
    "expert": "An evaluation expert (评审专家): own record and assignments.",
    "financial_institution": "A bank, guarantee company or insurer of the finance centre.",
}
KIND_MEANINGS = {
    "finance_bureau": "A finance department (财政部门) of the province, a city or a county.",
    "purchaser": "A budget unit that procures (采购人).",
    "agency": "A procurement agency (代理机构).",
    "supplier": "A supplier (供应商).",
    "financial_institution": "A bank, guarantee company or insurer (金融机构).",
    "other": "Anything else, e.g. an expert's employer.",
}
Role = strawberry.enum(
    Enum(
        "Role",
        {r.upper(): strawberry.enum_value(r, description=ROLE_MEANINGS.get(r)) for r in ROLES},
    ),
    description="What an account may do.",
)
OrganisationKind = strawberry.enum(
    Enum(
        "OrganisationKind",
        {
            k.upper(): strawberry.enum_value(k, description=KIND_MEANINGS.get(k))
            for k in ORGANISATION_KINDS
        },
    ),
    description="What an organisation is; it decides the roles its accounts may hold.",
)
ProfileField = values_enum(
    "ProfileField",
    service.PROFILE_FIELDS,
    "A profile field an account must fill in at first login.",
    {
        "display_name": "The name others see (e.g. on an audit entry).",
        "mobile": "A mainland mobile number, for text messages.",
        "email": "An e-mail address, for notifications.",
    },
)
UserStatus = values_enum(
    "UserStatus",
    admin.USER_STATUSES,
    "Whether an account may log in.",
    {"active": "May log in.", "disabled": "May not log in; its tokens are refused."},
)
READERS = Requires(Perm.USER_READ)


@strawberry.type(
    description="An organisation accounts belong to: a finance bureau, budget unit, agency, supplier..."
)
class Organisation:
    id: strawberry.ID
    name: str = strawberry.field(description="The organisation's registered name.")
    kind: OrganisationKind = strawberry.field(  # type: ignore[valid-type]
        description="What it is on the platform: finance bureau, purchaser, agency, supplier..."
    )
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

    @strawberry.field(
        extensions=allow(FirstLogin()), description="The region where it is registered."
    )
    async def region(self) -> Tenant | None:
        return await tenant_by_code(self.region_code)


@strawberry.type(
    description="An account: who may log in, in which tenant and organisation, with which roles."
)
class User:
    id: strawberry.ID
    username: str = strawberry.field(description="The login name.")
    display_name: str = strawberry.field(description="The name shown to other users.")
    mobile: str = strawberry.field(description="Mobile number, for notices by SMS.")
    email: str = strawberry.field(description="E-mail address, for notices by mail.")
    status: UserStatus = strawberry.field(description="Whether it may log in.")  # type: ignore[valid-type]
    must_change_password: bool = strawberry.field(
        description="True after an account is created or its password reset, until changed."
    )
    last_login_at: datetime | None = strawberry.field(description="The last successful login.")
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

    @strawberry.field(extensions=allow(FirstLogin()), description="The account's tenant.")
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)

    @strawberry.field(
        extensions=allow(FirstLogin()), description="The organisation the account acts for."
    )
    async def organisation(self, info: Info) -> Organisation | None:
        loader = info.context.loaders.get("organisation", service.organisations_by_id)
        row = await loader.load(self.organisation_id)
        return Organisation.of(row) if row else None

    @strawberry.field(
        extensions=allow(FirstLogin()),
        directives=[ListSize(max=len(ROLES))],
        description="What the account may do (docs/permissions.md lists each role's rights).",
    )
    async def roles(self, info: Info) -> list[Role]:  # type: ignore[valid-type]
        loader = info.context.loaders.get("user_roles", service.roles_by_user)
        return [
            Role(r["role"])
            for r in sorted(await loader.load(int(self.id)), key=lambda r: r["role"])
        ]


@strawberry.type(description="The caller's own account and what the first-login rule still asks.")
class Me:
    user: User = strawberry.field(description="The caller's account.")
    first_login_pending: bool = strawberry.field(
        description="True until the password is changed and the profile complete; until then "
        "only me, changePassword and completeProfile work."
    )
    must_change_password: bool = strawberry.field(
        description="True until the one-time password is replaced (changePassword)."
    )
    missing_profile_fields: list[ProfileField] = strawberry.field(  # type: ignore[valid-type]
        directives=[ListSize(max=len(service.PROFILE_FIELDS))],
        description="Profile fields completeProfile must still fill.",
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
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the token stops working (token_ttl_minutes)."
    )
    me: Me | None = strawberry.field(default=None, description="Who logged in; null on errors.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MePayload:
    me: Me | None = strawberry.field(
        default=None, description="Your account as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserPayload:
    user: User | None = strawberry.field(
        default=None, description="The account as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserPasswordPayload:
    user: User | None = strawberry.field(
        default=None, description="The account as it is now; null on errors."
    )
    one_time_password: str | None = strawberry.field(
        default=None,
        description="Shown once: hand it to the account holder, who must change it at first login.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrganisationPayload:
    organisation: Organisation | None = strawberry.field(
        default=None, description="The organisation as created; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ProfileInput:
    display_name: str | None = strawberry.field(
        default=None, description="The name shown to other users; null keeps it."
    )
    mobile: str | None = strawberry.field(
        default=None, description="A mainland mobile number; null keeps it."
    )
    email: str | None = strawberry.field(default=None, description="E-mail; null keeps it.")


@strawberry.input
class CreateUserInput:
    tenant: str = strawberry.field(description="Region code of the account's tenant.")
    username: str = strawberry.field(
        description="3 to 64 letters, digits, '.', '_' or '-'; unique on the platform."
    )
    organisation_id: strawberry.ID = strawberry.field(
        description="The organisation it acts for, registered in the tenant."
    )
    roles: list[Role] = strawberry.field(  # type: ignore[valid-type]
        description="At least one; a role fits the organisation's kind."
    )
    display_name: str = strawberry.field(default="", description="The name shown to others.")
    mobile: str = strawberry.field(default="", description="A mainland mobile number.")
    email: str = strawberry.field(default="", description="E-mail address.")


@strawberry.input
class UpdateUserInput:
    display_name: str | None = strawberry.field(default=None, description="Null keeps it.")
    mobile: str | None = strawberry.field(default=None, description="Null keeps it.")
    email: str | None = strawberry.field(default=None, description="Null keeps it.")
    roles: list[Role] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The whole new set of roles; null keeps them."
    )
    status: UserStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Enable or disable the account; null keeps it."
    )


@strawberry.input
class UserFilter:
    tenant: str | None = strawberry.field(
        default=None, description="Region code; default: all you see."
    )
    include_subtree: bool = strawberry.field(
        default=True, description="Also the accounts of the regions below the tenant."
    )
    role: Role | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only accounts holding this role."
    )
    status: UserStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only accounts in this state."
    )
    search: str | None = strawberry.field(
        default=None, description="Start of the login name, or part of the display name."
    )


@strawberry.input
class CreateOrganisationInput:
    name: str = strawberry.field(description="The registered name, 2 to 128 characters.")
    kind: OrganisationKind = strawberry.field(  # type: ignore[valid-type]
        description="What it is; suppliers, agencies, experts and financial institutions are "
        "the province's to register."
    )
    region: str = strawberry.field(description="Region code where it is registered.")
    uscc: str | None = strawberry.field(
        default=None, description="Unified social credit code (18 characters)."
    )


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(FirstLogin()),
        description="Your own account and what the first-login rule still asks of it.",
    )
    async def me(self, info: Info) -> Me:
        return await _me(info.context.user)

    @strawberry.field(
        extensions=allow(READERS), description="Accounts of your region (and below), filtered."
    )
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

    @strawberry.field(
        extensions=allow(READERS), description="One account of your region; null if none."
    )
    async def user(self, id: strawberry.ID) -> User | None:
        try:
            return User.of(await admin.get_user(parse_id(id, "user")))
        except DomainError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    @strawberry.field(
        extensions=allow(READERS), description="Organisations accounts can belong to."
    )
    async def organisations(
        self,
        kind: Annotated[
            OrganisationKind | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only organisations of this kind."),
        ] = None,
        search: Annotated[
            str | None, strawberry.argument(description="Part of the name, or the credit code.")
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        page = await admin.list_organisations(kind.value if kind else None, search, first, after)
        return connection(page, Organisation.of)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Public()),
        description="Log in: a bearer token for the other operations (throttled per address).",
    )
    async def login(
        self,
        info: Info,
        username: Annotated[str, strawberry.argument(description="The login name.")],
        password: Annotated[str, strawberry.argument(description="The password.")],
    ) -> LoginPayload:
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
        self,
        info: Info,
        current_password: Annotated[
            str, strawberry.argument(description="The password in use (or the one-time one).")
        ],
        new_password: Annotated[
            str,
            strawberry.argument(
                description="12 to 128 characters mixing three of lower case, upper case, "
                "digits and symbols, not containing the login name, not used before."
            ),
        ],
    ) -> LoginPayload:
        async def work() -> LoginPayload:
            session = await service.change_password(
                info.context.user, current_password, new_password
            )
            return LoginPayload(
                token=session.token, expires_at=session.expires_at, me=await _me(session.user)
            )

        return await run_mutation(LoginPayload, work)

    @strawberry.mutation(
        extensions=allow(FirstLogin()),
        description="Fill your profile (the first-login rule asks for a name and a mobile).",
    )
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

    @strawberry.mutation(
        extensions=allow(Requires(Perm.USER_CREATE)),
        description="Create an account in your region; returns its one-time password.",
    )
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

    @strawberry.mutation(
        extensions=allow(Requires(Perm.USER_UPDATE)),
        description="Change an account of your region: profile, roles, enabled or not.",
    )
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

    @strawberry.mutation(
        extensions=allow(Requires(Perm.USER_RESET_PASSWORD)),
        description="Give an account a new one-time password, to be changed at first login.",
    )
    async def reset_password(self, info: Info, id: strawberry.ID) -> UserPasswordPayload:
        async def work() -> UserPasswordPayload:
            row, password = await admin.reset_password(info.context.user, parse_id(id, "user"))
            return UserPasswordPayload(user=User.of(row), one_time_password=password)

        return await run_mutation(UserPasswordPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.ORGANISATION_CREATE)),
        description="Register an organisation in your region for accounts to belong to.",
    )
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
    async def export_users(
        self,
        info: Info,
        tenant: Annotated[
            str | None, strawberry.argument(description="Region code; default: your own.")
        ] = None,
    ) -> JobPayload:
        return await enqueue_for_tenant(info.context.user, "users.export", {}, tenant)
