"""The credit domain's built-in hook implementations: the mandatory check for every tenant
(core/plugins/hooks.py `builtin`; lower domains reach credit only through the hook)."""

from __future__ import annotations

from datetime import date

from gpcloud.core.plugins.hooks import builtin
from gpcloud.core.tenancy.scope import maybe_scope, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import checks


@builtin("gpcloud_credit_check", "credit", consults_plugins=True)
async def gpcloud_credit_check(
    tenant: str, organisation_id: int, purpose: str, on_day: date
) -> dict | None:
    """The check in `tenant`'s scope (where the snapshot belongs), whoever calls it."""
    scope = maybe_scope()
    if scope is None or scope.tenant != tenant:
        scope = (await tenant_tree()).scope_for(tenant, scope.user_id if scope else None)
    with use_scope(scope):
        return (await checks.check(organisation_id, purpose, on_day, tenant=tenant)).answer()
