"""The state machines of contracts, acceptance reports and payments."""

from __future__ import annotations

from gpcloud.contracts.tables import AcceptanceReport, Contract, Payment
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.workflow.machine import StateMachine, transition

CONTRACT = StateMachine(
    "contract",
    "contract",
    Contract,
    states=("draft", "signed", "published", "filed"),
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
            "publish",
            "signed",
            "published",
            Perm.CONTRACT_PUBLISH,
            "by the purchaser; late after publicationDue",
        ),
        transition("file", "published", "filed", Perm.CONTRACT_FILE, "合同备案 by a supervisor"),
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
