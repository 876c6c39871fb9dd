"""Named permissions, and the one table that grants them to roles (Saleor's model).

A GraphQL field declares the permission it needs (`allow(Requires(Perm.PLAN_FILE))`); the service
behind it requires the same one (`@requires(Perm.PLAN_FILE)`, or a workflow transition that names
it), so that a job, the CLI or another subsystem calling the service is held to the same rule.
tests/test_permissions.py proves the two agree for every mutation, and docs/permissions.md is
this table as an administrator reads it (generated; a test fails when it is stale).

What a permission does not say is whose rows: a purchaser plans for its own unit, a party signs
its own contracts. Services check that against the row (and fail with NOT_FOUND, never revealing
another's row); the tenant scope bounds everything to the caller's region.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum

from gpcloud.core.auth.roles import (
    AGENCY,
    PROVINCE_ADMIN,
    PURCHASER,
    ROLES,
    SUPERVISOR,
    SUPPLIER,
    TENANT_ADMIN,
)


class Perm(StrEnum):
    """`object.action`; the docstring of the table below says who holds each."""

    INTENTION_READ = "intention.read"
    INTENTION_CREATE = "intention.create"
    INTENTION_PUBLISH = "intention.publish"
    INTENTION_WITHDRAW = "intention.withdraw"
    PLAN_READ = "plan.read"
    PLAN_CREATE = "plan.create"
    PLAN_SUBMIT = "plan.submit"
    PLAN_RECALL = "plan.recall"
    PLAN_RESOLVE_FAILED = "plan.resolve_failed"
    PLAN_FILE = "plan.file"
    PLAN_RETURN = "plan.return"
    PLAN_CARRY_OVER = "plan.carry_over"
    SUPERVISION_OVERVIEW = "supervision.overview"
    PROJECT_READ = "project.read"
    PROJECT_ENTRUST = "project.entrust"
    PROJECT_ANNOUNCE = "project.announce"
    PROJECT_DECLARE_FAILED = "project.declare_failed"
    CONTRACT_READ = "contract.read"
    CONTRACT_CREATE = "contract.create"
    CONTRACT_SIGN = "contract.sign"
    CONTRACT_PUBLISH = "contract.publish"
    CONTRACT_FILE = "contract.file"
    SIGNING_KEY_MANAGE = "signing_key.manage"
    ACCEPTANCE_PUBLISH = "acceptance.publish"
    PAYMENT_REQUEST = "payment.request"
    PAYMENT_EXCHANGE = "payment.exchange"
    BUDGET_READ = "budget.read"
    BUDGET_FETCH = "budget.fetch"
    BUDGET_USAGE_EXPORT = "budget.export_usage"
    USER_EXPORT = "user.export"
    PLUGIN_READ = "plugin.read"
    PLUGIN_REQUEST = "plugin.request"
    PLUGIN_DECIDE = "plugin.decide"
    SCHEDULER_READ = "scheduler.read"


P = Perm
_ADMIN = {
    P.INTENTION_READ,
    P.PLAN_READ,
    P.PLAN_CARRY_OVER,
    P.SUPERVISION_OVERVIEW,
    P.PROJECT_READ,
    P.CONTRACT_READ,
    P.PAYMENT_EXCHANGE,
    P.BUDGET_READ,
    P.BUDGET_FETCH,
    P.BUDGET_USAGE_EXPORT,
    P.USER_EXPORT,
    P.PLUGIN_READ,
    P.PLUGIN_REQUEST,
    P.SCHEDULER_READ,
}
GRANTS: dict[str, frozenset[Perm]] = {
    PROVINCE_ADMIN: frozenset(_ADMIN | {P.PLUGIN_DECIDE}),
    TENANT_ADMIN: frozenset(_ADMIN),
    SUPERVISOR: frozenset(
        {
            P.INTENTION_READ,
            P.PLAN_READ,
            P.PLAN_FILE,
            P.PLAN_RETURN,
            P.SUPERVISION_OVERVIEW,
            P.PROJECT_READ,
            P.CONTRACT_READ,
            P.CONTRACT_FILE,
            P.BUDGET_READ,
            P.BUDGET_USAGE_EXPORT,
        }
    ),
    PURCHASER: frozenset(
        {
            P.INTENTION_READ,
            P.INTENTION_CREATE,
            P.INTENTION_PUBLISH,
            P.INTENTION_WITHDRAW,
            P.PLAN_READ,
            P.PLAN_CREATE,
            P.PLAN_SUBMIT,
            P.PLAN_RECALL,
            P.PLAN_RESOLVE_FAILED,
            P.PROJECT_READ,
            P.PROJECT_ENTRUST,
            P.CONTRACT_READ,
            P.CONTRACT_CREATE,
            P.CONTRACT_SIGN,
            P.CONTRACT_PUBLISH,
            P.SIGNING_KEY_MANAGE,
            P.ACCEPTANCE_PUBLISH,
            P.PAYMENT_REQUEST,
            P.BUDGET_READ,
        }
    ),
    AGENCY: frozenset(
        {P.PROJECT_READ, P.PROJECT_ANNOUNCE, P.PROJECT_DECLARE_FAILED, P.CONTRACT_READ}
    ),
    SUPPLIER: frozenset({P.CONTRACT_READ, P.CONTRACT_SIGN, P.SIGNING_KEY_MANAGE}),
}
for _role in ROLES:
    GRANTS.setdefault(_role, frozenset())


def holders(permission: Perm) -> tuple[str, ...]:
    """The roles that hold `permission`, in the order of ROLES."""
    return tuple(role for role in ROLES if permission in GRANTS[role])


def granted(roles: frozenset[str]) -> frozenset[Perm]:
    return frozenset().union(*(GRANTS.get(role, frozenset()) for role in roles))


def requires(permission: Perm) -> Callable:
    """Mark a service entry point `async def f(actor, ...)` as needing `permission`: the actor
    must hold it before anything is read (an actor of None is the platform itself: a job, the
    CLI). The mark (`f.permission`) is what the meta-test holds each mutation's field to."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        async def checked(actor, *args, **kwargs):
            if actor is not None:
                actor.require(permission)
            return await fn(actor, *args, **kwargs)

        checked.permission = permission
        return checked

    return decorate
