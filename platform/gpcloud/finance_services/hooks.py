"""The finance centre's built-in hook implementations (core/plugins/hooks.py `builtin`): the
payee of a financed contract for the payment exchange, and the e-guarantee a bid names as it is
submitted (transaction): both sit below the finance centre."""

from __future__ import annotations

from gpcloud.core.plugins.hooks import builtin
from gpcloud.finance_services.service import bid_securities, payee


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


@builtin("gpcloud_bid_security_check", "finance_services")
async def gpcloud_bid_security_check(
    tenant: str, project_id: int, lot: str, organisation_id: int, security: str
) -> dict | None:
    found = await bid_securities.at_submission(project_id, lot, organisation_id, security)
    if found is None:
        return None
    row, problems = found
    return {
        "valid": not problems,
        "reference": f"bid_guarantee:{row['id']}",
        "problems": [{"code": p.code, "message": p.message} for p in problems],
    }
