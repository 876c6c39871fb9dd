"""The tenant scope of the running request or job, kept in a context variable.

Tenant-owned tables read it on every query (see tables.py) and refuse to run without one, so a
handler that forgets to set it fails closed instead of leaking another tenant's rows.
"""

from __future__ import annotations

import contextvars
import logging
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
# The reasons a user's request opted out of isolation, collected for its audit entry.
_opt_outs: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "opt_outs", default=None
)
log = logging.getLogger("gpcloud.scope")


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
def all_tenants(reason: str, audited: bool = True) -> Iterator[Scope]:
    """Opt out of isolation explicitly, e.g. to find a user by login name before they have a scope.

    The reason is required so every cross-tenant path names why it exists; it is logged, and
    where a user's request opts out it is audited once per request (collect_opt_outs).
    `audited=False` is for the platform's own lookups that reveal no other tenant's business
    (the plugin approvals, calendar and config a tenant inherits; public notices).
    """
    if not reason:
        raise ValueError("all_tenants() needs a reason")
    outer = _current.get()
    user_id = outer.user_id if outer else None
    log.debug("all tenants for user %s: %s", user_id, reason)
    pending = _opt_outs.get()
    if audited and user_id is not None and pending is not None and reason not in pending:
        pending.append(reason)
    scope = Scope(
        tenant=outer.tenant if outer else None,
        visible=None,
        user_id=outer.user_id if outer else None,
        reason=reason,
    )
    with use_scope(scope):
        yield scope


@contextmanager
def collect_opt_outs() -> Iterator[list[str]]:
    """The reasons for which the block, acting for a user, opted out of isolation."""
    reasons: list[str] = []
    token = _opt_outs.set(reasons)
    try:
        yield reasons
    finally:
        _opt_outs.reset(token)
