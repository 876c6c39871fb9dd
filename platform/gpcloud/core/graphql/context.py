"""Per-request context: who is calling, their tenant scope, and the request's dataloaders."""

from __future__ import annotations

from typing import Any

from litestar import Request
from strawberry.litestar import BaseContext

from gpcloud.core.auth.service import CurrentUser, user_from_token
from gpcloud.core.auth.tokens import TokenError
from gpcloud.core.graphql.dataloaders import Loaders
from gpcloud.core.tenancy.scope import Scope, switch_scope
from gpcloud.core.tenancy.service import TenantTree, tenant_tree


class Context(BaseContext, kw_only=True):
    user: CurrentUser | None = None
    scope: Scope | None = None
    # Why a presented token was not accepted (TOKEN_EXPIRED, TOKEN_INVALID, ...), for the error.
    auth_error: TokenError | None = None
    loaders: Any = None
    # The tenant tree as this request found it: Tenant.parent / children read it from memory.
    tree: TenantTree | None = None

    async def sign_in(self, user: CurrentUser) -> None:
        """The rest of this request acts for `user` (after the login mutation)."""
        self.user = user
        self.scope = (await tenant_tree()).scope_for(user.tenant, user_id=user.id)
        switch_scope(self.scope)

    @property
    def client_address(self) -> str:
        request = self.request
        return request.client.host if request and request.client else "unknown"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(
    request: Request,
) -> tuple[CurrentUser | None, Scope | None, TokenError | None]:
    token = bearer_token(request)
    if token is None:
        return None, None, None
    try:
        user = await user_from_token(token)
    except TokenError as exc:
        return None, None, exc
    scope = (await tenant_tree()).scope_for(user.tenant, user_id=user.id)
    return user, scope, None


async def context_getter(request: Request) -> Context:
    user, scope, error = await authenticate(request)
    return Context(
        user=user, scope=scope, auth_error=error, loaders=Loaders(), tree=await tenant_tree()
    )
