"""What an upheld complaint orders a project to do, carried out as the project's own transitions
(core/workflow compare-and-set, audited with the decision): the complaints domain, above this
one, calls these inside the decision's transaction.

- `set_result_aside`: the evaluation is redone, or the award is void and the winner is chosen
  again from the qualified candidates (Implementing Regulation art. 71(2)(3); MOF Order 94 art.
  32, unverified): the project goes to `redo`, its awards are taken off (kept in the audit
  entry), and a new result (`publish_result` from `redo`) ends it.
- `annul`: the procurement is run again (art. 71(1); Order 94 arts. 31-32, unverified): the
  project ends `annulled` and its plan fails, so its purchaser starts a new procurement (or
  terminates the plan: supervision.plans.resolve_failed), as after a failed one.
"""

from __future__ import annotations

from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.supervision import plans
from gpcloud.transaction.tables import Award, Project
from gpcloud.transaction.workflow import PROJECT

SCOPE = "transaction: a remedy ordered by the finance department of the purchaser's level"


async def _project(project_id: int) -> dict:
    with all_tenants(SCOPE):
        row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("project", project_id)
    return row


def evaluated(project: dict) -> bool:
    """The evaluation may have run: the bids are opened (or, without sealed bids, their
    deadline day has come), or a result is out."""
    if project["status"] in ("opened", "awarded"):
        return True
    return (
        project["status"] == "tendering"
        and project["bid_deadline_at"] is None
        and project["bid_deadline"] is not None
        and today() >= project["bid_deadline"]
    )


async def set_result_aside(project_id: int, detail: dict) -> dict:
    """The project to `redo`, its awards removed (listed in the audit entry);
    REMEDY_NOT_APPLICABLE before an evaluation could have run or after the project ended."""
    project = await _project(project_id)
    if not evaluated(project):
        raise DomainError(
            "REMEDY_NOT_APPLICABLE",
            f"the project is {project['status']}: no evaluation or award to redo; order the "
            "procurement run again (retender)",
            "remedy",
        )
    with all_tenants(SCOPE):
        removed = (
            await Award.delete().where(Award.project == project_id).returning(*Award.all_columns())
        )
        aside = [
            {
                "supplier_organisation": a["supplier_organisation"],
                "supplier_name": a["supplier_name"],
                "amount_fen": a["amount_fen"],
            }
            for a in removed
        ]
        return await PROJECT.move(
            None, project, "order_redo", detail={**detail, "awards_set_aside": aside}
        )


async def annul(project_id: int, detail: dict) -> dict:
    """The project ends `annulled` and its plan fails (a new procurement is required);
    REMEDY_NOT_APPLICABLE when the project has ended already."""
    project = await _project(project_id)
    if project["status"] not in PROJECT.transitions["annul"].sources:
        raise DomainError(
            "REMEDY_NOT_APPLICABLE", f"the project is {project['status']} already", "remedy"
        )
    with all_tenants(SCOPE):
        moved = await PROJECT.move(None, project, "annul", detail=detail)
        await plans.mark(project["plan"], "fail", {"project": project_id, **detail})
    return moved
