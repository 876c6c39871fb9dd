"""Contracts through the API: creation from a result, online signing with registered keys,
publication, filing, and verification of the signatures at any time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.contracts import mall, performance, service
from gpcloud.contracts.workflow import CONTRACT, PAYMENT
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant
from gpcloud.core.money import to_yuan
from gpcloud.core.scheduler.graphql import Schedule, schedule_of
from gpcloud.emall.graphql import LIVE as MALL_LIVE
from gpcloud.emall.graphql import MallOrderPayload, order_payload
from gpcloud.supervision import views
from gpcloud.supervision.graphql import ProcurementPlan

READERS = Requires(Perm.CONTRACT_READ)
LIVE = SubsystemLive("supervision")
ContractStatus = state_enum(
    "ContractStatus",
    CONTRACT,
    {
        "draft": "Written, waiting for both parties' e-signatures (within 30 days of the "
        "result, GP Law art. 46).",
        "signed": "Signed by both; to be published within 2 working days (Regulation art. 50).",
        "overdue": "Signed and not published in time: the supervisors see it.",
        "published": "Published on the portal; the supervisor files it (备案).",
        "filed": "Filed (合同备案) by the finance department.",
        "void": "Set aside (撤销) by an upheld complaint before it was performed "
        "(Implementing Regulation art. 71).",
    },
)
PaymentStatus = state_enum(
    "PaymentStatus",
    PAYMENT,
    {
        "requested": "Requested by the purchaser; waits for the exchange with the finance system.",
        "exported": "Written to the transition file for the finance system.",
        "pushed": "Taken by the finance system's live adapter.",
        "rejected": "The finance system refused it; message says why.",
    },
)


@strawberry.type(
    description="One party's signature of a contract (Ed25519), and whether it verifies."
)
class ContractSignature:
    organisation_id: strawberry.ID = strawberry.field(description="The party that signed.")
    signer: str = strawberry.field(description="The login name of who signed for it.")
    signed_at: datetime = strawberry.field(description="When.")
    signature: str = strawberry.field(description="The Ed25519 signature of digest, base64.")
    valid: bool = strawberry.field(description="Verifies over the contract as stored now.")


@strawberry.type(description="What the stored contract and its signatures say today.")
class ContractVerification:
    digest: str = strawberry.field(description="sha256 of the contract's content as stored now.")
    digest_matches: bool = strawberry.field(description="Same content as when first signed.")
    valid: bool = strawberry.field(description="Every signature verifies and the content holds.")
    signatures: list[ContractSignature] = strawberry.field(
        directives=[ListSize(max=20)], description="Each party's signature, checked."
    )


@strawberry.type(description="A published acceptance (履约验收) of a contract.")
class AcceptanceReport:
    id: strawberry.ID
    kind: str = strawberry.field(description="stage (goods), period (services) or final.")
    title: str = strawberry.field(description="The report's title.")
    findings: str = strawberry.field(description="What the acceptance found.")
    passed: bool = strawberry.field(description="Whether the delivery passed.")
    accepted_on: date = strawberry.field(description="The day of the acceptance.")
    published_on: date | None = strawberry.field(description="The day it was published.")

    @classmethod
    def of(cls, row: dict) -> AcceptanceReport:
        return cls(
            id=strawberry.ID(str(row["id"])),
            kind=row["kind"],
            title=row["title"],
            findings=row["findings"],
            passed=row["passed"],
            accepted_on=row["accepted_on"],
            published_on=row["published_on"],
        )


@strawberry.type(description="A payment request to digital_finance; money in yuan.")
class Payment:
    id: strawberry.ID
    indicator_id: strawberry.ID = strawberry.field(description="The budget indicator paid from.")
    amount: Decimal = strawberry.field(description="Yuan.")
    final: bool = strawberry.field(description="The last payment of the contract (尾款).")
    status: PaymentStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    finance_reference: str = strawberry.field(description="The finance system's id for it.")
    message: str = strawberry.field(description="What the finance system said.")

    @classmethod
    def of(cls, row: dict) -> Payment:
        return cls(
            id=strawberry.ID(str(row["id"])),
            indicator_id=strawberry.ID(str(row["indicator"])),
            amount=to_yuan(row["amount_fen"]),
            final=row["final"],
            status=PaymentStatus(row["status"]),
            finance_reference=row["finance_reference"],
            message=row["message"],
        )


@strawberry.type(description="A procurement contract; money in yuan.")
class Contract:
    id: strawberry.ID
    tenant_code: str
    plan_id: strawberry.ID = strawberry.field(description="The procurement plan it executes.")
    project_id: strawberry.ID | None = strawberry.field(
        description="The e-transaction project it came from; null for e-mall orders."
    )
    parent_id: strawberry.ID | None = strawberry.field(description="Set on a supplement.")
    purchaser_organisation_id: strawberry.ID = strawberry.field(description="The purchaser.")
    supplier_organisation_id: strawberry.ID = strawberry.field(description="The supplier.")
    supplier_name: str = strawberry.field(description="The supplier's name.")
    title: str = strawberry.field(description="The contract's title.")
    terms: str = strawberry.field(description="Its terms, as signed.")
    amount: Decimal = strawberry.field(description="Yuan.")
    status: ContractStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    digest: str = strawberry.field(description="Fixed at the first signature; what is signed.")
    sign_due: date | None = strawberry.field(
        description="The last day to sign: 30 days after the result (GP Law art. 46)."
    )
    signed_on: date | None = strawberry.field(description="The day both had signed.")
    publication_due: date | None = strawberry.field(
        description="The last day to publish: 2 working days after signing."
    )
    published_on: date | None = strawberry.field(description="The day it was published.")
    filed_at: datetime | None = strawberry.field(description="When it was filed (备案).")
    schedule: Schedule = strawberry.field(description="What the platform will do by itself.")
    row: strawberry.Private[dict]

    @classmethod
    def of(cls, row: dict) -> Contract:
        ident = lambda v: strawberry.ID(str(v)) if v is not None else None  # noqa: E731
        return cls(
            id=ident(row["id"]),
            tenant_code=row["tenant_id"],
            plan_id=ident(row["plan"]),
            project_id=ident(row["project"]),
            parent_id=ident(row["parent"]),
            purchaser_organisation_id=ident(row["purchaser_organisation"]),
            supplier_organisation_id=ident(row["supplier_organisation"]),
            supplier_name=row["supplier_name"],
            title=row["title"],
            terms=row["terms"],
            amount=to_yuan(row["amount_fen"]),
            status=ContractStatus(row["status"]),
            digest=row["digest"] or service.digest(row),
            sign_due=row["sign_due"],
            signed_on=row["signed_on"],
            publication_due=row["publication_due"],
            published_on=row["published_on"],
            filed_at=row["filed_at"],
            schedule=schedule_of(CONTRACT, row),
            row=row,
        )

    @strawberry.field(
        extensions=allow(READERS),
        directives=[ListSize(max=50)],
        description="Its published acceptance reports, oldest first.",
    )
    async def acceptance_reports(self, info: Info) -> list[AcceptanceReport]:
        loader = info.context.loaders.get("acceptance_reports", service.acceptances_of)
        rows = sorted(await loader.load(int(self.id)), key=lambda r: r["id"])
        return [AcceptanceReport.of(r) for r in rows]

    @strawberry.field(
        extensions=allow(READERS),
        directives=[ListSize(max=100)],
        description="Its payment requests, oldest first.",
    )
    async def payments(self, info: Info) -> list[Payment]:
        loader = info.context.loaders.get("contract_payments", service.payments_of)
        return [
            Payment.of(r) for r in sorted(await loader.load(int(self.id)), key=lambda r: r["id"])
        ]

    @strawberry.field(
        extensions=allow(READERS),
        description="Whether its signatures verify over the content as stored now.",
    )
    async def verification(self, info: Info) -> ContractVerification:
        loader = info.context.loaders.get("contract_signatures", service.signatures_of)
        result = service.verification(self.row, await loader.load(int(self.id)))
        return ContractVerification(
            digest=result.digest,
            digest_matches=result.digest_matches,
            valid=result.valid,
            signatures=[
                ContractSignature(
                    organisation_id=strawberry.ID(str(r["organisation"])),
                    signer=r["signer"],
                    signed_at=r["signed_at"],
                    signature=r["signature"],
                    valid=ok,
                )
                for r, ok in result.signatures
            ],
        )


@strawberry.input
class ContractInput:
    title: str = strawberry.field(description="2 to 200 characters.")
    terms: str = strawberry.field(description="The contract's terms.")
    amount: Decimal = strawberry.field(
        description="Yuan (a Decimal string); within the award to the supplier."
    )

    def to_service(self) -> service.ContractInput:
        return service.ContractInput(self.title, self.terms, self.amount)


@strawberry.input
class AcceptanceInput:
    kind: str = strawberry.field(description="stage, period or final.")
    title: str = strawberry.field(description="2 to 200 characters.")
    findings: str = strawberry.field(description="What the acceptance found.")
    passed: bool = strawberry.field(description="Whether the delivery passed.")
    accepted_on: date = strawberry.field(description="The day of the acceptance (not future).")


@strawberry.type
class AcceptancePayload:
    report: AcceptanceReport | None = strawberry.field(
        default=None, description="The report as published; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PaymentPayload:
    payment: Payment | None = strawberry.field(
        default=None, description="The payment as requested; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ContractPayload:
    contract: Contract | None = strawberry.field(
        default=None, description="The contract as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _contract(work):
    return run_payload(ContractPayload, "contract", Contract.of, work)


OVERVIEW = ListSize(max=views.LIMIT)


@strawberry.type(description="What waits for supervision in your region, and what is overdue.")
class SupervisionOverview:
    """Supervision's queues with the contracts': contracts sit above supervision in the
    layers, so this domain assembles the overview."""

    on: date = strawberry.field(description="The day the queues were read for (Asia/Shanghai).")
    plans_awaiting_filing: list[ProcurementPlan] = strawberry.field(
        description="Plans submitted for filing, oldest first.", directives=[OVERVIEW]
    )
    plans_awaiting_filing_count: int
    contracts_awaiting_filing: list[Contract] = strawberry.field(
        description="Signed contracts waiting for their filing, oldest first.",
        directives=[OVERVIEW],
    )
    contracts_awaiting_filing_count: int
    contract_publication_overdue: list[Contract] = strawberry.field(
        description="Signed, not published, past publicationDue (contract_publication).",
        directives=[OVERVIEW],
    )
    contract_publication_overdue_count: int
    intention_exemptions: list[ProcurementPlan] = strawberry.field(
        description="Plans declared without an intention, by a claimed exemption.",
        directives=[OVERVIEW],
    )
    intention_exemptions_count: int


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Requires(Perm.SUPERVISION_OVERVIEW)),
        description="Oldest first, at most 50 of each; counts are complete.",
    )
    async def supervision_overview(self, info: Info) -> SupervisionOverview:
        plans = await views.plan_queues(info.context.user)
        queues = await service.for_supervision(views.LIMIT)
        filing, filing_count = queues["awaiting_filing"]
        late, late_count = queues["publication_overdue"]
        return SupervisionOverview(
            on=plans.on,
            plans_awaiting_filing=[ProcurementPlan.of(r) for r in plans.plans_awaiting_filing],
            plans_awaiting_filing_count=plans.plans_awaiting_filing_count,
            contracts_awaiting_filing=[Contract.of(r) for r in filing],
            contracts_awaiting_filing_count=filing_count,
            contract_publication_overdue=[Contract.of(r) for r in late],
            contract_publication_overdue_count=late_count,
            intention_exemptions=[ProcurementPlan.of(r) for r in plans.intention_exemptions],
            intention_exemptions_count=plans.intention_exemptions_count,
        )

    @strawberry.field(
        extensions=allow(READERS),
        description="Contracts in your region (admins, supervisors) or of your organisation.",
    )
    async def contracts(
        self,
        info: Info,
        status: ContractStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Contract]:
        page = await service.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, Contract.of)

    @strawberry.field(
        extensions=allow(READERS),
        description="Admins and supervisors: any of their region; others: their organisation's.",
    )
    async def contract(self, info: Info, id: strawberry.ID) -> Contract:
        return Contract.of(await service.readable(info.context.user, parse_id(id, "contract")))


def live(permission: Perm) -> list:
    return allow(Requires(permission), LIVE)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=live(Perm.CONTRACT_CREATE),
        description="A draft contract with a winning supplier, within its awarded amount.",
    )
    async def create_contract(
        self,
        info: Info,
        project_id: strawberry.ID,
        supplier_id: strawberry.ID,
        input: ContractInput,
    ) -> ContractPayload:
        return await _contract(
            lambda: service.create(
                info.context.user,
                parse_id(project_id, "project"),
                parse_id(supplier_id, "supplier organisation"),
                input.to_service(),
            )
        )

    @strawberry.mutation(
        extensions=live(Perm.CONTRACT_CREATE),
        description="A supplement to a signed contract, within supplementary_contract_share.",
    )
    async def create_supplementary_contract(
        self,
        info: Info,
        parent_id: Annotated[
            strawberry.ID, strawberry.argument(description="The signed contract it supplements.")
        ],
        input: ContractInput,
    ) -> ContractPayload:
        return await _contract(
            lambda: service.create_supplementary(
                info.context.user, parse_id(parent_id, "contract"), input.to_service()
            )
        )

    @strawberry.mutation(
        extensions=live(Perm.CONTRACT_SIGN),
        description="Sign for your organisation: an Ed25519 signature (hex) over "
        "b'gpcloud-contract-v1:' + digest.",
    )
    async def sign_contract(
        self,
        info: Info,
        id: strawberry.ID,
        signature: Annotated[
            str, strawberry.argument(description="128 hex digits, by your registered signing key.")
        ],
    ) -> ContractPayload:
        return await _contract(
            lambda: service.sign(info.context.user, parse_id(id, "contract"), signature)
        )

    @strawberry.mutation(
        extensions=live(Perm.CONTRACT_PUBLISH), description="Publish a signed contract today."
    )
    async def publish_contract(self, info: Info, id: strawberry.ID) -> ContractPayload:
        return await _contract(lambda: service.publish(info.context.user, parse_id(id, "contract")))

    @strawberry.mutation(
        extensions=live(Perm.CONTRACT_FILE), description="File (备案) a published contract."
    )
    async def file_contract(self, info: Info, id: strawberry.ID) -> ContractPayload:
        return await _contract(lambda: service.file(info.context.user, parse_id(id, "contract")))

    @strawberry.mutation(
        extensions=live(Perm.ACCEPTANCE_PUBLISH),
        description="Publish an acceptance report of your signed contract.",
    )
    async def publish_acceptance_report(
        self, info: Info, contract_id: strawberry.ID, input: AcceptanceInput
    ) -> AcceptancePayload:
        return await run_payload(
            AcceptancePayload,
            "report",
            AcceptanceReport.of,
            lambda: performance.accept(
                info.context.user,
                parse_id(contract_id, "contract"),
                performance.AcceptanceInput(
                    input.kind, input.title, input.findings, input.passed, input.accepted_on
                ),
            ),
        )

    @strawberry.mutation(
        extensions=live(Perm.PAYMENT_REQUEST),
        description="Request a payment from one of the plan's budget lines (final: after a "
        "passed final acceptance).",
    )
    async def request_payment(
        self,
        info: Info,
        contract_id: strawberry.ID,
        indicator_id: strawberry.ID,
        amount: Annotated[Decimal, strawberry.argument(description="Yuan, above zero.")],
        final: Annotated[
            bool,
            strawberry.argument(
                description="The final payment: only after a passed final acceptance."
            ),
        ] = False,
    ) -> PaymentPayload:
        return await run_payload(
            PaymentPayload,
            "payment",
            Payment.of,
            lambda: performance.request_payment(
                info.context.user,
                parse_id(contract_id, "contract"),
                parse_id(indicator_id, "budget indicator"),
                amount,
                final,
            ),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PAYMENT_EXCHANGE)),
        description="Send the region's requested payments to digital_finance (a job: live "
        "adapter where approved, else payments.xlsx / .csv).",
    )
    async def exchange_payments(self, info: Info, tenant: str | None = None) -> JobPayload:
        return await enqueue_for_tenant(info.context.user, "payment_exchange", {}, tenant)

    # E-mall orders meet their contracts here (contracts/mall.py): the e-mall sits below.
    @strawberry.mutation(
        extensions=allow(Requires(Perm.MALL_ORDER_FULFIL), MALL_LIVE),
        description="Confirm an e-mall order of your organisation: its contract is concluded.",
    )
    async def confirm_mall_order(self, info: Info, id: strawberry.ID) -> MallOrderPayload:
        return await order_payload(
            lambda: mall.confirm_order(info.context.user, parse_id(id, "order"))
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.ACCEPTANCE_PUBLISH), MALL_LIVE),
        description="The final acceptance of a delivered e-mall order (published as the "
        "contract's acceptance report); passed, the order is accepted.",
    )
    async def accept_mall_order(
        self,
        info: Info,
        id: strawberry.ID,
        findings: Annotated[
            str, strawberry.argument(description="What the acceptance found, in words (published).")
        ],
        passed: Annotated[
            bool,
            strawberry.argument(
                description="True: it passed and the order is accepted; false: the failed "
                "report is published and the order stays delivered."
            ),
        ],
        accepted_on: Annotated[
            date | None,
            strawberry.argument(description="The day of the acceptance; today when not given."),
        ] = None,
    ) -> MallOrderPayload:
        async def work():
            order, _ = await mall.accept_order(
                info.context.user, parse_id(id, "order"), findings, passed, accepted_on
            )
            return order

        return await order_payload(work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PAYMENT_REQUEST), MALL_LIVE),
        description="Request the final payment of an accepted e-mall order, its full amount "
        "from the plan line it drew on.",
    )
    async def pay_mall_order(self, info: Info, id: strawberry.ID) -> MallOrderPayload:
        async def work():
            order, _ = await mall.pay_order(info.context.user, parse_id(id, "order"))
            return order

        return await order_payload(work)
