"""Who may use a field. Every field with a resolver declares one of these (a test checks).

    @strawberry.field(extensions=allow(Public()))               anonymous portal data
    @strawberry.field(extensions=allow(Authenticated()))        any account past first login
    @strawberry.field(extensions=allow(FirstLogin()))           also while first login is pending
    @strawberry.field(extensions=allow(Requires(Perm.PLAN_FILE)))  accounts holding a permission

Fields that only read an attribute of their parent object are covered by the field that
returned the parent. A refusal is a GraphQL error whose `extensions.code` says why.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from gpcloud.core.auth.permissions import ABOUT, GRANTS, Perm, holders
from gpcloud.core.auth.roles import ROLES, spelled
from gpcloud.core.errors import DomainError
from gpcloud.core.imports.runner import import_specs
from gpcloud.core.tenancy.rollout import require_live
from gpcloud.core.tenancy.service import get_tenant


class Denied(DomainError):
    pass


class Public(BasePermission):
    """Anyone, anonymous included: the portal's published data."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return True


class FirstLogin(BasePermission):
    """A logged-in account, also one that must still change its password or complete its profile."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        context = info.context
        if context.user is None:
            error = context.auth_error
            if error is not None:
                raise Denied(error.code, str(error))
            raise Denied("UNAUTHENTICATED", "log in first")
        return True


class Authenticated(FirstLogin):
    """A logged-in account that has completed the first-login steps (the seed's rule)."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        super().has_permission(source, info, **kwargs)
        if info.context.user.first_login_pending:
            raise Denied(
                "FIRST_LOGIN_REQUIRED", "change your password and complete your profile first"
            )
        return True


class Requires(Authenticated):
    """An account past first login whose roles grant `permission` (core/auth/permissions.py)."""

    def __init__(self, permission: Perm):
        self.permission = permission

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        super().has_permission(source, info, **kwargs)
        if not info.context.user.can(self.permission):
            raise Denied(
                "FORBIDDEN",
                f"needs the permission {self.permission} "
                f"(held by: {', '.join(map(spelled, holders(self.permission)))})",
            )
        return True


class SubsystemLive(Authenticated):
    """For a subsystem's mutations: refused before the caller's tenant reaches its go-live date."""

    def __init__(self, subsystem: str):
        self.subsystem = subsystem

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        super().has_permission(source, info, **kwargs)
        tenant = await get_tenant(info.context.user.tenant)
        await require_live(tenant.region_code, tenant.name, self.subsystem)
        return True


def allow(*permissions: BasePermission) -> list[PermissionExtension]:
    return [PermissionExtension(permissions=list(permissions))]


def permissions_of(field) -> list[BasePermission]:
    """The permission classes a strawberry field declares."""
    return [
        permission
        for extension in field.extensions
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
    ]


def _opened(schema) -> dict[Perm, list[str]]:
    """The API each permission opens: the fields that declare it, and the registries whose
    import (startImport) needs it."""
    opened: dict[Perm, list[str]] = {p: [] for p in Perm}
    for type_name, graphql_type in schema.schema_converter.type_map.items():
        for field in getattr(graphql_type.definition, "fields", None) or []:
            for permission in permissions_of(field):
                if isinstance(permission, Requires):
                    name = field.graphql_name or to_camel_case(field.python_name)
                    opened[permission.permission].append(f"`{type_name}.{name}`")
    for registry, spec in import_specs().items():
        opened[spec.permission].append(f"`Mutation.startImport` ({registry})")
    return opened


def render_permissions(schema) -> str:
    """docs/permissions.md: the role x permission table, and what each permission allows and
    opens in the API, as an administrator reads them (`gpcloud export-permissions`)."""
    opened = _opened(schema)
    roles = list(ROLES)
    lines = [
        "# Permissions",
        "",
        "Generated from `platform/gpcloud/core/auth/permissions.py` by",
        "`uv run gpcloud export-permissions --output docs/permissions.md` (a test fails when it",
        "is stale). A role holds the permissions ticked in its column; a GraphQL field that needs",
        "a permission refuses other callers with FORBIDDEN, and the service behind it requires the",
        "same permission of every caller. Whose rows an account may act on (its own unit, its own",
        "contracts, its region) is decided by the service, not by the permission.",
        "",
        "| permission | " + " | ".join(map(spelled, roles)) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in Perm:
        ticks = ["✓" if permission in GRANTS[role] else "" for role in roles]
        lines.append(f"| `{permission}` | " + " | ".join(ticks) + " |")
    lines += [
        "",
        "## What each permission allows, and the API it opens",
        "",
        "A permission without API of its own widens what its holders read or act on through",
        "fields open to every account.",
        "",
    ]
    for permission in Perm:
        api = ", ".join(sorted(opened[permission])) or "none of its own"
        lines.append(f"- `{permission}`: {ABOUT.get(permission, '?')}. API: {api}")
    return "\n".join(lines) + "\n"
