"""Whether a procurement may take a step now: a suspension during a complaint stops every step
(Law art. 57); an unanswered challenge that may affect the result stops the contract's signing
and performance (Implementing Regulation art. 54). The complaints domain, above transaction and
contracts, answers through the gpcloud_procurement_blocks hook; both ask here.
"""

from __future__ import annotations

from decimal import Decimal

from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.money import to_fen
from gpcloud.core.plugins.hooks import collect

STOPS = ("transaction", "signing", "performance")


async def blocks(tenant: str, project_id: int) -> list[dict]:
    answers = await collect(
        tenant, "gpcloud_procurement_blocks", tenant=tenant, project_id=project_id
    )
    return [block for answer in answers for block in answer.value or ()]


async def ensure_free(tenant: str, project_id: int | None, stop: str) -> None:
    """Refuse `stop` ("transaction", "signing", "performance") while something stops it:
    PROCUREMENT_SUSPENDED for a suspension, CHALLENGE_PENDING for a challenge."""
    if project_id is None:  # a contract of no project (the e-mall): nothing to stop it here
        return
    for block in await blocks(tenant, project_id):
        if stop not in block.get("stops", STOPS):
            continue
        if block.get("kind") == "suspension":
            raise DomainError(
                "PROCUREMENT_SUSPENDED",
                f"the procurement is suspended until {block.get('until')} by the finance "
                f"department ({block.get('reference')}): {block.get('reason', '')}",
            )
        raise DomainError(
            "CHALLENGE_PENDING",
            f"{block.get('reason') or block.get('reference')}: the contract is not signed and "
            "not performed until it is answered (Implementing Regulation art. 54)",
        )


async def evaluation_problems(tenant: str, project_id: int, awarded: list[tuple[int, int]]):
    """What keeps a result from being published after an evaluation (Implementing Regulation
    art. 43): a winner the purchaser has not confirmed yet, or awards that do not name each
    confirmed winner (organisation id) at its amount (fen). The evaluation domain, above
    transaction, answers through the gpcloud_evaluation_result hook."""
    problems = []
    for result in await evaluation_results(tenant, project_id):
        winner = result.get("winner")
        if result.get("status") != "confirmed" or not winner:
            problems.append(
                Problem(
                    "EVALUATION_NOT_CONFIRMED",
                    f"{result.get('reference')}: the purchaser has not confirmed the winner",
                    "awards",
                )
            )
        elif (winner["organisation_id"], to_fen(Decimal(winner["amount"]))) not in awarded:
            problems.append(
                Problem(
                    "AWARD_NOT_EVALUATED_WINNER",
                    f"the result must name {winner['supplier_name']} at {winner['amount']} yuan, "
                    f"the winner the purchaser confirmed ({result.get('reference')})",
                    "awards",
                )
            )
    return problems


async def evaluation_results(tenant: str, project_id: int) -> list[dict]:
    """The project's evaluations as gpcloud_evaluation_result answers (confirmed winner, the
    experts' names for the result notice)."""
    answers = await collect(
        tenant, "gpcloud_evaluation_result", tenant=tenant, project_id=project_id
    )
    return [result for answer in answers for result in answer.value or ()]
