"""The mandatory credit check (Caiku [2016] 125) at an e-mall order: a supplier on a credit list
on the order day (a serious-violation ban, a dishonest judgment debtor, ...) or that a tenant's
credit source does not find clear cannot be ordered from. The e-mall sits below credit and
reaches it only through the gpcloud_credit_check hook (core/plugins/credit_check.py), as every
procedure does; credit stores the snapshot in the order's tenant, in the order's transaction
(refused: nothing is kept)."""

from __future__ import annotations

from gpcloud.core.errors import DomainError
from gpcloud.core.plugins.credit_check import credit_answers, unclear


async def ensure_supplier_clear(tenant: str, organisation_id: int, field: str | None) -> None:
    """Refuse (CREDIT_NOT_CLEAR) unless every answer is clear; a check that cannot be made
    lets nobody through (PLUGIN_FAILED)."""
    if unclear(await credit_answers(tenant, organisation_id, "emall_order")):
        raise DomainError(
            "CREDIT_NOT_CLEAR",
            "the supplier is on a credit list today (Caiku [2016] 125): it cannot be ordered from",
            field,
        )
