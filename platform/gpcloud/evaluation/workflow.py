"""The state machines of a committee, its expert draw and each drawn expert.

A committee is formed (composition checked), its draw committed (the seed's hash audited) and
run after the bid deadline: the first picks are invited, the rest wait as backups in order. An
invited expert confirms, declines, or lets the tenant's confirmation time pass (a Timer); each
seat that falls free calls the next backup, and when no backup is left the committee is
incomplete. With every seat confirmed it is complete; starting the evaluation unseals the names
and reveals the seed.
"""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import end_of
from gpcloud.core.workflow.machine import StateMachine, Timer, transition
from gpcloud.evaluation.tables import (
    DrawMember,
    Evaluation,
    EvaluationCommittee,
    EvaluationMember,
    EvaluationReport,
    ExpertDraw,
    LowPriceInquiry,
    PriceCorrection,
)

COMMITTEE = StateMachine(
    "evaluation committee",
    "evaluation_committee",
    EvaluationCommittee,
    states=("forming", "confirming", "complete", "evaluating", "incomplete", "cancelled"),
    initial="forming",
    create=Perm.COMMITTEE_MANAGE,
    transitions=[
        transition(
            "draw",
            "forming",
            "confirming",
            Perm.COMMITTEE_MANAGE,
            "after the bid deadline (recusal needs the bidders) and not earlier than "
            "expert_draw_lead (2 wd, unverified) before the evaluation, except negotiation, "
            "consultation and remote evaluation; random draw from the pool (Implementing "
            "Regulation art. 39)",
            by_party=True,
        ),
        transition(
            "complete",
            "confirming",
            "complete",
            None,
            "every expert seat is confirmed",
        ),
        transition(
            "reopen",
            "complete",
            "confirming",
            None,
            "a confirmed expert recused before the evaluation: the next backup is called "
            "(Bidding Law art. 37: an interested person who entered is replaced)",
        ),
        transition(
            "fail_incomplete",
            "confirming",
            "incomplete",
            None,
            "a seat fell free and no backup is left: the evaluation cannot start",
        ),
        transition(
            "start_evaluation",
            "complete",
            "evaluating",
            Perm.COMMITTEE_MANAGE,
            "every seat confirmed; the names are unsealed for the agency and the seed revealed",
            by_party=True,
        ),
        transition(
            "choose_chair",
            "evaluating",
            "evaluating",
            Perm.COMMITTEE_MANAGE,
            "the members elect a chair among the confirmed experts; the purchaser's "
            "representative may not chair (Order 87 art. 45, unverified text)",
            by_party=True,
        ),
        transition(
            "cancel",
            ("forming", "confirming", "complete", "incomplete"),
            "cancelled",
            Perm.COMMITTEE_MANAGE,
            "with a reason, before the evaluation starts",
            by_party=True,
        ),
    ],
)

DRAW = StateMachine(
    "expert draw",
    "expert_draw",
    ExpertDraw,
    states=("committed", "drawn", "revealed", "cancelled"),
    initial="committed",
    create=Perm.COMMITTEE_MANAGE,
    transitions=[
        transition(
            "run",
            "committed",
            "drawn",
            Perm.COMMITTEE_MANAGE,
            "the eligible list is frozen (digest audited) and the committee drawn from the "
            "committed seed (docs/evaluation.md)",
            by_party=True,
        ),
        transition(
            "reveal",
            "drawn",
            "revealed",
            None,
            "the evaluation starts: the seed is published with the names (Order 87 art. 69)",
        ),
        transition("cancel", "committed", "cancelled", None, "its committee was cancelled"),
    ],
)

MEMBER = StateMachine(
    "drawn expert",
    "expert_draw_member",
    DrawMember,
    states=("waiting", "invited", "confirmed", "declined", "timed_out", "recused", "released"),
    initial="waiting",
    transitions=[
        transition("invite", "waiting", "invited", None, "a seat is free: next in draw order"),
        transition(
            "confirm",
            "invited",
            "confirmed",
            Perm.ASSIGNMENT_RESPOND,
            "by the expert, before confirm_by; recusal against every bidder is checked again",
            by_party=True,
        ),
        transition(
            "decline",
            "invited",
            "declined",
            Perm.ASSIGNMENT_RESPOND,
            "by the expert, with a reason",
            by_party=True,
        ),
        transition(
            "time_out",
            "invited",
            "timed_out",
            None,
            "not confirmed within the tenant's expert_draw.confirm_hours (practice, unverified)",
        ),
        transition(
            "declare_conflict",
            ("invited", "confirmed"),
            "recused",
            Perm.ASSIGNMENT_RESPOND,
            "the expert declares a conflict with a bidder (Caiku [2016] 198 recusal)",
            by_party=True,
        ),
        transition(
            "recuse",
            ("invited", "confirmed"),
            "recused",
            None,
            "the recheck at confirmation found a relation with a bidder, a ban or leave",
        ),
        transition(
            "release",
            "waiting",
            "released",
            None,
            "every seat is confirmed, or the committee is cancelled: the backup is not needed",
        ),
        transition("withdraw", ("invited", "confirmed"), "released", None, "committee cancelled"),
    ],
    timers=[
        Timer(
            "time_out",
            lambda m: m["confirm_by"],
            "expert_draw.confirm_hours of the tenant's config",
            "gpcloud.evaluation.service.seats:after_time_out",
        )
    ],
)

# --- The evaluation (service/evaluations.py and its neighbours) ---

EVALUATION = StateMachine(
    "evaluation",
    "evaluation",
    Evaluation,
    states=("reviewing", "reported"),
    initial="reviewing",
    create=Perm.COMMITTEE_MANAGE,
    transitions=[
        transition(
            "freeze_report",
            "reviewing",
            "reported",
            Perm.COMMITTEE_MANAGE,
            "every member checked in and submitted, both reviews complete, no correction or "
            "low-price decision outstanding: the report is frozen with its digest",
            by_party=True,
        ),
    ],
)

ATTENDANCE = StateMachine(
    "evaluation member",
    "evaluation_member",
    EvaluationMember,
    states=("absent", "present", "scored", "signed"),
    initial="absent",
    transitions=[
        transition(
            "check_in",
            "absent",
            "present",
            Perm.EVALUATION_CONDUCT,
            "face verification at the evaluation room (seed 四(二)), billed to the agency; "
            "the bids are shown only from then on",
            by_party=True,
        ),
        transition(
            "submit_scores",
            "present",
            "scored",
            Perm.EVALUATION_CONDUCT,
            "every criterion of every valid bid scored; others' scores are shown only from "
            "then on (independent evaluation, Implementing Regulation art. 41)",
            by_party=True,
        ),
        transition(
            "dissent",
            ("present", "scored"),
            "scored",
            Perm.EVALUATION_CONDUCT,
            "a member disagreeing states it with the reason; none is agreement (Implementing "
            "Regulation art. 41)",
            by_party=True,
        ),
        transition(
            "sign",
            "scored",
            "signed",
            Perm.EVALUATION_CONDUCT,
            "the frozen report signed by e-signature (Implementing Regulation art. 41), billed "
            "to the agency",
            by_party=True,
        ),
    ],
)

CORRECTION = StateMachine(
    "price correction",
    "evaluation_correction",
    PriceCorrection,
    states=("proposed", "confirmed", "refused"),
    initial="proposed",
    create=Perm.EVALUATION_CONDUCT,
    transitions=[
        transition(
            "confirm",
            "proposed",
            "confirmed",
            Perm.EVALUATION_RESPOND,
            "the bidder confirms the corrected price: binding (Order 87 art. 59, unverified)",
            by_party=True,
        ),
        transition(
            "refuse",
            "proposed",
            "refused",
            Perm.EVALUATION_RESPOND,
            "the bidder refuses: the bid is invalid (Order 87 art. 59, unverified)",
            by_party=True,
        ),
    ],
)

LOW_PRICE = StateMachine(
    "low price inquiry",
    "evaluation_low_price",
    LowPriceInquiry,
    states=("requested", "explained", "justified", "unjustified"),
    initial="requested",
    create=Perm.EVALUATION_CONDUCT,
    transitions=[
        transition(
            "explain",
            "requested",
            "explained",
            Perm.EVALUATION_RESPOND,
            "the bidder explains before explain_by (Order 87 art. 60, unverified text)",
            by_party=True,
        ),
        transition(
            "accept",
            "explained",
            "justified",
            Perm.EVALUATION_CONDUCT,
            "the committee finds the price justified: the bid stays",
            by_party=True,
        ),
        transition(
            "reject",
            ("requested", "explained"),
            "unjustified",
            Perm.EVALUATION_CONDUCT,
            "unexplained by explain_by, or not justified: the bid is invalid (Order 87 art. 60)",
            by_party=True,
        ),
    ],
)

REPORT = StateMachine(
    "evaluation report",
    "evaluation_report",
    EvaluationReport,
    states=("signing", "signed", "sent", "confirmed"),
    initial="signing",
    transitions=[
        transition(
            "complete_signatures",
            "signing",
            "signed",
            None,
            "the last member signed: the evaluation ends; the agency sends the report within "
            "2 wd (Implementing Regulation art. 43)",
        ),
        transition(
            "send",
            "signed",
            "sent",
            Perm.COMMITTEE_MANAGE,
            "the agency sends the report to the purchaser (within 2 wd of the evaluation's end, "
            "Implementing Regulation art. 43)",
            by_party=True,
        ),
        transition(
            "confirm_winner",
            "sent",
            "confirmed",
            Perm.EVALUATION_CONFIRM,
            "within 5 wd, the candidates in ranking order (Implementing Regulation art. 43); "
            "another only with a legal reason (art. 49: the higher one declined)",
            by_party=True,
        ),
        transition(
            "deem_confirmed",
            "sent",
            "confirmed",
            None,
            "the purchaser confirmed no winner within the 5 wd: the first candidate of the "
            "ranking is the winner (MOF Order 87 art. 68, text unverified)",
        ),
    ],
    timers=[
        Timer(
            "deem_confirmed",
            lambda r: end_of(r["confirm_by"]) if r["confirm_by"] else None,
            "winner_confirmation (5 wd) of the rule set evaluation",
            "gpcloud.evaluation.service.reports:after_deemed_confirmed",
        )
    ],
)
