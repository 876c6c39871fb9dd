"""Electronic bid guarantees through the API: the requirement, applications, issuance,
verification, release and claims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.finance_services.graphql.inputs import (
    EvidenceInput,
    GuaranteeIssueInput,
    arg,
)
from gpcloud.finance_services.graphql.types import (
    SIGNED_IN,
    BidGuarantee,
    BidSecurityCheck,
    GuaranteePayload,
    GuaranteeRequirement,
    GuaranteeStatus,
    GuaranteeVerification,
    RequirementPayload,
)
from gpcloud.finance_services.service import (
    guarantees,
    settlement,
)


def _guarantee(work):
    return run_payload(GuaranteePayload, "guarantee", BidGuarantee.of, work)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=SIGNED_IN,
        description="Your bid guarantees: a supplier's own, an institution's issued.",
    )
    async def bid_guarantees(
        self,
        info: Info,
        status: Annotated[GuaranteeStatus | None, arg("Only guarantees in this state.")] = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BidGuarantee]:
        page = await guarantees.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, BidGuarantee.of)

    @strawberry.field(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="A project's guarantees for its agency: bidders hidden until the opening.",
        directives=[ListSize(max=200)],
    )
    async def project_bid_guarantees(
        self, info: Info, project_id: Annotated[strawberry.ID, arg("The project.")]
    ) -> list[BidGuarantee]:
        rows, reveal = await guarantees.of_project(
            info.context.user, parse_id(project_id, "project")
        )
        return [BidGuarantee.of(r, reveal) for r in rows]

    @strawberry.field(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="The bid security your agency's project asks for.",
    )
    async def guarantee_requirement(
        self, info: Info, project_id: Annotated[strawberry.ID, arg("The project.")]
    ) -> GuaranteeRequirement | None:
        await guarantees.of_project(info.context.user, parse_id(project_id, "project"))
        row = await guarantees.requirement(parse_id(project_id, "project"))
        return GuaranteeRequirement.of(row) if row else None

    @strawberry.field(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="Verify a guarantee a bid names (signature, state, requirement).",
    )
    async def verify_bid_guarantee(
        self, info: Info, number: Annotated[str, arg("The guarantee number the bid gives.")]
    ) -> GuaranteeVerification:
        found = await guarantees.verify(number)
        row = found["guarantee"]
        if row is not None:
            await guarantees.of_project(info.context.user, row["project"])
        return GuaranteeVerification(
            valid=found["valid"],
            problems=found["problems"],
            guarantee=BidGuarantee.of(row, reveal=False) if row else None,
        )

    @strawberry.field(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="Each bid's security checked against its guarantee, from the opening on.",
        directives=[ListSize(max=200)],
    )
    async def project_bid_security_checks(
        self, info: Info, project_id: Annotated[strawberry.ID, arg("The project.")]
    ) -> list[BidSecurityCheck]:
        rows = await settlement.bid_securities(info.context.user, parse_id(project_id, "project"))
        return [BidSecurityCheck.of(r) for r in rows]


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="State the bid security of your agency's project.",
    )
    async def set_guarantee_requirement(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, arg("The project.")],
        amount: Annotated[Decimal, arg("Yuan, at most 2% of the budget.")],
        valid_until: Annotated[date, arg("Bids stay valid until this day.")],
        beneficiary: Annotated[str, arg("purchaser or agency.")] = "purchaser",
    ) -> RequirementPayload:
        return await run_payload(
            RequirementPayload,
            "requirement",
            GuaranteeRequirement.of,
            lambda: guarantees.require(
                info.context.user, parse_id(project_id, "project"), amount, valid_until, beneficiary
            ),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_APPLY)),
        description="Ask an institution for a project's bid guarantee.",
    )
    async def apply_for_bid_guarantee(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, arg("The project.")],
        institution_id: Annotated[strawberry.ID, arg("The institution chosen.")],
    ) -> GuaranteePayload:
        return await _guarantee(
            lambda: guarantees.apply(
                info.context.user,
                parse_id(project_id, "project"),
                parse_id(institution_id, "institution"),
            )
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_ISSUE)),
        description="Issue a guarantee asked of your institution, signed.",
    )
    async def issue_bid_guarantee(
        self, info: Info, id: strawberry.ID, input: GuaranteeIssueInput
    ) -> GuaranteePayload:
        data = guarantees.Issuance(
            parse_id(input.project_id, "project"),
            input.number,
            input.amount,
            input.valid_until,
            input.beneficiary,
            input.signature,
        )
        return await _guarantee(
            lambda: guarantees.issue(info.context.user, parse_id(id, "guarantee"), data)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_ISSUE)),
        description="Refuse a guarantee asked of your institution.",
    )
    async def refuse_bid_guarantee(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> GuaranteePayload:
        return await _guarantee(
            lambda: guarantees.refuse(info.context.user, parse_id(id, "guarantee"), reason)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="Release a guarantee after the award (else the scheduler does by the 5th wd).",
    )
    async def release_bid_guarantee(self, info: Info, id: strawberry.ID) -> GuaranteePayload:
        return await _guarantee(
            lambda: settlement.release(info.context.user, parse_id(id, "guarantee"))
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="Claim on a defined default, with evidence.",
    )
    async def claim_bid_guarantee(
        self,
        info: Info,
        id: strawberry.ID,
        reason: Annotated[str, arg("withdrawal_after_deadline or refusal_to_sign.")],
        evidence: Annotated[list[EvidenceInput], arg("At least one piece of evidence.")],
    ) -> GuaranteePayload:
        items = [{"title": e.title, "reference": e.reference} for e in evidence[:20]]
        return await _guarantee(
            lambda: settlement.claim(info.context.user, parse_id(id, "guarantee"), reason, items)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_ISSUE)),
        description="Record that your institution paid a claim.",
    )
    async def pay_guarantee_claim(self, info: Info, id: strawberry.ID) -> GuaranteePayload:
        return await _guarantee(
            lambda: settlement.pay(info.context.user, parse_id(id, "guarantee"))
        )
