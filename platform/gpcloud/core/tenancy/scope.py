"""The tenant scope of the running request or job, kept in a context variable.

Tenant-owned tables read it on every query (see tables.py) and refuse to run without one, so a
handler that forgets to set it fails closed instead of leaking another tenant's rows.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class NoScope(RuntimeError):
    """A tenant-owned table was queried with no tenant scope set."""


class OutOfScope(PermissionError):
    """A write named a tenant outside the current scope."""


@dataclass(frozen=True)
class Scope:
    """`tenant` is the home tenant (None for system work); `visible` the region codes it may see,
    None meaning all.

    A county sees only itself, a city itself and its counties, the province everything.
    `reason` is set when code opted out of tenant isolation on purpose (cross-tenant work).
    """

    tenant: str | None
    visible: frozenset[str] | None
    user_id: int | None = None
    reason: str | None = None

    def can_see(self, region_code: str) -> bool:
        return self.visible is None or region_code in self.visible


_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("scope", default=None)


def current_scope() -> Scope:
    scope = _current.get()
    if scope is None:
        raise NoScope("no tenant scope is set: tenant-owned data needs a request or job scope")
    return scope


def maybe_scope() -> Scope | None:
    return _current.get()


@contextmanager
def use_scope(scope: Scope | None) -> Iterator[Scope | None]:
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def switch_scope(scope: Scope) -> None:
    """Change the scope for the rest of the enclosing `use_scope` block, which restores the old one.

    Only for a request that signs in part-way through (the login mutation).
    """
    _current.set(scope)


@contextmanager
def all_tenants(reason: str) -> Iterator[Scope]:
    """Opt out of isolation explicitly, e.g. to find a user by login name before they have a scope.

    The reason is required so every cross-tenant path names why it exists.
    """
    if not reason:
        raise ValueError("all_tenants() needs a reason")
    outer = _current.get()
    scope = Scope(
        tenant=outer.tenant if outer else None,
        visible=None,
        user_id=outer.user_id if outer else None,
        reason=reason,
    )
    with use_scope(scope):
        yield scope
