"""The state machines of a project (one machine for every method: transaction/methods.py holds
what differs), of its sealed bids and of its opening record.

A project in the simplified flow goes entrusted -> tendering -> awarded | failed. Published with
a deadline instant (`bid_deadline_at`), it takes sealed bids and the scheduler runs the rest:
at the deadline `close_bidding` (then `fail_too_few_bids`, or `open_hall` with the decryption
window), at the window's end `end_unsealing` (bids not unsealed are revoked or withdrawn and the
opening record is written).
"""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import end_of
from gpcloud.core.workflow.machine import StateMachine, Timer, transition

# Prequalification and quote rounds: their machines are declared beside their tables; imported
# here so that the scheduler, which loads each domain's workflow module, runs their timers.
from gpcloud.transaction.selection_workflow import (  # noqa: F401
    APPLICATION,
    INVITATION_DRAW,
    PREQUALIFICATION,
    QUOTE,
    QUOTE_ROUND,
)
from gpcloud.transaction.tables import Announcement, Bid, OpeningRecord, Project

PROJECT = StateMachine(
    "project",
    "project",
    Project,
    states=(
        "entrusted",
        "tendering",
        "closed",
        "opening",
        "opened",
        "awarded",
        "failed",
        "redo",
        "annulled",
    ),
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
            "close_bidding",
            "tendering",
            "closed",
            None,
            "at bidDeadlineAt (server clock): no bid is taken after it; the credit check runs "
            "for every bidder",
        ),
        transition(
            "fail_too_few_bids",
            "closed",
            "failed",
            None,
            "fewer bids than the method's minimum_bidders (3 for tenders): no opening (Law art. "
            "36); re-tender after fixing the documents, or apply to switch method (MOF Order 87 "
            "art. 43, unverified text)",
        ),
        transition(
            "fail_too_few_qualified",
            "entrusted",
            "failed",
            Perm.PREQUALIFICATION_MANAGE,
            "the agency concludes the prequalification with fewer qualified suppliers than the "
            "method's minimum_bidders: 废标 (Law art. 36(1): fewer than three suppliers meeting "
            "the qualifications), no tender; re-tender after fixing the documents, or apply to "
            "switch method (MOF Order 87 art. 43, unverified text)",
            by_party=True,
        ),
        transition(
            "open_hall",
            "closed",
            "opening",
            None,
            "the opening hall: each bidder unseals its bid within the decryption window "
            "(tenant config transaction.decryption_window_minutes, default 30)",
        ),
        transition(
            "end_unsealing",
            "opening",
            "opened",
            None,
            "at the window's end: a bid not unsealed is revoked (the bidder's cause) or withdrawn "
            "(the platform's), national e-bidding rules art. 31; the opening record is written",
        ),
        transition(
            "publish_result",
            ("tendering", "opened", "redo"),
            "awarded",
            Perm.PROJECT_ANNOUNCE,
            "after the bid deadline; active suppliers; awards within the budget",
        ),
        transition(
            "declare_failed",
            ("entrusted", "tendering", "opened", "redo"),
            "failed",
            Perm.PROJECT_DECLARE_FAILED,
            "with a reason; the plan fails too",
        ),
        # Carried out for an upheld complaint (transaction/remedies.py).
        transition(
            "order_redo",
            ("tendering", "opened", "awarded"),
            "redo",
            None,
            "an upheld complaint: the evaluation is redone, or the award is void and the winner "
            "chosen again from the qualified candidates (Implementing Regulation art. 71(2)(3); "
            "MOF Order 94 art. 32, unverified); the awards are set aside until a new result",
        ),
        transition(
            "annul",
            ("entrusted", "tendering", "closed", "opening", "opened", "awarded", "redo"),
            "annulled",
            None,
            "an upheld complaint orders the procurement run again (Implementing Regulation art. "
            "71(1); MOF Order 94 arts. 31-32, unverified): this one ends, its plan fails and "
            "a new procurement is required",
        ),
        # A suspension (Law art. 57) holds the running timer; its end resumes it with the time
        # that was left (transaction/holds.py).
        *(
            transition(
                f"{verb}_{what}",
                state,
                state,
                None,
                f"{verb}: the {timer} stands still while the finance department suspends the "
                "procurement (Law art. 57; MOF Order 94 art. 28, unverified) and runs on with "
                "the time left when the suspension ends",
            )
            for what, state, timer in (
                ("bidding", "tendering", "bid deadline"),
                ("unsealing", "opening", "decryption window"),
            )
            for verb in ("hold", "resume")
        ),
    ],
    timers=[
        Timer(
            "close_bidding",
            lambda p: p["bid_deadline_at"],
            "the bid deadline of the tender announcement",
            "gpcloud.transaction.opening:after_close",
        ),
        Timer(
            "end_unsealing",
            lambda p: p["opening_ends_at"],
            "decryption window (tenant config transaction.decryption_window_minutes)",
            "gpcloud.transaction.opening:after_unsealing",
        ),
    ],
)

BID = StateMachine(
    "bid",
    "bid",
    Bid,
    states=("submitted", "withdrawn", "unsealed", "revoked"),
    initial="submitted",
    create=Perm.BID_SUBMIT,
    transitions=[
        transition(
            "withdraw",
            "submitted",
            "withdrawn",
            Perm.BID_SUBMIT,
            "by the bidder until the deadline; a replaced bid is withdrawn and kept",
            by_party=True,
        ),
        transition(
            "unseal",
            "submitted",
            "unsealed",
            Perm.BID_UNSEAL,
            "by the bidder with its content key, in the opening hall within the decryption "
            "window; the digest must be the receipt's",
            by_party=True,
        ),
        transition(
            "revoke",
            "submitted",
            "revoked",
            None,
            "not unsealed in the window for the bidder's cause (no attempt, a wrong key): "
            "national e-bidding rules art. 31",
        ),
        transition(
            "withdraw_for_platform",
            "submitted",
            "withdrawn",
            None,
            "not unsealed in the window for the platform's cause (stored ciphertext unreadable "
            "or not the receipted one): national e-bidding rules art. 31",
        ),
    ],
)

OPENING = StateMachine(
    "opening_record",
    "opening_record",
    OpeningRecord,
    states=("open", "signed"),
    initial="open",
    transitions=[
        transition(
            "sign",
            "open",
            "signed",
            Perm.OPENING_SIGN,
            "by the agency, once every objection is answered",
        ),
    ],
)

# An announcement stays published for its period (tender: 5 wd, MOF Order 87 art. 16; result:
# 1 wd); the scheduler marks the end, so that what must still be shown is known.
ANNOUNCEMENT = StateMachine(
    "announcement",
    "announcement",
    Announcement,
    states=("published", "ended"),
    initial="published",
    transitions=[
        transition(
            "end_period",
            "published",
            "ended",
            None,
            "its period_end is over (tender_announcement_period, result_announcement_period)",
        )
    ],
    timers=[
        Timer(
            "end_period",
            lambda a: end_of(a["period_end"]) if a["period_end"] else None,
            "tender_announcement_period / result_announcement_period",
        )
    ],
)
