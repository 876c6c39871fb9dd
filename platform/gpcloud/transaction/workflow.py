"""The state machine of a project in the simplified flow."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.workflow.machine import StateMachine, transition
from gpcloud.transaction.tables import Project

PROJECT = StateMachine(
    "project",
    "project",
    Project,
    states=("entrusted", "tendering", "awarded", "failed"),
    initial="entrusted",
    create=Perm.PROJECT_ENTRUST,
    transitions=[
        transition(
            "publish_tender",
            "entrusted",
            "tendering",
            Perm.PROJECT_ANNOUNCE,
            "not before the intention's earliest start; the bid deadline leaves the method's "
            "response period (bid_period 20 d for tenders); announced for "
            "tender_announcement_period",
        ),
        transition(
            "publish_correction",
            "tendering",
            "tendering",
            Perm.PROJECT_ANNOUNCE,
            "one affecting bids comes correction_before_deadline (15 d) before the deadline, "
            "or moves it",
        ),
        transition(
            "publish_result",
            "tendering",
            "awarded",
            Perm.PROJECT_ANNOUNCE,
            "after the bid deadline; active suppliers; awards within the budget",
        ),
        transition(
            "declare_failed",
            ("entrusted", "tendering"),
            "failed",
            Perm.PROJECT_DECLARE_FAILED,
            "with a reason; the plan fails too",
        ),
    ],
)
