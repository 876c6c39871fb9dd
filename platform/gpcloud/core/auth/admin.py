"""Account administration by tenant admins (their subtree) and provincial admins (everything).

What an administrator may do is a permission (user.create, user.update, ...); on which accounts
is decided here, once: the scope limits which tenants an admin reaches, `_check_roles` which
roles they may hand out, and `_organisation_problems` for which organisations: one the admin
reaches, registered in the account's tenant, of the kind each role acts for, and kept by the
tenant unless the admin holds user.manage_provincial (roles.TENANT_KINDS).
"""

from __future__ import annotations

from dataclasses import dataclass

from gpcloud.core.audit import service as audit
from gpcloud.core.auth import passwords
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.records import audit_user, get_user, user_state
from gpcloud.core.auth.roles import (
    ORGANISATION_KINDS,
    PROVINCE_ADMIN,
    ROLE_KINDS,
    ROLES,
    TENANT_KINDS,
)
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import contains_ci, is_unique_violation, starts_with_ci
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants, current_scope
from gpcloud.core.tenancy.service import TenantNode, tenant_tree
from gpcloud.core.validation import contact_problems, is_uscc, is_username

USER_STATUSES = ("active", "disabled")


@dataclass(frozen=True)
class NewUser:
    tenant: str
    username: str
    organisation_id: int
    roles: list[str]
    display_name: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class UserChanges:
    display_name: str | None = None
    mobile: str | None = None
    email: str | None = None
    roles: list[str] | None = None
    status: str | None = None


@dataclass(frozen=True)
class UserFilter:
    tenant: str | None = None
    include_subtree: bool = True
    role: str | None = None
    status: str | None = None
    search: str | None = None


# `actor=None` is the server operator (the `gpcloud create-user` command): no limits.


def _provincial(actor: CurrentUser | None) -> bool:
    """Whether the caller keeps the accounts only the province keeps (provincial admins, and
    those of organisations registered once for the province)."""
    return actor is None or actor.can(Perm.USER_MANAGE_PROVINCIAL)


async def reachable_tenant(code: str, field: str = "tenant") -> TenantNode:
    node = (await tenant_tree()).get(code)
    if node is None or not current_scope().can_see(code):
        # Not revealing whether a tenant outside the caller's subtree exists.
        raise DomainError("TENANT_NOT_FOUND", f"no tenant {code} in your region", field)
    return node


def _check_roles(actor: CurrentUser | None, tenant: TenantNode, roles: list[str]) -> list[Problem]:
    if not roles:
        return [Problem("ROLES_REQUIRED", "give the account at least one role", "roles")]
    problems = []
    for role in roles:
        if role not in ROLES:
            problems.append(Problem("INVALID_ROLE", f"unknown role {role!r}", "roles"))
        elif role == PROVINCE_ADMIN and not _provincial(actor):
            problems.append(
                Problem("FORBIDDEN_ROLE", "only a provincial admin grants PROVINCE_ADMIN", "roles")
            )
        elif role == PROVINCE_ADMIN and tenant.level != "province":
            problems.append(
                Problem("FORBIDDEN_ROLE", "PROVINCE_ADMIN is only for province accounts", "roles")
            )
    return problems


@requires(Perm.USER_CREATE)
async def create_user(actor: CurrentUser | None, new: NewUser) -> tuple[dict, str]:
    """Create an account flagged must_change_password; return it and its one-time password."""
    tenant = await reachable_tenant(new.tenant)
    username = new.username.strip().lower()
    problems: list[Problem] = []
    if tenant.status != "active":
        problems.append(
            Problem("TENANT_NOT_ACTIVE", f"{tenant.name} is not on the platform", "tenant")
        )
    if not is_username(username):
        problems.append(
            Problem(
                "INVALID_USERNAME",
                "3 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit",
                "username",
            )
        )
    problems += _check_roles(actor, tenant, new.roles)
    problems += contact_problems(new.mobile, new.email)
    if len(new.display_name) > 64:
        problems.append(Problem("INVALID_NAME", "at most 64 characters", "displayName"))
    problems += await _organisation_problems(actor, tenant, new.organisation_id, new.roles)
    if not problems and await _username_taken(username):
        problems.append(Problem("DUPLICATE_USERNAME", "this login name is taken", "username"))
    if problems:
        raise DomainError.many(problems)
    password = passwords.generate_password()
    user = User(
        tenant_id=new.tenant,
        organisation=new.organisation_id,
        username=username,
        password_hash=await passwords.hash_password(password),
        display_name=new.display_name.strip(),
        mobile=new.mobile,
        email=new.email,
        must_change_password=True,
    )
    try:
        await user.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError(
                "DUPLICATE_USERNAME", "this login name is taken", "username"
            ) from None
        raise
    await _set_roles(user.id, new.tenant, new.roles)
    await audit_user("user.create", user.id, None, await user_state(user.id))
    return await get_user(user.id), password


async def _organisation(organisation_id: int) -> dict | None:
    return (
        await Organisation.select(Organisation.name, Organisation.kind, Organisation.region)
        .where(Organisation.id == organisation_id)
        .first()
    )


def _manager_problem(actor: CurrentUser | None, org: dict, field: str | None) -> Problem | None:
    if _provincial(actor) or org["kind"] in TENANT_KINDS:
        return None
    return Problem(
        "FORBIDDEN_ORGANISATION",
        "accounts of suppliers, agencies, experts and financial institutions, registered once "
        "for the province, are kept by a provincial admin (suppliers register themselves)",
        field,
    )


def _kind_problems(roles: list[str], org: dict) -> list[Problem]:
    return [
        Problem(
            "ROLE_NOT_FOR_ORGANISATION",
            f"role {role} acts for a {ROLE_KINDS[role]} organisation; "
            f"{org['name']} is a {org['kind']}",
            "roles",
        )
        for role in sorted(set(roles))
        if role in ROLE_KINDS and ROLE_KINDS[role] != org["kind"]
    ]


async def _organisation_problems(
    actor: CurrentUser | None, tenant: TenantNode, organisation_id: int, roles: list[str]
) -> list[Problem]:
    org = await _organisation(organisation_id)
    if org is None or not current_scope().can_see(org["region"]):
        # Not revealing whether an organisation outside the caller's region exists.
        return [Problem("NOT_FOUND", "no such organisation in your region", "organisationId")]
    if org["region"] != tenant.region_code:
        return [
            Problem(
                "ORGANISATION_IN_OTHER_TENANT",
                f"{org['name']} is registered in region {org['region']}: its accounts belong there",
                "organisationId",
            )
        ]
    manager = _manager_problem(actor, org, "organisationId")
    return [manager] if manager else _kind_problems(roles, org)


async def _require_manager(actor: CurrentUser, user: dict) -> dict:
    """The account's organisation, once the caller is found to manage its accounts."""
    org = await _organisation(user["organisation"])
    problem = _manager_problem(actor, org, None)
    if problem is not None:
        raise DomainError.many([problem])
    return org


async def _username_taken(username: str) -> bool:
    with all_tenants("login names are unique across the province", audited=False):
        return await User.exists().where(User.username == username)


async def _set_roles(user_id: int, tenant: str, roles: list[str]) -> None:
    await UserRole.delete().where(UserRole.user == user_id)
    await UserRole.insert(
        *(UserRole(tenant_id=tenant, user=user_id, role=r) for r in sorted(set(roles)))
    )


@requires(Perm.USER_UPDATE)
async def update_user(actor: CurrentUser, user_id: int, changes: UserChanges) -> dict:
    before = await user_state(user_id)
    row = before
    tenant = await reachable_tenant(row["tenant_id"])
    org = await _require_manager(actor, row)
    problems = contact_problems(changes.mobile, changes.email)
    if changes.roles is not None:
        problems += _check_roles(actor, tenant, changes.roles) + _kind_problems(changes.roles, org)
        if user_id == actor.id and set(changes.roles) != set(actor.roles):
            problems.append(
                Problem("CANNOT_CHANGE_SELF", "you cannot change your own roles", "roles")
            )
        elif PROVINCE_ADMIN in before["roles"] and not _provincial(actor):
            problems.append(Problem("FORBIDDEN_ROLE", "only a provincial admin edits one", "roles"))
    if changes.status is not None:
        if changes.status not in USER_STATUSES:
            problems.append(
                Problem("INVALID_STATUS", f"one of {', '.join(USER_STATUSES)}", "status")
            )
        elif user_id == actor.id and changes.status != "active":
            problems.append(Problem("CANNOT_CHANGE_SELF", "you cannot disable yourself", "status"))
    if changes.display_name is not None and not 1 <= len(changes.display_name.strip()) <= 64:
        problems.append(Problem("INVALID_NAME", "must be 1 to 64 characters", "displayName"))
    if problems:
        raise DomainError.many(problems)
    values = {
        column: value
        for column, value in (
            (User.display_name, changes.display_name and changes.display_name.strip()),
            (User.mobile, changes.mobile),
            (User.email, changes.email),
            (User.status, changes.status),
        )
        if value is not None
    }
    if values:
        await User.update(values).where(User.id == user_id)
    if changes.roles is not None:
        await _set_roles(user_id, row["tenant_id"], changes.roles)
    after = await user_state(user_id)
    if after != before:
        await audit_user("user.update", user_id, before, after)
    return await get_user(user_id)


@requires(Perm.USER_RESET_PASSWORD)
async def reset_password(actor: CurrentUser, user_id: int) -> tuple[dict, str]:
    """A new one-time password; the account must change it at next login; old tokens stop."""
    before = await user_state(user_id)
    row = before
    await _require_manager(actor, row)
    if PROVINCE_ADMIN in before["roles"] and not _provincial(actor):
        raise DomainError("FORBIDDEN_ROLE", "only a provincial admin resets a provincial admin")
    password = passwords.generate_password()
    await User.update(
        {
            User.password_hash: await passwords.hash_password(password),
            User.must_change_password: True,
            User.token_version: row["token_version"] + 1,
        }
    ).where(User.id == user_id)
    await audit_user("user.reset_password", user_id, before, await user_state(user_id))
    return await get_user(user_id), password


@requires(Perm.USER_READ)
async def list_users(
    actor: CurrentUser, flt: UserFilter, first: int | None, after: str | None
) -> Page:
    query = User.select(exclude_secrets=True)
    if flt.tenant is not None:
        await reachable_tenant(flt.tenant)
        if flt.include_subtree:
            subtree = (await tenant_tree()).subtree(flt.tenant)
            query = query.where(User.tenant_id.is_in(sorted(subtree)))
        else:
            query = query.where(User.tenant_id == flt.tenant)
    if flt.role is not None:
        query = query.where(
            User.id.is_in(UserRole.select(UserRole.user).where(UserRole.role == flt.role))
        )
    if flt.status is not None:
        query = query.where(User.status == flt.status)
    if flt.search:
        term = flt.search.strip().lower()
        query = query.where(
            starts_with_ci(User.username, term) | contains_ci(User.display_name, term)
        )
    return await keyset_page(query, User.id, first, after)


# Organisations


@requires(Perm.ORGANISATION_CREATE)
async def create_organisation(
    actor: CurrentUser | None, name: str, kind: str, region: str, uscc: str | None
) -> dict:
    await reachable_tenant(region, "region")
    name = name.strip()
    uscc = uscc.strip().upper() if uscc else None
    problems = []
    if not 2 <= len(name) <= 128:
        problems.append(Problem("INVALID_NAME", "must be 2 to 128 characters", "name"))
    if kind not in ORGANISATION_KINDS:
        problems.append(Problem("INVALID_KIND", f"one of {', '.join(ORGANISATION_KINDS)}", "kind"))
    if uscc is not None and not is_uscc(uscc):
        problems.append(Problem("INVALID_USCC", "not a valid unified social credit code", "uscc"))
    elif uscc is not None and await Organisation.exists().where(Organisation.uscc == uscc):
        problems.append(Problem("DUPLICATE_USCC", "an organisation with this code exists", "uscc"))
    if problems:
        raise DomainError.many(problems)
    org = Organisation(name=name, kind=kind, region=region, uscc=uscc)
    try:
        await org.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError(
                "DUPLICATE_USCC", "an organisation with this code exists", "uscc"
            ) from None
        raise
    row = await Organisation.select().where(Organisation.id == org.id).first()
    await audit.record("organisation.create", "organisation", org.id, None, row, tenant=region)
    return row


async def list_organisations(
    kind: str | None, search: str | None, first: int | None, after: str | None
) -> Page:
    """Organisations registered in the caller's region (they are shared, but admins work locally)."""
    scope = current_scope()
    query = Organisation.select()
    if scope.visible is not None:
        query = query.where(Organisation.region.is_in(sorted(scope.visible)))
    if kind:
        query = query.where(Organisation.kind == kind)
    if search and search.strip():
        query = query.where(contains_ci(Organisation.name, search.strip()))
    return await keyset_page(query, Organisation.id, first, after)
