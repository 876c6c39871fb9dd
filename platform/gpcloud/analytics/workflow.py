"""The red flag's state machine: raised open by the refresh, marked reviewed by a supervisor of
its region with a note (a compare-and-set, audited)."""

from __future__ import annotations

from gpcloud.analytics.tables import RedFlag
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.workflow.machine import StateMachine, transition

RED_FLAG = StateMachine(
    "red flag",
    "analytics_red_flag",
    RedFlag,
    states=("open", "reviewed"),
    initial="open",
    transitions=[
        transition(
            "review",
            "open",
            "reviewed",
            Perm.RED_FLAG_REVIEW,
            "a supervisor looked into the process and says what was found (the note)",
        ),
    ],
)
