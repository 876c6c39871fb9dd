"""The state machines of intentions, plans and publication overrides."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.clock import start_of
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.workflow.machine import StateMachine, Timer, transition
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.supervision.tables import ProcurementIntention, ProcurementPlan, PublicationOverride


async def _tell_unit_open(intention: dict) -> None:
    unit = await purchasers.get(intention["purchaser"])
    await notify(
        "intention.open",
        Recipients(
            tenant=intention["tenant_id"], organisation=unit["organisation"], roles=(PURCHASER,)
        ),
        {
            "project_name": intention["project_name"],
            "published_on": intention["published_on"],
            "earliest_start": intention["earliest_start"],
        },
        about=("procurement_intention", intention["id"]),
        key=f"intention:{intention['id']}:open",
    )


INTENTION = StateMachine(
    "intention",
    "procurement_intention",
    ProcurementIntention,
    states=("draft", "published", "open", "withdrawn"),
    initial="draft",
    create=Perm.INTENTION_CREATE,
    transitions=[
        transition(
            "publish",
            "draft",
            "published",
            Perm.INTENTION_PUBLISH,
            "the expected start is at least intention_lead (30 d) after publication "
            "(Caiku [2020] 10)",
        ),
        transition(
            "open",
            "published",
            "open",
            None,
            "the intention_lead is over on its earliest start: the procurement may begin",
        ),
        transition(
            "withdraw", ("draft", "published", "open"), "withdrawn", Perm.INTENTION_WITHDRAW
        ),
    ],
    timers=[
        Timer(
            "open",
            lambda i: start_of(i["earliest_start"]) if i["earliest_start"] else None,
            "intention_lead",
            _tell_unit_open,
        )
    ],
)

PLAN = StateMachine(
    "plan",
    "procurement_plan",
    ProcurementPlan,
    states=(
        "draft",
        "submitted",
        "returned",
        "filed",
        "recalled",
        "executing",
        "failed",
        "terminated",
    ),
    initial="draft",
    create=Perm.PLAN_CREATE,
    transitions=[
        transition(
            "submit",
            ("draft", "returned"),
            "submitted",
            Perm.PLAN_SUBMIT,
            "open tender at or above the tenant's open_tender_threshold unless another method "
            "was approved; every line reserved on its indicator's balance",
        ),
        transition("file", "submitted", "filed", Perm.PLAN_FILE, "备案 by a supervisor"),
        transition(
            "return", "submitted", "returned", Perm.PLAN_RETURN, "with a reason; lines released"
        ),
        transition(
            "recall",
            ("draft", "submitted", "returned", "filed"),
            "recalled",
            Perm.PLAN_RECALL,
            "not yet executed; lines released",
        ),
        transition("entrust", "filed", "executing", None, "the purchaser entrusts a project"),
        transition("fail", "executing", "failed", None, "the project declared failed"),
        transition(
            "restart",
            "failed",
            "executing",
            Perm.PLAN_RESOLVE_FAILED,
            "under the original procedure (seed 九)",
        ),
        transition(
            "terminate",
            ("failed", "executing"),
            "terminated",
            Perm.PLAN_RESOLVE_FAILED,
            "what the lines still hold is released (seed 九)",
        ),
    ],
)

# An override of a publication warning is used once, by the publication it was asked for;
# asking again for the same rule and publication supersedes the earlier request.
OVERRIDE = StateMachine(
    "publication_override",
    "publication_override",
    PublicationOverride,
    states=("pending", "used", "superseded"),
    initial="pending",
    create=Perm.PUBLICATION_OVERRIDE,
    transitions=[
        transition(
            "use",
            "pending",
            "used",
            None,
            "the agency that asked for it publishes the plan's documents or announcement of its "
            "kind while the rule warns (supervision/warnings)",
        ),
        transition(
            "supersede",
            "pending",
            "superseded",
            None,
            "the agency asked again for the same rule and publication",
        ),
    ],
)
