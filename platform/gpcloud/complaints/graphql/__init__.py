"""Inquiries, challenges, complaints, decisions and suspensions through the API (types in
types.py). A supplier sees its own filings, the purchaser and agency those about their
procurements, a supervisor those of its region; decisions are public."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from gpcloud.complaints.graphql.types import (
    SIGNED_IN,
    After,
    Challenge,
    ChallengeItemInput,
    ChallengePayload,
    ChallengeStatus,
    ChallengeTarget,
    Complaint,
    ComplaintDecision,
    ComplaintDecisionPayload,
    ComplaintItemInput,
    ComplaintPayload,
    ComplaintStatus,
    DecisionInput,
    First,
    Inquiry,
    InquiryPayload,
    InquiryStatus,
    ProcedureStep,
    ProjectArg,
    Remedy,
    Suspension,
    SuspensionPayload,
    SuspensionStatus,
)
from gpcloud.complaints.service import (
    challenges,
    complaints,
    decisions,
    inquiries,
    reads,
    suspensions,
)
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Public, Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id


def _project(value) -> int | None:
    return parse_id(value, "project") if value else None


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=SIGNED_IN,
        description="Inquiries: a supplier's own, the purchaser's and agency's, the region's.",
    )
    async def inquiries(
        self,
        info: Info,
        project_id: ProjectArg = None,
        status: Annotated[
            InquiryStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only those in this state."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Inquiry]:
        page = await reads.search(
            info.context.user,
            "inquiry",
            _project(project_id),
            status.value if status else None,
            first,
            after,
        )
        return connection(page, Inquiry.of)

    @strawberry.field(
        extensions=SIGNED_IN,
        description="Challenges: a supplier's own, the purchaser's and agency's, the region's.",
    )
    async def challenges(
        self,
        info: Info,
        project_id: ProjectArg = None,
        status: Annotated[
            ChallengeStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only those in this state."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Challenge]:
        page = await reads.search(
            info.context.user,
            "challenge",
            _project(project_id),
            status.value if status else None,
            first,
            after,
        )
        return connection(page, Challenge.of)

    @strawberry.field(extensions=SIGNED_IN, description="One challenge you may read.")
    async def challenge(self, info: Info, id: strawberry.ID) -> Challenge:
        return Challenge.of(
            await reads.get(info.context.user, "challenge", parse_id(id, "challenge"))
        )

    @strawberry.field(
        extensions=SIGNED_IN,
        description="Complaints: a supplier's own, the respondents', the department's region's.",
    )
    async def complaints(
        self,
        info: Info,
        project_id: ProjectArg = None,
        status: Annotated[
            ComplaintStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only those in this state."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Complaint]:
        page = await reads.search(
            info.context.user,
            "complaint",
            _project(project_id),
            status.value if status else None,
            first,
            after,
        )
        return connection(page, Complaint.of)

    @strawberry.field(extensions=SIGNED_IN, description="One complaint you may read.")
    async def complaint(self, info: Info, id: strawberry.ID) -> Complaint:
        return Complaint.of(
            await reads.get(info.context.user, "complaint", parse_id(id, "complaint"))
        )

    @strawberry.field(
        extensions=SIGNED_IN,
        description="Suspensions: the region's for supervisors, else those of your complaints.",
    )
    async def suspensions(
        self,
        info: Info,
        project_id: ProjectArg = None,
        status: Annotated[
            SuspensionStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only those in this state."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Suspension]:
        page = await reads.suspensions(
            info.context.user, _project(project_id), status.value if status else None, first, after
        )
        return connection(page, Suspension.of)

    @strawberry.field(
        extensions=allow(Public()),
        description="Published complaint decisions (投诉处理决定), for anyone.",
    )
    async def complaint_decisions(
        self, project_id: ProjectArg = None, first: First = None, after: After = None
    ) -> Connection[ComplaintDecision]:
        return connection(
            await decisions.search(_project(project_id), first, after), ComplaintDecision.of
        )


def live(permission: Perm) -> list:
    """A complaints mutation: the permission, once supervision is live in the caller's tenant."""
    return allow(Requires(permission), SubsystemLive("supervision"))


def _inquiry(work):
    return run_payload(InquiryPayload, "inquiry", Inquiry.of, work)


def _challenge(work):
    return run_payload(ChallengePayload, "challenge", Challenge.of, work)


def _complaint(work):
    return run_payload(ComplaintPayload, "complaint", Complaint.of, work)


def _suspension(work):
    return run_payload(SuspensionPayload, "suspension", Suspension.of, work)


Id = Annotated[strawberry.ID, strawberry.argument(description="The filing's id.")]
Text = Annotated[str, strawberry.argument(description="The text (2 to 8000 characters).")]


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=live(Perm.INQUIRY_ASK),
        description="Ask the purchaser or agency of a procurement (answered within 3 wd).",
    )
    async def ask_inquiry(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        text: Annotated[str, strawberry.argument(description="The question (2 to 4000).")],
    ) -> InquiryPayload:
        user = info.context.user
        return await _inquiry(lambda: inquiries.ask(user, parse_id(project_id, "project"), text))

    @strawberry.mutation(
        extensions=live(Perm.INQUIRY_ANSWER),
        description="Answer an inquiry on your unit's or agency's procurement.",
    )
    async def answer_inquiry(self, info: Info, id: Id, text: Text) -> InquiryPayload:
        user = info.context.user
        return await _inquiry(lambda: inquiries.answer(user, parse_id(id, "inquiry"), text))

    @strawberry.mutation(
        extensions=live(Perm.CHALLENGE_FILE),
        description="Challenge (质疑) the documents, a step or the result: every item against "
        "one step in one filing, within 7 wd of when you should have known.",
    )
    async def file_challenge(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        target: Annotated[
            ChallengeTarget,  # type: ignore[valid-type]
            strawberry.argument(description="What it is against."),
        ],
        items: Annotated[
            list[ChallengeItemInput], strawberry.argument(description="1 to 20 items.")
        ],
        step: Annotated[
            ProcedureStep | None,  # type: ignore[valid-type]
            strawberry.argument(description="The step, for target STEP."),
        ] = None,
        affects_result: Annotated[
            bool, strawberry.argument(description="It may affect the result.")
        ] = True,
    ) -> ChallengePayload:
        data = challenges.ChallengeInput(
            project_id=parse_id(project_id, "project"),
            target=target.value,
            items=[i.to_service() for i in items],
            step=step.value if step else "",
            affects_result=affects_result,
        )
        return await _challenge(lambda: challenges.file(info.context.user, data))

    @strawberry.mutation(
        extensions=live(Perm.CHALLENGE_ANSWER),
        description="Answer a challenge, in writing, to the challenger and the other suppliers.",
    )
    async def answer_challenge(
        self,
        info: Info,
        id: Id,
        text: Text,
        remedy: Annotated[
            Remedy,  # type: ignore[valid-type]
            strawberry.argument(
                description="Found justified and affecting the result: what is done (Order 94 "
                "art. 16, unverified), carried out with the answer; default nothing."
            ),
        ] = "none",
        step: Annotated[
            ProcedureStep | None,  # type: ignore[valid-type]
            strawberry.argument(description="The step to redo, for REDO_STEP."),
        ] = None,
    ) -> ChallengePayload:
        user = info.context.user
        chosen = remedy.value if hasattr(remedy, "value") else str(remedy)
        return await _challenge(
            lambda: challenges.answer(
                user,
                parse_id(id, "challenge"),
                text,
                chosen,
                step.value if step else "",
            )
        )

    @strawberry.mutation(
        extensions=live(Perm.CHALLENGE_FILE), description="Withdraw your unanswered challenge."
    )
    async def withdraw_challenge(self, info: Info, id: Id) -> ChallengePayload:
        user = info.context.user
        return await _challenge(lambda: challenges.withdraw(user, parse_id(id, "challenge")))

    @strawberry.mutation(
        extensions=live(Perm.CHALLENGE_FILE),
        description="Accept the answer to your challenge: it is resolved.",
    )
    async def accept_challenge_answer(self, info: Info, id: Id) -> ChallengePayload:
        user = info.context.user
        return await _challenge(lambda: challenges.accept_answer(user, parse_id(id, "challenge")))

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_FILE),
        description="Complain (投诉) to the finance department about your challenge, on what "
        "you challenged, within 15 wd after its answer period.",
    )
    async def file_complaint(
        self,
        info: Info,
        challenge_id: Annotated[strawberry.ID, strawberry.argument(description="Your challenge.")],
        items: Annotated[
            list[ComplaintItemInput], strawberry.argument(description="Challenged items.")
        ],
    ) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(
            lambda: complaints.file(
                user, parse_id(challenge_id, "challenge"), [i.to_service() for i in items]
            )
        )

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_HANDLE),
        description="Ask the complainant once for missing material (the clock stands still).",
    )
    async def request_complaint_material(
        self, info: Info, id: Id, request: Text
    ) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(
            lambda: complaints.request_material(user, parse_id(id, "complaint"), request)
        )

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_FILE),
        description="Supply the missing material asked for.",
    )
    async def supplement_complaint(self, info: Info, id: Id, material: Text) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(
            lambda: complaints.supplement(user, parse_id(id, "complaint"), material)
        )

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_HANDLE), description="不予受理, with the reason."
    )
    async def reject_complaint(self, info: Info, id: Id, reason: Text) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(lambda: complaints.reject(user, parse_id(id, "complaint"), reason))

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_HANDLE),
        description="Refer the complainant to the competent department (named in the reason).",
    )
    async def refer_complaint(self, info: Info, id: Id, reason: Text) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(lambda: complaints.refer(user, parse_id(id, "complaint"), reason))

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_HANDLE), description="Accept (受理) a complaint."
    )
    async def accept_complaint(self, info: Info, id: Id) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(lambda: complaints.accept(user, parse_id(id, "complaint")))

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_HANDLE),
        description="Send the copy of an accepted complaint to the respondents.",
    )
    async def serve_complaint(self, info: Info, id: Id) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(lambda: complaints.serve(user, parse_id(id, "complaint")))

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_RESPOND),
        description="Answer a complaint about your unit's or agency's procurement.",
    )
    async def respond_to_complaint(self, info: Info, id: Id, statement: Text) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(
            lambda: complaints.respond(user, parse_id(id, "complaint"), statement)
        )

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_HANDLE),
        description="Pause the decision period for testing or expert review.",
    )
    async def pause_complaint(self, info: Info, id: Id, reason: Text) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(lambda: complaints.pause(user, parse_id(id, "complaint"), reason))

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_HANDLE),
        description="Resume the decision period; its end moves by the days paused.",
    )
    async def resume_complaint(self, info: Info, id: Id) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(lambda: complaints.resume(user, parse_id(id, "complaint")))

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_FILE),
        description="Withdraw your complaint: the case ends.",
    )
    async def withdraw_complaint(self, info: Info, id: Id, reason: Text) -> ComplaintPayload:
        user = info.context.user
        return await _complaint(
            lambda: complaints.withdraw(user, parse_id(id, "complaint"), reason)
        )

    @strawberry.mutation(
        extensions=live(Perm.COMPLAINT_HANDLE),
        description="Decide a complaint; the decision is published on the portal.",
    )
    async def decide_complaint(
        self, info: Info, id: Id, input: DecisionInput
    ) -> ComplaintDecisionPayload:
        user = info.context.user
        return await run_payload(
            ComplaintDecisionPayload,
            "decision",
            ComplaintDecision.of,
            lambda: decisions.decide(user, parse_id(id, "complaint"), input.to_service()),
        )

    @strawberry.mutation(
        extensions=live(Perm.PROCUREMENT_SUSPEND),
        description="Suspend a complaint's procurement for 1 to 30 days in all (Law art. 57).",
    )
    async def suspend_procurement(
        self,
        info: Info,
        complaint_id: Annotated[strawberry.ID, strawberry.argument(description="The complaint.")],
        days: Annotated[int, strawberry.argument(description="Calendar days from today.")],
        reason: Text,
    ) -> SuspensionPayload:
        user = info.context.user
        return await _suspension(
            lambda: suspensions.suspend(user, parse_id(complaint_id, "complaint"), days, reason)
        )

    @strawberry.mutation(
        extensions=live(Perm.PROCUREMENT_SUSPEND), description="Lift a suspension early."
    )
    async def lift_suspension(self, info: Info, id: Id) -> SuspensionPayload:
        user = info.context.user
        return await _suspension(lambda: suspensions.lift(user, parse_id(id, "suspension")))


# The department's lists and exports (supervision.py), merged into the domain's root types.
from gpcloud.complaints.graphql import supervision  # noqa: E402

Queries = merge_types("ComplaintsQueries", (Queries, supervision.Queries))
Mutations = merge_types("ComplaintsMutations", (Mutations, supervision.Mutations))
