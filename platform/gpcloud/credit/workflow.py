"""The state machines of credit records and appeals.

A record is active from its recording; it expires by itself the day after its period ends (a
Timer: the scheduler takes it at the end of `ends_on`, Asia/Shanghai), is repaired (信用修复)
or revoked by a supervisor of its region, or revoked when the subject's appeal is upheld.
Province-shared rows have no tenant_id: their region is the tenant they belong to.
"""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import end_of
from gpcloud.core.workflow.machine import StateMachine, Timer, transition
from gpcloud.credit.tables import CreditAppeal, CreditRecord


def _region(row: dict) -> str:
    return row["region"]


RECORD = StateMachine(
    "credit record",
    "credit_record",
    CreditRecord,
    states=("active", "expired", "repaired", "revoked"),
    initial="active",
    create=Perm.CREDIT_RECORD,
    tenant=_region,
    transitions=[
        transition(
            "expire",
            "active",
            "expired",
            None,
            "its period ended (a serious-violation ban lasts 1 to 3 years: Law art. 77)",
        ),
        transition(
            "repair",
            "active",
            "repaired",
            Perm.CREDIT_REPAIR,
            "信用修复: the subject corrected what it was recorded for, with the document",
        ),
        transition(
            "revoke",
            ("active", "expired", "repaired"),
            "revoked",
            Perm.CREDIT_REVOKE,
            "recorded in error or annulled (an upheld appeal, a court), with the reason",
        ),
    ],
    timers=[
        Timer(
            "expire",
            lambda r: end_of(r["ends_on"]) if r["ends_on"] else None,
            "credit record period",
        )
    ],
)

APPEAL = StateMachine(
    "credit appeal",
    "credit_appeal",
    CreditAppeal,
    states=("filed", "upheld", "dismissed"),
    initial="filed",
    create=Perm.CREDIT_APPEAL,
    tenant=_region,
    transitions=[
        transition(
            "uphold",
            "filed",
            "upheld",
            Perm.CREDIT_DECIDE_APPEAL,
            "the appeal is founded: the record is revoked in the same step",
        ),
        transition(
            "dismiss", "filed", "dismissed", Perm.CREDIT_DECIDE_APPEAL, "unfounded, with reasons"
        ),
    ],
)
