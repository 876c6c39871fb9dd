"""The state machines of contracts, acceptance reports and payments."""

from __future__ import annotations

from gpcloud.contracts.tables import AcceptanceReport, Contract, Payment
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.clock import end_of
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.workflow.machine import StateMachine, Timer, transition


async def _tell_purchaser_overdue(contract: dict) -> None:
    await notify(
        "contract.publication_overdue",
        Recipients(organisation=contract["purchaser_organisation"], roles=(PURCHASER,)),
        {
            "title": contract["title"],
            "contract_id": contract["id"],
            "signed_on": contract["signed_on"],
        },
        about=("contract", contract["id"]),
        due=contract["publication_due"],
        key=f"contract:{contract['id']}:overdue",
    )


CONTRACT = StateMachine(
    "contract",
    "contract",
    Contract,
    states=("draft", "signed", "overdue", "published", "filed", "void"),
    initial="draft",
    create=Perm.CONTRACT_CREATE,
    transitions=[
        transition(
            "sign",
            "draft",
            "draft",
            Perm.CONTRACT_SIGN,
            "a party's Ed25519 signature over the digest, which the first signature fixes",
            by_party=True,
        ),
        transition(
            "complete_signing",
            "draft",
            "signed",
            Perm.CONTRACT_SIGN,
            "the second party's signature; publication due contract_publication (2 wd) later",
            by_party=True,
        ),
        transition(
            "publication_overdue",
            "signed",
            "overdue",
            None,
            "not published by publicationDue: contract_publication (2 wd, Implementing "
            "Regulation art. 50); the purchaser is told, supervisors see it",
        ),
        transition(
            "publish",
            ("signed", "overdue"),
            "published",
            Perm.CONTRACT_PUBLISH,
            "by the purchaser; late when overdue",
        ),
        transition("file", "published", "filed", Perm.CONTRACT_FILE, "合同备案 by a supervisor"),
        transition(
            "void",
            ("draft", "signed", "overdue", "published", "filed"),
            "void",
            None,
            "an upheld complaint set the award aside or revoked the contract before its "
            "performance (Implementing Regulation art. 71(2)(3)); contracts/voiding.py",
        ),
    ],
    timers=[
        Timer(
            "publication_overdue",
            lambda c: end_of(c["publication_due"]) if c["publication_due"] else None,
            "contract_publication",
            _tell_purchaser_overdue,
        )
    ],
)

# Published as it is recorded; nothing moves it afterwards.
ACCEPTANCE = StateMachine(
    "acceptance report",
    "acceptance_report",
    AcceptanceReport,
    states=("published",),
    initial="published",
    create=Perm.ACCEPTANCE_PUBLISH,
    transitions=[],
)

PAYMENT = StateMachine(
    "payment",
    "payment",
    Payment,
    states=("requested", "exported", "pushed", "rejected"),
    initial="requested",
    create=Perm.PAYMENT_REQUEST,
    transitions=[
        transition("exported", "requested", "exported", None, "written to the transition file"),
        transition("pushed", "requested", "pushed", None, "accepted by the live adapter"),
        transition(
            "rejected",
            "requested",
            "rejected",
            None,
            "refused by the live adapter: its amount goes back to the plan's line",
        ),
    ],
)
