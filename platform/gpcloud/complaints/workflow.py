"""The state machines of inquiries, challenges, complaints, suspensions and statutory clocks.

Modelled on ProZorro's (openprocurement.api): a claim goes claim -> answered -> resolved |
cancelled; a complaint pending -> accepted -> satisfied, ending invalid | declined | stopped |
mistaken. The Chinese steps map onto them: a challenge (质疑) is the claim, answered within 7 wd,
and ends resolved (the challenger is satisfied), cancelled (withdrawn), complained (escalated)
or closed (the complaint window passed); a complaint (投诉) is filed -> accepted -> served (copy
to the respondents) -> answered (their statement) -> dismissed | upheld, or ends rejected (不予
受理, ProZorro's invalid), referred (ProZorro's mistaken), withdrawn (stopped) or lapsed (missing
material not supplied). Every limit is a clock (COMPLAINT_CLOCK) the scheduler runs; what a
missed limit causes lives in service/clocks.py.
"""

from __future__ import annotations

from gpcloud.complaints.tables import (
    Challenge,
    Complaint,
    ComplaintClock,
    Inquiry,
    Suspension,
)
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import end_of
from gpcloud.core.workflow.machine import StateMachine, Timer, transition

INQUIRY = StateMachine(
    "inquiry",
    "inquiry",
    Inquiry,
    states=("open", "answered"),
    initial="open",
    create=Perm.INQUIRY_ASK,
    transitions=[
        transition(
            "answer",
            "open",
            "answered",
            Perm.INQUIRY_ANSWER,
            "by the purchaser or its agency within inquiry_answer (3 wd, Regulation art. 52); "
            "late when after answerDue",
            by_party=True,
        )
    ],
)

CHALLENGE = StateMachine(
    "challenge",
    "challenge",
    Challenge,
    states=("claim", "answered", "resolved", "cancelled", "complained", "closed"),
    initial="claim",
    create=Perm.CHALLENGE_FILE,
    transitions=[
        transition(
            "answer",
            "claim",
            "answered",
            Perm.CHALLENGE_ANSWER,
            "in writing within challenge_answer (7 wd, Law art. 53), to the challenger and the "
            "other suppliers concerned; late when after answerDue",
            by_party=True,
        ),
        transition("cancel", "claim", "cancelled", Perm.CHALLENGE_FILE, "withdrawn", by_party=True),
        transition(
            "resolve",
            "answered",
            "resolved",
            Perm.CHALLENGE_FILE,
            "the challenger accepts the answer",
            by_party=True,
        ),
        transition(
            "complain",
            ("claim", "answered"),
            "complained",
            None,
            "a complaint was filed on it (Law art. 55): answered, or the answer period over",
        ),
        transition(
            "close",
            ("claim", "answered"),
            "closed",
            None,
            "complaint_window (15 wd after the answer period, Law art. 55) passed without one",
        ),
    ],
)

HANDLING = ("filed", "incomplete", "accepted", "served", "answered", "paused")

COMPLAINT = StateMachine(
    "complaint",
    "complaint",
    Complaint,
    states=(
        *HANDLING,
        "dismissed",
        "upheld",
        "rejected",
        "referred",
        "withdrawn",
        "lapsed",
    ),
    initial="filed",
    create=Perm.COMPLAINT_FILE,
    transitions=[
        transition(
            "request_material",
            "filed",
            "incomplete",
            Perm.COMPLAINT_HANDLE,
            "once, within complaint_review (5 wd); the complainant supplies it within "
            "complaint_material (5 wd, Order 94 art. 21, unverified); the clock stands still",
        ),
        transition(
            "supplement",
            "incomplete",
            "filed",
            Perm.COMPLAINT_FILE,
            "the missing material; the review starts again",
            by_party=True,
        ),
        transition(
            "lapse",
            "incomplete",
            "lapsed",
            None,
            "the material was not supplied in time: the complaint is deemed withdrawn",
        ),
        transition(
            "reject",
            "filed",
            "rejected",
            Perm.COMPLAINT_HANDLE,
            "不予受理, with the reason, told within complaint_rejection (3 wd) after the review",
        ),
        transition(
            "refer",
            "filed",
            "referred",
            Perm.COMPLAINT_HANDLE,
            "not this department's: the complainant is told which one, within "
            "complaint_rejection (3 wd)",
        ),
        transition(
            "accept",
            "filed",
            "accepted",
            Perm.COMPLAINT_HANDLE,
            "受理 within complaint_review (5 wd); copy to the respondents due complaint_copy "
            "(8 wd) later",
        ),
        transition(
            "serve",
            "accepted",
            "served",
            Perm.COMPLAINT_HANDLE,
            "copy sent to the respondents, who answer within complaint_response (5 wd)",
        ),
        transition(
            "respond",
            "served",
            "answered",
            Perm.COMPLAINT_RESPOND,
            "the purchaser's or agency's statement with its evidence",
            by_party=True,
        ),
        transition(
            "pause",
            ("served", "answered"),
            "paused",
            Perm.COMPLAINT_HANDLE,
            "testing, inspection, appraisal or expert review: not counted in the decision "
            "period (Regulation art. 58)",
        ),
        transition(
            "resume_answered",
            "paused",
            "answered",
            Perm.COMPLAINT_HANDLE,
            "the testing or review is done; the decision period runs on",
        ),
        transition(
            "resume_served",
            "paused",
            "served",
            Perm.COMPLAINT_HANDLE,
            "the testing or review is done before the respondents answered",
        ),
        transition(
            "dismiss",
            ("served", "answered"),
            "dismissed",
            Perm.COMPLAINT_HANDLE,
            "驳回 within complaint_decision (30 wd, Law art. 56); published (Regulation art. 58)",
        ),
        transition(
            "uphold",
            ("served", "answered"),
            "upheld",
            Perm.COMPLAINT_HANDLE,
            "with a remedy (redo a step, re-tender, award void, contract void); published",
        ),
        transition(
            "withdraw",
            HANDLING,
            "withdrawn",
            Perm.COMPLAINT_FILE,
            "the complainant withdraws before the decision: the case ends (Order 94 art. 30, "
            "unverified)",
            by_party=True,
        ),
    ],
)

SUSPENSION = StateMachine(
    "suspension",
    "procurement_suspension",
    Suspension,
    states=("active", "lifted", "expired"),
    initial="active",
    create=Perm.PROCUREMENT_SUSPEND,
    transitions=[
        transition(
            "lift", "active", "lifted", Perm.PROCUREMENT_SUSPEND, "by the department, any time"
        ),
        transition(
            "expire",
            "active",
            "expired",
            None,
            "its last day ended: procurement_suspension_max (30 d, Law art. 57)",
        ),
    ],
    timers=[
        Timer(
            "expire",
            lambda s: end_of(s["ends_on"]),
            "procurement_suspension_max",
            "gpcloud.complaints.service.suspensions:expired",
        ),
    ],
)

COMPLAINT_CLOCK = StateMachine(
    "statutory clock",
    "complaint_clock",
    ComplaintClock,
    states=("open", "met", "missed", "paused", "cancelled"),
    initial="open",
    vetoed=False,
    transitions=[
        transition("meet", "open", "met", None, "its step was taken in time"),
        transition(
            "miss",
            "open",
            "missed",
            None,
            "its last day ended with the step not taken: shown overdue; what follows is the "
            "rule's (a lapsed complaint, a closed challenge)",
        ),
        transition("pause", "open", "paused", None, "the period stands still (art. 58)"),
        transition("resume", "paused", "open", None, "the period runs on, its end moved"),
        transition("cancel", ("open", "paused"), "cancelled", None, "its filing ended"),
    ],
    timers=[
        Timer(
            "miss",
            lambda c: end_of(c["due_on"]),
            "the clock's rule (complaint_* / challenge_* / inquiry_answer)",
            "gpcloud.complaints.service.lapses:missed",
        )
    ],
)
