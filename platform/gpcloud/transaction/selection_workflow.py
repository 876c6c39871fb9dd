"""The state machines of prequalification and of the quote rounds (transaction/workflow.py
imports them, so that the scheduler finds their timers with the project's)."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.workflow.machine import StateMachine, Timer, transition
from gpcloud.transaction.selection_tables import (
    InvitationDraw,
    Prequalification,
    PrequalificationApplication,
    Quote,
    QuoteRound,
)

PREQUALIFICATION = StateMachine(
    "prequalification",
    "prequalification",
    Prequalification,
    states=("open", "closed", "concluded", "failed"),
    initial="open",
    create=Perm.PREQUALIFICATION_MANAGE,
    transitions=[
        transition(
            "correct",
            "open",
            "open",
            Perm.PREQUALIFICATION_MANAGE,
            "a correction affecting applications comes prequalification_correction_before_deadline "
            "(3 d) before the application deadline, or moves it (MOF Order 87 art. 27, "
            "unverified text; Bidding Law Regulation art. 21)",
            by_party=True,
        ),
        transition(
            "close",
            "open",
            "closed",
            None,
            "at applications_due_at (server clock): no application is taken after it; the "
            "period is at least prequalification_application_period (5 wd, Implementing "
            "Regulation art. 21)",
        ),
        transition(
            "conclude",
            "closed",
            "concluded",
            Perm.PREQUALIFICATION_MANAGE,
            "every application reviewed and at least the method's minimum_bidders qualified: "
            "only they obtain the documents and bid (MOF Order 87 art. 14, unverified text)",
        ),
        transition(
            "fail",
            "closed",
            "failed",
            Perm.PREQUALIFICATION_MANAGE,
            "every application reviewed, fewer than minimum_bidders qualified: re-tender "
            "(Law art. 34 asks three or more; Bidding Law Regulation art. 19 by analogy)",
        ),
    ],
    timers=[
        Timer(
            "close",
            lambda p: p["applications_due_at"],
            "the application deadline of the prequalification notice",
        )
    ],
)

APPLICATION = StateMachine(
    "prequalification application",
    "prequalification_application",
    PrequalificationApplication,
    states=("submitted", "qualified", "rejected"),
    initial="submitted",
    create=Perm.PREQUALIFICATION_APPLY,
    transitions=[
        transition(
            "resubmit",
            "submitted",
            "submitted",
            Perm.PREQUALIFICATION_APPLY,
            "the applicant replaces its documents until the application deadline",
            by_party=True,
        ),
        transition(
            "qualify",
            "submitted",
            "qualified",
            Perm.PREQUALIFICATION_MANAGE,
            "by the agency after the application deadline, against the notice's requirements",
            by_party=True,
        ),
        transition(
            "reject",
            "submitted",
            "rejected",
            Perm.PREQUALIFICATION_MANAGE,
            "by the agency after the application deadline, with the reason",
            by_party=True,
        ),
    ],
)

INVITATION_DRAW = StateMachine(
    "invitation draw",
    "invitation_draw",
    InvitationDraw,
    states=("committed", "drawn"),
    initial="committed",
    create=Perm.PREQUALIFICATION_MANAGE,
    transitions=[
        transition(
            "draw",
            "committed",
            "drawn",
            Perm.PREQUALIFICATION_MANAGE,
            "by the agency once the prequalification is concluded: at least the method's "
            "minimum_bidders, at most every qualified supplier, drawn at random from the "
            "qualified with the seed committed at the notice (Law art. 34: 通过随机方式选择三家"
            "以上; MOF Order 87 art. 14, unverified text)",
            by_party=True,
        ),
    ],
)

QUOTE_ROUND = StateMachine(
    "quote round",
    "quote_round",
    QuoteRound,
    states=("open", "closed"),
    initial="open",
    create=Perm.QUOTE_ROUND_MANAGE,
    transitions=[
        transition(
            "close",
            "open",
            "closed",
            None,
            "at deadline_at (server clock): no quote is taken after it; each supplier unseals "
            "its sealed quote within the decryption window, and the unsealed quotes become "
            "readable to the agency and the panel (Law art. 38(4)-(5): no party learns another's "
            "price during the negotiation)",
        ),
    ],
    timers=[Timer("close", lambda r: r["deadline_at"], "the round's deadline set by the panel")],
)

QUOTE = StateMachine(
    "quote",
    "quote",
    Quote,
    states=("submitted", "unsealed"),
    initial="submitted",
    create=Perm.QUOTE_SUBMIT,
    transitions=[
        transition(
            "revise",
            "submitted",
            "submitted",
            Perm.QUOTE_SUBMIT,
            "the supplier revises its sealed quote until the round's deadline (the last one "
            "counts)",
            by_party=True,
        ),
        transition(
            "unseal",
            "submitted",
            "unsealed",
            Perm.QUOTE_SUBMIT,
            "by the supplier with its content key, after the round closed and within the "
            "decryption window (tenant config transaction.decryption_window_minutes); the "
            "digest must be the one received and the form must name the round; a quote not "
            "unsealed in time counts as none given",
            by_party=True,
        ),
    ],
)
