"""The finance centre's built-in hook implementations (core/plugins/hooks.py `builtin`): the
payee of a financed contract for the payment exchange, which sits below the finance centre."""

from __future__ import annotations

from gpcloud.core.plugins.hooks import builtin
from gpcloud.finance_services.service import payee


@builtin("gpcloud_payee_account", "finance_services")
async def gpcloud_payee_account(tenant: str, contract_id: int) -> dict | None:
    change = await payee.account_for(contract_id)
    if change is None:
        return None
    return {
        "account_name": change["account_name"],
        "bank_name": change["bank_name"],
        "account_number": change["account_number"],
        "reference": f"payee_account_change:{change['id']}",
    }
