"""Per-request context: who is calling, their tenant scope, and the request's dataloaders."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Request
from strawberry.litestar import BaseContext

from gpcloud.core.auth.service import CurrentUser, user_from_token
from gpcloud.core.auth.tokens import TokenError
from gpcloud.core.graphql.dataloaders import Loaders
from gpcloud.core.tenancy.scope import Scope, switch_scope
from gpcloud.core.tenancy.service import TenantTree, tenant_tree
from gpcloud.settings import get_settings


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
        return client_address(self.request) if self.request else "unknown"


def client_address(request: Request) -> str:
    """The address throttles key on: the socket's peer, unless the peer is a trusted proxy
    (setting `trusted_proxies`). Then X-Forwarded-For is read from the right, where each trusted
    proxy appended the address it was connected from; the first address that is not a trusted
    proxy is the client's. What a client wrote into the header itself is never reached."""
    peer = request.client.host if request.client else None
    if peer is None:
        return "unknown"
    trusted = get_settings().trusted_proxies
    address = _address(peer)
    if address is None or not trusted:
        return peer
    hops = ",".join(request.headers.getall("x-forwarded-for", [])).split(",")
    while any(address in network for network in trusted) and hops:
        hop = _address(hops.pop())
        if hop is None:  # a proxy wrote something that is not an address: stop at the proxy
            break
        address = hop
    return str(address)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


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


def anonymous_context(request: Request, response: Any, tree: TenantTree) -> Context:
    """The context of a request without a token, as the controller completes it
    (core/graphql/direct.py answers such requests before the controller)."""
    return Context(loaders=Loaders(), tree=tree, request=request, response=response)


async def context_getter(request: Request) -> Context:
    user, scope, error = await authenticate(request)
    return Context(
        user=user, scope=scope, auth_error=error, loaders=Loaders(), tree=await tenant_tree()
    )
