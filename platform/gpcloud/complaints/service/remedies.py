"""An upheld complaint's remedy, carried out with the decision in one transaction (Implementing
Regulation art. 71; MOF Order 94 arts. 31-32, unverified), as transitions of the project and its
contracts (transaction/remedies.py, contracts/voiding.py):

| remedy | the project | its contracts (not yet performed) |
|---|---|---|
| redo_step, step evaluation | `redo`: evaluated again, a new result | void |
| redo_step, an earlier step | `annulled`, plan failed: run again | void |
| award_void (an award out) | `redo`: the winner chosen again | void |
| contract_void (a contract) | `redo`: the winner chosen again | void |
| retender | `annulled`, plan failed: run again | void |

A step before the evaluation cannot be redone inside one procurement once bids are in: Order 94
art. 31(1)/32(1) orders the procurement run again. A contract being performed is not revoked
(art. 71(4)): the decision is refused with CONTRACT_PERFORMED. What was done is returned as
steps ({object, id, from, to}) and kept on the decision.
"""

from __future__ import annotations

from gpcloud.contracts import voiding
from gpcloud.core.errors import DomainError
from gpcloud.transaction import remedies as projects
from gpcloud.transaction.facts import project as project_of


async def carry_out(remedy: str, step: str, project_id: int, document: str) -> list[dict]:
    if remedy == "none":
        return []
    before = await project_of(project_id)
    detail = {"remedy": remedy, "step": step, "document": document}
    if remedy == "award_void" and before["status"] != "awarded":
        raise DomainError(
            "REMEDY_NOT_APPLICABLE", f"the project is {before['status']}: no award", "remedy"
        )
    contracts = await voiding.live(project_id)
    if remedy == "contract_void" and not contracts:
        raise DomainError("REMEDY_NOT_APPLICABLE", "the project has no contract", "remedy")
    voided = await voiding.void_unperformed(project_id, detail)
    done = [
        {"object": "contract", "id": c["id"], "from": old["status"], "to": c["status"]}
        for old, c in zip(contracts, voided, strict=True)
    ]
    if remedy == "retender" or (remedy == "redo_step" and step != "evaluation"):
        after = await projects.annul(project_id, detail)
    else:
        after = await projects.set_result_aside(project_id, detail)
    return [
        {"object": "project", "id": project_id, "from": before["status"], "to": after["status"]},
        *done,
    ]
