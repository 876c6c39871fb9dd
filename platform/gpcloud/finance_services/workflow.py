"""The finance centre's state machines: institutions, bid guarantees, financing offers, payee
account changes, webhook deliveries. Institutions act wherever the supplier's project or
contract is (`by_party`): the services check that the row is theirs."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import start_of
from gpcloud.core.workflow.machine import StateMachine, Timer, transition
from gpcloud.finance_services.tables import (
    BidGuarantee,
    FinancialInstitution,
    FinancingOffer,
    PayeeAccountChange,
    WebhookDelivery,
)


def _region(row: dict) -> str:
    return row["region"]


INSTITUTION = StateMachine(
    "financial institution",
    "financial_institution",
    FinancialInstitution,
    states=("applied", "approved", "rejected", "suspended"),
    initial="applied",
    create=Perm.FINANCE_INSTITUTION_REGISTER,
    tenant=_region,
    transitions=[
        transition(
            "approve",
            ("applied", "suspended"),
            "approved",
            Perm.FINANCE_INSTITUTION_DECIDE,
            "the province admits it to the finance centre",
        ),
        transition(
            "reject", "applied", "rejected", Perm.FINANCE_INSTITUTION_DECIDE, "with reasons"
        ),
        transition(
            "suspend",
            "approved",
            "suspended",
            Perm.FINANCE_INSTITUTION_DECIDE,
            "its keys stop working; what it issued stays valid",
        ),
    ],
)

GUARANTEE = StateMachine(
    "bid guarantee",
    "bid_guarantee",
    BidGuarantee,
    states=("applied", "issued", "refused", "released", "claimed", "paid"),
    initial="applied",
    create=Perm.GUARANTEE_APPLY,
    transitions=[
        transition(
            "issue",
            "applied",
            "issued",
            Perm.GUARANTEE_ISSUE,
            "signed by the institution's registered key, verified against the project's "
            "requirement (Regulation art. 33: non-cash bid security)",
            by_party=True,
        ),
        transition("refuse", "applied", "refused", Perm.GUARANTEE_ISSUE, by_party=True),
        transition(
            "release",
            "issued",
            "released",
            Perm.GUARANTEE_MANAGE,
            "returned within 5 wd of the award notice (losers) or of the signing "
            "(winner): Regulation art. 33",
        ),
        transition(
            "claim",
            "issued",
            "claimed",
            Perm.GUARANTEE_MANAGE,
            "a defined default (withdrawal after the deadline, refusal to sign) with evidence",
        ),
        transition("pay", "claimed", "paid", Perm.GUARANTEE_ISSUE, by_party=True),
    ],
    timers=[
        Timer(
            "release",
            lambda r: start_of(r["release_due"]) if r["release_due"] else None,
            "Regulation art. 33: bid security returned within 5 working days",
        ),
    ],
)

OFFER = StateMachine(
    "financing offer",
    "financing_offer",
    FinancingOffer,
    states=("pending", "approved", "declined", "withdrawn"),
    initial="pending",
    create=Perm.FINANCING_APPLY,
    transitions=[
        transition(
            "approve",
            "pending",
            "approved",
            Perm.FINANCING_DECIDE,
            "the institution lends: amount, rate, term",
            by_party=True,
        ),
        transition("decline", "pending", "declined", Perm.FINANCING_DECIDE, by_party=True),
        transition(
            "withdraw",
            "pending",
            "withdrawn",
            Perm.FINANCING_APPLY,
            "the supplier withdraws its consent: the institution's access ends",
            by_party=True,
        ),
    ],
)

PAYEE_CHANGE = StateMachine(
    "payee account change",
    "payee_account_change",
    PayeeAccountChange,
    states=("requested", "purchaser_approved", "institution_approved", "approved", "rejected"),
    initial="requested",
    create=Perm.FINANCING_APPLY,
    transitions=[
        transition(
            "purchaser_approve", "requested", "purchaser_approved", Perm.PAYEE_CHANGE_APPROVE
        ),
        transition(
            "purchaser_complete",
            "institution_approved",
            "approved",
            Perm.PAYEE_CHANGE_APPROVE,
            "both the purchaser and the institution approved",
        ),
        transition(
            "institution_approve",
            "requested",
            "institution_approved",
            Perm.PAYEE_CHANGE_APPROVE,
            by_party=True,
        ),
        transition(
            "institution_complete",
            "purchaser_approved",
            "approved",
            Perm.PAYEE_CHANGE_APPROVE,
            "both the purchaser and the institution approved",
            by_party=True,
        ),
        transition(
            "reject",
            ("requested", "purchaser_approved", "institution_approved"),
            "rejected",
            Perm.PAYEE_CHANGE_APPROVE,
            by_party=True,
        ),
    ],
)

WEBHOOK = StateMachine(
    "webhook delivery",
    "webhook_delivery",
    WebhookDelivery,
    states=("pending", "waiting", "delivered", "dead"),
    initial="pending",
    tenant=_region,
    vetoed=False,
    audited=False,
    transitions=[
        transition("deliver", "pending", "delivered", None),
        transition("fail", "pending", "waiting", None, "retried with exponential backoff"),
        transition("bury", "pending", "dead", None, "the last attempt failed: a dead letter"),
        transition("retry", "waiting", "pending", None),
        transition(
            "redeliver",
            "dead",
            "pending",
            Perm.FINANCE_CREDENTIALS_MANAGE,
            "the institution asks for its dead letters again",
            by_party=True,
        ),
    ],
    timers=[
        Timer(
            "retry",
            lambda r: r["next_attempt_at"],
            "webhook backoff",
            after="gpcloud.finance_services.service.webhooks:queue",
        ),
    ],
)
