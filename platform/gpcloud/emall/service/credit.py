"""The mandatory credit check (Caiku [2016] 125) at an e-mall order: a supplier on a credit list
on the order day (a serious-violation ban, a dishonest judgment debtor, ...) or that a tenant's
credit source does not find clear cannot be ordered from. The e-mall sits below credit and
reaches it only through the gpcloud_credit_check hook (core/plugins/hooks.py `collect`), as the
bid deadline's check does (transaction/opening.py); credit stores the snapshot in the order's
tenant, in the order's transaction (refused: nothing is kept)."""

from __future__ import annotations

from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.core.plugins.hooks import collect


async def ensure_supplier_clear(tenant: str, organisation_id: int, field: str | None) -> None:
    """Refuse (CREDIT_NOT_CLEAR) unless every answer is clear; a check that cannot be made
    lets nobody through (PLUGIN_FAILED)."""
    answers = await collect(
        tenant,
        "gpcloud_credit_check",
        tenant=tenant,
        organisation_id=organisation_id,
        purpose="emall_order",
        on_day=today(),
    )
    if any(not (a.value or {}).get("clear", False) for a in answers):
        raise DomainError(
            "CREDIT_NOT_CLEAR",
            "the supplier is on a credit list today (Caiku [2016] 125): it cannot be ordered from",
            field,
        )
