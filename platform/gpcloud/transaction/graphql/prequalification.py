"""Prequalification through the API: the notice (public, as published in the media: any
supplier reads it to apply), applications with their documents, the agency's review and
conclusion. A supplier sees its own application only; the agency and the region see all."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import UserError, parse_base64, parse_id
from gpcloud.transaction import parties, prequalification, prequalification_corrections
from gpcloud.transaction.graphql.documents import DocumentFile, DocumentFileInput
from gpcloud.transaction.selection_workflow import APPLICATION, PREQUALIFICATION

PrequalificationStatus = state_enum(
    "PrequalificationStatus",
    PREQUALIFICATION,
    {
        "open": "Taking applications until the deadline.",
        "closed": "The deadline passed; the agency reviews the applications.",
        "concluded": "Enough suppliers qualified: only they obtain the documents and bid.",
        "failed": "Fewer qualified than the method's minimum: the project is re-tendered.",
    },
)
ApplicationStatus = state_enum(
    "PrequalificationApplicationStatus",
    APPLICATION,
    {
        "submitted": "Received; replaceable until the deadline, then reviewed.",
        "qualified": "Passed the prequalification (资格预审合格).",
        "rejected": "Did not pass; the reason is given.",
    },
)


@strawberry.type(description="A supplier's prequalification application and its review.")
class PrequalificationApplication:
    id: strawberry.ID
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The applying supplier's organisation."
    )
    supplier_name: str = strawberry.field(description="The applying supplier's name.")
    statement: str = strawberry.field(description="The applicant's statement, as written.")
    documents: list[DocumentFile] = strawberry.field(
        description="The qualification documents (files in storage).",
        directives=[ListSize(max=20)],
    )
    submitted_at: datetime = strawberry.field(
        description="When the application (or its last replacement) arrived (timestamp)."
    )
    status: ApplicationStatus = strawberry.field(description="Where the application stands.")  # type: ignore[valid-type]
    reason: str = strawberry.field(description="The agency's reason; empty until reviewed.")
    reviewed_at: datetime | None = strawberry.field(
        description="When the agency reviewed it (timestamp); null until then."
    )

    @classmethod
    def of(cls, r: dict) -> PrequalificationApplication:
        return cls(
            id=strawberry.ID(str(r["id"])),
            supplier_organisation_id=strawberry.ID(str(r["supplier_organisation"])),
            supplier_name=r["supplier_name"],
            statement=r["statement"],
            documents=[
                DocumentFile(name=f["name"], size=f["size"], sha256=f["sha256"])
                for f in json.loads(r["documents"])
            ],
            submitted_at=r["submitted_at"],
            status=ApplicationStatus(r["status"]),
            reason=r["reason"],
            reviewed_at=r["reviewed_at"],
        )


@strawberry.type(description="资格预审: the notice, its deadline and how it ended.")
class Prequalification:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project prequalified for.")
    title: str = strawberry.field(description="The notice's title.")
    body: str = strawberry.field(description="The notice's text.")
    requirements: JSON = strawberry.field(
        description="The qualification requirements, a JSON list of objects with their item."
    )
    published_at: datetime = strawberry.field(description="When it was published (timestamp).")
    applications_due_at: datetime = strawberry.field(
        description="Applications are taken until this instant (server clock)."
    )
    status: PrequalificationStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    qualified: int | None = strawberry.field(
        description="How many suppliers qualified; null until concluded or failed."
    )
    _applications: strawberry.Private[list[dict]]

    @classmethod
    def of(cls, r: dict, applications: list[dict]) -> Prequalification:
        return cls(
            id=strawberry.ID(str(r["id"])),
            project_id=strawberry.ID(str(r["project"])),
            title=r["title"],
            body=r["body"],
            requirements=json.loads(r["requirements"]),
            published_at=r["published_at"],
            applications_due_at=r["applications_due_at"],
            status=PrequalificationStatus(r["status"]),
            qualified=r["qualified"],
            _applications=applications,
        )

    @strawberry.field(
        extensions=allow(Requires(Perm.PROJECT_READ)),
        directives=[ListSize(max=500)],
        description="The applications you may see: a supplier its own; the agency and the "
        "region every one.",
    )
    def applications(self) -> list[PrequalificationApplication]:
        return [PrequalificationApplication.of(r) for r in self._applications]


async def _visible_applications(info: Info, project_id: int) -> list[dict]:
    actor = info.context.user
    if SUPPLIER in actor.roles:
        return await prequalification.applications(project_id, actor.organisation_id)
    try:
        await parties.readable(actor, project_id)
    except DomainError:
        return []
    return await prequalification.applications(project_id)


@strawberry.input
class PrequalificationNoticeInput:
    project_id: strawberry.ID = strawberry.field(description="The project, entrusted to you.")
    title: str = strawberry.field(description="The notice's title (2 to 200 characters).")
    body: str = strawberry.field(description="The notice's text.")
    requirements: JSON = strawberry.field(
        description='The qualification requirements: a JSON list of {"item": ...} objects.'
    )
    applications_due_at: datetime = strawberry.field(
        description="Applications are taken until this instant; at least "
        "prequalification_application_period (5 working days) after the notice."
    )


@strawberry.input
class PrequalificationApplicationInput:
    project_id: strawberry.ID = strawberry.field(description="The project applied for.")
    statement: str = strawberry.field(
        default="", description="Your statement (up to 4000 characters)."
    )
    documents: list[DocumentFileInput] = strawberry.field(
        default_factory=list,
        description="Your qualification documents (up to 20 files of 50 MB).",
    )


@strawberry.type
class PrequalificationPayload:
    prequalification: Prequalification | None = strawberry.field(
        default=None, description="The prequalification as it now stands."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PrequalificationApplicationPayload:
    application: PrequalificationApplication | None = strawberry.field(
        default=None, description="The application as it now stands."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _requirements(value) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise DomainError("INVALID_REQUIREMENTS", "a list of objects", "requirements")
    return value


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Requires(Perm.PROJECT_READ)),
        description="A project's prequalification notice (public, as published), with the "
        "applications you may see; null if it has none.",
    )
    async def prequalification(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
    ) -> Prequalification | None:
        pid = parse_id(project_id, "project")
        row = await prequalification.of_project(pid)
        if row is None:
            return None
        return Prequalification.of(row, await _visible_applications(info, pid))


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.PREQUALIFICATION_MANAGE), SubsystemLive("transaction")),
        description="Publish the prequalification notice of an entrusted project (资格预审公告).",
    )
    async def publish_prequalification_notice(
        self, info: Info, input: PrequalificationNoticeInput
    ) -> PrequalificationPayload:
        async def work() -> PrequalificationPayload:
            row = await prequalification.publish(
                info.context.user,
                parse_id(input.project_id, "project"),
                prequalification.NoticeInput(
                    title=input.title,
                    body=input.body,
                    requirements=_requirements(input.requirements),
                    applications_due_at=input.applications_due_at,
                ),
            )
            return PrequalificationPayload(prequalification=Prequalification.of(row, []))

        return await run_mutation(PrequalificationPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PREQUALIFICATION_MANAGE), SubsystemLive("transaction")),
        description="Clarify or correct the prequalification notice while applications are "
        "open; every applicant is told. One affecting applications comes 3 days before the "
        "deadline, or moves it.",
    )
    async def correct_prequalification_notice(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        text: Annotated[
            str, strawberry.argument(description="What is clarified or corrected (sent out).")
        ],
        affects_applications: Annotated[
            bool,
            strawberry.argument(description="Whether it changes what applicants must prepare."),
        ],
        requirements: Annotated[
            JSON | None,
            strawberry.argument(description="The corrected requirements; null: unchanged."),
        ] = None,
        new_due_at: Annotated[
            datetime | None,
            strawberry.argument(description="A later application deadline; null: unchanged."),
        ] = None,
    ) -> PrequalificationPayload:
        async def work() -> PrequalificationPayload:
            pid = parse_id(project_id, "project")
            row = await prequalification_corrections.correct(
                info.context.user,
                pid,
                text,
                affects_applications,
                _requirements(requirements) if requirements is not None else None,
                new_due_at,
            )
            return PrequalificationPayload(
                prequalification=Prequalification.of(row, await prequalification.applications(pid))
            )

        return await run_mutation(PrequalificationPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PREQUALIFICATION_APPLY)),
        description="Apply with your qualification documents before the deadline; applying "
        "again replaces them.",
    )
    async def apply_for_prequalification(
        self, info: Info, input: PrequalificationApplicationInput
    ) -> PrequalificationApplicationPayload:
        async def work() -> PrequalificationApplicationPayload:
            row = await prequalification.apply(
                info.context.user,
                parse_id(input.project_id, "project"),
                prequalification.ApplicationInput(
                    statement=input.statement,
                    files=[(f.name, parse_base64(f.content, "documents")) for f in input.documents],
                ),
            )
            return PrequalificationApplicationPayload(
                application=PrequalificationApplication.of(row)
            )

        return await run_mutation(PrequalificationApplicationPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PREQUALIFICATION_MANAGE)),
        description="Qualify or reject an application once applications are closed.",
    )
    async def review_prequalification_application(
        self,
        info: Info,
        application_id: Annotated[
            strawberry.ID, strawberry.argument(description="The application reviewed.")
        ],
        qualified: Annotated[
            bool, strawberry.argument(description="true: qualified; false: rejected.")
        ],
        reason: Annotated[
            str, strawberry.argument(description="Why; required for a rejection.")
        ] = "",
    ) -> PrequalificationApplicationPayload:
        async def work() -> PrequalificationApplicationPayload:
            row = await prequalification.review(
                info.context.user, parse_id(application_id, "application"), qualified, reason
            )
            return PrequalificationApplicationPayload(
                application=PrequalificationApplication.of(row)
            )

        return await run_mutation(PrequalificationApplicationPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PREQUALIFICATION_MANAGE)),
        description="Conclude the prequalification once every application is reviewed "
        "(failed with fewer qualified than the method's minimum).",
    )
    async def conclude_prequalification(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
    ) -> PrequalificationPayload:
        async def work() -> PrequalificationPayload:
            pid = parse_id(project_id, "project")
            row = await prequalification.conclude(info.context.user, pid)
            return PrequalificationPayload(
                prequalification=Prequalification.of(row, await prequalification.applications(pid))
            )

        return await run_mutation(PrequalificationPayload, work)
